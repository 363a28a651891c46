"""Claims and imports the matching tests share."""

from pathlib import Path

from claims.models import Claim, ClaimMatch, Rating, Verdict
from sources.imports.documents import source_import_paths
from tests.conftest import EDITED_FROM, EDITED_TO
from tests.factories import ClaimFactory, SourceFactory

NUCLEAR = "Under the 2015 deal, Iran\u2019s uranium enrichment was capped at 3.67%"
QUERY = "Vaccines given to kids cause autism"
PARAPHRASE = "Childhood vaccinations are linked to autism spectrum disorder"
# Shares more of the query's words than the paraphrase does, and means something else.
LOOKALIKE = "Kids given sweets cause noise complaints in the park"
HEADLINE = "Do childhood vaccinations lead to autism spectrum disorder?"


def make_claim(text: str) -> Claim:
    return ClaimFactory.create(source=SourceFactory.create(body=text), end=len(text))


def import_both(seed_folder: Path, edited_seed_folder: Path) -> tuple[list[Claim], list[Claim]]:
    """Import the seed article, then its edited copy; the claims of each, in order."""
    source_import_paths(paths=[seed_folder])
    source_import_paths(paths=[edited_seed_folder])
    first, second = (
        list(Claim.objects.filter(source__origin__endswith=name).order_by("position"))
        for name in ("000_b52872a958dbdb28.txt", "edited.txt")
    )
    return first, second


def publish(claim: Claim, *, label: str = "True", headline: str = "Accurate") -> Verdict:
    """Mark `claim` published with a published verdict rated `label`."""
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.PUBLISHED)
    return Verdict.objects.create(
        claim=claim,
        rating=Rating.objects.get(label=label),
        headline=headline,
        summary="Checked.",
        status=Verdict.Status.PUBLISHED,
    )


def suggested_match(seed_folder: Path, edited_seed_folder: Path) -> ClaimMatch:
    """The suggested match an edited copy of the seed article gets from its edited sentence to
    the sentence it edits (the best of that sentence's suggestions)."""
    import_both(seed_folder, edited_seed_folder)
    return ClaimMatch.objects.get(
        kind=ClaimMatch.Kind.SUGGESTED, claim__text=EDITED_TO, matched__text=EDITED_FROM
    )
