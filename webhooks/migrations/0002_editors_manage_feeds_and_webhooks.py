"""Editors manage feeds and webhook subscriptions in the admin: the Editors group gets the
permissions claims/defaults.py lists for it (install adds what is missing, removes nothing)."""

import sys

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from claims import defaults


def install(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    defaults.install_with_permissions(apps, sys.modules[__name__])


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_webhooks"),
        ("claims", "0008_verdict_listed_index"),
        ("sources", "0006_constraint_messages_in_words"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
