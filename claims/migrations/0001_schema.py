"""The claims tables with their indexes and constraints, and what the models cannot declare:
the pg_trgm extension (claim matching ranks candidates with its similarity()), the function that
maps a claim's language to its text-search configuration, and the statistics target of the
claims' search vector.

0001 and 0002 are the squash of the migrations listed in their `replaces`: on a database that
has those applied, Django records these as applied too and runs only what follows.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.conf import settings
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

import claims.models

# A claim's language (ISO 639-1, optionally with a region) to the text-search configuration that
# stems its words; `simple` (no stemming) for any other. The verdict search-vector trigger and
# claims.selectors.verdict_search call it.
TS_CONFIG = """
CREATE FUNCTION factcheck_ts_config(lang text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE lower(split_part(coalesce(lang, ''), '-', 1))
    WHEN 'en' THEN 'english' WHEN 'es' THEN 'spanish' WHEN 'de' THEN 'german'
    WHEN 'fr' THEN 'french' WHEN 'it' THEN 'italian' WHEN 'pt' THEN 'portuguese'
    WHEN 'nl' THEN 'dutch' WHEN 'ru' THEN 'russian' WHEN 'sv' THEN 'swedish'
    WHEN 'da' THEN 'danish' WHEN 'fi' THEN 'finnish' WHEN 'no' THEN 'norwegian'
    WHEN 'nb' THEN 'norwegian' WHEN 'hu' THEN 'hungarian' WHEN 'ro' THEN 'romanian'
    WHEN 'tr' THEN 'turkish' ELSE 'simple' END::regconfig
$$;
"""
# claim_match weighs each query word by how common it is, from pg_stats' most common lexemes of
# search_vector: the default target (100) tracks 1,000 of them, 1000 tracks 10,000 (ANALYZE
# then samples 300,000 claims instead of 30,000).
STATISTICS = "ALTER TABLE claims_claim ALTER COLUMN search_vector SET STATISTICS 1000"
STATISTICS_DEFAULT = "ALTER TABLE claims_claim ALTER COLUMN search_vector SET STATISTICS -1"


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("claims", "0001_initial"),
        ("claims", "0003_issue4_api"),
        ("claims", "0003_issue6_matching"),
        ("claims", "0004_merge_issue3_issue6"),
        ("claims", "0005_merge_issue4"),
        ("claims", "0006_merge_issue5"),
        ("claims", "0008_issue6_embeddings"),
        ("claims", "0009_admin_search_fulltext"),
        ("claims", "0010_match_keys_in_python"),
        ("claims", "0011_issue6_headline_embeddings"),
        ("claims", "0012_leaner_import_indexes"),
        ("claims", "0013_verdict_search_vector_once"),
    ]

    dependencies = [
        ("sources", "0002_feed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Claimant",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=300)),
                (
                    "description",
                    models.TextField(
                        blank=True, help_text="Role or description, e.g. 'U.S. Senator'."
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "ordering": ["name"],
                "constraints": [
                    models.UniqueConstraint(fields=("name",), name="claimant_name_unique")
                ],
            },
        ),
        migrations.CreateModel(
            name="Rating",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("slug", models.SlugField()),
                (
                    "label",
                    models.CharField(
                        help_text="The textual rating shown to readers.", max_length=100
                    ),
                ),
                (
                    "value",
                    models.IntegerField(
                        blank=True,
                        help_text="Higher is truer; empty for non-ordinal ratings.",
                        null=True,
                    ),
                ),
                ("description", models.TextField()),
                ("order", models.PositiveIntegerField(default=0)),
                (
                    "aliases",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Lower-case labels other fact-checkers use for this rating (import mapping).",
                    ),
                ),
            ],
            options={
                "ordering": ["order", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("slug",), name="rating_slug_unique"),
                    models.UniqueConstraint(fields=("label",), name="rating_label_unique"),
                ],
            },
        ),
        migrations.CreateModel(
            name="Claim",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.TextField()),
                (
                    "start",
                    models.PositiveIntegerField(help_text="Start of the span in source.body."),
                ),
                (
                    "end",
                    models.PositiveIntegerField(
                        help_text="End (exclusive) of the span in source.body."
                    ),
                ),
                (
                    "position",
                    models.PositiveIntegerField(
                        help_text="0-based order of the claim in its source."
                    ),
                ),
                ("claim_date", models.DateField(blank=True, null=True)),
                ("language", models.CharField(blank=True, max_length=8)),
                (
                    "score",
                    models.FloatField(blank=True, help_text="Check-worthiness, 0..1.", null=True),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Awaiting review"),
                            ("in_review", "In review"),
                            ("awaiting_approval", "Awaiting approval"),
                            ("published", "Published"),
                            ("rejected", "Rejected"),
                            ("duplicate", "Duplicate"),
                            ("retracted", "Retracted"),
                        ],
                        default="pending",
                        max_length=20,
                    ),
                ),
                (
                    "fingerprint",
                    models.CharField(
                        blank=True,
                        help_text="Hash of the normalised text, for exact matching.",
                        max_length=64,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "assignee",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="assigned_claims",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "duplicate_of",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="duplicates",
                        to="claims.claim",
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="claims",
                        to="sources.source",
                    ),
                ),
                (
                    "claimant",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="claims",
                        to="claims.claimant",
                    ),
                ),
                (
                    "search_vector",
                    models.GeneratedField(
                        db_persist=True,
                        expression=models.Func(
                            models.Value("english"), models.F("text"), function="to_tsvector"
                        ),
                        output_field=django.contrib.postgres.search.SearchVectorField(),
                    ),
                ),
                (
                    "match_head",
                    claims.models.MatchKeyField(
                        editable=False,
                        help_text="Hash of the first five words, or NULL.",
                        null=True,
                        part=0,
                    ),
                ),
                (
                    "match_tail",
                    claims.models.MatchKeyField(
                        editable=False,
                        help_text="Hash of the last five words, or NULL.",
                        null=True,
                        part=1,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["status", "-created_at"], name="claim_status_created_idx"),
                    models.Index(fields=["fingerprint"], name="claim_fingerprint_idx"),
                    models.Index(
                        models.F("status"),
                        models.OrderBy(models.F("score"), descending=True, nulls_last=True),
                        models.OrderBy(models.F("created_at"), descending=True),
                        models.OrderBy(models.F("id"), descending=True),
                        name="claim_queue_idx",
                    ),
                    models.Index(
                        models.OrderBy(models.F("score"), descending=True, nulls_last=True),
                        models.OrderBy(models.F("created_at"), descending=True),
                        models.OrderBy(models.F("id"), descending=True),
                        name="claim_queue_all_idx",
                    ),
                    models.Index(fields=["updated_at", "id"], name="claim_updated_idx"),
                    models.Index(
                        condition=models.Q(("claimant__isnull", False)),
                        fields=["claimant"],
                        name="claim_claimant_idx",
                    ),
                    models.Index(
                        condition=models.Q(("assignee__isnull", False)),
                        fields=["assignee"],
                        name="claim_assignee_idx",
                    ),
                    models.Index(
                        condition=models.Q(("duplicate_of__isnull", False)),
                        fields=["duplicate_of"],
                        name="claim_duplicate_of_idx",
                    ),
                    django.contrib.postgres.indexes.GinIndex(
                        fields=["search_vector"], name="claim_search_vector_idx"
                    ),
                    django.contrib.postgres.indexes.GinIndex(
                        condition=models.Q(("status", "published")),
                        fields=["search_vector"],
                        name="claim_search_published_idx",
                    ),
                    models.Index(fields=["match_head"], name="claim_match_head_idx"),
                    models.Index(fields=["match_tail"], name="claim_match_tail_idx"),
                ],
                "constraints": [
                    models.CheckConstraint(
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
                                ],
                            )
                        ),
                        name="claim_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("end__gt", models.F("start"))),
                        name="claim_span_not_empty",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("score__isnull", True),
                            models.Q(("score__gte", 0), ("score__lte", 1)),
                            _connector="OR",
                        ),
                        name="claim_score_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("duplicate_of", models.F("id")), _negated=True),
                        name="claim_not_duplicate_of_itself",
                    ),
                    models.UniqueConstraint(
                        fields=("source", "start"), name="claim_source_start_unique"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Verdict",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("headline", models.CharField(blank=True, max_length=300)),
                ("summary", models.TextField(blank=True)),
                ("explanation", models.TextField(blank=True)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("published", "Published"),
                            ("retracted", "Retracted"),
                        ],
                        default="draft",
                        max_length=20,
                    ),
                ),
                (
                    "origin",
                    models.CharField(
                        choices=[("own", "Our own"), ("imported", "Imported")],
                        default="own",
                        max_length=20,
                    ),
                ),
                ("version", models.PositiveIntegerField(default=1)),
                ("corrections", models.JSONField(blank=True, default=list)),
                ("original_rating", models.CharField(blank=True, max_length=200)),
                ("review_url", models.URLField(blank=True, max_length=2000)),
                ("publisher_name", models.CharField(blank=True, max_length=300)),
                ("publisher_site", models.CharField(blank=True, max_length=300)),
                ("published_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "approver",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="approved_verdicts",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="authored_verdicts",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "claim",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="verdicts",
                        to="claims.claim",
                    ),
                ),
                (
                    "rating",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="verdicts",
                        to="claims.rating",
                    ),
                ),
                (
                    "search_vector",
                    django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
                ),
            ],
            options={
                "ordering": ["-updated_at", "-id"],
                "indexes": [
                    models.Index(fields=["updated_at", "id"], name="verdict_updated_idx"),
                    models.Index(
                        condition=models.Q(("author__isnull", False)),
                        fields=["author"],
                        name="verdict_author_idx",
                    ),
                    models.Index(
                        condition=models.Q(("approver__isnull", False)),
                        fields=["approver"],
                        name="verdict_approver_idx",
                    ),
                    django.contrib.postgres.indexes.GinIndex(
                        fields=["search_vector"], name="verdict_search_idx"
                    ),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["draft", "published", "retracted"])),
                        name="verdict_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("origin__in", ["own", "imported"])),
                        name="verdict_origin_valid",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("status", "published")),
                        fields=("claim",),
                        name="verdict_one_published_per_claim",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("origin", "own")),
                        fields=("claim",),
                        name="verdict_one_own_per_claim",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("review_url", ""), _negated=True),
                        fields=("publisher_site", "review_url"),
                        name="verdict_review_url_unique_per_publisher",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Citation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("url", models.URLField(blank=True, max_length=2000)),
                ("quote", models.TextField(blank=True)),
                ("note", models.TextField(blank=True)),
                ("position", models.PositiveIntegerField(default=0)),
                (
                    "source",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="citations",
                        to="sources.source",
                    ),
                ),
                (
                    "verdict",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="citations",
                        to="claims.verdict",
                    ),
                ),
            ],
            options={
                "ordering": ["position", "id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("source__isnull", False),
                            models.Q(("url", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="citation_source_or_url",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ClaimEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "code",
                    models.CharField(
                        help_text="Dotted code, e.g. claim.published.", max_length=100
                    ),
                ),
                ("from_status", models.CharField(blank=True, max_length=20)),
                ("to_status", models.CharField(blank=True, max_length=20)),
                ("note", models.TextField(blank=True)),
                ("data", models.JSONField(blank=True, default=dict)),
                (
                    "request_id",
                    models.CharField(blank=True, help_text="Request or task id.", max_length=255),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="claim_events",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "claim",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="claims.claim",
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "id"],
                "indexes": [
                    models.Index(fields=["claim", "created_at"], name="claimevent_claim_idx"),
                    models.Index(
                        condition=models.Q(("actor__isnull", False)),
                        fields=["actor"],
                        name="claimevent_actor_idx",
                    ),
                ],
            },
        ),
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
        migrations.CreateModel(
            name="ClaimEmbedding",
            fields=[
                (
                    "claim",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="embedding",
                        serialize=False,
                        to="claims.claim",
                    ),
                ),
                ("vector", models.BinaryField()),
                ("headline", models.TextField(blank=True, default="")),
                ("headline_vector", models.BinaryField(blank=True, null=True)),
            ],
        ),
        migrations.CreateModel(
            name="ApiKey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(help_text="Who the key is for.", max_length=200)),
                (
                    "prefix",
                    models.CharField(
                        editable=False, help_text="Identifies the key.", max_length=16
                    ),
                ),
                ("key_hash", models.CharField(editable=False, max_length=64)),
                ("revoked", models.BooleanField(default=False)),
                ("expires_at", models.DateTimeField(blank=True, null=True)),
                (
                    "rate",
                    models.CharField(
                        default="1000/hour",
                        help_text="Requests allowed per period: <number>/<second|minute|hour|day>.",
                        max_length=30,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "ordering": ["name", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("key_hash",), name="apikey_key_hash_unique"),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "rate__regex",
                                "^[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)$",
                            )
                        ),
                        name="apikey_rate_valid",
                    ),
                ],
            },
        ),
        TrigramExtension(),
        migrations.RunSQL(TS_CONFIG, "DROP FUNCTION factcheck_ts_config(text)"),
        migrations.RunSQL(STATISTICS, STATISTICS_DEFAULT),
    ]
