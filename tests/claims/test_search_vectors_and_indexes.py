"""What bulk imports rely on in the schema: the verdict search vector the database computes
equals its defining expression (for rows written one by one and for imported ones), and the
partial foreign-key indexes serve lookups by claimant, assignee, original, author and actor."""

from typing import Any

import pytest
from django.db import connection

from claims.models import Claim, Verdict
from sources.imports.tables import source_import_table
from sources.parsers.table import TableFormat, TableLayout
from tests.conftest import DATA
from tests.factories import ClaimFactory, SourceFactory, VerdictFactory

pytestmark = pytest.mark.django_db

LIAR = DATA / "liar_sample.tsv"

# The verdict search vector's expression, evaluated on the stored rows.
VECTOR_EXPRESSION = """
SELECT v.id, v.search_vector = (
    setweight(to_tsvector(factcheck_ts_config(c.language), coalesce(c.text, '')), 'A')
    || setweight(to_tsvector(factcheck_ts_config(c.language),
                             concat_ws(' ', v.headline, v.summary, v.explanation)), 'B')
    || to_tsvector('simple', concat_ws(' ', c.text,
                                       concat_ws(' ', v.headline, v.summary, v.explanation))))
FROM claims_verdict v JOIN claims_claim c ON c.id = v.claim_id ORDER BY v.id
"""


def vectors_as_defined() -> int:
    with connection.cursor() as cursor:
        cursor.execute(VECTOR_EXPRESSION)
        rows = cursor.fetchall()
    assert [same for _id, same in rows] == [True] * len(rows)
    return len(rows)


TEXTS = [
    "The unemployment rate fell by 3.5% in 2019, says the governor's office.",
    "Says the Annies List political group supports third-trimester abortions on demand.",
    'He said "we will build 1,000 miles" -- see http://example.org/a?b=c or a@b.com.',
    "Trailing punctuation and a hyphen word-",
    "x <tag",
    "Los precios subieron un 20 por ciento en Madrid el año pasado.",
    "   Spaces   around\tand\nbreaks   ",
]


@pytest.mark.parametrize("language", ["en", "", "es", "xx"])
@pytest.mark.parametrize("review", [("", "", ""), ("Headline", "A summary.", "Long explanation.")])
def test_verdict_search_vector_equals_its_defining_expression(
    language: str, review: tuple[str, str, str]
) -> None:
    for text in TEXTS:
        source = SourceFactory.create(body=text, language=language)
        claim = ClaimFactory.create(source=source, start=0, end=len(text), language=language)
        headline, summary, explanation = review
        VerdictFactory.create(
            claim=claim, headline=headline, summary=summary, explanation=explanation
        )
    assert vectors_as_defined() == len(TEXTS)
    # An edit recomputes it the same way (the trigger fires on UPDATE OF headline...).
    Verdict.objects.update(headline="Edited headline", summary="")
    assert vectors_as_defined() == len(TEXTS)
    Verdict.objects.update(headline="", summary="", explanation="")
    assert vectors_as_defined() == len(TEXTS)


def test_imported_table_verdicts_get_the_same_search_vectors() -> None:
    run = source_import_table(
        raw=LIAR.read_bytes(),
        name=LIAR.name,
        trusted=True,
        table_format=TableFormat(layout=TableLayout.LIAR),
    )
    assert run.claims_created > 0
    assert vectors_as_defined() == run.claims_created


def plan(sql: str, params: list[Any]) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("sql", "index"),
    [
        ("SELECT id FROM claims_claim WHERE claimant_id = %s", "claim_claimant_idx"),
        ("SELECT id FROM claims_claim WHERE assignee_id = %s", "claim_assignee_idx"),
        ("SELECT id FROM claims_claim WHERE duplicate_of_id = %s", "claim_duplicate_of_idx"),
        ("SELECT id FROM claims_claim WHERE source_id = %s", "claim_source_start_unique"),
        ("SELECT id FROM claims_verdict WHERE author_id = %s", "verdict_author_idx"),
        ("SELECT id FROM claims_verdict WHERE approver_id = %s", "verdict_approver_idx"),
        ("SELECT id FROM claims_claimevent WHERE actor_id = %s", "claimevent_actor_idx"),
        ("SELECT id FROM claims_claimevent WHERE claim_id = %s", "claimevent_claim_idx"),
    ],
)
def test_foreign_key_lookups_use_an_index(sql: str, index: str) -> None:
    assert index in plan(sql, [1])


def test_the_partial_indexes_hold_only_rows_with_a_value() -> None:
    ClaimFactory.create_batch(3)
    claim = Claim.objects.first()
    assert claim is not None and claim.claimant_id is None
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE relname IN"
            " ('claim_claimant_idx', 'claim_assignee_idx', 'claim_duplicate_of_idx')"
        )
        assert [count for (count,) in cursor.fetchall()] == [0, 0, 0]
