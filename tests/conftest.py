import shutil
from pathlib import Path

import pytest

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


def database_url(settings_dict: dict) -> str:  # type: ignore[type-arg]
    """A DATABASE_URL for another process (worker, beat) to reach the same (test) database;
    works for TCP hosts and for the embedded server's socket folder."""
    from urllib.parse import quote

    user = quote(settings_dict.get("USER") or "", safe="")
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{quote(password, safe='')}" if password else user
    host = quote(settings_dict.get("HOST") or "", safe="")
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgresql://{auth}@{host}{port}/{settings_dict['NAME']}"
