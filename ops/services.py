"""The cluster's services, each started in its host's namespace: PostgreSQL primary and replica,
Redis, gunicorn on two web hosts behind the round-robin proxy, Celery workers on two worker
hosts, and beat. ops/cluster.py runs them; the layout is in its docstring."""

import os
import secrets
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

from hosts import SUBNET, Host, Network
from probe import http_get, say, wait_for

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))

HOSTS = {
    "db1": 2,
    "db2": 3,
    "redis": 4,
    "lb": 10,
    "web1": 11,
    "web2": 12,
    "work1": 21,
    "work2": 22,
    "beat": 30,
}
WEB_PORT = 8000

# The task of a worker killed mid-way is delivered again after the broker's visibility timeout,
# which must exceed the longest a task may run (31 minutes in production). Here 2 minutes, with
# time limits to match, so that the lost task comes back within the run: an embedding task of
# 2,000 claims, the longest, took up to 57 s here with the two cores shared with other work.
TIME_LIMIT, SOFT_TIME_LIMIT, VISIBILITY_TIMEOUT = 110, 100, 120


def address(name: str) -> str:
    return f"{SUBNET}.{HOSTS[name]}"


def app_env(tmp: Path, task_rows: int) -> dict[str, str]:
    """The environment of every factcheck process in the cluster (the web hosts add the
    replica). Built from nothing but PATH, so no proxy variable or local setting leaks in."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "factcheck.settings",
        "DATABASE_URL": f"postgresql://postgres@{address('db1')}:5432/factcheck",
        "CELERY_BROKER_URL": f"redis://{address('redis')}:6379/0",
        "CACHE_URL": f"redis://{address('redis')}:6379/1",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": ",".join(address(name) for name in ("lb", "web1", "web2")),
        "VAR_DIR": str(tmp / "var"),  # the folder every host shares (uploads, beat's file)
        "SEEDS_DIR": str(ROOT / "seeds"),
        "SEEDS_IMPORT_INTERVAL": "20",
        "CELERY_TASK_TIME_LIMIT": str(TIME_LIMIT),
        "CELERY_TASK_SOFT_TIME_LIMIT": str(SOFT_TIME_LIMIT),
        "CELERY_BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "IMPORT_TABLE_TASK_ROWS": str(task_rows),
        # Every request comes from the proxy's one address: no per-address limit here.
        "API_ANON_RATE": "",
    }


class Cluster:
    """Starts the hosts' services; Scenario drives them."""

    def __init__(self, net: Network, tmp: Path, task_rows: int) -> None:
        self.net, self.tmp = net, tmp
        self.logs = tmp / "logs"
        self.env = app_env(tmp, task_rows)
        self.web_env = {
            **self.env,
            "DATABASE_REPLICA_URLS": f"postgresql://postgres@{address('db2')}:5432/factcheck",
        }

    def host(self, name: str) -> Host:
        return self.net.hosts[name]

    def folder(self, name: str, owner: str) -> Path:
        path = self.tmp / name
        path.mkdir(mode=0o700)
        subprocess.run(["chown", f"{owner}:{owner}", str(path)], check=True)
        return path

    def network(self) -> None:
        started = time.monotonic()
        self.net.up()
        for name, last in HOSTS.items():
            self.net.add(name, last)
        say(
            f"network: bridge fcl-br0 {SUBNET}.1/24, {len(HOSTS)} namespaces with a veth "
            f"each ({time.monotonic() - started:.1f}s)"
        )

    def postgres(self) -> None:
        """The primary on db1 (initdb), then the replica on db2 (pg_basebackup from db1)."""
        import psycopg

        started = time.monotonic()
        primary, replica = self.host("db1"), self.host("db2")
        data = self.folder("db1", "postgres")
        initdb = [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres"]
        options = "--auth=trust --encoding=UTF8 --locale=C.UTF-8 --no-sync".split()
        primary.run([*initdb, *options], env=self.env, user="postgres")
        with (data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"listen_addresses = '{primary.address}'\n"
                "unix_socket_directories = ''\n"
                # Throwaway data: spare the disk the machine's other users share.
                "fsync = off\n"
                "synchronous_commit = off\n"
                # A client machine that vanishes closes nothing: without these its backend, and
                # the import lock that backend holds, lives on for the OS's keepalive time (two
                # hours), past the broker's redelivery of its task. Dead in ~30 s instead.
                "tcp_keepalives_idle = 10\n"
                "tcp_keepalives_interval = 5\n"
                "tcp_keepalives_count = 3\n"
                "tcp_user_timeout = 30000\n"
            )
        (data / "pg_hba.conf").write_text(
            f"host all all {SUBNET}.0/24 trust\nhost replication all {SUBNET}.0/24 trust\n"
        )
        postgres = str(PG_BIN / "postgres")
        log = self.logs / "db1.log"
        primary.start([postgres, "-D", str(data)], log=log, env=self.env, user="postgres")
        wait_for(lambda: _pg_ready(primary.address), "the primary", 60)
        with psycopg.connect(host=primary.address, user="postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE factcheck")
        say(
            f"db1: PostgreSQL primary on {primary.address}:5432 ({time.monotonic() - started:.1f}s)"
        )

        started = time.monotonic()
        standby = self.folder("db2", "postgres")
        basebackup = [str(PG_BIN / "pg_basebackup"), "-h", primary.address, "-D", str(standby)]
        options = "-U postgres -R -X stream -c fast --no-sync".split()
        replica.run([*basebackup, *options], env=self.env, user="postgres")
        with (standby / "postgresql.conf").open("a") as conf:
            conf.write(f"listen_addresses = '{replica.address}'\n")
        log = self.logs / "db2.log"
        replica.start([postgres, "-D", str(standby)], log=log, env=self.env, user="postgres")
        wait_for(lambda: _pg_ready(replica.address), "the replica", 60)
        say(
            f"db2: streaming replica on {replica.address}:5432, pg_basebackup from db1 "
            f"({time.monotonic() - started:.1f}s)"
        )

    def redis(self) -> None:
        import redis

        host = self.host("redis")
        folder = self.folder("redis", "redis")
        options = [*"--port 6379 --appendonly no --protected-mode no --save".split(), ""]
        command = ["redis-server", "--bind", host.address, "--dir", str(folder), *options]
        host.start(command, log=self.logs / "redis.log", env=self.env, user="redis")
        client = redis.Redis(host=host.address, socket_connect_timeout=1)
        wait_for(lambda: bool(client.ping()), "Redis", 30)
        say(f"redis: broker and cache on {host.address}:6379")

    def migrate(self) -> None:
        started = time.monotonic()
        python, manage = str(VENV_BIN / "python"), str(ROOT / "manage.py")
        web1 = self.host("web1")
        web1.run([python, manage, "migrate", "--no-input", "-v0"], env=self.env, cwd=ROOT)
        web1.run([python, manage, "setup_schedules"], env=self.env, cwd=ROOT)
        say(f"web1: migrate and setup_schedules ({time.monotonic() - started:.1f}s)")

    def services(self) -> list[Path]:
        """Start web, proxy, workers and beat; return the workers' log files."""
        from factcheck.launch import web_command  # gunicorn as `make run` starts it

        started = time.monotonic()
        for name in ("web1", "web2"):
            host = self.host(name)
            access_log = str(self.logs / f"{name}-access.log")
            command = web_command(
                bind=f"{host.address}:{WEB_PORT}", workers="2", access_log=access_log
            )
            host.start(command, log=self.logs / f"{name}.log", env=self.web_env, cwd=ROOT)
        backends = [f"{address(name)}:{WEB_PORT}" for name in ("web1", "web2")]
        proxy = [str(VENV_BIN / "python"), str(ROOT / "ops" / "roundrobin.py")]
        proxy += [f"{address('lb')}:{WEB_PORT}", *backends]
        self.host("lb").start(proxy, log=self.logs / "lb.log", env=self.env, cwd=ROOT)
        worker_logs = []
        for name in ("work1", "work2"):
            for group, command in worker_commands(f"fcl-{name}", self.env):
                log = self.logs / f"{name}-{group}.log"
                self.host(name).start(command, log=log, env=self.env, cwd=ROOT)
                worker_logs.append(log)
        # Imported now that main() has set the cluster's VAR_DIR: beat's schedule file is there.
        from factcheck.launch import beat_command

        beat = beat_command()
        self.host("beat").start(beat, log=self.logs / "beat.log", env=self.env, cwd=ROOT)
        for name in ("web1", "web2", "lb"):
            url = f"http://{address(name)}:{WEB_PORT}/healthz"
            wait_for(partial(_answers, url), f"{name}'s /healthz", 120)
        for log in worker_logs:
            wait_for(partial(_says_ready, log), log.stem, 120)
        say(
            f"web1, web2: gunicorn (2 processes each) answer /healthz; lb: round-robin to both; "
            f"{len(worker_logs)} Celery workers ready on work1 and work2; beat on beat "
            f"({time.monotonic() - started:.1f}s)"
        )
        return worker_logs


def worker_commands(hostname: str, env: dict[str, str]) -> list[tuple[str, list[str]]]:
    """(name, command) of each Celery worker a worker host runs: `make run`'s workers, one per
    group of work queues, named after the host."""
    from factcheck.launch import worker_commands as launch_workers

    named = []
    for command in launch_workers(env):
        command = [part.replace("%h", hostname) for part in command]
        named.append((command[command.index("--hostname") + 1].split("@")[0], command))
    return named


def _answers(url: str) -> bool:
    return http_get(url)[0] == 200


def _says_ready(log: Path) -> bool:
    """A Celery worker logs "<name> ready." once it consumes."""
    return " ready." in log.read_text(errors="replace")


def _pg_ready(host: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(host=host, user="postgres", connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False
