"""Writing reviewed claims: claims that arrive with another fact-checker's verdict
(ClaimReview documents and feeds, CSV/TSV tables), a batch per transaction.

Every importer of reviewed claims goes through `claims_create_imported`. Semantics:
- each item becomes one Source (its body is the claim text, so `body[0:len] == text`; `origin`
  says where the claim appeared), one Claim and one imported Verdict carrying the original
  rating, the rating mapped onto our scale, the publisher, the review URL and date;
- the origin's trust decides their status: from a trusted origin (a feed or an upload marked
  trusted) the claim and its verdict are `published` at once (it was checked before and must
  not flood the review queue); otherwise the claim is `pending`, awaiting review, and the
  verdict a `draft` no surface shows, the fact-checker's review as a suggestion that an editor
  can publish (claims.workflow's `publish_imported`) or set aside;
- an item is identified by its natural key (the review URL per publisher, a table's row id, or
  the row's content): the Source's unique content hash is derived from it, so a re-run, a
  redelivered task or a run resumed after a killed worker creates nothing twice;
- a review is stored once, with one claim (verdict_review_url_unique_per_publisher): an item
  naming a review URL per publisher stored already on a claim kept under another key (a table
  row's id, a key given before review URLs were the key), or named by an earlier item of its
  batch, or whose key is stored with another claim text, is a `duplicate` of that claim:
  nothing is written for it, and its result names the claim (sources.imports.outcomes);
- rows are written in batches, one transaction each: keys stored before are skipped, the rest
  are COPYed into a staging table and one statement inserts sources (ON CONFLICT DO NOTHING on
  the content hash), claims (scored for check-worthiness), verdicts and events; matching
  against existing claims is queued for after the commit.
"""

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import NamedTuple

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from claims import tasks as claims_tasks
from claims.models import Claim, Verdict
from claims.selectors import verdict_is_public
from claims.services import claim_features
from factcheck.db import bulk_write_settings
from sources.imports.outcomes import ImportedResult, Kind, StoredAs, imported_results
from sources.imports.ratings import RatingMapper
from sources.parsers.reviewed import ImportedClaim
from webhooks.outbox import claims_created_record


def imported_content_hash(key: str) -> str:
    """The Source content hash of an imported item: derived from its natural key."""
    return hashlib.sha256(f"imported\0{key}".encode()).hexdigest()


def imported_stored_keys(items: Sequence[ImportedClaim]) -> dict[str, str]:
    """The keys among `items` stored before, each with its claim's text (one index lookup;
    an imported source's body is its claim's text)."""
    hashes = {imported_content_hash(i.key): i.key for i in items}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT content_hash, body FROM sources_source WHERE content_hash = ANY(%s)",
            [list(hashes)],
        )
        return {hashes[h]: body for h, body in cursor.fetchall()}


def imported_stored_reviews(items: Sequence[ImportedClaim]) -> set[tuple[str, str]]:
    """The reviews (publisher site, review URL) among `items` stored already, under whichever
    key (one probe of the unique review URL per item with one)."""
    reviews = {(i.publisher_site[:300], i.review_url) for i in items if i.review_url}
    if not reviews:
        return set()
    sites, urls = zip(*reviews, strict=True)
    with connection.cursor() as cursor:
        cursor.execute(_STORED_REVIEWS, [list(sites), list(urls)])
        return set(cursor.fetchall())


_STORED_REVIEWS = """
SELECT r.site, r.url FROM unnest(%s::text[], %s::text[]) AS r(site, url)
WHERE EXISTS (
    SELECT FROM claims_verdict v
    WHERE v.publisher_site = r.site AND v.review_url = r.url
        AND v.review_url <> '' AND v.status <> 'withdrawn'
)
"""


class StageRow(NamedTuple):
    """One item's row of the staging table, in the order of its columns (_STAGE_COLUMNS), but
    for the claimant: named here, its id is looked up (or created) in the write's transaction."""

    hash: str
    body: str
    publisher: str
    language: str
    origin: str
    claimant: str
    claim_date: date | None
    fingerprint: str
    rating_id: int | None
    headline: str
    original_rating: str
    review_url: str
    publisher_site: str
    published_at: datetime | None
    score: float
    match_head: int | None
    match_tail: int | None


_CLAIMANT = StageRow._fields.index("claimant")


@dataclass
class ImportedBatch:
    """Items made ready to write (imported_prepare): pure Python, no database access, so an
    importer prepares the next batch in a thread while the database writes this one."""

    items: Sequence[ImportedClaim]  # every item, in order (one result each)
    unique: list[ImportedClaim]  # the first item of each key, to write
    stage: list[StageRow]  # one per unique item
    # Items left out for naming the review of an earlier item with another key: key → that
    # earlier item (the review is stored once, as the earlier item's claim).
    same_review: dict[str, ImportedClaim] = field(default_factory=dict)
    # Keys stored before with a claim text other than an item's: key → the stored text.
    restated: dict[str, str] = field(default_factory=dict)


def imported_prepare(
    *,
    items: Sequence[ImportedClaim],
    mapper: RatingMapper,
    stored: Mapping[str, str],
) -> ImportedBatch:
    """Ready `items` for claims_create_imported: one per key, less the keys in `stored` (the
    caller's imported_stored_keys, so that a re-run of unchanged input scores nothing), each
    with its content hash, mapped rating and claim_features. Of items naming one review (URL
    per publisher) under different keys, the first is written; the others go to
    `same_review`. A stored key an item gives another text goes to `restated`."""
    first: dict[str, ImportedClaim] = {}
    reviews: dict[tuple[str, str], ImportedClaim] = {}
    same_review: dict[str, ImportedClaim] = {}
    restated: dict[str, str] = {}
    for item in items:
        if item.key in stored:
            if item.text != stored[item.key]:
                restated[item.key] = stored[item.key]
            continue
        if item.key in first or item.key in same_review:
            continue
        if item.review_url:
            # As stored: publisher_site is cut to its column's length below.
            earlier = reviews.setdefault((item.publisher_site[:300], item.review_url), item)
            if earlier is not item:
                same_review[item.key] = earlier
                continue
        first[item.key] = item
    unique = list(first.values())
    stage = [
        StageRow(
            imported_content_hash(i.key),
            i.text,
            i.publisher_name[:300],
            i.language,
            i.origin,
            i.claimant,
            i.claim_date,
            f.fingerprint,
            mapper.rating_id(i.original_rating, i.rating_numeric),
            i.headline[:300],
            i.original_rating[:200],
            i.review_url,
            i.publisher_site[:300],
            i.review_date,
            f.score,
            f.match_head,
            f.match_tail,
        )
        for i, f in zip(unique, claim_features([i.text for i in unique]), strict=True)
    ]
    return ImportedBatch(
        items=items, unique=unique, stage=stage, same_review=same_review, restated=restated
    )


def imported_statuses(*, trusted: bool) -> tuple[Claim.Status, Verdict.Status]:
    """The status an imported claim and its verdict arrive with: published from a trusted
    origin; otherwise a claim awaiting review and a draft verdict, which no surface shows."""
    if trusted:
        return Claim.Status.PUBLISHED, Verdict.Status.PUBLISHED
    return Claim.Status.PENDING, Verdict.Status.DRAFT


def claims_create_imported(
    *,
    items: Sequence[ImportedClaim] = (),
    trusted: bool,
    import_run_id: int | None = None,
    request_id: str = "",
    prepared: ImportedBatch | None = None,
) -> list[ImportedResult]:
    """Store `items` (already validated: non-empty text and key) as claims with imported
    verdicts, in one transaction: published if `trusted`, else claims awaiting review with a
    draft verdict (imported_statuses); items whose key was stored before are `unchanged`, and
    items whose review is stored already under another key are a `duplicate` of its claim.

    Returns one result per item, in order. Idempotent: a concurrent or repeated call with the
    same keys creates nothing twice (the unique content hash settles races). Each claim is scored
    for check-worthiness; matching against the existing claims is queued for after the commit.
    `prepared`: the items readied by imported_prepare (e.g. in another thread while the
    previous batch was written), in place of `items`. Keys stored before are left out before
    anything is scored (imported_stored_keys, one index lookup); a key stored in between
    still drops out at the unique content hash and is answered `unchanged`.
    """
    if prepared is None:
        prepared = imported_prepare(
            items=items, mapper=RatingMapper(), stored=imported_stored_keys(items)
        )
    items, unique, stage = prepared.items, prepared.unique, prepared.stage
    claim_status, verdict_status = imported_statuses(trusted=trusted)
    now = timezone.now()
    stored_as: dict[str, StoredAs] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        if prepared.restated:
            stored_as.update(_restated(cursor, prepared.restated))
        if not unique:
            return imported_results(items, stored_as)
        bulk_write_settings()
        claimant_ids = _claimants(cursor, {row.claimant for row in stage if row.claimant}, now)
        # Rows go to a temporary table by COPY (no per-value quoting), then one statement
        # inserts the new sources, their claims, verdicts and events. A key already stored
        # hits the unique content hash and drops out of every later step; so does a review
        # stored under another key (`taken`, answered with the claim it is on).
        # (Dropped first: inside an outer transaction ON COMMIT has not fired yet.)
        cursor.execute("DROP TABLE IF EXISTS pg_temp.import_stage")
        cursor.execute(f"CREATE TEMP TABLE import_stage ({_STAGE_COLUMNS}) ON COMMIT DROP")
        with cursor.cursor.copy("COPY import_stage FROM STDIN") as copy:
            for row in stage:
                claimant = claimant_ids.get(row.claimant)
                copy.write_row((*row[:_CLAIMANT], claimant, *row[_CLAIMANT + 1 :]))
        cursor.execute(
            _INSERT_ALL,
            {
                "run": import_run_id,
                "now": now,
                "claim_status": claim_status.value,
                "verdict_status": verdict_status.value,
                # The flags the verdict gives its new claim, written with the claim (every claim
                # the statement inserts gets its verdict, or the statement fails): the verdicts'
                # trigger then finds them right and rewrites no claim row.
                "public": verdict_is_public(verdict_status),
                "in_force": verdict_is_public(verdict_status, in_force=True),
                "origin": Verdict.Origin.IMPORTED.value,
                "event_data": json.dumps({"import_run": import_run_id, "trusted": trusted}),
                "request_id": request_id,
            },
        )
        stored_as.update(_written(cursor.fetchall(), prepared))
        claim_ids = [s.claim for s in stored_as.values() if s.kind == Kind.NEW]
        if claim_ids:
            # "Checked before?": the new claims are compared with the existing ones by a worker
            # right after this commits. Matching costs about 1 ms a claim, which would hold a
            # bulk load of reviewed claims (5,000+ rows/s) to a fifth of its speed.
            claims_tasks.claims_match_new_later(claim_ids=claim_ids)
            claims_created_record(claim_ids=claim_ids)
    return imported_results(items, stored_as)


def _restated(cursor: CursorWrapper, restated: Mapping[str, str]) -> dict[str, StoredAs]:
    """How the keys of `restated` (key → stored text) are stored: their claims."""
    hashes = {imported_content_hash(key): key for key in restated}
    cursor.execute(
        "SELECT s.content_hash, c.id FROM sources_source s "
        "JOIN claims_claim c ON c.source_id = s.id WHERE s.content_hash = ANY(%s)",
        [list(hashes)],
    )
    return {
        hashes[h]: StoredAs(Kind.SAME_KEY, claim, restated[hashes[h]])
        for h, claim in cursor.fetchall()
    }


def _written(
    rows: Sequence[tuple[str, int, str | None, bool]], prepared: ImportedBatch
) -> dict[str, StoredAs]:
    """How the keys `prepared` wrote are stored, from the rows _INSERT_ALL returns: (hash,
    claim, None, _) for a claim created; (hash, claim, its text, same key) for an item whose
    review was stored already, as that claim (under the item's own key when the key was
    stored in between). A key stored in between without a review is left out (unchanged)."""
    by_hash = {row[0]: row[1:] for row in rows}
    stored_as: dict[str, StoredAs] = {}
    for item, row in zip(prepared.unique, prepared.stage, strict=True):
        if row.hash in by_hash:
            claim, text, same_key = by_hash[row.hash]
            if text is None:
                stored_as[item.key] = StoredAs(Kind.NEW, claim, item.text)
            else:
                stored_as[item.key] = StoredAs(
                    Kind.SAME_KEY if same_key else Kind.OTHER_KEY, claim, text
                )
    for key, earlier in prepared.same_review.items():
        if earlier.key in stored_as:  # else the earlier key was stored in between: unchanged
            stored_as[key] = replace(stored_as[earlier.key], kind=Kind.OTHER_KEY)
    return stored_as


def _claimants(cursor: CursorWrapper, names: set[str], now: datetime) -> dict[str, int]:
    if not names:
        return {}
    ordered = sorted(names)
    cursor.execute(
        """
        INSERT INTO claims_claimant (name, description, created_at)
        SELECT n, '', %s FROM unnest(%s::text[]) AS n
        ON CONFLICT (name) DO NOTHING
        """,
        [now, ordered],
    )
    cursor.execute("SELECT name, id FROM claims_claimant WHERE name = ANY(%s)", [ordered])
    return dict(cursor.fetchall())


_STAGE_COLUMNS = """hash text, body text, publisher text, language text, origin text,
    claimant_id bigint, claim_date date, fingerprint text, rating_id bigint, headline text,
    original_rating text, review_url text, publisher_site text, published_at timestamptz,
    score float8, match_head integer, match_tail integer"""

# `taken`: the items whose review (URL per publisher) is stored already, on the claim each one
# names; they are written nowhere. One probe of verdict_review_url_unique_per_publisher per
# item with a review URL (LIMIT 1 keeps the lookup a probe per row, never a scan of the
# verdicts; the unique index allows no second row anyway). A review stored by a transaction
# that commits after this statement started is not seen here: its verdict then breaks the
# unique constraint below and the batch is refused (and written again item by item), rather
# than leave a claim without its verdict.
_INSERT_ALL = """
WITH taken AS (
    SELECT st.hash, t.claim_id, t.text, t.content_hash = st.hash AS same_key
    FROM import_stage st
    CROSS JOIN LATERAL (
        SELECT v.claim_id, c.text, s.content_hash
        FROM claims_verdict v
        JOIN claims_claim c ON c.id = v.claim_id
        JOIN sources_source s ON s.id = c.source_id
        WHERE v.publisher_site = st.publisher_site AND v.review_url = st.review_url
            AND v.review_url <> '' AND v.status <> 'withdrawn'
        LIMIT 1
    ) t
    WHERE st.review_url <> ''
), new_sources AS (
    INSERT INTO sources_source (title, url, publisher, author, published_at, language, body,
        content_hash, origin, import_run_id, created_at)
    SELECT left(body, 200), NULL, publisher, '', NULL, language, body, hash, origin,
        %(run)s, %(now)s
    FROM import_stage st
    WHERE NOT EXISTS (SELECT FROM taken WHERE taken.hash = st.hash)
    ON CONFLICT (content_hash) DO NOTHING
    RETURNING id, content_hash
), new_claims AS (
    INSERT INTO claims_claim (source_id, text, start, "end", position, claimant_id, claim_date,
        language, status, fingerprint, score, match_head, match_tail, public, in_force,
        created_at, updated_at)
    SELECT ns.id, st.body, 0, length(st.body), 0, st.claimant_id, st.claim_date, st.language,
        %(claim_status)s, st.fingerprint, st.score, st.match_head, st.match_tail, %(public)s,
        %(in_force)s, %(now)s, %(now)s
    FROM new_sources ns JOIN import_stage st ON st.hash = ns.content_hash
    RETURNING id, source_id
), claim_hash AS (
    SELECT nc.id AS claim_id, ns.content_hash AS hash
    FROM new_claims nc JOIN new_sources ns ON ns.id = nc.source_id
), new_verdicts AS (
    INSERT INTO claims_verdict (claim_id, rating_id, headline, summary, explanation, status,
        origin, version, corrections, original_rating, review_url, publisher_name,
        publisher_site, published_at, created_at, updated_at)
    SELECT ch.claim_id, st.rating_id, st.headline, '', '', %(verdict_status)s, %(origin)s, 1,
        '[]'::jsonb, st.original_rating, st.review_url, st.publisher, st.publisher_site,
        st.published_at, %(now)s, %(now)s
    FROM claim_hash ch JOIN import_stage st ON st.hash = ch.hash
), new_events AS (
    INSERT INTO claims_claimevent (claim_id, code, from_status, to_status, note, data,
        request_id, created_at)
    SELECT claim_id, 'claim.imported', '', %(claim_status)s, '', %(event_data)s::jsonb,
        %(request_id)s, %(now)s
    FROM claim_hash
)
SELECT hash, claim_id, NULL, false FROM claim_hash
UNION ALL
SELECT hash, claim_id, text, same_key FROM taken
"""
