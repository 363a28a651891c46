"""Claim intelligence (issue 6): ClaimMatch, the search column and indexes for matching, and
check-worthiness scores for the claims that exist already."""

import django.db.models.deletion
from django.conf import settings
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

# Matching searches with raw SQL (claims/matching.py), so these live here rather than in
# Claim.Meta: a stored tsvector of the text (COPY fills it; ORM reads of Claim never load it).
SEARCH_SQL = [
    "ALTER TABLE claims_claim ADD COLUMN search_vector tsvector"
    " GENERATED ALWAYS AS (to_tsvector('english'::regconfig, text)) STORED",
    # claim_match and claims_match_new: full-text candidate search.
    "CREATE INDEX claim_search_vector_idx ON claims_claim USING gin (search_vector)",
    # claims_match_new: near-duplicate candidates on import. Hashes of the first and of the last
    # five words of the lower-cased text with punctuation folded to spaces (NULL for statements
    # under six words): an edit in one half of a statement leaves the other half's key intact.
    # Each key is nearly unique, so the lookups read a few B-tree entries however many claims
    # share common words (and the planner's statistics on them know it).
    "ALTER TABLE claims_claim"
    " ADD COLUMN match_head integer GENERATED ALWAYS AS (hashtext(substring("
    "btrim(regexp_replace(lower(text), '[^[:alnum:]]+', ' ', 'g'))"
    " FROM '^(\\S+ \\S+ \\S+ \\S+ \\S+) \\S'))) STORED,"
    " ADD COLUMN match_tail integer GENERATED ALWAYS AS (hashtext(substring("
    "btrim(regexp_replace(lower(text), '[^[:alnum:]]+', ' ', 'g'))"
    " FROM '\\S (\\S+ \\S+ \\S+ \\S+ \\S+)$'))) STORED",
    "CREATE INDEX claim_match_head_idx ON claims_claim (match_head)",
    "CREATE INDEX claim_match_tail_idx ON claims_claim (match_tail)",
    # Anonymous claim_match: candidates among published claims only.
    "CREATE INDEX claim_search_published_idx ON claims_claim USING gin (search_vector)"
    " WHERE status = 'published'",
]
SEARCH_REVERSE = [
    "DROP INDEX claim_match_tail_idx",
    "DROP INDEX claim_match_head_idx",
    "ALTER TABLE claims_claim DROP COLUMN match_head, DROP COLUMN match_tail",
    "DROP INDEX claim_search_published_idx",
    "DROP INDEX claim_search_vector_idx",
    "ALTER TABLE claims_claim DROP COLUMN search_vector",
]


def score_existing(apps, schema_editor):
    from claims.services import claims_score_missing

    claims_score_missing()


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0002_default_scale_groups_audit"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunSQL(SEARCH_SQL, SEARCH_REVERSE),
        migrations.RunPython(score_existing, migrations.RunPython.noop, elidable=True),
        migrations.CreateModel(
            name="ClaimMatch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("duplicate", "Same statement"),
                            ("suggested", "Similar statement"),
                        ],
                        max_length=20,
                    ),
                ),
                ("score", models.FloatField(help_text="Similarity, 0..1 (1: the same statement).")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("suggested", "Suggested"),
                            ("confirmed", "Confirmed"),
                            ("dismissed", "Dismissed"),
                        ],
                        default="suggested",
                        max_length=20,
                    ),
                ),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "claim",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="matches",
                        to="claims.claim",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="decided_claim_matches",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "matched",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="matched_by",
                        to="claims.claim",
                    ),
                ),
            ],
            options={
                "ordering": ["-score", "id"],
                "indexes": [models.Index(fields=["matched"], name="claimmatch_matched_idx")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("claim", "matched"), name="claimmatch_pair_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("claim", models.F("matched")), _negated=True),
                        name="claimmatch_not_itself",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("kind__in", ["duplicate", "suggested"])),
                        name="claimmatch_kind_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["suggested", "confirmed", "dismissed"])),
                        name="claimmatch_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("score__gte", 0), ("score__lte", 1)),
                        name="claimmatch_score_range",
                    ),
                ],
            },
        ),
    ]
