"""The admin's upload forms: a file to upload, an article to add, and how to read an upload (its
preview's options). They only validate; sources/imports/uploads.py does the work."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

from sources.imports.uploads import DELIMITERS, TABLE_FIELDS, UploadOptions
from sources.models import Source, Upload
from sources.parsers.documents import DocumentType
from sources.parsers.table import TableLayout


class SizeLimitedUploadHandler(FileUploadHandler):
    """Stops receiving a file once it is over IMPORT_MAX_BYTES: what came so far is dropped
    (neither kept in memory nor left in a temporary file) and `too_large` tells the view."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.received = 0
        self.too_large = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.IMPORT_MAX_BYTES:
            self.too_large = True
            # The rest of the request is read and dropped, so the page can answer.
            raise StopUpload(connection_reset=False)
        return raw_data  # the next handler keeps it

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file


def limit_upload_size(request: HttpRequest) -> SizeLimitedUploadHandler:
    """Put a SizeLimitedUploadHandler first in `request`'s upload handlers (before its body is
    read: the view must be csrf_exempt and check the token itself afterwards)."""
    handler = SizeLimitedUploadHandler(request)
    request.upload_handlers.insert(0, handler)
    return handler


class UploadFileForm(forms.Form):
    file = forms.FileField(
        help_text="A table of reviewed claims (CSV or TSV), a ClaimReview file (JSON, or HTML "
        "with JSON-LD) or a document (text, HTML, Markdown, PDF, DOCX). You will see what it "
        "holds before anything is imported."
    )


class ArticleFields(forms.Form):
    """What an article says of itself besides its text (the article form and a document's
    preview ask for it)."""

    title = forms.CharField(
        required=False,
        max_length=500,
        help_text="Empty: the document's own title, or its first statement.",
    )
    url = forms.URLField(required=False, max_length=2000, label="URL", assume_scheme="https")
    publisher = forms.CharField(required=False, max_length=300)
    author = forms.CharField(required=False, max_length=300)

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        taken = Source.objects.filter(url=url).values_list("pk", flat=True).first() if url else None
        if taken is not None:
            raise forms.ValidationError(f"Source #{taken} has this URL already.")
        return url


class ArticleForm(ArticleFields):
    """An article to add: pasted, or a document uploaded."""

    field_order = ["text", "file"]

    text = forms.CharField(
        required=False,
        label="Paste the text",
        widget=forms.Textarea(attrs={"rows": 14, "cols": 80}),
    )
    file = forms.FileField(
        required=False,
        label="or upload a document",
        help_text="Plain text, HTML, Markdown, PDF or DOCX.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not (data.get("text") or "").strip() and not data.get("file"):
            raise forms.ValidationError("Paste the article's text or choose a file.")
        return data


FIELD_LABELS = {
    "claim": "The claim (the statement checked)",
    "rating": "The fact-checker's rating",
    "claimant": "Who said it (claimant)",
    "date": "When it was said",
    "review_url": "The review's URL",
    "id": "A row id (the same row imported again is recognised by it)",
    "context": "Where the claim appeared",
    "publisher": "The fact-checker (publisher)",
    "language": "The language",
}
LAYOUTS = [
    (TableLayout.HEADER.value, "The first row names the columns"),
    (TableLayout.PLAIN.value, "No header row: every row is a claim"),
    (TableLayout.LIAR.value, "LIAR (no header, 14 columns; publisher PolitiFact)"),
]
# The fields of the options form each format reads (besides `format`).
FORMAT_FIELDS = {
    Upload.Format.TABLE: (
        "trusted",
        "layout",
        "delimiter",
        *(f"column_{name}" for name in TABLE_FIELDS),
        "publisher",
        "language",
    ),
    Upload.Format.CLAIMREVIEW: ("trusted",),
    Upload.Format.DOCUMENT: ("document_type", "title", "url", "publisher", "author"),
}


class UploadOptionsForm(ArticleFields):
    """How to read an upload, as its preview shows it. Only the fields of the format being read
    are offered; `columns` are the table's columns to map (index, what the first row holds)."""

    field_order = ["format", "trusted", "layout", "delimiter", "document_type", "title", "url"]

    format = forms.ChoiceField(choices=Upload.Format.choices, label="Read it as")
    trusted = forms.BooleanField(
        required=False,
        label="Publish the reviews at once (a trusted source)",
        help_text="Unticked: each claim waits in the review queue, the fact-checker's review "
        "kept as a suggestion that an editor can publish.",
    )
    layout = forms.ChoiceField(choices=LAYOUTS)
    delimiter = forms.ChoiceField(choices=list(DELIMITERS.items()), label="Columns separated by")
    publisher = forms.CharField(
        required=False, max_length=300, label="Publisher of rows that name none"
    )
    language = forms.CharField(
        required=False,
        max_length=8,
        label="Language of rows that name none",
        help_text="ISO 639-1 code, e.g. en.",
    )
    document_type = forms.ChoiceField(
        choices=[(kind.value, kind.value.upper()) for kind in DocumentType], label="Document"
    )

    def __init__(
        self, *args: Any, read_as: str, columns: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "— not read —")] + [
            (str(index), f"column {index + 1}: {label or '(empty)'}") for index, label in columns
        ]
        for name in TABLE_FIELDS:
            self.fields[f"column_{name}"] = forms.ChoiceField(
                choices=choices, required=False, label=FIELD_LABELS[name]
            )
        if read_as not in FORMAT_FIELDS:
            read_as = Upload.Format.DOCUMENT
        if read_as == Upload.Format.DOCUMENT:
            self.fields["publisher"].label = "Publisher"
        kept = {"format", *FORMAT_FIELDS[Upload.Format(read_as)]}
        for name in list(self.fields):
            if name not in kept:
                del self.fields[name]

    def columns(self) -> list[forms.BoundField]:
        """The fields mapping a table's columns, shown as a group of their own."""
        return [self[name] for name in self.fields if name.startswith("column_")]

    def settings(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith("column_")]

    @staticmethod
    def initial_from(options: UploadOptions) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: value for name, value in options.as_json().items() if name != "columns"
        }
        for name in TABLE_FIELDS:
            column = options.columns.get(name)
            initial[f"column_{name}"] = "" if column is None else str(column)
        return initial

    def options(self) -> UploadOptions:
        """The validated form as UploadOptions (the fields not offered keep their defaults)."""
        data = self.cleaned_data
        columns = {
            name: int(data[f"column_{name}"])
            for name in TABLE_FIELDS
            if data.get(f"column_{name}") not in (None, "")
        }
        given = {
            name: data[name]
            for name in UploadOptions.__dataclass_fields__
            if name in data and name != "columns"
        }
        return UploadOptions(**{**given, "columns": columns})
