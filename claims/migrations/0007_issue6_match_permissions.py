"""Issue 6: reviewers see the matches found on import; editors confirm or dismiss them."""

from django.db import migrations

GRANTS = {
    "Reviewers": ["view_claimmatch"],
    "Editors": ["view_claimmatch", "change_claimmatch"],
}


def grant(apps, schema_editor):
    # Permissions are normally created after `migrate` finishes; create them now.
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("claims")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    grant_to_groups(apps)


def grant_to_groups(apps):
    """Give Reviewers and Editors their ClaimMatch permissions (which must exist); idempotent."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for codename in codenames:
            group.permissions.add(
                Permission.objects.get(content_type__app_label="claims", codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0006_merge_issue5"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
