"""`make run`: set up and start everything on this machine until Ctrl-C.

Starts the embedded PostgreSQL when DATABASE_URL is unset, migrates, imports SEEDS_DIR, makes
sure the `admin` account exists, then runs gunicorn (web), a Celery worker for each group of
work queues and Celery beat as child processes. Ctrl-C (or SIGTERM) stops the children, then
the embedded database if this launcher started it. A second run keeps the data and imports
nothing twice.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from factcheck.embedded import embedded_running, embedded_stop
from factcheck.localenv import local_environment_prepare, persisted_secret, var_dir

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = var_dir()


def _ensure_admin() -> None:
    from django.contrib.auth import get_user_model

    env_password = os.environ.get("DJANGO_SUPERUSER_PASSWORD", "")
    password = env_password or persisted_secret("admin-password", 12)
    User = get_user_model()
    user = User.objects.filter(username="admin").first()
    if user is None:
        User.objects.create_superuser("admin", "", password)
        print("Created the admin account.")
    elif env_password and not user.check_password(env_password):
        user.set_password(env_password)
        user.save(update_fields=["password"])
    if env_password:
        print("Admin login: admin, with the password in DJANGO_SUPERUSER_PASSWORD")
    else:
        print(f"Admin login: admin / {password}  (kept in {VAR_DIR / 'admin-password'})")


def _setup() -> None:
    import django
    from django.core.management import call_command
    from django.core.management.base import CommandError

    django.setup()
    print("Migrating the database...", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("setup_schedules", verbosity=0)  # beat's defaults, kept in the database
    call_command("collectstatic", interactive=False, verbosity=0)
    print("Importing seeds...", flush=True)
    try:
        call_command("import_seeds")
    except CommandError as exc:  # a broken seed file is reported, and the service still starts
        print(f"Seed import: {exc}", file=sys.stderr)
    _ensure_admin()


@dataclass(frozen=True)
class WorkerGroup:
    """A Celery worker process and the queues it alone serves (settings.CELERY_WORK_QUEUES),
    with a pool of its own: `concurrency` task processes, or the variable named
    `concurrency_variable` when set."""

    name: str
    queues: tuple[str, ...]
    concurrency_variable: str
    concurrency: int


# One worker per queue, so that a flood of one kind of work never delays another: a folder of
# new files is imported while thousands of embedding tasks wait for the matching worker, and a
# webhook goes out while an export of every verdict (a minute or more) holds the default
# worker (docs/operations.md, "Work queues"). On two cores, one task process each.
WORKER_GROUPS = (
    WorkerGroup("imports", ("imports",), "WORKER_IMPORTS_CONCURRENCY", 1),
    WorkerGroup("matching", ("matching",), "WORKER_MATCHING_CONCURRENCY", 1),
    WorkerGroup("deliveries", ("deliveries",), "WORKER_DELIVERIES_CONCURRENCY", 1),
    WorkerGroup("default", ("default",), "WORKER_DEFAULT_CONCURRENCY", 1),
)


def worker_commands(env: dict[str, str]) -> list[list[str]]:
    """The command of each worker of WORKER_GROUPS, as `make run` starts them."""
    celery = str(Path(sys.executable).parent / "celery")
    return [
        [
            celery,
            "-A",
            "factcheck",
            "worker",
            "--hostname",
            f"{group.name}@%h",
            "--queues",
            ",".join(group.queues),
            "--concurrency",
            env.get(group.concurrency_variable) or str(group.concurrency),
            "--loglevel",
            "INFO",
        ]
        for group in WORKER_GROUPS
    ]


def web_command(*, bind: str, workers: str, access_log: str = "-") -> list[str]:
    """The gunicorn command serving the site on `bind` (host:port), as every web host runs it."""
    return [
        str(Path(sys.executable).parent / "gunicorn"),
        "factcheck.wsgi",
        "--bind",
        bind,
        "--workers",
        workers,
        # No request-line limit of gunicorn's (at most 8,190 bytes, too few for the match
        # endpoint's text): REQUEST_LINE_MAX_BYTES is checked by the application.
        "--limit-request-line",
        "0",
        "--access-logfile",
        access_log,
    ]


def beat_command() -> list[str]:
    celery = str(Path(sys.executable).parent / "celery")
    schedule = str(VAR_DIR / "celerybeat-schedule")
    return [celery, "-A", "factcheck", "beat", "--loglevel", "INFO", "--schedule", schedule]


def metrics_folder(env: dict[str, str]) -> dict[str, str]:
    """`env` with PROMETHEUS_MULTIPROC_DIR, unless set, at an emptied VAR_DIR/metrics: web,
    workers and beat write their counts there, and /metrics adds them all up (last run's files
    would add up too, hence emptied)."""
    if env.get("PROMETHEUS_MULTIPROC_DIR"):
        return env
    folder = VAR_DIR / "metrics"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return {**env, "PROMETHEUS_MULTIPROC_DIR": str(folder)}


def _children(env: dict[str, str]) -> list[subprocess.Popen[bytes]]:
    env = metrics_folder(env)
    host = env.get("HOST", "127.0.0.1")
    port = env.get("PORT", "8000")
    web = web_command(bind=f"{host}:{port}", workers=env.get("WEB_CONCURRENCY", "2"))
    commands = [web, *worker_commands(env), beat_command()]
    # Own process groups: the terminal's Ctrl-C reaches only us, and we stop them in order.
    return [
        subprocess.Popen(
            cmd, env=env, cwd=BASE_DIR, start_new_session=True, preexec_fn=_die_with_parent
        )
        for cmd in commands
    ]


def _say(message: str) -> None:
    """Print, but never let a closed terminal or pipe (e.g. `make run | tee` after Ctrl-C)
    stop the shutdown half-way and orphan the children."""
    try:
        print(message, flush=True)
    except OSError:
        pass


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM if the launcher dies, even by SIGKILL (Linux)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def main() -> int:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    embedded = not os.environ.get("DATABASE_URL")
    started_db = embedded and not embedded_running(VAR_DIR / "pgdata")
    local_environment_prepare()
    stopping = False
    children: list[subprocess.Popen[bytes]] = []

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        if not children:  # still setting up: stop right here
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    code = 0
    try:
        _setup()
        children = _children(dict(os.environ))
        url = f"http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
        _say(f"\nfactcheck is running: {url}/admin/  {url}/healthz  — Ctrl-C stops it.\n")
        while not stopping:
            dead = [c for c in children if c.poll() is not None]
            if dead:
                words = cast(list[str], dead[0].args)  # _children starts each from a list
                _say(f"{' '.join(words[:3])} exited ({dead[0].returncode}); stopping.")
                code = 1
                break
            time.sleep(0.5)
    except KeyboardInterrupt:
        code = 130
    finally:
        _say("Stopping...")
        _stop(children)
        if started_db:
            embedded_stop(VAR_DIR / "pgdata")
            _say("Stopped the embedded PostgreSQL.")
    _say("Stopped.")
    return code


if __name__ == "__main__":
    sys.exit(main())
