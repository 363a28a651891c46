"""Sources → Add is "Add an article": pasted text or a document, previewed, then imported as a
source with one claim awaiting review per statement, by the importer the seeds go through."""

import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks, Settings

from claims.models import Claim
from factcheck.celery import app
from sources.models import ImportRun, Source, Upload
from tests.factories import SourceFactory, staff_user
from tests.sources.pdf import minimal_pdf

pytestmark = pytest.mark.django_db

SENTENCES = [
    "The minister said unemployment fell to 4 percent in March.",
    "Critics replied that the figure left out part-time workers.",
    "The opposition claimed that wages had not risen in ten years.",
]
ARTICLE = " ".join(SENTENCES)


@pytest.fixture
def editor(monkeypatch: pytest.MonkeyPatch) -> Client:
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    client = Client()
    client.force_login(staff_user("ed", "Editors"))
    return client


def add_and_confirm(
    client: Client, capture: DjangoCaptureOnCommitCallbacks, **fields: object
) -> ImportRun:
    response = client.post("/admin/sources/source/add/", fields)
    assert response.status_code == 302, response.content[:3000]
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    form = preview.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    with capture(execute=True):
        client.post(response["Location"], {**data, "confirm": "Import"})
    return ImportRun.objects.get()


def test_a_pasted_article_is_previewed_then_becomes_a_source_with_claims_awaiting_review(
    editor: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    response = editor.post(
        "/admin/sources/source/add/",
        {"text": ARTICLE, "title": "Jobs figures", "publisher": "The Daily"},
    )
    preview = editor.get(response["Location"]).context["preview"]
    assert (preview.new, preview.title, preview.language) == (3, "Jobs figures", "en")
    assert preview.statements[0] == "The minister said unemployment fell to 4 percent in March."
    assert (Source.objects.count(), Claim.objects.count()) == (0, 0)  # nothing yet

    Upload.objects.all().delete()
    run = add_and_confirm(
        editor,
        django_capture_on_commit_callbacks,
        text=ARTICLE,
        title="Jobs figures",
        publisher="The Daily",
    )

    source = Source.objects.get()
    assert (run.kind, run.claims_created, run.status) == ("article", 3, "succeeded")
    assert (source.title, source.publisher, source.import_run) == ("Jobs figures", "The Daily", run)
    assert [c.status for c in source.claims.order_by("position")] == ["pending"] * 3
    assert all(source.body[c.start : c.end] == c.text for c in source.claims.all())


@pytest.mark.parametrize("kind", ["docx", "pdf", "markdown", "html"])
def test_an_uploaded_document_becomes_a_source_with_its_statements(
    kind: str,
    editor: Client,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    name, raw = DOCUMENTS[kind]()
    run = add_and_confirm(
        editor, django_capture_on_commit_callbacks, file=SimpleUploadedFile(name, raw)
    )

    source = Source.objects.get()
    texts = list(source.claims.order_by("position").values_list("text", flat=True))
    assert run.claims_created == len(texts) >= 2
    assert "The minister said unemployment fell to 4 percent in March." in texts
    assert source.title == "Jobs figures"
    assert not any("**" in text or "<" in text for text in texts)


def _docx() -> tuple[str, bytes]:
    document = docx.Document()
    document.core_properties.title = "Jobs figures"
    for sentence in SENTENCES:
        document.add_paragraph(sentence)
    out = io.BytesIO()
    document.save(out)
    return "jobs.docx", out.getvalue()


def _markdown() -> tuple[str, bytes]:
    body = ARTICLE.replace("unemployment", "**unemployment**").replace(
        "part-time workers", "[part-time workers](https://stats.example)"
    )
    return "jobs.md", f"# Jobs figures\n\n{body}\n".encode()


DOCUMENTS = {
    "docx": _docx,
    "pdf": lambda: ("jobs.pdf", minimal_pdf(SENTENCES, title="Jobs figures")),
    "markdown": _markdown,
    "html": lambda: ("jobs.html", f"<title>Jobs figures</title><p>{ARTICLE}</p>".encode()),
}


def test_an_article_over_the_size_limit_is_refused_and_writes_nothing(
    editor: Client, settings: Settings
) -> None:
    settings.IMPORT_MAX_BYTES = 100

    response = editor.post(
        "/admin/sources/source/add/", {"file": SimpleUploadedFile("long.txt", ARTICLE.encode())}
    )

    assert b"The file is too large" in response.content
    assert (Upload.objects.count(), Source.objects.count(), Claim.objects.count()) == (0, 0, 0)


def test_an_article_needs_text_or_a_file_and_a_url_no_other_source_has(editor: Client) -> None:
    empty = editor.post("/admin/sources/source/add/", {"title": "Nothing"})
    assert b"Paste the article" in empty.content

    taken = SourceFactory.create(url="https://news.example/jobs")
    response = editor.post(
        "/admin/sources/source/add/", {"text": ARTICLE, "url": "https://news.example/jobs"}
    )
    assert f"Source #{taken.pk} has this URL already".encode() in response.content
    assert Upload.objects.count() == 0


def test_a_reviewer_cannot_add_an_article() -> None:
    client = Client()
    client.force_login(staff_user("rita", "Reviewers"))
    assert client.get("/admin/sources/source/add/").status_code == 403
