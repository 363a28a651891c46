"""Demo data in bulk: sources, claimants, claims and published verdicts for benchmarks and demos.

Everything is written with COPY (the floor for bulk inserts), so a million claims take about a
minute. The rows are synthetic but shaped like real ones: ~20 statements per source, a few
languages, claims spread over two years, some in each status, published verdicts with a rating,
a citation and two demo staff users as author and approver.
"""

import hashlib
import random
import secrets
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import connection, transaction
from django.utils import timezone

from claims.matching.text import claim_fingerprint, match_keys
from claims.models import Claim, Claimant, Rating, Verdict
from factcheck.db import copy_rows

CLAIMS_PER_SOURCE = 20
CLAIMANTS = 500
LANGUAGES = ("en",) * 8 + ("es", "de")
WORDS = (
    "the government spent billion dollars on schools last year while unemployment rose to "
    "percent in the state according to new figures crime fell by half since taxes were cut "
    "for working families and the senator voted against every bill on climate health care "
    "costs doubled under the mayor who promised more police officers hospitals vaccines "
    "immigration wages inflation housing prices record high lowest level in decades"
).split()

# Of the claims without a published verdict, which status they are in (the queue is mostly
# pending, as in a real newsroom; none awaits approval, which would need a draft verdict).
OTHER_STATUSES = (
    (Claim.Status.PENDING, 0.80),
    (Claim.Status.IN_REVIEW, 0.10),
    (Claim.Status.REJECTED, 0.07),
    (Claim.Status.DUPLICATE, 0.03),
)

# The columns each COPY writes: every NOT NULL column without a database default. Wrapped as the
# rows the COPYs write are (claim_rows, verdict_rows), so a value and its column sit at the same
# place; the formatter would give each name and each value a line of its own.
_SOURCE_COLUMNS = (
    "title", "publisher", "author", "language", "body", "content_hash", "origin", "created_at",
)  # fmt: skip
_CLAIM_COLUMNS = (
    "source_id", "text", "start", "end", "position", "language", "status", "fingerprint",
    "claimant_id", "score", "assignee_id", "created_at", "updated_at", "match_head", "match_tail",
)  # fmt: skip
_VERDICT_COLUMNS = (
    "claim_id", "rating_id", "headline", "summary", "explanation", "status", "origin",
    "author_id", "approver_id", "version", "corrections", "original_rating", "review_url",
    "publisher_name", "publisher_site", "published_at", "created_at", "updated_at",
)  # fmt: skip

Progress = Callable[[str, int, int], None]


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 18))
    return " ".join(words).capitalize() + f" {rng.randint(2, 99_000):,}."


def _ids(sql: str, params: Sequence[Any]) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _demo_user(username: str, group: str) -> AbstractBaseUser:
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"is_staff": True}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=group))
    return user


@transaction.atomic
def demo_data_generate(
    *, claims: int, verdicts: int, seed: int = 0, progress: Progress | None = None
) -> dict[str, int]:
    """Add `claims` claims (in sources of ~20) and `verdicts` published verdicts on some of them.

    Precondition: the rating scale and groups installed by migration exist; `verdicts <= claims`.
    Side effects: creates the users `demo_reviewer` and `demo_editor` if missing, 500 demo
    claimants if missing, and runs ANALYZE so the planner sees the new rows. Can be called again
    to add more; nothing is deduplicated beyond the database's own constraints.
    """
    if claims < 0 or verdicts < 0 or verdicts > claims:
        raise ValueError("need 0 <= verdicts <= claims")
    report = progress or (lambda stage, done, total: None)
    rng = random.Random(seed)
    now = timezone.now()
    token = secrets.token_hex(8)  # tells this call's rows apart from earlier demo rows
    reviewer = _demo_user("demo_reviewer", "Reviewers")
    editor = _demo_user("demo_editor", "Editors")

    existing = set(Claimant.objects.filter(name__startswith="Demo claimant ").values_list("name"))
    copy_rows(
        table="claims_claimant",
        columns=("name", "description", "created_at"),
        rows=(
            (name, "Demo data", now)
            for name in (f"Demo claimant {i}" for i in range(CLAIMANTS))
            if (name,) not in existing
        ),
    )
    claimant_ids = list(
        Claimant.objects.filter(name__startswith="Demo claimant ").values_list("id", flat=True)
    )

    # Sources with their statements; the spans are computed as the body is built.
    source_count = (claims + CLAIMS_PER_SOURCE - 1) // CLAIMS_PER_SOURCE
    sources: list[tuple[str, str, datetime, list[tuple[int, int]]]] = []
    left = claims
    for _ in range(source_count):
        sentences = [_sentence(rng) for _ in range(min(CLAIMS_PER_SOURCE, left))]
        left -= len(sentences)
        spans, offset = [], 0
        for sentence in sentences:
            spans.append((offset, offset + len(sentence)))
            offset += len(sentence) + 1
        created = now - timedelta(seconds=rng.randint(0, 2 * 365 * 86400))
        sources.append((" ".join(sentences), rng.choice(LANGUAGES), created, spans))
    origin = f"demo:{token}"
    copy_rows(
        table="sources_source",
        columns=_SOURCE_COLUMNS,
        rows=(
            (
                f"Demo source {i}",
                "Demo Gazette",
                "",
                language,
                body,
                hashlib.sha256(f"{origin}:{i}".encode()).hexdigest(),
                origin,
                created,
            )
            for i, (body, language, created, _) in enumerate(sources)
        ),
    )
    # COPY assigns ids in row order, so the ids in order line up with `sources`.
    source_ids = _ids("SELECT id FROM sources_source WHERE origin = %s ORDER BY id", [origin])
    report("sources", len(source_ids), source_count)

    # Which claims get a published verdict: a random sample, so they spread over sources and time.
    published = set(rng.sample(range(claims), verdicts))
    statuses = [status for status, _ in OTHER_STATUSES]
    weights = [weight for _, weight in OTHER_STATUSES]

    def claim_rows() -> Iterable[Sequence[Any]]:
        index = 0
        for source_id, (body, language, created, spans) in zip(source_ids, sources, strict=True):
            for position, (start, end) in enumerate(spans):
                text = body[start:end]
                if index in published:
                    status = Claim.Status.PUBLISHED
                else:
                    status = rng.choices(statuses, weights)[0]
                assigned = status == Claim.Status.IN_REVIEW
                yield (  # _CLAIM_COLUMNS, wrapped alike
                    source_id, text, start, end, position, language, status.value,
                    claim_fingerprint(text), rng.choice(claimant_ids), round(rng.random(), 4),
                    reviewer.pk if assigned else None, created, created, *match_keys(text),
                )  # fmt: skip
                index += 1
                if index % 100_000 == 0:
                    report("claims", index, claims)

    copy_rows(
        table="claims_claim",
        columns=_CLAIM_COLUMNS,
        rows=claim_rows(),
    )
    report("claims", claims, claims)
    with connection.cursor() as cursor:
        # A duplicate points at an earlier claim: the one just before it (COPY ids are in order).
        cursor.execute(
            "UPDATE claims_claim c SET duplicate_of_id = c.id - 1 FROM sources_source s "
            "WHERE s.id = c.source_id AND s.origin = %s AND c.status = %s "
            "AND EXISTS (SELECT 1 FROM claims_claim p WHERE p.id = c.id - 1)",
            [origin, Claim.Status.DUPLICATE.value],
        )

    published_claims = _ids(
        "SELECT c.id FROM claims_claim c JOIN sources_source s ON s.id = c.source_id "
        "WHERE s.origin = %s AND c.status = %s ORDER BY c.id",
        [origin, Claim.Status.PUBLISHED.value],
    )
    ratings = list(Rating.objects.values_list("id", "label"))

    def verdict_rows() -> Iterable[Sequence[Any]]:
        for claim_id in published_claims:
            rating_id, label = rng.choice(ratings)
            when = now - timedelta(seconds=rng.randint(0, 365 * 86400))
            yield (  # _VERDICT_COLUMNS
                claim_id, rating_id, f"Demo verdict {claim_id}: {label}",
                f"Our reading of claim {claim_id}: {label.lower()}.",
                "The figures cited do not match the official statistics. " * 3,
                Verdict.Status.PUBLISHED.value, Verdict.Origin.OWN.value, reviewer.pk, editor.pk,
                1, "[]", "", "", "", "", when, when, when,
            )  # fmt: skip

    copy_rows(
        table="claims_verdict",
        columns=_VERDICT_COLUMNS,
        rows=verdict_rows(),
    )
    verdict_ids = _ids(
        "SELECT v.id FROM claims_verdict v JOIN unnest(%s::bigint[]) AS c(id) ON c.id = v.claim_id",
        [published_claims],
    )
    copy_rows(
        table="claims_citation",
        columns=("verdict_id", "url", "quote", "note", "position"),
        rows=(
            (verdict_id, f"https://example.org/evidence/{verdict_id}", "Statistics.", "", 0)
            for verdict_id in verdict_ids
        ),
    )
    report("verdicts", len(verdict_ids), verdicts)
    with connection.cursor() as cursor:
        for table in ("sources_source", "claims_claim", "claims_verdict", "claims_citation"):
            cursor.execute(f"ANALYZE {table}")
    return {"sources": len(source_ids), "claims": claims, "verdicts": len(verdict_ids)}
