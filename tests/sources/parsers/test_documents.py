"""Documents read as text: each kind's paragraphs and headings apart, its own title, and a reason
when there is no text to read."""

import io

import docx
import pytest

from sources.parsers.documents import DocumentType, document_text, document_type
from sources.parsers.text import UnreadableInput
from tests.sources.pdf import minimal_pdf

FIRST = "The minister said spending rose by 5 percent."
SECOND = "Critics said it fell."


def _docx() -> bytes:
    document = docx.Document()
    document.core_properties.title = "Budget"
    document.add_heading("The budget debate", 1)
    document.add_paragraph(f"{FIRST} {SECOND}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_each_kind_is_read_as_paragraphs_with_its_title() -> None:
    cases = {
        "budget.pdf": (minimal_pdf([FIRST, SECOND], title="Budget"), DocumentType.PDF),
        "budget.docx": (_docx(), DocumentType.DOCX),
        "budget.md": (
            f"# Budget\n\n{FIRST.replace('spending', '**spending**')}\n\n- {SECOND}\n".encode(),
            DocumentType.MARKDOWN,
        ),
        "budget.html": (
            f"<html><head><title>Budget</title></head><body><p>{FIRST}</p><p>{SECOND}</p>"
            "</body></html>".encode(),
            DocumentType.HTML,
        ),
    }
    for name, (raw, kind) in cases.items():
        assert document_type(raw, name=name) == kind, name
        read = document_text(raw, kind=kind)
        assert read.title == "Budget", name
        assert FIRST in read.text and SECOND in read.text, (name, read.text)
        assert "**" not in read.text and "<" not in read.text


def test_a_docx_without_its_extension_is_still_a_docx_and_a_zip_is_not() -> None:
    assert document_type(_docx(), name="upload") == DocumentType.DOCX
    assert document_type(b"PK\x03\x04 not a zip at all", name="upload") == DocumentType.TEXT


@pytest.mark.parametrize(
    ("raw", "kind", "reason"),
    [
        (b"%PDF-1.4\n garbage", DocumentType.PDF, "unreadable PDF"),
        (minimal_pdf([]), DocumentType.PDF, "no text found in the pdf document"),
        (b"PK\x03\x04 garbage", DocumentType.DOCX, "unreadable DOCX"),
        (b"<html><body><script>x()</script></body></html>", DocumentType.HTML, "no text found"),
        (b"   \n", DocumentType.TEXT, "the file is empty"),
    ],
)
def test_a_document_without_text_says_why(raw: bytes, kind: DocumentType, reason: str) -> None:
    with pytest.raises(UnreadableInput, match=reason):
        document_text(raw, kind=kind)
