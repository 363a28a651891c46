"""A review whose URL (per publisher) is stored already, on a claim kept under another natural
key (a table row's id, or a key given before review URLs were the key): importing it again
creates no second claim without its verdict; the item is a duplicate of the stored review and
its result names the claim that review is on."""

import json
import threading
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from claims.models import Claim, Verdict
from sources.imports.claimreview import source_import_claimreview
from sources.imports.imported import claims_create_imported
from sources.imports.previews import upload_preview
from sources.imports.tables import source_import_table
from sources.imports.uploads import UploadOptions, upload_stage
from sources.models import ImportRun, Source
from sources.parsers.reviewed import ImportedClaim, review_key
from tests.factories import UserFactory, staff_user
from tests.sources.conftest import command_json

pytestmark = pytest.mark.django_db

SITE = "checkdesk.example"
URL = "https://checkdesk.example/reviews/moon"


def review(key: str, text: str, *, site: str = SITE, url: str = URL) -> ImportedClaim:
    return ImportedClaim(
        key=key,
        text=text,
        origin="a speech",
        original_rating="False",
        publisher_name="Check Desk",
        publisher_site=site,
        review_url=url,
    )


def stored_elsewhere() -> int:
    """The review at URL, stored on a claim whose key is a table row's id, not its URL."""
    [result] = claims_create_imported(
        items=[review(f"table|{SITE}|id|7", "The moon is made of cheese.")], trusted=True
    )
    assert result.status == "imported" and result.claim is not None
    return result.claim


def test_a_review_stored_under_another_key_is_a_duplicate_of_the_stored_claim() -> None:
    claim = stored_elsewhere()
    edited = review(review_key(publisher_site=SITE, review_url=URL), "The moon is cheese.")

    [result] = claims_create_imported(items=[edited], trusted=True)

    assert (result.status, result.claim) == ("duplicate", claim)
    assert URL in result.reason and f"claim #{claim}" in result.reason
    assert Claim.objects.count() == Verdict.objects.count() == Source.objects.count() == 1


def test_two_items_of_one_batch_naming_one_review_store_one_claim_with_its_verdict() -> None:
    first = review("feed|a", "The moon is made of cheese.")
    second = review("table|b", "The moon is made of blue cheese.")

    results = claims_create_imported(items=[first, second], trusted=False)

    assert [r.status for r in results] == ["imported", "duplicate"]
    assert results[1].claim == results[0].claim is not None
    assert f"claim #{results[0].claim}" in results[1].reason
    verdict = Verdict.objects.get()
    assert verdict.claim_id == results[0].claim
    assert (Claim.objects.count(), Source.objects.count()) == (1, 1)


def test_a_review_of_another_publisher_at_the_same_url_is_a_review_of_its_own() -> None:
    stored_elsewhere()
    other = review("other|1", "The moon is cheese.", site="otherdesk.example")

    [result] = claims_create_imported(items=[other], trusted=True)

    assert result.status == "imported"
    assert Claim.objects.count() == Verdict.objects.count() == 2


def test_every_claim_of_an_import_has_its_verdict_and_the_run_names_the_duplicate(
    tmp_path: Path,
) -> None:
    claim = stored_elsewhere()
    table = tmp_path / "reviews.csv"
    table.write_text(
        "claim,rating,publisher,review_url\n"
        f"The moon is cheese.,False,{SITE},{URL}\n"
        f"Mars is red.,True,{SITE},https://checkdesk.example/reviews/mars\n"
    )

    summary, code = command_json("import_table", str(table))

    assert (code, summary["claims_created"], summary["failed"]) == (0, 1, 0)
    duplicates = [item for item in summary["files"] if item["status"] == "duplicate"]
    assert [(d["path"], d["claim"]) for d in duplicates] == [("reviews.csv:2", claim)]
    assert URL in duplicates[0]["error"]
    assert not Claim.objects.filter(verdicts__isnull=True).exists()
    assert Claim.objects.count() == Verdict.objects.count() == 2


def test_a_duplicate_counts_as_unchanged_in_the_runs_totals(tmp_path: Path) -> None:
    stored_elsewhere()
    raw = f"claim,rating,publisher,review_url\nThe moon is cheese.,False,{SITE},{URL}\n".encode()

    run = source_import_table(raw=raw, name="r.csv", trusted=False)

    assert (run.status, run.claims_created, run.items_unchanged, run.items_failed) == (
        "succeeded",
        0,
        1,
        0,
    )
    assert [item["status"] for item in run.items] == ["unchanged", "duplicate"]


@pytest.mark.django_db(transaction=True)
def test_a_review_stored_by_another_import_while_a_batch_is_written_is_a_duplicate(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The other import commits after the batch's statement began: the batch's verdict breaks
    the unique review URL and the batch is written again item by item, which finds the
    review; no claim is left without its verdict."""
    other_stored = threading.Event()
    claims: list[int | None] = []

    def other_import() -> None:
        try:
            with transaction.atomic():
                [result] = claims_create_imported(
                    items=[review(f"table|{SITE}|id|7", "The moon is made of cheese.")],
                    trusted=True,
                )
                claims.append(result.claim)
                other_stored.set()
                with connection.cursor() as cursor:  # commit once the batch waits on this one
                    for _ in range(200):
                        cursor.execute(
                            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = "
                            "'Lock' AND datname = current_database()"
                        )
                        if cursor.fetchone()[0]:
                            break
                        time.sleep(0.05)
        finally:
            other_stored.set()
            connection.close()

    other = threading.Thread(target=other_import)
    other.start()
    assert other_stored.wait(30)
    raw = f"claim,rating,publisher,review_url\nThe moon is cheese.,False,{SITE},{URL}\n".encode()
    run = source_import_table(raw=raw, name="r.csv", trusted=True)
    other.join(30)

    assert "refused: written item by item" in caplog.text  # it met the other import's review
    assert [(i["status"], i.get("claim")) for i in run.items][1:] == [("duplicate", claims[0])]
    assert run.claims_created == 0
    assert Claim.objects.count() == Verdict.objects.count() == Source.objects.count() == 1


def test_the_run_page_and_the_command_name_the_duplicate_and_its_claim(tmp_path: Path) -> None:
    claim = stored_elsewhere()
    table = tmp_path / "reviews.csv"
    table.write_text(f"claim,rating,publisher,review_url\nThe moon is cheese.,False,{SITE},{URL}\n")
    out, err = StringIO(), StringIO()

    call_command("import_table", str(table), stdout=out, stderr=err)

    assert f"DUPLICATE reviews.csv:2: the review {URL} is stored already, on claim #{claim}" in (
        err.getvalue()
    )
    assert "0 claim(s) created, 1 unchanged, 0 failed" in out.getvalue()
    client = Client()
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    run = ImportRun.objects.get(origin="reviews.csv")
    page = client.get(f"/admin/sources/importrun/{run.pk}/change/").content.decode()
    table_html = page[page.index('id="import-items"') :]
    assert "Duplicate of a stored review" in table_html
    assert f'href="/admin/claims/claim/{claim}/change/">reviews.csv:2</a>' in table_html
    assert "The moon is made of cheese." in table_html  # the claim it is stored on, quoted


def test_an_uploads_preview_counts_a_stored_review_as_unchanged_and_says_why() -> None:
    stored_elsewhere()
    raw = (
        "claim,rating,publisher,review_url\n"
        f"The moon is cheese.,False,{SITE},{URL}\n"
        f"Mars is red.,True,{SITE},https://checkdesk.example/reviews/mars\n"
        f"Mars is very red.,True,{SITE},https://checkdesk.example/reviews/mars\n"
    ).encode()
    staged = upload_stage(name="reviews.csv", raw=raw, actor=staff_user("ed", "Editors"))

    preview = upload_preview(upload=staged, options=UploadOptions.from_json(staged.options))

    assert (preview.total, preview.new, preview.stored, preview.duplicates) == (3, 1, 2, 2)
    run = source_import_table(raw=raw, name="reviews.csv", trusted=False)
    assert (run.claims_created, run.items_unchanged) == (preview.new, preview.stored)


def claimreview(*texts: str) -> bytes:
    """A ClaimReview document: one review at URL per text."""
    return json.dumps(
        [
            {
                "@type": "ClaimReview",
                "url": URL,
                "claimReviewed": text,
                "author": {"@type": "Organization", "name": "Check Desk", "url": f"https://{SITE}"},
                "reviewRating": {"alternateName": "False"},
            }
            for text in texts
        ]
    ).encode()


def test_two_items_naming_one_review_with_other_claim_texts_store_the_first() -> None:
    run = source_import_claimreview(
        raw=claimreview("The moon is made of cheese.", "The moon is cheese."),
        origin="f.json",
        trusted=False,
    )

    claim = Claim.objects.get()
    assert (claim.text, run.claims_created, run.items_unchanged) == (
        "The moon is made of cheese.",
        1,
        1,
    )
    [duplicate] = run.items[1:]
    assert (duplicate["status"], duplicate["claim"]) == ("duplicate", claim.pk)
    assert "The moon is made of cheese." in duplicate["error"]


def test_a_review_imported_again_with_an_edited_claim_names_the_stored_claim() -> None:
    source_import_claimreview(
        raw=claimreview("The moon is made of cheese."), origin="f.json", trusted=False
    )
    claim = Claim.objects.get()

    again = source_import_claimreview(
        raw=claimreview("The moon is made of cheese."), origin="f", trusted=False
    )
    edited = source_import_claimreview(
        raw=claimreview("The moon is cheese."), origin="f.json", trusted=False
    )

    assert [i["status"] for i in again.items] == ["unchanged"]
    assert [(i["status"], i.get("claim")) for i in edited.items] == [
        ("unchanged", None),
        ("duplicate", claim.pk),
    ]
    assert (edited.claims_created, edited.items_unchanged) == (0, 1)
    assert Claim.objects.get().text == "The moon is made of cheese."  # the stored claim stays
