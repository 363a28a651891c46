"""The admin's "Spot the claims" page: a pasted transcript's statements ranked by
check-worthiness, each with what it matches (claims.spot, as POST /api/v1/claims:spot), and
for editors, the chosen statements added as claims awaiting review (sources.imports.spotted).

The page is a view of the claim admin (claims/claim/spot/), listed under Review in the admin's
home and navigation (factcheck/admin_site.py PAGE_LINKS).
"""

import hashlib

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from claims.roles import user_is_editor, user_is_staff
from claims.spot import MAX_TEXT_BYTES, text_spot
from factcheck.errors import DomainError
from sources.imports.spotted import pasted_text_body, source_add_statements
from sources.parsers.text import UnreadableInput

SPOT_TEMPLATE = "admin/claims/claim/spot.html"
SPOT_TITLE = "Spot the claims"


class SpotForm(forms.Form):
    text = forms.CharField(
        label="Transcript or article",
        widget=forms.Textarea(attrs={"rows": 12}),
        strip=False,
        help_text=f"Paste a text of up to {MAX_TEXT_BYTES // 1024} KB.",
    )
    title = forms.CharField(
        required=False,
        max_length=200,
        help_text="Its title, if you add claims from it (else its first statement).",
    )
    # The text the listed statements were spotted in: adding refuses another one.
    spotted = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"]
        if len(text.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES:
            raise forms.ValidationError(f"The text is longer than {MAX_TEXT_BYTES // 1024} KB.")
        try:
            return pasted_text_body(text)
        except (UnreadableInput, UnicodeEncodeError) as error:
            raise forms.ValidationError(f"It cannot be read as text: {error}") from None


def text_digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


class SpotPageMixin(admin.ModelAdmin):
    """The spot page: everyone in the newsroom may spot; editors add claims."""

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.spot_view)
        return [path("spot/", view, name="claims_claim_spot"), *super().get_urls()]

    def spot_view(self, request: HttpRequest) -> HttpResponse:
        if not user_is_staff(request.user):
            raise PermissionDenied
        may_add = user_is_editor(request.user)
        form = SpotForm(request.POST or None)
        statements = None
        if request.method == "POST" and form.is_valid():
            body = form.cleaned_data["text"]
            if "add" in request.POST:
                if not may_add:
                    raise PermissionDenied
                added = self._add(request, form, body)
                if added is not None:
                    return added
            statements = sorted(
                enumerate(text_spot(text=body, limit=3, published_only=False)),
                key=lambda item: (-item[1].score, item[0]),
            )
            form = SpotForm(initial={**form.cleaned_data, "spotted": text_digest(body)})
        context = {
            **self.admin_site.each_context(request),
            "title": SPOT_TITLE,
            "opts": self.opts,
            "form": form,
            "statements": statements,
            "may_add": may_add,
        }
        return TemplateResponse(request, SPOT_TEMPLATE, context)

    def _add(self, request: HttpRequest, form: SpotForm, body: str) -> HttpResponse | None:
        """Add the statements ticked; the queue, showing the text's claims, or None to list
        the statements again with a message saying why nothing was added."""
        if form.cleaned_data["spotted"] != text_digest(body):
            messages.error(request, "The text changed since it was spotted: check the list.")
            return None
        try:
            chosen = [int(place) for place in request.POST.getlist("statement")]
            source, created = source_add_statements(
                body=body, chosen=chosen, title=form.cleaned_data["title"]
            )
        except ValueError:
            messages.error(request, "Choose statements of the list.")
            return None
        except DomainError as error:
            messages.error(request, str(error))
            return None
        if created:
            noun = "claim" if created == 1 else "claims"
            messages.success(request, f"Added {created} {noun}, awaiting review.")
        else:
            messages.warning(request, "Those statements are claims already.")
        queue = reverse("admin:claims_claim_changelist")
        return HttpResponseRedirect(f"{queue}?source={source.pk}")
