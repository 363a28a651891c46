"""Imports: seed documents, uploads, outbound fetches and tables."""

from pathlib import Path

from factcheck.env import envbool, envfloat, envint, envlist, envstr
from factcheck.settings.core import BASE_DIR

# Imports
SEEDS_DIR = Path(envstr("SEEDS_DIR", str(BASE_DIR / "seeds")))
SEEDS_IMPORT_INTERVAL = envint("SEEDS_IMPORT_INTERVAL", 300)
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", 10 * 1024 * 1024)
# An admin upload not confirmed or cancelled within this many hours is deleted.
IMPORT_UPLOAD_EXPIRY_HOURS = envint("IMPORT_UPLOAD_EXPIRY_HOURS", 24)

# Every outbound request (factcheck/fetch.py): http(s) only, bounded in time (each read, and
# the whole fetch with its redirects), size and redirects; private, loopback and reserved
# addresses are refused unless IMPORT_ALLOW_PRIVATE_NETWORKS is on or the host is named in
# IMPORT_FETCH_ALLOWED_HOSTS (an intranet feed server, say).
IMPORT_FETCH_TIMEOUT = envint("IMPORT_FETCH_TIMEOUT", 20)
IMPORT_FETCH_DEADLINE = envint("IMPORT_FETCH_DEADLINE", 60)
IMPORT_FETCH_MAX_BYTES = envint("IMPORT_FETCH_MAX_BYTES", 20 * 1024 * 1024)
IMPORT_FETCH_MAX_REDIRECTS = envint("IMPORT_FETCH_MAX_REDIRECTS", 5)
IMPORT_ALLOW_PRIVATE_NETWORKS = envbool("IMPORT_ALLOW_PRIVATE_NETWORKS", False)
IMPORT_FETCH_ALLOWED_HOSTS = envlist("IMPORT_FETCH_ALLOWED_HOSTS", "")
IMPORT_FEED_DEFAULT_INTERVAL = envint("IMPORT_FEED_DEFAULT_INTERVAL", 3600)
# Rows per transaction in table imports (the first batch a fifth of it).
IMPORT_TABLE_CHUNK_ROWS = envint("IMPORT_TABLE_CHUNK_ROWS", 5000)
# Rows per task: a larger table is split into tasks of this many rows that several workers
# share (each task parses the file up to its last row, so ranges are not made too small).
IMPORT_TABLE_TASK_ROWS = envint("IMPORT_TABLE_TASK_ROWS", 50000)
# ANALYZE after an import run (sources/imports/analyze.py): of each table imports grow, once
# this many rows and this share of its rows changed since it was last analyzed.
IMPORT_ANALYZE_MIN_ROWS = envint("IMPORT_ANALYZE_MIN_ROWS", 1000)
IMPORT_ANALYZE_SHARE = envfloat("IMPORT_ANALYZE_SHARE", 0.1)
