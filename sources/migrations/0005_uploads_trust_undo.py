"""Uploads held from their preview to their import; a trust setting on feeds and import runs;
the record of an undone run; runs of articles added in the admin.

Runs and ClaimReview feeds from before the trust setting published their reviews on import:
they are marked trusted, so a feed keeps doing what its operator set it up to do and an undo
knows the status those claims arrived with."""

import django.db.models.deletion
from django.apps.registry import Apps
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def trust_what_published_before(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    ImportRun = apps.get_model("sources", "ImportRun")
    Feed = apps.get_model("sources", "Feed")
    ImportRun.objects.filter(kind__in=["table", "claimreview"]).update(trusted=True)
    Feed.objects.filter(kind="claimreview").update(trusted=True)


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0004_refused_files"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Upload",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text='The file\'s name, or "pasted text".', max_length=300
                    ),
                ),
                (
                    "format",
                    models.CharField(
                        choices=[
                            ("table", "Table of reviewed claims (CSV/TSV)"),
                            ("claimreview", "ClaimReview (DataFeed, JSON or HTML with JSON-LD)"),
                            ("document", "Document (text, HTML, Markdown, PDF, DOCX)"),
                        ],
                        max_length=20,
                    ),
                ),
                ("data", models.BinaryField(blank=True)),
                ("size", models.PositiveBigIntegerField()),
                ("options", models.JSONField(blank=True, default=dict)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("staged", "Awaiting confirmation"),
                            ("confirmed", "Confirmed, importing"),
                            ("imported", "Imported"),
                        ],
                        default="staged",
                        max_length=20,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("confirmed_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.RemoveConstraint(
            model_name="importrun",
            name="importrun_kind_valid",
        ),
        migrations.AddField(
            model_name="feed",
            name="trusted",
            field=models.BooleanField(
                default=False,
                help_text="ClaimReview feeds: publish its reviews as soon as they are imported. Otherwise each arrives as a claim awaiting review, its review kept as a suggestion an editor can publish.",
            ),
        ),
        migrations.AddField(
            model_name="importrun",
            name="trusted",
            field=models.BooleanField(
                default=False,
                help_text="Reviewed claims: published on import (a trusted origin); otherwise they await review, the fact-checker's review kept as a suggestion.",
            ),
        ),
        migrations.AddField(
            model_name="importrun",
            name="undo",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="importrun",
            name="undone_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="importrun",
            name="undone_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="importrun",
            name="kind",
            field=models.CharField(
                choices=[
                    ("files", "Files and folders"),
                    ("feed", "RSS/Atom feed"),
                    ("claimreview", "ClaimReview"),
                    ("table", "Table (CSV/TSV)"),
                    ("article", "Article added in the admin"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="importrun",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("kind__in", ["files", "feed", "claimreview", "table", "article"])
                ),
                name="importrun_kind_valid",
            ),
        ),
        migrations.AddField(
            model_name="upload",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="upload",
            name="run",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="upload",
                to="sources.importrun",
            ),
        ),
        migrations.AddIndex(
            model_name="upload",
            index=models.Index(
                condition=models.Q(("status", "staged")),
                fields=["created_at"],
                name="upload_staged_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="upload",
            constraint=models.CheckConstraint(
                condition=models.Q(("format__in", ["table", "claimreview", "document"])),
                name="upload_format_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="upload",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["staged", "confirmed", "imported"])),
                name="upload_status_valid",
            ),
        ),
        migrations.RunPython(trust_what_published_before, migrations.RunPython.noop),
    ]
