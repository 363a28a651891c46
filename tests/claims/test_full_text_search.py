"""Full-text search through the stored search vectors: the verdicts' public search and the admin's
claim search find exactly what the hand-written tsquery expressions find, from their GIN indexes."""

import pytest
from django.db import connection
from django.db.models import QuerySet

from claims.models import Claim, Verdict
from claims.selectors import claim_search, verdict_search
from tests.factories import ClaimFactory, SourceFactory

pytestmark = pytest.mark.django_db

# (claim text, claim language, verdict headline)
ROWS = [
    ("Unemployment fell by half in four years, the governor said.", "en", "Jobless claims"),
    ("The unemployed rate is rising.", "en", ""),
    ("El impuesto sobre la renta sube un 20 por ciento.", "es", "Impuestos más altos"),
    ("Die Steuern steigen im nächsten Jahr.", "de", ""),
    ("Vaccines cause no harm to children, the study found.", "", "A vaccine study"),
    ("Tax cuts for the wealthy created jobs.", "en-GB", "Tax cuts and jobs"),
]
QUERIES = [
    "unemployment",
    "unemployed",
    "impuesto",
    "steuern",
    "vaccine",
    "vaccines",
    '"tax cuts"',
    "tax -wealthy",
    "jobs or vaccine",
    "the",
    "",
    "'quoted & (odd) | input:*",
]
LANGUAGES = ["", "en", "es", "de", "xx"]

# The expressions the searches are written against, as plain SQL.
VERDICT_EXPRESSION = (
    "SELECT id FROM claims_verdict WHERE search_vector @@ (websearch_to_tsquery('simple', %s)"
    " || websearch_to_tsquery(factcheck_ts_config(%s), %s)) ORDER BY id"
)
CLAIM_EXPRESSION = (
    "SELECT id FROM claims_claim"
    " WHERE search_vector @@ websearch_to_tsquery('english'::regconfig, %s) ORDER BY id"
)


@pytest.fixture
def rows() -> None:
    for text, language, headline in ROWS:
        claim = ClaimFactory.create(
            source=SourceFactory.create(body=text, language=language),
            end=len(text),
            language=language,
        )
        Verdict.objects.create(claim=claim, headline=headline)


def ids(queryset: QuerySet) -> list[int]:
    return list(queryset.order_by("id").values_list("id", flat=True))


def ids_by_sql(sql: str, params: list[str]) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def plan(queryset: QuerySet) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.usefixtures("rows")
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("q", QUERIES)
def test_verdict_search_finds_what_the_tsquery_expression_finds(q: str, language: str) -> None:
    found = ids(verdict_search(queryset=Verdict.objects.all(), q=q, language=language))

    assert found == ids_by_sql(VERDICT_EXPRESSION, [q, language, q])


@pytest.mark.usefixtures("rows")
@pytest.mark.parametrize("q", QUERIES)
def test_claim_search_finds_what_the_tsquery_expression_finds(q: str) -> None:
    assert ids(claim_search(queryset=Claim.objects.all(), q=q)) == ids_by_sql(CLAIM_EXPRESSION, [q])


@pytest.mark.usefixtures("rows")
def test_verdict_search_stems_in_the_language_and_matches_exact_words_in_any() -> None:
    def texts(q: str, language: str = "") -> set[str]:
        found = verdict_search(queryset=Verdict.objects.all(), q=q, language=language)
        return set(found.values_list("claim__text", flat=True))

    assert texts("unemployed") == {ROWS[1][0]}
    assert texts("unemployed", "en") == {ROWS[0][0], ROWS[1][0]}
    assert texts("impuestos", "es") == {ROWS[2][0]}
    assert texts('"tax cuts" -wealthy') == set()
    assert texts("vaccine or steuern") == {ROWS[3][0], ROWS[4][0]}


@pytest.mark.usefixtures("rows")
def test_claim_search_stems_in_english() -> None:
    found = claim_search(queryset=Claim.objects.all(), q="vaccine -adults")

    assert list(found.values_list("text", flat=True)) == [ROWS[4][0]]


def test_searches_are_served_by_the_gin_indexes() -> None:
    # Unordered: an index on the sort order would be the planner's other choice.
    verdicts = verdict_search(queryset=Verdict.objects.order_by(), q="tax cuts", language="en")
    claims = claim_search(queryset=Claim.objects.order_by(), q="tax cuts")

    assert "verdict_search_idx" in plan(verdicts)
    assert "claim_search_vector_idx" in plan(claims)
