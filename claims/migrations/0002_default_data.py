"""The rows a new database starts with: the rating scale and the Reviewers and Editors groups with
their permissions (claims/defaults.py, which the tests install from too)."""

import sys

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from claims import defaults


def install(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    defaults.install_with_permissions(apps, sys.modules[__name__])


class Migration(migrations.Migration):
    replaces = [
        ("claims", "0002_default_scale_groups_audit"),
        ("claims", "0003_issue3_queue_search_roles"),
        ("claims", "0003_issue5_more_aliases"),
        ("claims", "0007_issue6_match_permissions"),
    ]

    dependencies = [
        ("claims", "0001_schema"),
        ("sources", "0002_feed"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
