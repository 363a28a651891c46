"""Checked before? Claims matched against the existing ones.

- text.py: every normalisation a text goes through (fingerprint, match keys, query cleaning,
  content words); plain Python, which claims.models imports.
- search.py: `claim_match`, a free-text search over the claims, in two stages:
  candidates.py (PostgreSQL's full-text index, BM25) and rerank.py (sentence embeddings).
- on_import.py: `claims_match_new`, newly imported claims compared with the earlier ones
  (exact duplicates and suggested matches).
- decisions.py: an editor confirms or dismisses a suggested match.

Import from the modules themselves: this package's namespace stays empty, so that importing
claims.matching.text (from the models) loads neither the ORM models nor numpy.
"""
