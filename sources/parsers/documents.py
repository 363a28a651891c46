"""Reading documents as text: plain text, HTML, Markdown, PDF and DOCX.

The text becomes a source's body, split into statements like any imported document
(sources.imports.documents); paragraphs and headings are separated by a blank line, so that a
heading or a list item never runs into the next sentence.
"""

import io
import zipfile
from dataclasses import dataclass
from enum import StrEnum

import docx
import docx.opc.exceptions
import pypdf
import pypdf.errors
import trafilatura
from lxml import html as lxml_html
from markdown_it import MarkdownIt

from sources.parsers.text import UnreadableInput, decode_text


class DocumentType(StrEnum):
    TEXT = "text"
    HTML = "html"
    MARKDOWN = "markdown"
    PDF = "pdf"
    DOCX = "docx"


@dataclass(frozen=True)
class DocumentText:
    """A document's text, and the title it gives itself ("" when it has none)."""

    text: str
    title: str = ""


_MARKDOWN_NAMES = (".md", ".markdown", ".mdown")
_HTML_NAMES = (".html", ".htm", ".xhtml")
# Elements whose text stands as a paragraph of its own in Markdown's HTML.
_BLOCKS = "//h1|//h2|//h3|//h4|//h5|//h6|//p|//li|//pre|//td|//th"


def document_type(raw: bytes, *, name: str) -> DocumentType:
    """What kind of document `raw` is, from its first bytes and, for text, its name."""
    lower = name.lower()
    if raw.startswith(b"%PDF-"):
        return DocumentType.PDF
    if raw.startswith(b"PK\x03\x04") and (lower.endswith(".docx") or _is_docx(raw)):
        return DocumentType.DOCX
    if lower.endswith(_MARKDOWN_NAMES):
        return DocumentType.MARKDOWN
    head = raw[:2048].lstrip().lower()
    if lower.endswith(_HTML_NAMES) or head.startswith((b"<!doctype html", b"<html")):
        return DocumentType.HTML
    return DocumentType.TEXT


def _is_docx(raw: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def document_text(raw: bytes, *, kind: DocumentType) -> DocumentText:
    """The text of a document of `kind`. Raises UnreadableInput when there is none to read
    (a broken or encrypted file, a scanned PDF without a text layer...)."""
    if kind == DocumentType.PDF:
        result = _pdf(raw)
    elif kind == DocumentType.DOCX:
        result = _docx(raw)
    elif kind == DocumentType.HTML:
        result = _html(decode_text(raw))
    elif kind == DocumentType.MARKDOWN:
        result = _markdown(decode_text(raw))
    else:
        result = DocumentText(decode_text(raw))
    if not result.text.strip():
        raise UnreadableInput(f"no text found in the {kind} document")
    return result


def html_text(html: str) -> str:
    """The main text of an HTML page (trafilatura: no navigation, comments or tables)."""
    text = trafilatura.extract(
        html, include_comments=False, include_tables=False, favor_recall=True
    )
    return (text or "").strip()


def _html(html: str) -> DocumentText:
    text = html_text(html)
    if not text:  # too little for trafilatura's heuristics: every paragraph, as Markdown is
        text = _blocks_text(html)
    try:
        titles = lxml_html.fromstring(html).xpath("//title/text()|//h1//text()")
    except (ValueError, lxml_html.etree.ParserError):
        titles = []
    title = next((t.strip() for t in titles if t.strip()), "")
    return DocumentText(text, title[:500])


def _blocks_text(html: str) -> str:
    try:
        tree = lxml_html.fromstring(html)
    except (ValueError, lxml_html.etree.ParserError):
        return ""
    blocks = (" ".join(element.text_content().split()) for element in tree.xpath(_BLOCKS))
    return "\n\n".join(block for block in blocks if block)


def _markdown(markdown: str) -> DocumentText:
    tokens = MarkdownIt().parse(markdown)
    title = next(
        (
            tokens[i + 1].content.strip()
            for i, token in enumerate(tokens[:-1])
            if token.type == "heading_open" and token.tag == "h1"
        ),
        "",
    )
    html = MarkdownIt().render(markdown)
    return DocumentText(_blocks_text(f"<html><body>{html}</body></html>"), title[:500])


def _pdf(raw: bytes) -> DocumentText:
    try:
        reader = pypdf.PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            raise UnreadableInput("the PDF is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or ""
    except (pypdf.errors.PyPdfError, ValueError, KeyError, OSError) as exc:
        raise UnreadableInput(f"unreadable PDF: {exc}") from None
    # A page's lines are wrapped lines of paragraphs; splitting rejoins sentences.
    return DocumentText("\n\n".join(page.strip() for page in pages if page.strip()), title[:500])


def _docx(raw: bytes) -> DocumentText:
    try:
        document = docx.Document(io.BytesIO(raw))
    except (docx.opc.exceptions.PackageNotFoundError, zipfile.BadZipFile, KeyError) as exc:
        raise UnreadableInput(f"unreadable DOCX: {exc}") from None
    paragraphs = (paragraph.text.strip() for paragraph in document.paragraphs)
    title = document.core_properties.title or ""
    return DocumentText("\n\n".join(p for p in paragraphs if p), title[:500])
