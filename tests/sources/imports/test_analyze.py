"""ANALYZE after a large import: the tables an import run grew by a large share are analyzed
once it commits (in a task of their own); after a small one, nothing runs."""

from datetime import datetime

import pytest
from django.db import connection
from pytest_django.fixtures import Settings

from sources import tasks
from sources.imports.analyze import IMPORTED_TABLES, tables_analyze
from sources.imports.tables import source_import_table

# Committed imports: the counts that decide are those of committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


def table(rows: int, tag: str) -> bytes:
    """A table of `rows` claims. Imported untrusted (awaiting review) in these tests, so that
    each row counts as one change of each table, whoever writes the claims' public flags."""
    return (
        "claim\n" + "".join(f"The {tag} ferry number {n} sank twice.\n" for n in range(rows))
    ).encode()


def analyzed() -> dict[str, tuple[datetime | None, int]]:
    """Each imported table's last ANALYZE and rows changed since."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, last_analyze, n_mod_since_analyze FROM pg_stat_user_tables"
            " WHERE relname = ANY(%s)",
            [list(IMPORTED_TABLES)],
        )
        return {name: (at, changed) for name, at, changed in cursor.fetchall()}


@pytest.fixture
def queued(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Small thresholds (50 rows, 10%), freshly analyzed empty tables, and the analyze task run
    when it is queued, as a worker would take it; returns what each run analyzed."""
    settings.IMPORT_ANALYZE_MIN_ROWS = 50
    settings.IMPORT_ANALYZE_SHARE = 0.1
    with connection.cursor() as cursor:
        for name in IMPORTED_TABLES:
            cursor.execute(f"ANALYZE {name}")
    runs: list[list[str]] = []
    monkeypatch.setattr(tasks.tables_analyze_task, "delay", lambda: runs.append(tables_analyze()))
    return runs


def test_a_large_import_is_analyzed_once_it_commits(queued: list[list[str]]) -> None:
    before = analyzed()

    source_import_table(raw=table(60, "large"), name="large.csv", trusted=False)

    after = analyzed()
    assert queued == [sorted(IMPORTED_TABLES)]
    for name in IMPORTED_TABLES:
        (was, _), (now, changed) = before[name], after[name]
        assert was is not None and now is not None and now > was, name
        assert changed == 0, name


def test_a_small_import_is_not_analyzed(queued: list[list[str]]) -> None:
    before = analyzed()

    source_import_table(raw=table(20, "small"), name="small.csv", trusted=False)

    after = analyzed()
    assert queued == []
    assert {name: at for name, (at, _) in after.items()} == {
        name: at for name, (at, _) in before.items()
    }
    assert after["claims_claim"][1] == 20


def test_small_imports_that_add_up_to_a_large_share_are_analyzed(queued: list[list[str]]) -> None:
    source_import_table(raw=table(30, "first"), name="first.csv", trusted=False)
    assert queued == []

    source_import_table(raw=table(30, "second"), name="second.csv", trusted=False)

    assert queued == [sorted(IMPORTED_TABLES)]
    assert analyzed()["claims_claim"][1] == 0


def test_an_analyze_running_elsewhere_is_not_repeated(queued: list[list[str]]) -> None:
    from django.db import connections

    from factcheck.db import advisory_key

    source_import_table(raw=table(20, "busy"), name="busy.csv", trusted=False)
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [advisory_key("analyze:imported-tables")])
        source_import_table(raw=table(60, "more"), name="more.csv", trusted=False)
    finally:
        other.close()

    assert queued == [[]]
    assert analyzed()["claims_claim"][1] == 80
