"""The claims of documents are written by COPY in a text format built by hand: the stored rows
are those psycopg's write_row stores from the same values."""

# The text below uses typographic quotes and dashes on purpose.

from typing import Any

import pytest
from django.db import transaction

from claims.models import Claim
from claims.services import claim_features
from factcheck.db import copy_rows
from sources.imports.document_claims import CLAIM_COPY_COLUMNS, Document, claims_create_for_sources
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


def test_document_claims_copy_text_stores_what_write_row_stores() -> None:
    """claims_create_for_sources formats COPY's text itself; the rows equal those psycopg's
    write_row stores from the same values."""
    body = (
        "Tabs\there and a back\\slash \\N rose 3.5%.\nA line\r\nbreak inside, “quoted” — fine.\n"
        "Short one. Ünïcödé façade naïve café count fell by 12 percent since 2019 they said."
    )
    spans = [(0, 40), (40, 84), (84, 95), (95, len(body))]
    columns = [c for c in CLAIM_COPY_COLUMNS if c not in ("created_at", "updated_at")]

    def stored() -> list[tuple[Any, ...]]:
        return list(Claim.objects.order_by("start").values_list(*columns))

    source = SourceFactory.create(body=body, language="en")
    with transaction.atomic():
        claims_create_for_sources(documents=[Document(source, spans)])
    new = stored()
    [(created, updated)] = set(Claim.objects.values_list("created_at", "updated_at"))
    assert created == updated
    Claim.objects.all().delete()
    features = claim_features([body[a:b] for a, b in spans])
    with transaction.atomic():
        copy_rows(
            table="claims_claim",
            columns=CLAIM_COPY_COLUMNS,
            rows=[
                (
                    source.pk,
                    body[a:b],
                    a,
                    b,
                    n,
                    source.language,
                    "pending",
                    f.fingerprint,
                    None,
                    source.created_at,
                    source.created_at,
                    f.score,
                    f.match_head,
                    f.match_tail,
                )
                for n, ((a, b), f) in enumerate(zip(spans, features, strict=True))
            ],
        )
    assert new == stored()
    assert [text for _s, text, *_rest in new] == [body[a:b] for a, b in spans]
    assert any(row[-2] is None for row in new)  # a statement under six words: NULL keys
