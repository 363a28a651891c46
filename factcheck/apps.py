from django.contrib.admin.apps import AdminConfig


class DeskAdminConfig(AdminConfig):
    """Django's admin with the newsroom's site (factcheck/admin_site.py) as `admin.site`."""

    default_site = "factcheck.admin_site.DeskAdminSite"
