import shutil
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

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


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    """Tests create many users; the production hasher is slow on purpose (issue 3)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Issue 6: the seed article with one statement reworded and one lengthened, everything else as is.
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
