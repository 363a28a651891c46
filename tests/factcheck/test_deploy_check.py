"""`manage.py check --deploy` passes clean with the production environment docs/operations.md
documents, read from the docs themselves so the two cannot drift apart."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def documented_environment() -> dict[str, str]:
    text = (REPO / "docs" / "operations.md").read_text()
    block = re.search(r"<!-- production-environment -->\n```sh\n(.*?)```", text, re.DOTALL)
    assert block, "docs/operations.md has no production-environment block"
    env = dict(line.split("=", 1) for line in block.group(1).splitlines() if "=" in line)
    assert env["SECRET_KEY"].startswith("<")  # a placeholder, to be made per deployment
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    return env


def deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_documented_production_environment_passes_check_deploy() -> None:
    result = deploy_check(documented_environment())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_its_https_settings_check_deploy_warns() -> None:
    env = {k: v for k, v in documented_environment().items() if not k.startswith("SECURE_")}
    result = deploy_check(env)
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008"):
        assert warning in result.stderr
