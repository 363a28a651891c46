"""Feeds: RSS/Atom or ClaimReview sources polled on a schedule."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [("sources", "0002_issue5_feed")]

    dependencies = [
        ("sources", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Feed",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("url", models.URLField(max_length=2000)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("rss", "RSS/Atom feed"),
                            ("claimreview", "ClaimReview (DataFeed, JSON or HTML with JSON-LD)"),
                        ],
                        default="rss",
                        max_length=20,
                    ),
                ),
                ("title", models.CharField(blank=True, max_length=300)),
                (
                    "interval",
                    models.PositiveIntegerField(
                        default=3600, help_text="Seconds between polls (at least 60)."
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        blank=True,
                        help_text="Default ISO 639-1 language of its items, e.g. en.",
                        max_length=8,
                    ),
                ),
                ("enabled", models.BooleanField(default=True)),
                ("last_success_at", models.DateTimeField(blank=True, null=True)),
                ("consecutive_failures", models.PositiveIntegerField(default=0)),
                ("last_error", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "last_run",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="sources.importrun",
                    ),
                ),
            ],
            options={
                "ordering": ["url"],
                "constraints": [
                    models.UniqueConstraint(fields=("url",), name="feed_url_unique"),
                    models.CheckConstraint(
                        condition=models.Q(("kind__in", ["rss", "claimreview"])),
                        name="feed_kind_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("interval__gte", 60)), name="feed_interval_min"
                    ),
                ],
            },
        ),
    ]
