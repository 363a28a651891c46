"""Undoing an import run: the claims nobody touched are withdrawn, with an event each, and leave
every public surface; every touched claim is left alone, and the undo says why."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from claims import workflow
from claims.models import Citation, Claim, ClaimEvent, ClaimMatch, Verdict
from factcheck.errors import TransitionNotAllowed
from sources.imports.documents import source_import_paths
from sources.imports.tables import source_import_table
from sources.imports.undo import import_run_undo, import_run_undo_plan, import_run_undo_request
from sources.models import ImportRun, Source
from tests.conftest import DATA
from tests.factories import ClaimFactory, VerdictFactory, staff_user

pytestmark = pytest.mark.django_db

REVIEWS = (DATA / "reviews_sample.csv").read_bytes()  # three reviews with review URLs
RIVER = "The river rose by two metres overnight."


def imported(*, trusted: bool) -> ImportRun:
    run = source_import_table(raw=REVIEWS, name="reviews.csv", trusted=trusted)
    assert run.claims_created == 3
    return run


def test_undoing_a_trusted_run_withdraws_its_reviews_from_every_public_surface() -> None:
    run = imported(trusted=True)
    editor = staff_user("ed", "Editors")
    public = Verdict.objects.filter(status="published")
    assert public.count() == 3
    client = Client()
    verdict = public.get(claim__text=RIVER)
    assert client.get(f"/api/v1/verdicts/{verdict.pk}/").status_code == 200

    run = import_run_undo(run=run, actor=editor)

    assert (run.undo["withdrawn"], run.undo["left_count"], run.undone_by) == (3, 0, editor)
    assert set(Claim.objects.values_list("status", flat=True)) == {"withdrawn"}
    assert set(Verdict.objects.values_list("status", flat=True)) == {"withdrawn"}
    assert client.get(f"/api/v1/verdicts/{verdict.pk}/").status_code == 404
    assert client.get(f"/verdicts/{verdict.pk}/").status_code == 404
    assert client.get("/api/v1/verdicts/").json()["results"] == []
    assert client.get("/api/v1/claims/").json()["results"] == []
    assert client.get("/api/v1/claims:search", {"query": "river"}).json() == {}
    csv = client.get("/api/v1/verdicts/", {"format": "csv"}).getvalue()
    assert RIVER.encode() not in csv
    events = ClaimEvent.objects.filter(code="claim.withdrawn")
    assert events.count() == 3
    event = events.get(claim__text=RIVER)
    assert (event.from_status, event.to_status, event.actor) == ("published", "withdrawn", editor)
    assert (event.data["import_run"], event.data["verdict"]) == (run.pk, verdict.pk)
    assert event.note == f"Import run #{run.pk} undone."


def test_an_undone_run_can_be_imported_again() -> None:
    imported(trusted=False)
    import_run_undo(run=ImportRun.objects.get(), actor=staff_user("ed", "Editors"))

    again = source_import_table(raw=REVIEWS, name="reviews.csv", trusted=True)

    assert (again.claims_created, again.items_unchanged) == (3, 0)
    statuses = sorted(Claim.objects.values_list("status", flat=True))
    assert statuses == ["published"] * 3 + ["withdrawn"] * 3


def _reject(claim: Claim) -> None:
    workflow.claim_reject(claim=claim, actor=staff_user("rita", "Reviewers"), reason="Opinion.")


def _start_review(claim: Claim) -> None:
    workflow.claim_start_review(claim=claim, actor=staff_user("rita", "Reviewers"))


def _own_verdict(claim: Claim) -> None:
    VerdictFactory.create(claim=claim)


def _edited_suggestion(claim: Claim) -> None:
    Verdict.objects.filter(claim=claim).update(version=2)


def _marked_duplicate_of(claim: Claim) -> None:
    other = ClaimFactory.create()
    workflow.claim_mark_duplicate(
        claim=other, actor=staff_user("rita", "Reviewers"), duplicate_of=claim
    )


def _match_decided(claim: Claim) -> None:
    ClaimMatch.objects.create(
        claim=ClaimFactory.create(),
        matched=claim,
        kind="suggested",
        score=0.8,
        status="dismissed",
        decided_by=staff_user("ed", "Editors"),
        decided_at=timezone.now(),
    )


def _cited(claim: Claim) -> None:
    Citation.objects.create(verdict=VerdictFactory.create(), source=claim.source, quote="x")


TOUCHES: dict[str, tuple[Callable[[Claim], None], list[str]]] = {
    "rejected": (
        _reject,
        [
            "its status changed since the import (it is now Rejected)",
            "a person acted on it: claim.rejected by rita",
        ],
    ),
    "taken for review": (
        _start_review,
        [
            "its status changed since the import (it is now In review)",
            "someone is assigned to it",
            "a person acted on it: claim.review_started by rita",
        ],
    ),
    "a verdict of ours": (_own_verdict, ["its verdict was written or changed here"]),
    "its review edited": (_edited_suggestion, ["its verdict was written or changed here"]),
    "a duplicate of it": (_marked_duplicate_of, ["another claim was marked a duplicate of it"]),
    "a match decided": (_match_decided, ["a person confirmed or dismissed a match with it"]),
    "its source cited": (_cited, ["its source is cited as evidence"]),
}


@pytest.mark.parametrize("touch", list(TOUCHES))
def test_an_undo_leaves_a_touched_claim_alone_and_says_why(touch: str) -> None:
    run = imported(trusted=False)
    claim = Claim.objects.get(text=RIVER)
    action, reasons = TOUCHES[touch]
    action(claim)
    claim.refresh_from_db()
    status, events = claim.status, ClaimEvent.objects.filter(claim=claim).count()

    plan = import_run_undo_plan(run=run)
    assert [(c.claim, c.explain()) for c in plan.left] == [(claim.pk, reasons)]
    run = import_run_undo(run=run, actor=staff_user("ed", "Editors"))

    claim.refresh_from_db()
    assert (claim.status, ClaimEvent.objects.filter(claim=claim).count()) == (status, events)
    assert run.undo["withdrawn"] == 2
    assert run.undo["left"] == [{"claim": claim.pk, "text": RIVER, "reasons": reasons}]
    others = Claim.objects.filter(source__import_run=run).exclude(pk=claim.pk)
    assert set(others.values_list("status", flat=True)) == {"withdrawn"}


def test_a_documents_source_keeps_its_key_while_one_of_its_claims_is_touched(
    seed_folder: object,
) -> None:
    run = source_import_paths(paths=[seed_folder])  # type: ignore[list-item]
    source = Source.objects.get()
    kept = source.claims.order_by("position").first()
    assert kept is not None
    _start_review(kept)

    run = import_run_undo(run=run, actor=staff_user("ed", "Editors"))

    assert (run.undo["withdrawn"], run.undo["left_count"]) == (16, 1)
    source.refresh_from_db()
    again = source_import_paths(paths=[seed_folder])  # type: ignore[list-item]
    assert (again.sources_created, again.items_unchanged) == (0, 1)  # still its bytes

    workflow.claim_reject(claim=kept, actor=staff_user("rita", "Reviewers"), reason="Opinion.")
    assert import_run_undo(run=run, actor=None).undo["withdrawn"] == 16  # nothing more


def test_an_undo_withdraws_nothing_twice() -> None:
    run = imported(trusted=True)
    editor = staff_user("ed", "Editors")
    import_run_undo(run=run, actor=editor)

    run = import_run_undo(run=run, actor=editor)

    assert run.undo["withdrawn"] == 3
    assert ClaimEvent.objects.filter(code="claim.withdrawn").count() == 3


def test_an_undo_is_refused_while_its_run_is_still_importing() -> None:
    run = ImportRun.objects.create(kind="table", origin="big.csv")
    editor = staff_user("ed", "Editors")
    with pytest.raises(TransitionNotAllowed, match="still running"):
        import_run_undo_request(run=run, actor=editor)

    # A run started longer ago than any task may run was cut short: it can be undone.
    ImportRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - timedelta(days=1))
    run.refresh_from_db()
    assert import_run_undo_request(run=run, actor=editor).undo["state"] == "queued"
    with pytest.raises(TransitionNotAllowed, match="under way"):
        import_run_undo_request(run=run, actor=editor)
