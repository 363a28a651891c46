"""A claim and a verdict can be withdrawn: brought by an import run that was undone. A withdrawn
review no longer holds its review URL, so importing it again brings it back."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0004_claim_score_model"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="claim",
            name="claim_status_valid",
        ),
        migrations.RemoveConstraint(
            model_name="verdict",
            name="verdict_status_valid",
        ),
        migrations.RemoveConstraint(
            model_name="verdict",
            name="verdict_review_url_unique_per_publisher",
        ),
        migrations.AlterField(
            model_name="claim",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Awaiting review"),
                    ("in_review", "In review"),
                    ("awaiting_approval", "Awaiting approval"),
                    ("published", "Published"),
                    ("rejected", "Rejected"),
                    ("duplicate", "Duplicate"),
                    ("retracted", "Retracted"),
                    ("withdrawn", "Withdrawn"),
                ],
                default="pending",
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="verdict",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("published", "Published"),
                    ("retracted", "Retracted"),
                    ("withdrawn", "Withdrawn"),
                ],
                default="draft",
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="claim",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "status__in",
                        [
                            "pending",
                            "in_review",
                            "awaiting_approval",
                            "published",
                            "rejected",
                            "duplicate",
                            "retracted",
                            "withdrawn",
                        ],
                    )
                ),
                name="claim_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="verdict",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status__in", ["draft", "published", "retracted", "withdrawn"])
                ),
                name="verdict_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="verdict",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    models.Q(("review_url", ""), _negated=True),
                    models.Q(("status", "withdrawn"), _negated=True),
                ),
                fields=("publisher_site", "review_url"),
                name="verdict_review_url_unique_per_publisher",
            ),
        ),
    ]
