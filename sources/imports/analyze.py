"""Statistics after a bulk import: ANALYZE of the tables imports grow, once a large share of one
changed since it was last analyzed.

The planner's row estimates and matching's word statistics (claims.matching.candidates reads
the frequencies of the claims' lexemes from pg_stats) come from ANALYZE. Autovacuum runs it
once 10% of a table changed, but up to a minute later, and not at all where it is off (CI, a
server configured without it). A table bulk-filled by a first import is then matched without
any word statistics (every word weighs alike, and the rarest-words branch becomes an arbitrary
1,000 claims holding any of them), or with those of the few rows it held before
(docs/operations.md, "Statistics after a large import"). So when an import run has committed,
the tables it grew are analyzed, in a task of their own: the run is reported finished without
waiting for it.
"""

from django.conf import settings
from django.db import connection

from factcheck.db import ImportBusy, import_lock

# The tables an import writes in bulk: a source, a claim, a verdict (reviewed claims) and an
# event per item.
IMPORTED_TABLES = ("sources_source", "claims_claim", "claims_verdict", "claims_claimevent")

# A table changed (rows inserted, updated, deleted) since its last ANALYZE by at least the
# minimum and the share of the rows it had then (reltuples, -1 when never analyzed). The
# counts are the cumulative statistics: several small runs add up, as they do for autovacuum.
_GROWN = """
SELECT s.relname FROM pg_stat_user_tables AS s JOIN pg_class AS c ON c.oid = s.relid
WHERE s.schemaname = current_schema() AND s.relname = ANY(%(tables)s)
  AND s.n_mod_since_analyze >= greatest(%(rows)s, %(share)s * greatest(c.reltuples, 0))
ORDER BY s.relname
"""


def tables_grown() -> list[str]:
    """The tables among IMPORTED_TABLES that changed by IMPORT_ANALYZE_MIN_ROWS rows and
    IMPORT_ANALYZE_SHARE of their size since they were last analyzed (by anyone)."""
    with connection.cursor() as cursor:
        # This backend's own counts reach the shared statistics when it goes idle, at most
        # once a second unless forced: the run that just committed is counted in full.
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute(
            _GROWN,
            {
                "tables": list(IMPORTED_TABLES),
                "rows": settings.IMPORT_ANALYZE_MIN_ROWS,
                "share": settings.IMPORT_ANALYZE_SHARE,
            },
        )
        return [name for (name,) in cursor.fetchall()]


def tables_analyze_later() -> None:
    """After an import run commits: queue tables_analyze_task if a table grew enough. Reads
    the statistics once (a few index lookups): nothing is queued after a small run."""
    from sources.tasks import tables_analyze_task  # sources.tasks imports the importers

    if tables_grown():
        tables_analyze_task.delay()


def tables_analyze() -> list[str]:
    """ANALYZE the tables that grew enough (tables_grown); return their names. Skips, doing
    nothing, while another worker runs it (its ANALYZE covers the same rows), and a table
    analyzed since the task was queued is not analyzed again."""
    try:
        with import_lock("analyze:imported-tables"):
            tables = tables_grown()
            with connection.cursor() as cursor:
                for table in tables:
                    cursor.execute(f"ANALYZE {table}")
    except ImportBusy:
        return []
    return tables
