"""Issue 3: the review queue's indexes (order and trigram search) and the permissions the
Reviewers and Editors groups need in the admin."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.conf import settings
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

# Reviewers read everything they work with; their writes go through claims/workflow.py (which
# checks the group itself), so they hold no change permission on claims or verdicts.
REVIEWER_PERMISSIONS = [
    "claims.view_claim",
    "claims.view_verdict",
    "claims.view_citation",
    "claims.view_claimant",
    "claims.view_rating",
    "claims.view_claimevent",
    "sources.view_source",
    "sources.view_importrun",
]
# Editors also manage claimants, the rating scale and sources, and correct claim metadata.
EDITOR_PERMISSIONS = REVIEWER_PERMISSIONS + [
    "claims.change_claim",
    "claims.add_claimant",
    "claims.change_claimant",
    "claims.add_rating",
    "claims.change_rating",
    "claims.delete_rating",
    "sources.add_source",
    "sources.change_source",
]


def grant(apps, schema_editor):
    # Permissions are normally created after `migrate` finishes; create them now so a fresh
    # database can grant them here.
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    grant_to_groups(apps)


def grant_to_groups(apps):
    """Give Reviewers and Editors their permissions (which must exist); idempotent."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (("Reviewers", REVIEWER_PERMISSIONS), ("Editors", EDITOR_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=name)
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0002_default_scale_groups_audit"),
        ("sources", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        # Issue 6 creates it too; IF NOT EXISTS makes both safe.
        TrigramExtension(),
        migrations.RunPython(grant, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                models.F("status"),
                models.OrderBy(models.F("score"), descending=True, nulls_last=True),
                models.OrderBy(models.F("created_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                name="claim_queue_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                models.OrderBy(models.F("score"), descending=True, nulls_last=True),
                models.OrderBy(models.F("created_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                name="claim_queue_all_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("text"), name="gin_trgm_ops"
                ),
                name="claim_text_trgm_idx",
            ),
        ),
    ]
