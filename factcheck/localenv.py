"""Local defaults for a machine without services: what `make run`, `make test` and `manage.py`
prepare before Django reads its settings.

Settings only read the environment. On a newcomer's machine nothing is set, so the commands that
start processes fill in what is missing, here, in one place:
- `DATABASE_URL`: the embedded PostgreSQL under `var/pgdata`, started if it is not running;
- `SECRET_KEY`: a random key generated once and kept in `var/secret-key`.

A variable that is already set is left alone, so production (and CI) configure everything
themselves and nothing here runs a server or writes a file.
"""

import os
import secrets
import sys
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent


def var_dir() -> Path:
    return Path(os.environ.get("VAR_DIR") or BASE_DIR / "var")


def persisted_secret(name: str, nbytes: int) -> str:
    """A random value generated once and kept under var/ (mode 0600)."""
    path = var_dir() / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(nbytes))
        path.chmod(0o600)
    return path.read_text().strip()


def embedded_database_url() -> str:
    """Start (or reuse) the embedded server under var/pgdata and return its URL."""
    from factcheck.embedded import embedded_database

    database = embedded_database(var_dir() / "pgdata")
    host = quote(database["HOST"], safe="")
    return f"postgresql://{database['USER']}@{host}:{database['PORT']}/{database['NAME']}"


def local_environment_prepare() -> None:
    """Fill in DATABASE_URL and SECRET_KEY where unset. Call before Django reads its settings."""
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = embedded_database_url()
    if not os.environ.get("SECRET_KEY"):
        os.environ["SECRET_KEY"] = persisted_secret("secret-key", 48)


if __name__ == "__main__":  # `python -m factcheck.localenv database-url` (the Makefile)
    if sys.argv[1:] != ["database-url"]:
        sys.exit("usage: python -m factcheck.localenv database-url")
    print(os.environ.get("DATABASE_URL") or embedded_database_url())
