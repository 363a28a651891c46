import pytest
from django.core.management import call_command
from django.db import connection

from claims.demo import _REBUILT_TABLES, _indexes_create, _indexes_drop
from claims.models import Citation, Claim, ClaimEmbedding, Verdict
from tests.api.helpers import claims_flags_disagreeing

pytestmark = pytest.mark.django_db


def test_generate_demo_data_writes_consistent_claims_and_published_verdicts() -> None:
    call_command("generate_demo_data", claims=205, verdicts=40, seed=1)
    claims = Claim.objects.select_related("source")
    assert claims.count() == 205
    assert claims.values("source").distinct().count() == 11  # 20 per source, the last holds 5
    for claim in claims:
        assert claim.source.body[claim.start : claim.end] == claim.text
        assert claim.score is not None and 0 <= claim.score <= 1
    published = Verdict.objects.filter(status=Verdict.Status.PUBLISHED)
    assert published.count() == 40
    assert set(published.values_list("claim__status", flat=True)) == {"published"}
    assert published.filter(rating__isnull=True).count() == 0
    assert Citation.objects.filter(verdict__in=published).count() == 40
    duplicates = Claim.objects.filter(status=Claim.Status.DUPLICATE)
    assert all(claim.duplicate_of_id is not None for claim in duplicates)
    # Written with each claim, as the public rule says of its verdicts.
    assert claims_flags_disagreeing() == []
    assert Claim.objects.filter(public=True, in_force=True).count() == 40


def test_generate_demo_data_adds_more_on_a_second_call() -> None:
    call_command("generate_demo_data", claims=30, verdicts=5)
    call_command("generate_demo_data", claims=30, verdicts=5)
    assert Claim.objects.count() == 60
    assert Verdict.objects.count() == 10


def test_generate_demo_data_refuses_more_verdicts_than_claims() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--verdicts"):
        call_command("generate_demo_data", claims=3, verdicts=4)


def test_generate_demo_data_gives_each_claim_a_stand_in_vector_when_asked() -> None:
    call_command("generate_demo_data", claims=45, verdicts=9, vectors=True)
    embeddings = ClaimEmbedding.objects.all()
    assert embeddings.count() == 45
    assert {len(e.vector) for e in embeddings} == {768}  # 384 float16 values
    with_headline = embeddings.exclude(headline_vector=None)
    assert set(with_headline.values_list("claim__status", flat=True)) == {"published"}
    assert with_headline.count() == 9


def test_generate_demo_data_takes_ids_after_rows_written_with_explicit_ids() -> None:
    call_command("generate_demo_data", claims=20, verdicts=2)
    top = Claim.objects.order_by("-id").first()
    assert top is not None
    clash = Claim.objects.create(
        source=top.source, text="Written with an id of its own.", start=10_000, end=10_030,
        position=99, id=top.pk + 5,
    )  # fmt: skip
    call_command("generate_demo_data", claims=20, verdicts=2)
    assert Claim.objects.count() == 41
    assert Claim.objects.filter(id__gt=clash.pk).count() == 20


def test_indexes_and_foreign_keys_dropped_for_a_bulk_load_are_made_again_alike() -> None:
    def definitions() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_indexdef(indexrelid) FROM pg_index"
                " WHERE indrelid = ANY(%(tables)s::regclass[])"
                " UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE contype = 'f' AND conrelid = ANY(%(tables)s::regclass[])",
                {"tables": list(_REBUILT_TABLES)},
            )
            return {row[0] for row in cursor.fetchall()}

    before = definitions()
    statements = _indexes_drop(_REBUILT_TABLES)
    left = definitions()
    assert any("claim_search_vector_idx" in s for s in statements)
    assert any("claim_search_in_force_idx" in s and "WHERE in_force" in s for s in statements)
    assert any("FOREIGN KEY (source_id)" in s for s in statements)
    assert all(d.startswith("CREATE UNIQUE INDEX") for d in left)  # backing a constraint
    _indexes_create(statements, lambda stage, done, total: None)
    assert definitions() == before
