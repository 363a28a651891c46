"""Imports: everything that brings sources and claims in.

One module per kind of input: documents (files, folders, bytes; their claims are written by
document_claims), tables and claimreview (reviewed claims, stored by reviewed, their ratings
mapped by ratings), feeds, and uploads from the admin. runs records each execution and its
per-item results; pipeline overlaps an import's Python work with its database writes. The
parsers that read the inputs are in sources.parsers; the tasks that run imports on workers are
in sources.tasks.
"""
