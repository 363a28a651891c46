"""Every way to the current schema ends in the same place, and that place is what the models
declare: a new database migrated from nothing (the test database), and a database that the
migrations left before they were squashed (tests/data/unsquashed_database.sql), migrated forward
by `manage.py migrate`."""

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from claims import defaults
from tests.conftest import DATA, REPO, database_url

FIXTURE = DATA / "unsquashed_database.sql"

# One source with a claim in English, Spanish and no language, two verdicts on each (with and
# without review text; one of the English claim's published, one of the Spanish claim's
# retracted) and an event: rows written by the triggers as they were before the squash.
OLD_ROWS = """
INSERT INTO sources_source (title, publisher, author, language, body, content_hash, origin,
                            created_at)
VALUES ('Old', '', '', 'en', 'x', 'old', 'test', now());
INSERT INTO claims_claim (source_id, text, start, "end", position, language, status, fingerprint,
                          created_at, updated_at)
SELECT s.id, c.text, c.start, c.start + 10, c.start, c.language, 'published', '', now(), now()
FROM sources_source s, (VALUES
    ('Unemployment fell by half in four years, the governor said.', 0, 'en'),
    ('El impuesto sobre la renta sube un 20 por ciento.', 10, 'es'),
    ('Vaccines cause no harm to children.', 20, '')) AS c(text, start, language);
INSERT INTO claims_verdict (claim_id, headline, summary, explanation, status, origin, version,
                            corrections, original_rating, review_url, publisher_name,
                            publisher_site, created_at, updated_at)
SELECT id, h.headline, '', h.explanation, 'draft', 'imported', 1, '[]', '', '', '', '', now(),
       now()
FROM claims_claim, (VALUES ('', ''), ('Checked', 'The figures do not match.')) AS h(headline,
                                                                                   explanation);
UPDATE claims_verdict SET status = s.status
FROM (SELECT 'en' AS language, 'published' AS status UNION ALL SELECT 'es', 'retracted') AS s
WHERE claims_verdict.id = (SELECT min(v.id) FROM claims_verdict v JOIN claims_claim c
                           ON c.id = v.claim_id WHERE c.language = s.language);
INSERT INTO claims_claimevent (claim_id, code, from_status, to_status, note, data, request_id,
                               created_at)
SELECT id, 'claim.created', '', 'pending', '', '{}', '', now() FROM claims_claim LIMIT 1;
"""

# The catalog as pg_dump would show it, one query per kind of object, for the tables of `schema`;
# the first column names the object. Schema names are left out of definitions, so that two
# schemas compare.
CATALOG = {
    "columns": """
        SELECT c.relname || '.' || a.attname,
               row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum),
               format_type(a.atttypid, a.atttypmod),
               a.attnotnull, a.attidentity, a.attgenerated, pg_get_expr(d.adbin, d.adrelid),
               a.attstattarget
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = %(schema)s AND c.relkind = 'r' AND c.relname LIKE %(tables)s
          AND a.attnum > 0 AND NOT a.attisdropped""",
    "indexes": """
        SELECT indexname, indexdef FROM pg_indexes
        WHERE schemaname = %(schema)s AND tablename LIKE %(tables)s""",
    "constraints": """
        SELECT c.relname || '.' || k.conname, pg_get_constraintdef(k.oid), k.contype,
               k.conrelid::regclass::text
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %(schema)s AND c.relname LIKE %(tables)s""",
    "triggers": """
        SELECT t.tgname, pg_get_triggerdef(t.oid), obj_description(t.oid, 'pg_trigger'),
               p.prosrc
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_proc p ON p.oid = t.tgfoid
        WHERE n.nspname = %(schema)s AND c.relname LIKE %(tables)s AND NOT t.tgisinternal""",
    "functions": """
        SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = %(schema)s
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')""",
    "extensions": "SELECT extname, extversion FROM pg_extension",
}


def reparsed(cursor: Any, *, table: str, check: str) -> str:
    """A CHECK constraint as PostgreSQL spells it once parsed again, as a restore from a dump
    parses it: an IN list's casts come back rearranged, with the same meaning."""
    cursor.execute(f"CREATE TEMP TABLE reparsed (LIKE {table})")
    cursor.execute(f"ALTER TABLE reparsed ADD CONSTRAINT reparsed {check}")
    cursor.execute(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = 'reparsed'::regclass AND conname = 'reparsed'"
    )
    (spelled,) = cursor.fetchone()
    cursor.execute("DROP TABLE reparsed")
    return spelled


def catalog(cursor: Any, *, schema: str = "public", tables: str = "%") -> dict[str, list[tuple]]:
    """What `schema` holds of each kind of object in CATALOG, in a comparable form."""
    found = {}
    for kind, sql in CATALOG.items():
        cursor.execute(sql, {"schema": schema, "tables": tables})
        rows = cursor.fetchall()
        if kind == "constraints":
            rows = [
                (name, reparsed(cursor, table=table, check=check) if contype == "c" else check)
                for name, check, contype, table in rows
            ]
        rows = [
            tuple(
                value.replace(f"{schema}.", "").replace("public.", "")
                if isinstance(value, str)
                else value
                for value in row
            )
            for row in rows
        ]
        found[kind] = sorted(rows)
    return found


def manage(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run manage.py against the database at `url`, as an operator would."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def unsquashed(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """A scratch database loaded from the fixture, given a few rows under its old triggers, then
    migrated by `manage.py migrate`; yields its URL. Beside the test database, dropped after."""
    with django_db_blocker.unblock():
        settings = connection.settings_dict
        name = f"{settings['NAME']}_unsquashed"
        test_database = database_url(settings)
        with psycopg.connect(test_database, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        url = database_url({**settings, "NAME": name})
        try:
            with psycopg.connect(url, autocommit=True) as scratch:
                scratch.execute(FIXTURE.read_text(encoding="utf-8"))
            with psycopg.connect(url, autocommit=True) as scratch:
                scratch.execute(OLD_ROWS)
            migrated = manage(url, "migrate", "--no-input")
            assert migrated.returncode == 0, migrated.stderr
            assert "Applying claims.0003_triggers... OK" in migrated.stdout
            yield url
        finally:
            with psycopg.connect(test_database, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_an_unsquashed_database_migrates_forward_with_nothing_left_to_do(unsquashed: str) -> None:
    pending = manage(unsquashed, "migrate", "--check")
    changes = manage(unsquashed, "makemigrations", "--check", "--dry-run")

    assert pending.returncode == 0, pending.stdout + pending.stderr
    assert changes.returncode == 0, changes.stdout + changes.stderr
    with psycopg.connect(unsquashed) as scratch:
        recorded = scratch.execute(
            "SELECT app, name FROM django_migrations WHERE app IN ('claims', 'sources')"
        ).fetchall()
    assert {
        ("claims", "0001_schema"),
        ("claims", "0002_default_data"),
        ("claims", "0003_triggers"),
        ("sources", "0001_initial"),
        ("sources", "0002_feed"),
    } <= set(recorded)


@pytest.mark.django_db
def test_an_unsquashed_database_ends_with_the_schema_of_a_new_one(unsquashed: str) -> None:
    with psycopg.connect(unsquashed) as scratch:
        old = catalog(scratch.cursor())
    with connection.cursor() as cursor:
        new = catalog(cursor)

    for kind in CATALOG:
        assert old[kind] == new[kind], kind
    assert [row[0] for row in new["triggers"]] == [
        "pgtrigger_append_only_aeef3",
        "pgtrigger_claim_public_delete_3e845",
        "pgtrigger_claim_public_insert_cda94",
        "pgtrigger_claim_public_update_eaafa",
        "pgtrigger_public_kept_7ca67",
        "pgtrigger_search_vector_e6068",
    ]
    assert "claims_verdict_search_vector" not in {row[0] for row in new["functions"]}


def test_an_unsquashed_database_keeps_its_vectors_rows_and_defaults(unsquashed: str) -> None:
    vectors = "SELECT id, search_vector FROM claims_verdict WHERE origin = 'imported' ORDER BY id"
    with psycopg.connect(unsquashed) as scratch, scratch.transaction(force_rollback=True):
        before = scratch.execute(vectors).fetchall()
        # The declared trigger computes each vector again: the same as the old trigger's.
        scratch.execute("UPDATE claims_verdict SET headline = headline, search_vector = NULL")
        assert scratch.execute(vectors).fetchall() == before and len(before) == 6

        ratings = scratch.execute(
            'SELECT slug, label, value, description, aliases FROM claims_rating ORDER BY "order"'
        ).fetchall()
        assert [list(row) for row in ratings] == [list(row) for row in defaults.RATING_SCALE]
        granted = scratch.execute(
            "SELECT g.name, t.app_label || '.' || p.codename FROM auth_group g"
            " JOIN auth_group_permissions gp ON gp.group_id = g.id"
            " JOIN auth_permission p ON p.id = gp.permission_id"
            " JOIN django_content_type t ON t.id = p.content_type_id"
        ).fetchall()
        assert sorted(granted) == sorted(
            (group, permission)
            for group, permissions in defaults.GROUP_PERMISSIONS.items()
            for permission in permissions
        )


def test_an_unsquashed_database_stores_the_public_rule_on_each_claim(unsquashed: str) -> None:
    with psycopg.connect(unsquashed) as scratch:
        stored = scratch.execute(
            "SELECT language, public, in_force FROM claims_claim ORDER BY language"
        ).fetchall()

    # A published verdict: public and in force; a retracted one: public; drafts: neither.
    assert stored == [("", False, False), ("en", True, True), ("es", True, False)]


def test_an_unsquashed_database_runs_the_declared_triggers(unsquashed: str) -> None:
    with psycopg.connect(unsquashed, autocommit=True) as scratch:
        inserted = scratch.execute(
            "INSERT INTO claims_verdict (claim_id, headline, summary, explanation, status, origin,"
            " version, corrections, original_rating, review_url, publisher_name, publisher_site,"
            " created_at, updated_at)"
            " SELECT id, 'Governor', '', '', 'draft', 'own', 1, '[]', '', '', '', '', now(), now()"
            " FROM claims_claim WHERE language = 'en' RETURNING search_vector::text"
        ).fetchone()
        assert inserted is not None and "'governor':" in inserted[0]
        for statement in (
            "UPDATE claims_claimevent SET note = 'x'",
            "DELETE FROM claims_claimevent",
        ):
            with pytest.raises(psycopg.errors.RestrictViolation, match="append-only"):
                scratch.execute(statement)


@pytest.mark.django_db
def test_the_models_declare_every_column_index_constraint_and_trigger_of_the_claims_tables() -> (
    None
):
    # Django creates the claims tables from the models alone in a schema of their own (rolled
    # back with the test): they must be the tables the migrations made.
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA declared")
        cursor.execute("SET LOCAL search_path = declared, public")
    with connection.schema_editor() as editor:
        for model in apps.get_app_config("claims").get_models():
            editor.create_model(model)

    with connection.cursor() as cursor:
        declared = catalog(cursor, schema="declared", tables="claims\\_%")
        migrated = catalog(cursor, tables="claims\\_%")

    def by_name(rows: list[tuple]) -> list[tuple]:
        # Columns without their position (the models list them in their own order) and
        # without the statistics target (no field option sets it).
        return sorted((name, *rest[1:-1]) for name, *rest in rows)

    assert by_name(declared["columns"]) == by_name(migrated["columns"])
    for kind in ("indexes", "constraints", "triggers"):
        assert declared[kind] == migrated[kind], kind


@pytest.mark.django_db
def test_the_models_and_the_migrations_agree() -> None:
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
