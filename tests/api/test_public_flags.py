"""The public rule stored on each claim (Claim.public, Claim.in_force) agrees with the rule asked
of its verdicts, through every way a verdict changes: published, corrected, retracted, moved to
another claim, withdrawn, deleted, and imported in bulk; and whatever else writes the flags.
The verdicts' statement triggers and the claims' own trigger keep them; the check is the rule
written out in SQL (claims_flags_disagreeing), apart from the code that generates the triggers."""

from collections.abc import Callable

import pytest
from django.db import connection
from django.utils import timezone

from claims import workflow
from claims.models import Claim, Verdict
from sources.imports.imported import claims_create_imported
from sources.parsers.reviewed import ImportedClaim, review_key
from tests.api.helpers import (
    claims_flags_disagreeing,
    draft_verdict,
    verdict_correct,
    verdict_retract,
)
from tests.factories import ClaimFactory, PublishedVerdictFactory, staff_user

pytestmark = pytest.mark.django_db

# A step's name and what each claim it names must then be: (public, in force).
Checkpoint = Callable[[str, dict[int, tuple[bool, bool]]], None]


def flags(claim_id: int) -> tuple[bool, bool]:
    return Claim.objects.values_list("public", "in_force").get(pk=claim_id)


def reviews(count: int, *, trusted: bool, tag: str, key: str = "") -> list[int]:
    """`count` claims with another fact-checker's review, imported in one statement (keyed
    by review URL, or by `key` and the review's number)."""
    items = [
        ImportedClaim(
            key=f"{key}{n}"
            if key
            else review_key(publisher_site="checker.example", review_url=f"https://c.example/{n}"),
            text=f"The {tag} bridge number {n} was closed for {len(n) + 2} years.",
            origin="https://checker.example/feed",
            language="en",
            original_rating="False",
            headline=f"No, bridge {n} stayed open",
            publisher_name="Checker",
            publisher_site="checker.example",
            review_url=f"https://c.example/{n}",
            review_date=timezone.now(),
        )
        for n in (f"{tag}{i}" for i in range(count))
    ]
    results = claims_create_imported(items=items, trusted=trusted)
    assert all(result.claim for result in results)
    return [result.claim for result in results if result.claim]


def walk(checkpoint: Checkpoint) -> None:
    """Every way a verdict changes, one after the other, calling `checkpoint` after each."""
    editor = staff_user("editor", "Editors")
    draft = draft_verdict()
    ours = draft.claim_id
    checkpoint("a draft", {ours: (False, False)})

    # An import writes the flags with its claims (test_an_import_writes_each_claim_once_...):
    # a verdict inserted published on a claim that exists is what the insert trigger catches.
    inserted = PublishedVerdictFactory.create().claim_id
    checkpoint("inserted published", {inserted: (True, True)})

    workflow.verdict_publish(claim=draft.claim, actor=editor)
    checkpoint("published", {ours: (True, True)})

    draft.refresh_from_db()
    verdict_correct(verdict=draft, note="The figure was for 2023.")
    checkpoint("corrected", {ours: (True, True)})

    verdict_retract(verdict=draft, note="The source was misread.")
    checkpoint("retracted", {ours: (True, False)})

    trusted = reviews(5, trusted=True, tag="t")
    untrusted = reviews(2, trusted=False, tag="u")
    checkpoint(
        "imported in bulk",
        {claim: (True, True) for claim in trusted} | {claim: (False, False) for claim in untrusted},
    )

    workflow.verdict_publish_imported(claim=Claim.objects.get(pk=untrusted[0]), actor=editor)
    checkpoint("an imported review published", {untrusted[0]: (True, True)})

    moved, withdrawn, deleted, *retracted = trusted
    unchecked = ClaimFactory.create().pk
    Verdict.objects.filter(claim_id=moved).update(claim_id=unchecked)
    checkpoint("moved to another claim", {moved: (False, False), unchecked: (True, True)})

    Verdict.objects.filter(claim_id=withdrawn).update(status=Verdict.Status.WITHDRAWN)
    checkpoint("withdrawn", {withdrawn: (False, False)})

    Verdict.objects.filter(claim_id=deleted).delete()
    checkpoint("deleted", {deleted: (False, False)})

    Verdict.objects.filter(claim_id__in=retracted).update(status=Verdict.Status.RETRACTED)
    checkpoint("retracted in bulk", {claim: (True, False) for claim in retracted})

    # Whatever else writes the flags (a full-row save of a claim read before its verdict
    # changed) leaves them as the verdicts say.
    stale = Claim.objects.get(pk=untrusted[1])
    workflow.verdict_publish_imported(claim=Claim.objects.get(pk=untrusted[1]), actor=editor)
    stale.status = Claim.Status.PUBLISHED
    stale.save()
    Claim.objects.filter(pk=ours).update(public=False, in_force=True)
    checkpoint("flags written by a claim's save", {untrusted[1]: (True, True), ours: (True, False)})


def test_every_claims_flags_follow_its_verdicts_through_every_change() -> None:
    steps = []

    def checkpoint(step: str, expected: dict[int, tuple[bool, bool]]) -> None:
        steps.append(step)
        assert {claim: flags(claim) for claim in expected} == expected, step
        assert claims_flags_disagreeing() == [], step

    walk(checkpoint)

    assert len(steps) == 12


def claim_rows_updated() -> int:
    """Claim rows updated so far in this test's transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'claims_claim'"
        )
        return cursor.fetchone()[0]


@pytest.mark.parametrize("trusted", [True, False])
def test_an_import_writes_each_claim_once_with_its_flags(trusted: bool) -> None:
    # The flags go in with the claims, so the verdicts' trigger finds them right and rewrites
    # no claim: a rewrite is a new version of the row and of each of its index entries, which
    # cost a trusted import a third more CPU.
    before = claim_rows_updated()

    claims = reviews(20, trusted=trusted, tag="once")

    assert claim_rows_updated() == before
    assert {flags(claim) for claim in claims} == {(trusted, trusted)}
    assert claims_flags_disagreeing() == []


def test_an_imported_review_stored_already_leaves_no_claim_public_without_it() -> None:
    # A second item naming the same review under another key (a table's row id): its verdict
    # cannot be stored twice, and no claim may be public for it.
    [first] = reviews(1, trusted=True, tag="same")

    reviews(1, trusted=True, tag="same", key="table-row-")

    assert flags(first) == (True, True)
    assert claims_flags_disagreeing() == []


TRIGGERS = {
    f"{model.__name__}.{trigger.name}": (model, trigger)
    for model in (Claim, Verdict)
    for trigger in model._meta.triggers  # type: ignore[union-attr]
    if "public" in trigger.name
}


@pytest.mark.parametrize("name", TRIGGERS)
def test_the_check_fails_when_a_trigger_is_missing(name: str) -> None:
    model, trigger = TRIGGERS[name]
    with connection.cursor() as cursor:  # rolled back with the test
        cursor.execute(f"DROP TRIGGER {trigger.get_pgid(model)} ON {model._meta.db_table}")
    found: list[int] = []

    walk(lambda step, expected: found.extend(claims_flags_disagreeing()))

    assert found, f"{name} dropped, yet every claim's flags agreed with its verdicts"


def test_the_flags_are_kept_by_four_triggers_each_checked_above() -> None:
    assert sorted(TRIGGERS) == [
        "Claim.public_kept",
        "Verdict.claim_public_delete",
        "Verdict.claim_public_insert",
        "Verdict.claim_public_update",
    ]
