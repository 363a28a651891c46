"""The admin's uploads: a file uploaded (Uploads → Add) or an article added (Sources → Add) is
held as an Upload and previewed on the upload's page, where the user changes how it is read,
then imports it or cancels. The work is in sources/imports/uploads.py; these views only call
it. Uploading needs the permission to add sources."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from factcheck.errors import DomainError
from sources.imports.previews import Preview, upload_columns, upload_preview
from sources.imports.uploads import (
    DELIMITERS,
    UploadOptions,
    UploadTooLarge,
    upload_cancel,
    upload_confirm,
    upload_stage,
)
from sources.models import Upload
from sources.parsers.documents import document_type
from sources.parsers.text import UnreadableInput
from sources.upload_forms import (
    ArticleForm,
    SizeLimitedUploadHandler,
    UploadFileForm,
    UploadOptionsForm,
    limit_upload_size,
)

PREVIEW_TEMPLATE = "admin/sources/upload/preview.html"
FORM_TEMPLATE = "admin/sources/upload/start.html"


def may_upload(request: HttpRequest) -> bool:
    return request.user.has_perm("sources.add_source")


class LimitedUploadMixin(admin.ModelAdmin):
    """Views receiving a file: its size is checked while it arrives (limit_upload_size); the
    view reads `limit.too_large` once it has read the request's files."""

    def limited(self, view: Any) -> Any:
        """`view` behind the admin's login, with the size limit set before the body is read
        and the CSRF token checked after."""

        def sized(request: HttpRequest) -> HttpResponse:
            handler = limit_upload_size(request)
            return csrf_protect(lambda request: view(request, handler))(request)

        return self.admin_site.admin_view(csrf_exempt(sized))

    def receive(
        self,
        request: HttpRequest,
        limit: SizeLimitedUploadHandler,
        *,
        form_class: type[forms.Form],
        read: Callable[[dict[str, Any]], tuple[str, bytes, dict[str, Any]]],
        title: str,
        intro: str,
    ) -> HttpResponse:
        """The form of `form_class`; once valid, what `read` makes of it (a name, the bytes
        and options overriding the detected ones) is held and its preview shown. A file over
        the limit, or with nothing to read, is refused on the form, and nothing is held."""
        form = form_class(request.POST or None, request.FILES or None)
        error = ""
        if limit.too_large:
            form, error = form_class(initial=request.POST.dict()), str(UploadTooLarge(None))
        elif request.method == "POST" and form.is_valid():
            name, raw, options = read(form.cleaned_data)
            try:
                upload = upload_stage(name=name, raw=raw, actor=request.user, options=options)
            except (UploadTooLarge, UnreadableInput) as refused:
                error = str(refused)
            else:
                change = reverse("admin:sources_upload_change", args=[upload.pk])
                return HttpResponseRedirect(change)
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "form": form,
            "error": error,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, FORM_TEMPLATE, context)


@admin.register(Upload)
class UploadAdmin(LimitedUploadMixin, admin.ModelAdmin):
    """Uploads held for their preview, and the record of those imported."""

    list_display = ["name", "format", "status", "created_by", "created_at", "run_link"]
    list_filter = ["status", "format"]
    list_select_related = ["created_by", "run"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).defer("data")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_upload(request)

    def has_view_permission(self, request: HttpRequest, obj: Upload | None = None) -> bool:
        return may_upload(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return may_upload(request)

    def has_change_permission(self, request: HttpRequest, obj: Upload | None = None) -> bool:
        return may_upload(request) and (
            obj is None or obj.created_by_id == request.user.pk or request.user.is_superuser
        )

    def has_delete_permission(self, request: HttpRequest, obj: Upload | None = None) -> bool:
        return False  # a staged upload is cancelled on its page; an imported one is a record

    @admin.display(description="import run")
    def run_link(self, upload: Upload) -> str:
        if upload.run_id is None:
            return "—"
        url = reverse("admin:sources_importrun_change", args=[upload.run_id])
        return format_html('<a href="{}">#{}</a>', url, upload.run_id)

    def get_urls(self) -> list[URLPattern]:
        add = self.limited(self.upload_view)
        return [path("add/", add, name="sources_upload_add"), *super().get_urls()]

    def upload_view(self, request: HttpRequest, limit: SizeLimitedUploadHandler) -> HttpResponse:
        """Receive a file and hold it for its preview; nothing is imported here."""
        if not may_upload(request):
            raise PermissionDenied
        return self.receive(
            request,
            limit,
            form_class=UploadFileForm,
            read=_uploaded_file,
            title="Upload a file to import",
            intro="Choose a file. Its next page shows what it holds and how it will be read, "
            "and nothing is imported until you confirm there.",
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """The upload's preview: how it is read (a form the user changes), what it holds, what
        importing it would do; Import or Cancel."""
        upload = self.get_object(request, object_id)
        if upload is None:  # cancelled, or expired
            messages.warning(request, "That upload is gone: it was cancelled or it expired.")
            return HttpResponseRedirect(reverse("admin:sources_upload_changelist"))
        if not self.has_change_permission(request, upload):
            raise PermissionDenied
        stored = UploadOptions.from_json(upload.options)
        if upload.status != Upload.Status.STAGED:
            return self._page(request, upload, stored, form=None, preview=None)
        if request.method == "POST" and "cancel" in request.POST:
            return self._cancel(request, upload)
        form = self._options_form(request, upload, stored)
        if not form.is_bound:
            preview = upload_preview(upload=upload, options=stored)
            return self._page(request, upload, stored, form, preview)
        if not form.is_valid():
            preview = upload_preview(upload=upload, options=stored)
            return self._page(request, upload, stored, form, preview)
        options = form.options()
        preview = upload_preview(upload=upload, options=options)
        if "confirm" not in request.POST:  # "Update preview": keep the choices for a reload
            Upload.objects.filter(pk=upload.pk, status=Upload.Status.STAGED).update(
                format=options.format, options=options.as_json()
            )
        elif options != stored:
            messages.warning(
                request, "You changed how the file is read: check the preview, then import."
            )
            Upload.objects.filter(pk=upload.pk, status=Upload.Status.STAGED).update(
                format=options.format, options=options.as_json()
            )
        elif preview.error:
            messages.error(request, f"It cannot be imported this way: {preview.error}")
        else:
            return self._confirm(request, upload, options)
        fresh = self._options_form(request, upload, options, bound=False)
        return self._page(request, upload, options, fresh, preview)

    def _options_form(
        self, request: HttpRequest, upload: Upload, options: UploadOptions, *, bound: bool = True
    ) -> UploadOptionsForm:
        """The options form: posted, or initial from `options`. A table's columns to map are
        those found with the delimiter asked for."""
        post = request.POST if bound and request.method == "POST" else None
        read_as = post.get("format", options.format) if post else options.format
        delimiter = post.get("delimiter", options.delimiter) if post else options.delimiter
        columns = []
        if read_as == Upload.Format.TABLE:
            if delimiter not in DELIMITERS:
                delimiter = options.delimiter
            columns = upload_columns(upload=upload, delimiter=delimiter)
        return UploadOptionsForm(
            post,
            initial=UploadOptionsForm.initial_from(options),
            read_as=read_as,
            columns=columns,
        )

    def _confirm(self, request: HttpRequest, upload: Upload, options: UploadOptions) -> Any:
        try:
            run = upload_confirm(upload=upload, options=options)
        except DomainError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(reverse("admin:sources_upload_changelist"))
        messages.success(
            request,
            f"{upload.name} is being imported as import run #{run.pk}; this page shows "
            "its outcome (reload it).",
        )
        return HttpResponseRedirect(reverse("admin:sources_importrun_change", args=[run.pk]))

    def _cancel(self, request: HttpRequest, upload: Upload) -> HttpResponse:
        if upload_cancel(upload=upload):
            messages.success(request, f"Cancelled: nothing of {upload.name} was imported.")
        else:
            messages.warning(request, f"{upload.name} was confirmed meanwhile: it is imported.")
        return HttpResponseRedirect(reverse("admin:sources_upload_changelist"))

    def _page(
        self,
        request: HttpRequest,
        upload: Upload,
        options: UploadOptions,
        form: UploadOptionsForm | None,
        preview: Preview | None,
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": f"Import {upload.name}?" if form is not None else str(upload),
            "upload": upload,
            "options": options,
            "form": form,
            "preview": preview,
            "opts": self.opts,
            "original": upload,
        }
        return TemplateResponse(request, PREVIEW_TEMPLATE, context)


class ArticleAddMixin(LimitedUploadMixin):
    """Sources → Add is "Add an article": paste its text or upload a document; the next page
    previews its statements, which become claims awaiting review once imported."""

    def get_urls(self) -> list[URLPattern]:
        add = self.limited(self.article_view)
        return [path("add/", add, name="sources_source_article"), *super().get_urls()]

    def article_view(self, request: HttpRequest, limit: SizeLimitedUploadHandler) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        return self.receive(
            request,
            limit,
            form_class=ArticleForm,
            read=_article,
            title="Add an article",
            intro="Its statements become claims awaiting review. The next page shows them "
            "before anything is saved.",
        )


def _uploaded_file(data: dict[str, Any]) -> tuple[str, bytes, dict[str, Any]]:
    upload = data["file"]
    return upload.name or "upload", b"".join(upload.chunks()), {}


def _article(data: dict[str, Any]) -> tuple[str, bytes, dict[str, Any]]:
    """An article is a document, whatever its bytes look like; its fields are the options."""
    if data["file"] is not None:
        name, raw = data["file"].name or "document", b"".join(data["file"].chunks())
    else:
        name, raw = "pasted text", data["text"].encode()
    options = {
        "format": Upload.Format.DOCUMENT,
        "document_type": document_type(raw, name=name),
        **{key: data[key] for key in ("title", "url", "publisher", "author")},
    }
    return name, raw, options
