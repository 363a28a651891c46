import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection, transaction

from claims.models import Citation, Claim, ClaimEvent, Rating, Verdict
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


def test_default_rating_scale_is_installed() -> None:
    labels = list(Rating.objects.values_list("label", "value"))

    assert labels == [
        ("True", 6),
        ("Mostly true", 5),
        ("Half true", 4),
        ("Mostly false", 3),
        ("False", 2),
        ("Pants on fire", 1),
        ("Misleading", None),
        ("Unproven", None),
    ]
    assert all(Rating.objects.values_list("description", flat=True))


def test_reviewer_and_editor_groups_are_installed() -> None:
    assert set(Group.objects.values_list("name", flat=True)) >= {"Reviewers", "Editors"}


def test_database_refuses_an_unknown_claim_status() -> None:
    claim = ClaimFactory.create()

    with pytest.raises(IntegrityError, match="claim_status_valid"):
        Claim.objects.filter(pk=claim.pk).update(status="approved")


def test_database_refuses_a_score_outside_zero_to_one() -> None:
    claim = ClaimFactory.create()

    with pytest.raises(IntegrityError, match="claim_score_range"):
        Claim.objects.filter(pk=claim.pk).update(score=1.5)


def test_database_refuses_a_claim_that_duplicates_itself() -> None:
    claim = ClaimFactory.create()

    with pytest.raises(IntegrityError, match="claim_not_duplicate_of_itself"):
        Claim.objects.filter(pk=claim.pk).update(duplicate_of=claim)


def test_database_allows_one_published_verdict_per_claim() -> None:
    claim = ClaimFactory.create()
    rating = Rating.objects.get(slug="false")
    Verdict.objects.create(claim=claim, rating=rating, status="published")

    with pytest.raises(IntegrityError, match="verdict_one_published_per_claim"):
        Verdict.objects.create(claim=claim, rating=rating, status="published", origin="imported")


def test_citation_needs_a_source_or_a_url() -> None:
    verdict = Verdict.objects.create(claim=ClaimFactory.create())

    with pytest.raises(IntegrityError, match="citation_source_or_url"):
        Citation.objects.create(verdict=verdict, quote="something")


def test_claim_events_cannot_be_updated_or_deleted() -> None:
    event = ClaimEvent.objects.create(claim=ClaimFactory.create(), code="claim.created")

    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        ClaimEvent.objects.filter(pk=event.pk).update(note="rewritten")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM claims_claimevent WHERE id = %s", [event.pk])
    assert ClaimEvent.objects.get(pk=event.pk).note == ""


def test_verdict_search_vector_is_the_triggers_whatever_the_orm_writes() -> None:
    verdict = Verdict.objects.create(claim=ClaimFactory.create(), headline="Boiling point")

    def words() -> str:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT search_vector::text FROM claims_verdict WHERE id = %s", [verdict.pk]
            )
            return cursor.fetchone()[0]

    assert "'boil'" in words()
    # A full save writes the vector it loaded, now stale; the trigger replaces it.
    loaded = Verdict.objects.get(pk=verdict.pk)
    loaded.headline = "Freezing point"
    loaded.save()
    assert "'freez'" in words() and "'boil'" not in words()


def test_claim_search_vector_is_computed_by_postgresql() -> None:
    claim = ClaimFactory.create()

    assert claim.search_vector is not None  # returned by the INSERT
    assert "'sky'" in Claim.objects.values_list("search_vector", flat=True).get(pk=claim.pk)
