"""The claims' match keys (`match_head`, `match_tail`) come from
claims.matching.text.match_keys on every path that writes a claim, so claims written by any of
them find each other."""

from pathlib import Path

import pytest
from django.core.management import call_command

from claims.matching.text import match_keys
from claims.models import Claim, ClaimMatch
from sources.imports.claimreview import source_import_claimreview
from sources.imports.documents import source_import_paths
from sources.imports.imported import claims_create_imported
from sources.imports.tables import source_import_table
from sources.parsers.reviewed import ImportedClaim
from tests.conftest import DATA
from tests.factories import ClaimFactory, SourceFactory

pytestmark = pytest.mark.django_db

STATEMENT = "Unemployment in the state fell by half in four years, the governor said."


def stored_keys_agree() -> int:
    """How many claims are stored; fails unless each one's keys are match_keys of its text."""
    rows = list(Claim.objects.values_list("text", "match_head", "match_tail"))
    assert [(head, tail) for _text, head, tail in rows] == [match_keys(t) for t, _h, _t in rows]
    return len(rows)


def test_orm_writes_store_the_keys_of_the_text() -> None:
    source = SourceFactory.create(body=STATEMENT)
    claim = Claim.objects.create(
        source=source, text=STATEMENT, start=0, end=len(STATEMENT), position=0
    )
    assert (claim.match_head, claim.match_tail) == match_keys(STATEMENT)
    ClaimFactory.create()
    short = ClaimFactory.create(source=SourceFactory.create(body="Taxes rose. Then fell."))
    assert (short.match_head, short.match_tail) == (None, None)
    # An edited text gets new keys when the claim is saved again.
    claim.text = "Unemployment in the state fell by a third, the opposition said."
    claim.save()
    assert stored_keys_agree() == 3
    assert Claim.objects.get(pk=claim.pk).match_tail == match_keys(claim.text)[1]


def test_document_imports_store_the_keys_of_each_statement(seed_folder: Path) -> None:
    source_import_paths(paths=[seed_folder])
    assert stored_keys_agree() == 17  # the seed document's statements
    assert Claim.objects.filter(match_head__isnull=False).count() > 10


def test_reviewed_imports_store_the_keys_of_each_claim(tmp_path: Path) -> None:
    claims_create_imported(
        trusted=True,
        items=[ImportedClaim(key="k|1", text=STATEMENT, origin="x", original_rating="true")],
    )
    table = (
        "claim,rating\n"
        "The city spent more on roads this year than in the last ten years together.,false\n"
        "Crime is down.,true\n"
    )
    source_import_table(raw=table.encode(), name="reviews.csv", trusted=True)
    source_import_claimreview(
        raw=(DATA / "claimreview_page.html").read_bytes(), origin="page.html", trusted=True
    )
    assert stored_keys_agree() == 4
    assert Claim.objects.filter(match_head__isnull=False).count() == 3  # all but "Crime is down."


def test_demo_data_stores_the_keys_of_each_claim() -> None:
    call_command("generate_demo_data", claims=60, verdicts=5, seed=1)
    assert stored_keys_agree() == 60
    assert Claim.objects.filter(match_head__isnull=False).exists()


@pytest.mark.usefixtures("matching_inline")
def test_an_imported_edit_of_an_orm_claim_is_suggested_by_its_unchanged_half() -> None:
    # Written by two different paths (ORM, document import): the keys still agree.
    original = ClaimFactory.create(source=SourceFactory.create(body=STATEMENT))
    edited = "Unemployment in the state fell by half in four years, the opposition said."
    claims_create_imported(
        trusted=True,
        items=[ImportedClaim(key="k|2", text=edited, origin="y", original_rating="false")],
    )
    new = Claim.objects.get(text=edited)
    assert new.match_head == original.match_head and new.match_tail != original.match_tail
    match = ClaimMatch.objects.get(claim=new)
    assert (match.matched_id, match.kind) == (original.pk, "suggested")
