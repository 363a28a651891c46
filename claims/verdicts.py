"""Verdicts of our own: the input both doors build, their wording, drafts, and what the
workflow's actions do to the verdict row.

claims/workflow.py moves the claim's status and records its events; drafting, publishing,
correcting and retracting the verdict itself happen here. Drafts (by the claim's assignee, while
it is in review) and corrections rewrite the verdict with a compare-and-set on its `version`
(optimistic locking): an edit based on an older version is refused and writes nothing, so two
people editing one verdict never lose each other's work silently.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from claims.models import Citation, Claim, ClaimEvent, Rating, Verdict
from claims.roles import AnyUser, user_is_reviewer
from claims.selectors import verdicts_public
from factcheck.errors import Forbidden, InvalidInput, StaleState, TransitionNotAllowed
from sources.models import Source


@dataclass(frozen=True)
class CitationInput:
    url: str = ""
    source: Source | None = None
    quote: str = ""
    note: str = ""


@dataclass(frozen=True)
class VerdictInput:
    rating: Rating | None
    headline: str = ""
    summary: str = ""
    explanation: str = ""
    citations: Sequence[CitationInput] = ()


def verdict_input(data: Mapping[str, Any]) -> VerdictInput:
    """A verdict's validated fields (an admin form's or a serializer's) as workflow input.

    `data["citations"]` holds one mapping per citation with `url`, `source`, `quote`, `note`."""
    return VerdictInput(
        rating=data["rating"],
        headline=data["headline"],
        summary=data["summary"],
        explanation=data["explanation"],
        citations=[
            CitationInput(
                url=citation.get("url") or "",
                source=citation.get("source"),
                quote=citation.get("quote") or "",
                note=citation.get("note") or "",
            )
            for citation in data["citations"]
        ],
    )


def verdict_input_keeping_evidence(
    verdict: Verdict, *, rating: Rating | None, headline: str, summary: str
) -> VerdictInput:
    """`verdict`'s explanation and citations with a new rating, headline and summary: what a
    correction of an imported review may change (verdict_add_correction)."""
    return VerdictInput(
        rating=rating,
        headline=headline,
        summary=summary,
        explanation=verdict.explanation,
        citations=[
            CitationInput(url=c.url, source=c.source, quote=c.quote, note=c.note)
            for c in verdict.citations.all()
        ],
    )


def verdict_wording(verdict: Verdict) -> dict[str, Any]:
    """The verdict's public content: what a correction keeps in its event, what the editor
    starts from."""
    return {
        "rating": verdict.rating.slug if verdict.rating else None,
        "headline": verdict.headline,
        "summary": verdict.summary,
        "explanation": verdict.explanation,
        "citations": [
            {"url": c.url, "source": c.source_id, "quote": c.quote, "note": c.note}
            for c in verdict.citations.all()
        ],
    }


def imported_draft(claim: Claim, *, lock: bool = False) -> Verdict | None:
    """The imported review kept as a suggestion on a claim from an untrusted origin (a draft
    no surface shows: sources.imports.imported), if any; the newest if several."""
    verdicts = Verdict.objects.filter(
        claim=claim, origin=Verdict.Origin.IMPORTED, status=Verdict.Status.DRAFT
    ).order_by("-id")
    if lock:
        verdicts = verdicts.select_for_update()
    return verdicts.first()


def own_verdict(claim: Claim, *, lock: bool = False) -> Verdict | None:
    """The claim's verdict of our own, if any (at most one: verdict_one_own_per_claim)."""
    verdicts = Verdict.objects.filter(claim=claim, origin=Verdict.Origin.OWN)
    if lock:
        verdicts = verdicts.select_for_update()
    return verdicts.first()


def claim_verdict(claim: Claim, *, lock: bool = False) -> Verdict | None:
    """The verdict the workflow's actions on `claim` act on: while the claim is published, its
    published verdict, ours or imported from another fact-checker (a correction or a
    retraction acts on whichever the public sees); otherwise our own, if any (the draft that is
    submitted and published). `lock` takes a row lock on it (select_for_update)."""
    if claim.status != Claim.Status.PUBLISHED:
        return own_verdict(claim, lock=lock)
    verdicts = Verdict.objects.filter(claim=claim, status=Verdict.Status.PUBLISHED)
    if lock:
        verdicts = verdicts.select_for_update()
    return verdicts.first()  # at most one: verdict_one_published_per_claim


def verdict_on_record(claim: Claim) -> Verdict | None:
    """The verdict a claim's page shows: the one its actions act on (claim_verdict); failing
    that, its newest public verdict (a review retracted before the claim was reopened stays on
    record)."""
    acted_on = claim_verdict(claim)
    if acted_on is not None:
        return acted_on
    return verdicts_public().filter(claim=claim).order_by("-updated_at", "-id").first()


# What the workflow's actions on a verdict need besides the actor's role and the claim's status
# (the `check` of their row in claims/workflow.py): each raises a DomainError to refuse.


def require_draft(claim: Claim, actor: AnyUser, verdict: Verdict | None) -> None:
    """To submit: a draft with a rating and a summary."""
    if verdict is None or verdict.rating_id is None or not verdict.summary.strip():
        raise TransitionNotAllowed(
            f"Claim #{claim.pk} needs a verdict draft with a rating and a summary before it "
            "can be submitted."
        )


def require_four_eyes(claim: Claim, actor: AnyUser, verdict: Verdict | None) -> None:
    """To publish: a verdict the actor neither wrote nor edited."""
    if verdict is None:  # cannot happen through claim_submit; refuse rather than guess
        raise TransitionNotAllowed(f"Claim #{claim.pk} has no verdict to publish.")
    edits = ClaimEvent.objects.filter(claim=claim, code="verdict.saved", actor=actor.pk)
    if verdict.author_id == actor.pk or edits.exists():
        raise Forbidden(
            "Four-eyes rule: you wrote or edited this verdict, so another editor must publish it."
        )


def require_imported_draft(claim: Claim, actor: AnyUser, verdict: Verdict | None) -> Verdict:
    """To publish an imported review: the claim holds one as a suggestion, returned."""
    suggestion = imported_draft(claim)
    if suggestion is None:
        raise TransitionNotAllowed(f"Claim #{claim.pk} holds no imported review to publish.")
    return suggestion


def require_published(claim: Claim, actor: AnyUser, verdict: Verdict | None) -> Verdict:
    """To correct: the claim's published verdict (ours or imported), returned."""
    if verdict is None or verdict.status != Verdict.Status.PUBLISHED:
        raise TransitionNotAllowed(f"Claim #{claim.pk} has no published verdict.")
    return verdict


def _write_citations(verdict: Verdict, content: VerdictInput) -> None:
    for index, citation in enumerate(content.citations):
        if not citation.url and citation.source is None:
            raise InvalidInput(f"citations[{index}]", "Each citation needs a URL or a source.")
    verdict.citations.all().delete()
    Citation.objects.bulk_create(
        Citation(
            verdict=verdict,
            url=c.url,
            source=c.source,
            quote=c.quote,
            note=c.note,
            position=position,
        )
        for position, c in enumerate(content.citations)
    )


def verdict_rewrite(
    verdict: Verdict, *, content: VerdictInput, version: int, **fields: Any
) -> None:
    """Write `content` (and `fields`) only if the verdict is still at `version`, bumping it.

    Precondition: the caller holds a transaction. Raises StaleState and writes nothing when
    someone else changed the verdict since `version`."""
    moved = Verdict.objects.filter(pk=verdict.pk, version=version).update(
        rating=content.rating,
        headline=content.headline,
        summary=content.summary,
        explanation=content.explanation,
        version=version + 1,
        updated_at=timezone.now(),
        **fields,
    )
    if moved != 1:
        current = Verdict.objects.filter(pk=verdict.pk).values_list("version", flat=True).first()
        raise StaleState(
            f"This verdict was changed by someone else since you opened it (you edited version "
            f"{version}, it is now version {current}). Reload it and apply your changes again; "
            "nothing was saved."
        )
    verdict.refresh_from_db()
    _write_citations(verdict, content)


@transaction.atomic
def verdict_save_draft(
    *, claim: Claim, actor: AnyUser, content: VerdictInput, version: int | None
) -> Verdict:
    """Create or update the claim's own verdict draft. Only the assignee, while in review.

    `version` is the version the edit is based on (None or 0 when creating). An edit based on an
    older version raises StaleState and changes nothing. Bumps the version; writes one
    `verdict.saved` event. Citations are replaced by `content.citations`.
    """
    if not user_is_reviewer(actor):
        raise Forbidden("Only reviewers and editors may edit a verdict.")
    # Lock the claim row so that a submit or reassignment cannot slip in between check and write.
    row = (
        Claim.objects.select_for_update()
        .filter(pk=claim.pk)
        .values_list("status", "assignee_id")
        .first()
    )
    if row is None:
        raise TransitionNotAllowed(f"Claim #{claim.pk} no longer exists.")
    status, assignee_id = row
    if status != Claim.Status.IN_REVIEW:
        raise TransitionNotAllowed(
            f"Claim #{claim.pk} is {Claim.Status(status).label.lower()}; its verdict can be "
            "edited only while it is in review"
            + (
                " (a published verdict changes through a correction)."
                if status == Claim.Status.PUBLISHED
                else "."
            )
        )
    if assignee_id != actor.pk:
        raise Forbidden(f"Only the assignee of claim #{claim.pk} may edit its verdict.")
    verdict = own_verdict(claim)
    if verdict is None:
        if version not in (None, 0):
            raise StaleState(
                f"Claim #{claim.pk} has no verdict (yet) version {version}; reload the claim."
            )
        verdict = Verdict.objects.create(
            claim=claim,
            rating=content.rating,
            headline=content.headline,
            summary=content.summary,
            explanation=content.explanation,
            author=actor,
            status=Verdict.Status.DRAFT,
            origin=Verdict.Origin.OWN,
        )
        _write_citations(verdict, content)
    else:
        if version is None:
            raise InvalidInput("version", "Send the version your edit is based on.")
        # A verdict retracted and reopened is drafted again; the retraction stays in its
        # corrections and in the event log.
        verdict_rewrite(verdict, content=content, version=version, status=Verdict.Status.DRAFT)
    ClaimEvent.objects.create(
        claim=claim,
        code="verdict.saved",
        from_status=status,
        to_status=status,
        actor=actor,
        data={"verdict": verdict.pk, "version": verdict.version},
    )
    return verdict


def verdict_embed_later(claim: Claim) -> None:
    """After the commit, embed the headline the claim's published verdict now has (or drop the
    old one): claim_match compares texts with it too (claims.embeddings.claims_embed)."""
    from claims.tasks import claims_embed_later  # the tasks import matching, which is heavy

    transaction.on_commit(partial(claims_embed_later, claim_ids=[claim.pk]))


def verdict_mark_published(*, claim: Claim, approver: AnyUser) -> None:
    """Mark the claim's own verdict published, approved by `approver` (the claim's move to
    published is the workflow's). Refuses while an imported verdict of the claim is published."""
    now = timezone.now()
    try:
        with transaction.atomic():
            Verdict.objects.filter(claim=claim, origin=Verdict.Origin.OWN).update(
                status=Verdict.Status.PUBLISHED,
                approver=approver,
                published_at=Coalesce("published_at", Value(now, output_field=DateTimeField())),
                updated_at=now,
            )
    except IntegrityError as error:  # verdict_one_published_per_claim: an imported one is live
        raise TransitionNotAllowed(
            f"Claim #{claim.pk} already has a published verdict (imported); retract it first."
        ) from error


def verdict_mark_imported_published(*, verdict: Verdict, approver: AnyUser) -> None:
    """Publish an imported review kept as a suggestion, approved by `approver`; it keeps the
    fact-checker's own publication date when it has one. Refuses while another verdict of the
    claim is published (verdict_one_published_per_claim)."""
    now = timezone.now()
    try:
        with transaction.atomic():
            Verdict.objects.filter(pk=verdict.pk).update(
                status=Verdict.Status.PUBLISHED,
                approver=approver,
                published_at=Coalesce("published_at", Value(now, output_field=DateTimeField())),
                version=verdict.version + 1,
                updated_at=now,
            )
    except IntegrityError as error:
        raise TransitionNotAllowed(
            f"Claim #{verdict.claim_id} already has a published verdict; retract it first."
        ) from error


def verdict_add_correction(
    *, verdict: Verdict, content: VerdictInput, version: int, note: str
) -> dict[str, Any]:
    """Rewrite a published verdict (compare-and-set on `version`, as drafts) and append
    `{"date", "note", "kind": "correction"}` to its public corrections; return the wording it
    had before.

    An imported review is another fact-checker's: a correction changes what we say of it (the
    rating mapped onto our scale, the headline, the summary), never their review itself. Its
    original rating, URL and publisher are not part of `content`; an explanation or citations
    other than those it holds are refused (InvalidInput), since the review's reasoning and
    evidence are at its URL."""
    before = verdict_wording(verdict)
    if verdict.origin == Verdict.Origin.IMPORTED:
        _refuse_rewriting_the_review(verdict, content, before)
    correction = {"date": timezone.now().isoformat(), "note": note, "kind": "correction"}
    corrections = [*verdict.corrections, correction]
    verdict_rewrite(verdict, content=content, version=version, corrections=corrections)
    return before


def _refuse_rewriting_the_review(
    verdict: Verdict, content: VerdictInput, wording: dict[str, Any]
) -> None:
    citations = [
        {
            "url": c.url,
            "source": c.source.pk if c.source else None,
            "quote": c.quote,
            "note": c.note,
        }
        for c in content.citations
    ]
    for field, what, given, held in (
        ("explanation", "explanation", content.explanation, wording["explanation"]),
        ("citations", "evidence", citations, wording["citations"]),
    ):
        if given != held:
            publisher = verdict.publisher_name or verdict.publisher_site or "the fact-checker"
            raise InvalidInput(
                field,
                f"This review is {publisher}'s: its {what} stays as published at its URL. "
                "A correction may change our rating, the headline and the summary.",
            )


def verdict_mark_retracted(*, verdict: Verdict, note: str) -> None:
    """Mark a verdict retracted, with `note` among its public corrections; it stays readable."""
    now = timezone.now()
    retraction = {"date": now.isoformat(), "note": note, "kind": "retraction"}
    Verdict.objects.filter(pk=verdict.pk).update(
        status=Verdict.Status.RETRACTED,
        corrections=[*verdict.corrections, retraction],
        version=verdict.version + 1,
        updated_at=now,
    )
