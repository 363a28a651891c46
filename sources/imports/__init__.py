"""Imports: everything that brings sources and claims in.

One module per kind of input: documents (files, folders, bytes), tables and claimreview
(reviewed claims, stored by reviewed), feeds. runs records each execution and its per-item
results; pipeline overlaps an import's Python work with its database writes. The parsers that
read the inputs are in sources.parsers.
"""
