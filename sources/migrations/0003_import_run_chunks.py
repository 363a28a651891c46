"""Import run chunks: the ranges of rows of a table several tasks import into one run."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0002_feed"),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportRunChunk",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("first", models.PositiveIntegerField(help_text="The range's first row, from 0.")),
                (
                    "last",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="The row after the range; empty: to the table's end.",
                        null=True,
                    ),
                ),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                (
                    "run",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="chunks",
                        to="sources.importrun",
                    ),
                ),
            ],
            options={
                "ordering": ["run", "first"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("run", "first"), name="importrunchunk_run_first_unique"
                    )
                ],
            },
        ),
    ]
