from collections.abc import Sequence
from typing import Any, TypeAlias

import pgtrigger
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Func, OrderBy, Q, Value
from django.db.models.functions import Coalesce, Mod
from django.db.models.lookups import Exact

from claims.matching.text import match_keys


class MatchKeyField(models.IntegerField):
    """`match_head` (part 0) or `match_tail` (part 1) of the row's `text`: claims.matching.text.

    Derived when the row is written, as `auto_now` is: Django calls `pre_save` on every save()
    and bulk_create, so no ORM path can store a claim without its keys. The bulk paths that
    write by COPY or SQL (sources.imports.document_claims, sources.imports.imported,
    claims.demo) pass `match_keys` of each text themselves. Indexed by claim_match_head_idx
    and claim_match_tail_idx."""

    def __init__(self, *args: Any, part: int = 0, **kwargs: Any) -> None:
        self.part = part
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["part"] = self.part
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> int | None:
        # The row's `text`, read by name: in migrations the row is a historical Claim model.
        value = match_keys(model_instance.serializable_value("text"))[self.part]
        setattr(model_instance, self.attname, value)
        return value


class Claimant(models.Model):
    """A person or organisation that makes claims."""

    name = models.CharField(max_length=300)
    description = models.TextField(
        blank=True, help_text="Role or description, e.g. 'U.S. Senator'."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="claimant_name_unique")]

    def __str__(self) -> str:
        return self.name


class Rating(models.Model):
    """One step of the published rating scale (methodology transparency)."""

    slug = models.SlugField(max_length=50)
    label = models.CharField(max_length=100, help_text="The textual rating shown to readers.")
    value = models.IntegerField(
        null=True, blank=True, help_text="Higher is truer; empty for non-ordinal ratings."
    )
    description = models.TextField()
    order = models.PositiveIntegerField(default=0)
    aliases = models.JSONField(
        default=list,
        blank=True,
        help_text="Lower-case labels other fact-checkers use for this rating (import mapping).",
    )

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="rating_slug_unique"),
            models.UniqueConstraint(fields=["label"], name="rating_label_unique"),
        ]

    def __str__(self) -> str:
        return self.label


# Choices live at module level so that Meta.constraints can name them (a nested class body
# cannot see its enclosing class); the models expose them as Claim.Status, Verdict.Origin, ...
class ClaimStatus(models.TextChoices):
    PENDING = "pending", "Awaiting review"
    IN_REVIEW = "in_review", "In review"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"
    DUPLICATE = "duplicate", "Duplicate"
    RETRACTED = "retracted", "Retracted"
    # Brought by an import run that was undone before anyone touched it (sources/imports/undo.py).
    WITHDRAWN = "withdrawn", "Withdrawn"


class VerdictStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETRACTED = "retracted", "Retracted"
    # Imported by a run that was undone: never public (claims/selectors.py), kept as evidence.
    WITHDRAWN = "withdrawn", "Withdrawn"


class VerdictOrigin(models.TextChoices):
    OWN = "own", "Our own"
    IMPORTED = "imported", "Imported"


# What is public, as a verdict's statuses: published or retracted; in force: published.
# claims/selectors.py states the rule and every surface asks it there; the statuses are declared
# here so that the triggers keeping Claim.public and Claim.in_force in step with the verdicts
# (Verdict.Meta.triggers, Claim.Meta.triggers) are generated from the same ones.
VERDICT_PUBLIC_STATUSES: tuple[str, ...] = (VerdictStatus.PUBLISHED, VerdictStatus.RETRACTED)
VERDICT_IN_FORCE_STATUSES: tuple[str, ...] = (VerdictStatus.PUBLISHED,)


def verdict_status_sql(alias: str, statuses: Sequence[str]) -> str:
    """The verdict row `alias` has one of `statuses`, as SQL."""
    values = ", ".join(f"'{status}'" for status in statuses)
    return f"{alias}.status IN ({values})"


def _claim_flags_sql(claim: str) -> str:
    """One row, (public, in_force): what the verdicts of the claim whose id is the SQL `claim`
    say of it. Read from that claim's verdicts alone (the index on claims_verdict.claim_id),
    whatever the planner estimates: an EXISTS could be hashed over every public verdict."""
    public = verdict_status_sql("v", VERDICT_PUBLIC_STATUSES)
    in_force = verdict_status_sql("v", VERDICT_IN_FORCE_STATUSES)
    return (
        f"SELECT coalesce(bool_or({public}), false) AS public,"
        f" coalesce(bool_or({in_force}), false) AS in_force"
        f" FROM claims_verdict AS v WHERE v.claim_id = {claim}"
    )


def _claims_flag_sql(changed: str) -> str:
    """A statement trigger's body: set Claim.public and Claim.in_force of the claims whose ids
    the query `changed` yields to what their verdicts now say, in one UPDATE for the statement,
    writing only the claims whose flags differ."""
    return f"""
UPDATE claims_claim AS c SET public = flags.public, in_force = flags.in_force
FROM ({changed}) AS changed (claim_id)
CROSS JOIN LATERAL ({_claim_flags_sql("changed.claim_id")}) AS flags
WHERE c.id = changed.claim_id
  AND (c.public, c.in_force) IS DISTINCT FROM (flags.public, flags.in_force);
RETURN NULL;
"""


# The claims a statement on verdicts can have changed: only a verdict in a public status makes
# its claim public, so only such a row, inserted, deleted, or moved to another status or claim,
# can change a claim's flags (a correction or a bulk edit of review text touches no claim).
_PUBLIC_OLD = verdict_status_sql("o", VERDICT_PUBLIC_STATUSES)
_PUBLIC_NEW = verdict_status_sql("n", VERDICT_PUBLIC_STATUSES)
_MOVED = (
    "FROM old_verdicts AS o JOIN new_verdicts AS n ON n.id = o.id"
    " WHERE (o.status <> n.status OR o.claim_id <> n.claim_id)"
)
CLAIM_PUBLIC_ON_INSERT = _claims_flag_sql(
    f"SELECT DISTINCT n.claim_id FROM new_verdicts AS n WHERE {_PUBLIC_NEW}"
)
CLAIM_PUBLIC_ON_DELETE = _claims_flag_sql(
    f"SELECT DISTINCT o.claim_id FROM old_verdicts AS o WHERE {_PUBLIC_OLD}"
)
CLAIM_PUBLIC_ON_UPDATE = _claims_flag_sql(
    f"SELECT o.claim_id {_MOVED} AND {_PUBLIC_OLD}"
    f" UNION SELECT n.claim_id {_MOVED} AND {_PUBLIC_NEW}"
)
# Claim's own trigger: whatever else writes the flags (a full-row save of a Claim read before its
# verdict changed), they are what the verdicts say.
CLAIM_PUBLIC_KEPT = f"""
{_claim_flags_sql("NEW.id")} INTO NEW.public, NEW.in_force;
RETURN NEW;
"""


# claim_search_sample_idx holds the claims in force whose id is a multiple of this: a fixed
# sample of them, one in CLAIM_SEARCH_SAMPLE, spread over the table as ids are.
CLAIM_SEARCH_SAMPLE = 16


def claim_search_sample_q() -> Q:
    """The sample's condition on a claim (with the in-force flag: claim_search_sample_idx)."""
    return Q(Exact(Mod("id", CLAIM_SEARCH_SAMPLE), 0))


def claim_search_sample_sql(alias: str) -> str:
    """The same condition for hand-written SQL, spelled as the index's predicate is (a literal
    modulus: PostgreSQL picks a partial index only for a condition that implies its own)."""
    return f"MOD({alias}.id, {CLAIM_SEARCH_SAMPLE}) = 0"


class Claim(models.Model):
    """One checkable statement: `source.body[start:end] == text`."""

    Status: TypeAlias = ClaimStatus

    # Not indexed on its own: claim_source_start_unique (source, start) serves lookups by source.
    source = models.ForeignKey(
        "sources.Source", on_delete=models.PROTECT, related_name="claims", db_index=False
    )
    text = models.TextField()
    start = models.PositiveIntegerField(help_text="Start of the span in source.body.")
    end = models.PositiveIntegerField(help_text="End (exclusive) of the span in source.body.")
    position = models.PositiveIntegerField(help_text="0-based order of the claim in its source.")
    claimant = models.ForeignKey(
        Claimant,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claims",
        db_index=False,  # claim_claimant_idx, partial
    )
    claim_date = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=8, blank=True)
    score = models.FloatField(null=True, blank=True, help_text="Check-worthiness, 0..1.")
    # Which check-worthiness model wrote `score`: its version, with "+vector" when the sentence
    # vector refined it (claims.checkworthiness.score_model_names); "" for the import's own
    # score. A score of another model is rescored by `manage.py score_claims`.
    score_model = models.CharField(max_length=32, blank=True, db_default="")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_claims",
        db_index=False,  # claim_assignee_idx, partial
    )
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
        db_index=False,  # claim_duplicate_of_idx, partial
    )
    fingerprint = models.CharField(
        max_length=64, blank=True, help_text="Hash of the normalised text, for exact matching."
    )
    # NULL for a text of five words or fewer.
    match_head = MatchKeyField(
        part=0, null=True, help_text="Hash of the first five words, or NULL."
    )
    match_tail = MatchKeyField(part=1, null=True, help_text="Hash of the last five words, or NULL.")
    # The text's words, stemmed in English, for full-text search: claim matching's candidates
    # (claims/matching/candidates.py, raw SQL) and the admin's claim search (claim_search).
    # PostgreSQL computes it on every write, COPY included; Django never writes it. Spelled as
    # PostgreSQL stores it: SearchVector("text") would add a COALESCE around the NOT NULL text.
    # Its statistics target is 1000 (migration 0001_schema; Django has no option for it):
    # claim_match weighs each query word by how common it is, from pg_stats' most common
    # lexemes, and the default target tracks 1,000 of them, 1000 tracks 10,000.
    search_vector = models.GeneratedField(
        expression=Func(Value("english"), F("text"), function="to_tsvector"),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    # The public rule (claims/selectors.py) stored on the claim: it has a public verdict
    # (`public`), one in force (`in_force`). Stored so that an index can hold only the claims an
    # anonymous caller may see (claim_search_in_force_idx). The database writes them: the
    # statement triggers of Verdict.Meta.triggers on every insert, update and delete of
    # verdicts, COPY and raw SQL included, and the trigger below whenever anything else writes
    # them. A new claim has no verdict yet: false.
    public = models.BooleanField(default=False, db_default=False, editable=False)
    in_force = models.BooleanField(default=False, db_default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ClaimStatus.values),
                name="claim_status_valid",
                violation_error_message="Unknown claim status.",
            ),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="claim_span_not_empty",
                violation_error_message=(
                    "A claim's span must hold at least one character: its end after its start."
                ),
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=1),
                name="claim_score_range",
                violation_error_message="The check-worthiness score must be between 0 and 1.",
            ),
            models.CheckConstraint(
                condition=~Q(duplicate_of=F("id")),
                name="claim_not_duplicate_of_itself",
                violation_error_message="A claim cannot be a duplicate of itself.",
            ),
            models.UniqueConstraint(fields=["source", "start"], name="claim_source_start_unique"),
        ]
        indexes = [
            # The review queue: claims of one status, newest first (admin claim list).
            models.Index(fields=["status", "-created_at"], name="claim_status_created_idx"),
            # Exact "same statement" matching by normalised fingerprint.
            models.Index(fields=["fingerprint"], name="claim_fingerprint_idx"),
            # The admin review queue of one status: most check-worthy first, then newest.
            models.Index(
                F("status"),
                OrderBy(F("score"), descending=True, nulls_last=True),
                F("created_at").desc(),
                F("id").desc(),
                name="claim_queue_idx",
            ),
            # The same order over all statuses (admin claim list filtered to "All").
            models.Index(
                OrderBy(F("score"), descending=True, nulls_last=True),
                F("created_at").desc(),
                F("id").desc(),
                name="claim_queue_all_idx",
            ),
            # API claim list: public claims paged by (updated_at, id) (claims/selectors.py).
            models.Index(fields=["updated_at", "id"], name="claim_updated_idx"),
            # Claims by claimant, assignee or original (API filters, a claimant's claims, the
            # foreign keys' ON DELETE checks). Partial: most claims have none of them (a
            # document's statements have no claimant, no assignee, no original), and a full
            # index would cost every imported row a B-tree insert of a NULL that no query
            # reads; `col = x` is still served, as a non-NULL x implies the condition.
            models.Index(
                fields=["claimant"], condition=Q(claimant__isnull=False), name="claim_claimant_idx"
            ),
            models.Index(
                fields=["assignee"], condition=Q(assignee__isnull=False), name="claim_assignee_idx"
            ),
            models.Index(
                fields=["duplicate_of"],
                condition=Q(duplicate_of__isnull=False),
                name="claim_duplicate_of_idx",
            ),
            # Full-text candidates of claim_match and claims_match_new; the admin claim search.
            GinIndex(fields=["search_vector"], name="claim_search_vector_idx"),
            # The same for an anonymous claim_match (and claims:spot), which looks only among
            # claims with a verdict in force: a fraction of the claims, so each branch of the
            # first stage reads only posting lists of claims it may return.
            GinIndex(
                fields=["search_vector"],
                condition=Q(in_force=True),
                name="claim_search_in_force_idx",
            ),
            # The same for a fixed sample of those claims, one in CLAIM_SEARCH_SAMPLE by id: an
            # anonymous first-stage branch of common words, expected to match that many times
            # its LIMIT, reads this one (claims/matching/candidates.py). A GIN scan reads every
            # posting of its words before a LIMIT applies, so the whole index would cost it in
            # proportion to the claims in force, while it keeps an arbitrary LIMIT of them.
            GinIndex(
                fields=["search_vector"],
                condition=Q(in_force=True) & Q(claim_search_sample_q()),
                name="claim_search_sample_idx",
            ),
            # claims_match_new: near-duplicate candidates on import, by the hash of the first or
            # of the last five words. Each key is nearly unique, so a lookup reads a few B-tree
            # entries however many claims share common words.
            models.Index(fields=["match_head"], name="claim_match_head_idx"),
            models.Index(fields=["match_tail"], name="claim_match_tail_idx"),
        ]

        triggers = [
            # A full-row save of a Claim read before its verdict changed writes the flags it
            # read: they are recomputed from the verdicts instead. Not when the verdicts'
            # triggers write them (trigger depth 1): they wrote what the verdicts say, and
            # asking again would cost a bulk import of reviewed claims a call per row.
            pgtrigger.Trigger(
                name="public_kept",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    '((OLD."public" IS DISTINCT FROM NEW."public"'
                    ' OR OLD."in_force" IS DISTINCT FROM NEW."in_force")'
                    " AND pg_trigger_depth() < 1)"
                ),
                func=CLAIM_PUBLIC_KEPT,
            ),
        ]

    def __str__(self) -> str:
        return self.text if len(self.text) <= 80 else self.text[:77] + "..."


# Verdict.search_vector, computed from the verdict's claim and review text. The claim's words
# are computed once, not up to three times: when the claim's configuration is `english`, they
# are the claim's own stored vector (to_tsvector('english', text)); and when the verdict has no
# headline, summary or explanation (every verdict imported from a table) and the configuration
# is `simple` (no language), the unstemmed part is that same vector, since trailing spaces add no
# lexeme and no position. to_tsvector is most of the trigger's cost, and the trigger a large
# part of a table import's insert statement.
VERDICT_SEARCH_VECTOR = """
SELECT c.text, c.language, c.search_vector INTO claim_text, claim_language, claim_vector
  FROM claims_claim c WHERE c.id = NEW.claim_id;
config := factcheck_ts_config(claim_language);
review := concat_ws(' ', NEW.headline, NEW.summary, NEW.explanation);
IF config = 'english'::regconfig AND claim_vector IS NOT NULL THEN
  own := claim_vector;
ELSE
  own := to_tsvector(config, coalesce(claim_text, ''));
END IF;
IF config = 'simple'::regconfig AND claim_text IS NOT NULL
   AND NEW.headline = '' AND NEW.summary = '' AND NEW.explanation = '' THEN
  plain := own;
ELSE
  plain := to_tsvector('simple', concat_ws(' ', claim_text, review));
END IF;
NEW.search_vector := setweight(own, 'A') || setweight(to_tsvector(config, review), 'B') || plain;
RETURN NEW;
"""


# When the public site lists a verdict: its publication, or, for a review imported without a
# date, when it was stored. claims.selectors orders and filters the site's list by it, and
# verdict_listed_idx is built on the same expression.
VERDICT_LISTED_AT = Coalesce("published_at", "created_at")


class Verdict(models.Model):
    """The review of a claim: ours (drafted and published here) or imported from a fact-checker."""

    Status: TypeAlias = VerdictStatus
    Origin: TypeAlias = VerdictOrigin

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="verdicts")
    rating = models.ForeignKey(
        Rating, null=True, blank=True, on_delete=models.PROTECT, related_name="verdicts"
    )
    headline = models.CharField(max_length=300, blank=True)
    summary = models.TextField(blank=True)
    explanation = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.OWN)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="authored_verdicts",
        db_index=False,  # verdict_author_idx, partial
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approved_verdicts",
        db_index=False,  # verdict_approver_idx, partial
    )
    # Optimistic locking: every edit bumps it; an edit based on an older version is refused.
    version = models.PositiveIntegerField(default=1)
    # Public corrections, oldest first: [{"date": ISO 8601, "note": "..."}].
    corrections = models.JSONField(default=list, blank=True)
    # For imported verdicts: the fact-checker's own words and where they published them.
    original_rating = models.CharField(max_length=200, blank=True)
    review_url = models.URLField(max_length=2000, blank=True)
    publisher_name = models.CharField(max_length=300, blank=True)
    publisher_site = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # The public search's words (claims.selectors.verdict_search): the claim's text in its
    # language's text-search configuration (factcheck_ts_config, weight A), the headline, summary
    # and explanation (B), and all of it unstemmed (`simple`), so that a query without a language
    # matches exact words in any language. Only the search_vector trigger below writes it, on
    # every insert and on every update of a column it reads, so ORM saves, .update() and COPY
    # alike keep it current; whatever Django's INSERT or full-row UPDATE puts there is replaced.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=VerdictStatus.values),
                name="verdict_status_valid",
                violation_error_message="Unknown verdict status.",
            ),
            models.CheckConstraint(
                condition=Q(origin__in=VerdictOrigin.values),
                name="verdict_origin_valid",
                violation_error_message="Unknown verdict origin.",
            ),
            models.UniqueConstraint(
                fields=["claim"],
                condition=Q(status="published"),
                name="verdict_one_published_per_claim",
                violation_error_message="This claim already has a published verdict.",
            ),
            models.UniqueConstraint(
                fields=["claim"],
                condition=Q(origin="own"),
                name="verdict_one_own_per_claim",
                violation_error_message="This claim already has a verdict of our own.",
            ),
            # A withdrawn review does not count: importing it again brings it back.
            models.UniqueConstraint(
                fields=["publisher_site", "review_url"],
                condition=~Q(review_url="") & ~Q(status="withdrawn"),
                name="verdict_review_url_unique_per_publisher",
                violation_error_message="This publisher's review at this URL is stored already.",
            ),
        ]
        indexes = [
            # API sync: published verdicts paged by (updated_at, id).
            models.Index(fields=["updated_at", "id"], name="verdict_updated_idx"),
            # Verdicts by author or approver (the users' ON DELETE PROTECT checks). Partial:
            # imported verdicts have neither (see claim_claimant_idx).
            models.Index(
                fields=["author"], condition=Q(author__isnull=False), name="verdict_author_idx"
            ),
            models.Index(
                fields=["approver"],
                condition=Q(approver__isnull=False),
                name="verdict_approver_idx",
            ),
            # The public site's list, newest first, and its keyset pages and date filter
            # (claims.selectors.verdict_public_latest).
            models.Index(VERDICT_LISTED_AT, F("id"), name="verdict_listed_idx"),
            # Full-text search over claim and verdict (GET /api/v1/verdicts/?q=, claims:search).
            GinIndex(fields=["search_vector"], name="verdict_search_idx"),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="search_vector",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert
                | pgtrigger.UpdateOf("claim_id", "headline", "summary", "explanation"),
                declare=[
                    ("claim_text", "text"),
                    ("claim_language", "text"),
                    ("claim_vector", "tsvector"),
                    ("config", "regconfig"),
                    ("review", "text"),
                    ("own", "tsvector"),
                    ("plain", "tsvector"),
                ],
                func=VERDICT_SEARCH_VECTOR,
            ),
            # Claim.public and Claim.in_force, once per statement for every claim it touched
            # (an import of a thousand reviewed claims is one UPDATE). One trigger per event:
            # PostgreSQL allows transition tables neither on a trigger of several events nor on
            # UPDATE OF a column list.
            pgtrigger.Trigger(
                name="claim_public_insert",
                level=pgtrigger.Statement,
                when=pgtrigger.After,
                operation=pgtrigger.Insert,
                referencing=pgtrigger.Referencing(new="new_verdicts"),
                func=CLAIM_PUBLIC_ON_INSERT,
            ),
            pgtrigger.Trigger(
                name="claim_public_update",
                level=pgtrigger.Statement,
                when=pgtrigger.After,
                operation=pgtrigger.Update,
                referencing=pgtrigger.Referencing(old="old_verdicts", new="new_verdicts"),
                func=CLAIM_PUBLIC_ON_UPDATE,
            ),
            pgtrigger.Trigger(
                name="claim_public_delete",
                level=pgtrigger.Statement,
                when=pgtrigger.After,
                operation=pgtrigger.Delete,
                referencing=pgtrigger.Referencing(old="old_verdicts"),
                func=CLAIM_PUBLIC_ON_DELETE,
            ),
        ]

    def __str__(self) -> str:
        return self.headline or f"Verdict on claim #{self.claim_id}"


class Citation(models.Model):
    """Evidence cited by a verdict: a source we hold or a URL, with the quoted passage."""

    verdict = models.ForeignKey(Verdict, on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey(
        "sources.Source",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="citations",
    )
    url = models.URLField(max_length=2000, blank=True)
    quote = models.TextField(blank=True)
    note = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__isnull=False) | ~Q(url=""),
                name="citation_source_or_url",
                violation_error_message="A citation needs a URL or a source.",
            ),
        ]

    def __str__(self) -> str:
        return self.url or f"Source #{self.source_id}"


class ClaimEvent(models.Model):
    """Append-only audit row per change. A database trigger (Meta.triggers) refuses UPDATE and
    DELETE."""

    # Not indexed on its own: claimevent_claim_idx (claim, created_at) serves lookups by claim.
    claim = models.ForeignKey(
        Claim, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    code = models.CharField(max_length=100, help_text="Dotted code, e.g. claim.published.")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claim_events",
        db_index=False,  # claimevent_actor_idx, partial
    )
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=255, blank=True, help_text="Request or task id.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # A claim's history, oldest first (claim page, events API).
            models.Index(fields=["claim", "created_at"], name="claimevent_claim_idx"),
            # Events by actor (the user's ON DELETE PROTECT check). Partial: an import's events
            # have no actor (see claim_claimant_idx).
            models.Index(
                fields=["actor"], condition=Q(actor__isnull=False), name="claimevent_actor_idx"
            ),
        ]
        triggers = [
            # The history is evidence: no code path, raw SQL included, may rewrite or drop it.
            # A restrict_violation, which Django raises as an IntegrityError.
            pgtrigger.Trigger(
                name="append_only",
                when=pgtrigger.Before,
                operation=pgtrigger.Update | pgtrigger.Delete,
                func="RAISE EXCEPTION 'claims_claimevent is append-only: % refused', TG_OP"
                " USING ERRCODE = 'restrict_violation';",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} on claim #{self.claim_id}"


class ClaimMatchKind(models.TextChoices):
    DUPLICATE = "duplicate", "Same statement"
    SUGGESTED = "suggested", "Similar statement"


class ClaimMatchStatus(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    CONFIRMED = "confirmed", "Confirmed"
    DISMISSED = "dismissed", "Dismissed"


class ClaimMatch(models.Model):
    """An earlier claim that a newer one may repeat ("checked before?"), found on import.

    Written by claims/matching/on_import.py; editors confirm or dismiss it (an event is
    logged). Neither changes the claim's status: marking it a duplicate is the workflow's
    `mark_duplicate`.
    """

    Kind: TypeAlias = ClaimMatchKind
    Status: TypeAlias = ClaimMatchStatus

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="matches")
    matched = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="matched_by")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    score = models.FloatField(help_text="Similarity, 0..1 (1: the same statement).")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUGGESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decided_claim_matches",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "matched"], name="claimmatch_pair_unique"),
            models.CheckConstraint(
                condition=~Q(claim=F("matched")),
                name="claimmatch_not_itself",
                violation_error_message="A claim cannot match itself.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ClaimMatchKind.values),
                name="claimmatch_kind_valid",
                violation_error_message="Unknown kind of match.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ClaimMatchStatus.values),
                name="claimmatch_status_valid",
                violation_error_message="Unknown match status.",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=1),
                name="claimmatch_score_range",
                violation_error_message="A match's score must be between 0 and 1.",
            ),
        ]
        indexes = [
            # "Matched by" on the earlier claim's page; the unique pair covers `claim` lookups.
            models.Index(fields=["matched"], name="claimmatch_matched_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.claim_id} ~ #{self.matched_id} ({self.score:.2f})"


class ClaimEmbedding(models.Model):
    """A claim's sentence embedding (claims/embeddings.py: 384 float16 values, 768 bytes), which
    re-ranks the candidates of `claim_match`. A table of its own, written once per claim after
    the import commits: claims_claim is neither widened nor rewritten for it.

    A claim that has been checked also carries the embedding of its published verdict's
    headline (ours, or the one imported with another fact-checker's ClaimReview): a fact-check
    headline restates the claim in other words ("Did X say Y?"), and a later text may echo
    either wording. `headline` is the text that vector was made from, so a publication, a
    correction or a retraction that changes it is noticed (claims_embed)."""

    claim = models.OneToOneField(
        Claim, primary_key=True, on_delete=models.CASCADE, related_name="embedding"
    )
    vector = models.BinaryField()
    headline = models.TextField(blank=True, default="")
    headline_vector = models.BinaryField(null=True, blank=True)

    def __str__(self) -> str:
        return f"embedding of #{self.claim_id}"


class ApiKey(models.Model):
    """An API consumer's key. Only a SHA-256 hash is stored; the key is shown once, at creation."""

    name = models.CharField(max_length=200, help_text="Who the key is for.")
    prefix = models.CharField(max_length=16, editable=False, help_text="Identifies the key.")
    key_hash = models.CharField(max_length=64, editable=False)
    revoked = models.BooleanField(default=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    rate = models.CharField(
        max_length=30,
        default="1000/hour",
        help_text="Requests allowed per period: <number>/<second|minute|hour|day>.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "API key"  # Django's default, "api key", heads its pages and messages
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["key_hash"], name="apikey_key_hash_unique"),
            models.CheckConstraint(
                condition=Q(rate__regex=r"^[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)$"),
                name="apikey_rate_valid",
                violation_error_message=(
                    "Give the rate as a number of requests per second, minute, hour or day, "
                    "e.g. 1000/hour."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
