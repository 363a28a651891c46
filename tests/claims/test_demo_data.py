import pytest
from django.core.management import call_command

from claims.models import Citation, Claim, Verdict

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


def test_generate_demo_data_adds_more_on_a_second_call() -> None:
    call_command("generate_demo_data", claims=30, verdicts=5)
    call_command("generate_demo_data", claims=30, verdicts=5)
    assert Claim.objects.count() == 60
    assert Verdict.objects.count() == 10


def test_generate_demo_data_refuses_more_verdicts_than_claims() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--verdicts"):
        call_command("generate_demo_data", claims=3, verdicts=4)
