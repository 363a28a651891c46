"""The admin names API keys "API key", not Django's "api key" (Meta options only: no SQL)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0010_claim_search_sample_index"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="apikey",
            options={"ordering": ["name", "id"], "verbose_name": "API key"},
        ),
    ]
