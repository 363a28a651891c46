"""The admin labels a subscription's address "URL", not "Url" (a label only: no SQL)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0003_editors_see_delivery_attempts"),
    ]

    operations = [
        migrations.AlterField(
            model_name="subscription",
            name="url",
            field=models.CharField(
                help_text="Where events are POSTed: an https URL on the public internet (hosts named in WEBHOOK_ALLOWED_HOSTS may be private).",
                max_length=2000,
                verbose_name="URL",
            ),
        ),
    ]
