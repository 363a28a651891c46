"""Editors replay webhook deliveries, so a delivery's page shows them its attempts and why each
failed: the Editors group gets the permission to view attempts that claims/defaults.py lists
(install adds what is missing, removes nothing)."""

import sys

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from claims import defaults


def install(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    defaults.install_with_permissions(apps, sys.modules[__name__])


class Migration(migrations.Migration):
    dependencies = [("webhooks", "0002_editors_manage_feeds_and_webhooks")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
