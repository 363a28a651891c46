import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from pytest_django.fixtures import Settings

from claims import defaults
from tests.local_http import Handler, serving

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "000_b52872a958dbdb28.txt"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def seed_folder(tmp_path: Path) -> Path:
    """A folder holding a copy of the seed article."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    return folder


def database_url(settings_dict: dict[str, Any]) -> str:
    """A DATABASE_URL for another process (worker, beat) to reach the same (test) database;
    works for TCP hosts and for the embedded server's socket folder."""
    from urllib.parse import quote

    user = quote(settings_dict.get("USER") or "", safe="")
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{quote(password, safe='')}" if password else user
    host = quote(settings_dict.get("HOST") or "", safe="")
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgresql://{auth}@{host}{port}/{settings_dict['NAME']}"


def _install_migration_data() -> None:
    """Put back the rows the migrations install (rating scale, groups and their permissions).
    Content types and permissions come back by themselves: the flush emits post_migrate."""
    defaults.install(apps)


@pytest.fixture(autouse=True)
def _migration_data_in_transactional_tests(request: pytest.FixtureRequest) -> None:
    """A transactional test ends by flushing every table, so the next one would start without
    the scale and the groups the migrations installed (serialized_rollback would restore them,
    but it collides with the content types the flush's post_migrate recreates)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        _install_migration_data()


@pytest.fixture(autouse=True)
def _fresh_throttle_counters() -> None:
    """Throttle counters live in the cache (the API's reads and the public site's pages share
    them); each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    """Tests create many users; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# The seed article with one statement reworded and one lengthened, everything else as is.
EDITED_FROM = (
    "This approach signals the possibility of military action while also expressing hope for a "
    "new deal."
)
EDITED_TO = (
    "This approach signals the possibility of military strikes while also expressing hope for a "
    "new nuclear deal."
)


@pytest.fixture
def edited_seed_folder(tmp_path: Path) -> Path:
    """A folder holding a lightly edited copy of the seed article (one sentence changed)."""
    folder = tmp_path / "edited"
    folder.mkdir()
    body = SEED.read_text(encoding="utf-8")
    assert EDITED_FROM in body
    (folder / "edited.txt").write_text(body.replace(EDITED_FROM, EDITED_TO), encoding="utf-8")
    return folder


@pytest.fixture
def matching_inline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Import-time matching runs at once in the importing process. In production a worker runs
    claims_match_new_task right after the import commits; a test's transaction never commits."""
    from claims import tasks

    def inline(*, claim_ids: list[int]) -> None:
        tasks.claims_match_new_task(claim_ids)

    monkeypatch.setattr(tasks, "claims_match_new_later", inline)


@pytest.fixture(autouse=True)
def embedding_inline(monkeypatch: pytest.MonkeyPatch) -> None:
    """A matching task run in a test's process embeds its claims and suggests their matches
    there too, as does a verdict published (in production they queue claims_embed_task for any
    worker), so no test leaves tasks on a broker and matches are re-ranked with real vectors."""
    from claims import tasks

    def inline(*, claim_ids: list[int], match: bool = False) -> None:
        tasks.claims_embed_task(claim_ids, match)

    monkeypatch.setattr(tasks, "claims_embed_later", inline)


@pytest.fixture(autouse=True)
def fresh_match_statistics() -> None:
    """claim_match keeps the lexeme statistics it read for minutes; each test reads its own."""
    from claims.matching.candidates import term_stats

    term_stats.forget()


@pytest.fixture
def server(settings: Settings) -> Iterator[str]:
    """The base URL of a local HTTP server answering Handler.routes; fetches may reach it."""
    settings.IMPORT_ALLOW_PRIVATE_NETWORKS = True
    Handler.routes = {}
    Handler.requests = []
    with serving(Handler) as base:
        yield base
