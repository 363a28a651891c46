"""The floor for the verdict list page: a bare WSGI app that answers the same first page of
`GET /api/v1/verdicts/?page_size=N` (same rows, same JSON) with raw psycopg and orjson, nothing
else (no Django, no DRF, no auth, no throttling, no ETag). bench/bench_api.py serves it with
gunicorn next to the real app.

    DATABASE_URL=postgresql://... gunicorn -w 2 bench.floor_app:app
"""

import os
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

import orjson
import psycopg
from psycopg.rows import dict_row

ROWS = """
SELECT v.id, v.claim_id, v.status, v.origin, v.headline, v.summary, v.explanation, v.corrections,
       v.original_rating, v.review_url, v.publisher_name, v.publisher_site, v.published_at,
       v.updated_at, c.text AS claim_text, c.claim_date, c.language AS claim_language,
       c.claimant_id, cl.name AS claimant_name, c.source_id, s.title AS source_title,
       s.url AS source_url, s.publisher AS source_publisher, s.published_at AS source_published_at,
       r.slug AS rating_slug, r.label AS rating_label, r.value AS rating_value,
       coalesce(nullif(u.first_name || ' ' || u.last_name, ' '), u.username) AS author_name,
       (SELECT max(value) FROM claims_rating) AS rating_best,
       (SELECT min(value) FROM claims_rating) AS rating_worst,
       (SELECT coalesce(json_agg(json_build_object(
                'url', ci.url, 'quote', ci.quote, 'note', ci.note,
                'source_id', ci.source_id, 'source_title', cs.title)
              ORDER BY ci.position, ci.id), '[]')
        FROM claims_citation ci LEFT JOIN sources_source cs ON cs.id = ci.source_id
        WHERE ci.verdict_id = v.id) AS citations
FROM claims_verdict v
JOIN claims_claim c ON c.id = v.claim_id
JOIN sources_source s ON s.id = c.source_id
LEFT JOIN claims_claimant cl ON cl.id = c.claimant_id
LEFT JOIN claims_rating r ON r.id = v.rating_id
LEFT JOIN auth_user u ON u.id = v.author_id
WHERE v.status IN ('published', 'retracted')
ORDER BY v.updated_at, v.id
LIMIT %s
"""


@cache
def _db() -> psycopg.Connection:
    """One connection per worker process, opened on its first request."""
    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)


def _verdict(row: dict[str, Any], citations: list[dict[str, Any]], base: str) -> dict[str, Any]:
    pk = row["id"]
    return {
        "id": pk,
        "status": row["status"],
        "origin": row["origin"],
        "claim": {
            "id": row["claim_id"],
            "text": row["claim_text"],
            "claimant": {"id": row["claimant_id"], "name": row["claimant_name"]}
            if row["claimant_id"]
            else None,
            "claim_date": row["claim_date"],
            "language": row["claim_language"],
            "source": {
                "id": row["source_id"],
                "title": row["source_title"],
                "url": row["source_url"],
                "publisher": row["source_publisher"],
                "published_at": row["source_published_at"],
            },
        },
        "rating": {
            "slug": row["rating_slug"],
            "label": row["rating_label"],
            "value": row["rating_value"],
            "best": row["rating_best"],
            "worst": row["rating_worst"],
        }
        if row["rating_label"] is not None
        else None,
        "original_rating": row["original_rating"],
        "headline": row["headline"],
        "summary": row["summary"],
        "explanation": row["explanation"],
        "citations": citations,
        "author": row["author_name"],
        "publisher": {"name": row["publisher_name"], "site": row["publisher_site"]}
        if row["origin"] == "imported"
        else None,
        "review_url": row["review_url"],
        "published_at": row["published_at"],
        "updated_at": row["updated_at"],
        "corrections": row["corrections"],
        "url": f"{base}/api/v1/verdicts/{pk}/",
        "claimreview_url": f"{base}/api/v1/verdicts/{pk}/claimreview",
        "page_url": f"{base}/verdicts/{pk}/",
    }


def app(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
    size = 50
    base = f"http://{environ.get('HTTP_HOST', 'localhost')}"
    with _db().cursor(row_factory=dict_row) as cursor:
        cursor.execute(ROWS, (size + 1,))
        rows = cursor.fetchall()
        page = rows[:size]
    body = orjson.dumps(
        {
            "next": f"{base}/api/v1/verdicts/?cursor=x" if len(rows) > size else None,
            "results": [_verdict(row, row["citations"], base) for row in page],
        }
    )
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]
