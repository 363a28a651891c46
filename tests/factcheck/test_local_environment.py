"""A machine with nothing configured: manage.py works with nothing exported, and `make test`
never touches what `make run` runs (its broker folder, its database)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import dj_database_url
import pytest
from django.db import connection

from tests.conftest import database_url

REPO = Path(__file__).resolve().parents[2]


def _environment(**changes: str | None) -> dict[str, str]:
    env = dict(os.environ)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


@pytest.mark.django_db
def test_manage_py_works_without_a_secret_key_exported(tmp_path: Path) -> None:
    env = _environment(
        DATABASE_URL=database_url(connection.settings_dict),
        SECRET_KEY=None,
        DEBUG=None,
        VAR_DIR=str(tmp_path),
    )

    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout
    kept = tmp_path / "secret-key"  # generated once, for every later command
    assert len(kept.read_text().strip()) >= 50
    assert kept.stat().st_mode & 0o777 == 0o600


def _launcher_broker_folder() -> Path:
    """The broker folder the processes of `make run` use: its settings with nothing exported
    but a database to read them with."""
    env = _environment(CELERY_BROKER_FOLDER=None, CELERY_BROKER_URL=None, VAR_DIR=None)
    env.update(SECRET_KEY="any", DATABASE_URL=os.environ["DATABASE_URL"])
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(settings.CELERY_BROKER_FOLDER)"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip())


def test_make_test_and_make_run_never_share_a_broker_folder() -> None:
    recipe = subprocess.run(
        ["make", "-n", "test"], cwd=REPO, capture_output=True, text=True, timeout=60
    ).stdout
    folders = re.findall(r"CELERY_BROKER_FOLDER=(\S+)", recipe)

    assert folders, recipe
    tests_folder, running = Path(folders[0]), _launcher_broker_folder()
    assert running == REPO / "var" / "broker"
    assert tests_folder != running
    assert running not in tests_folder.parents and tests_folder not in running.parents
    assert "rm -rf var/test-broker" in recipe  # a run starts with an empty broker of its own


@pytest.mark.django_db
def test_make_test_and_make_run_never_share_a_database() -> None:
    # `make test` and `make run` resolve DATABASE_URL alike (given, or the embedded server's
    # default database); the tests run in pytest-django's database of their own on it.
    running = dj_database_url.parse(os.environ["DATABASE_URL"])["NAME"]

    assert connection.settings_dict["NAME"] == f"test_{running}"
