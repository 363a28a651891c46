"""PostgreSQL, the primary and its streaming replicas."""

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from factcheck.env import envbool, envint, envlist, envstr

# PostgreSQL is the only database. `make run`, `make test` and manage.py point DATABASE_URL at
# the embedded server under var/pgdata when it is unset (factcheck/localenv.py).
_database_url = envstr("DATABASE_URL", "")
if not _database_url:
    raise ImproperlyConfigured(
        "DATABASE_URL is not set: give it (postgresql://user@host:port/name), or start through "
        "`make run`, `make test` or manage.py, which use the embedded PostgreSQL under var/"
    )
DATABASES = {"default": dj_database_url.parse(_database_url)}
# Django's backend with a health check that asks the server only when the connection's socket
# has something to say (factcheck/postgresql/base.py): persistent connections are checked before
# each request's first query without a `SELECT 1` round trip.
DATABASES["default"]["ENGINE"] = "factcheck.postgresql"
DATABASES["default"]["CONN_MAX_AGE"] = envint("DATABASE_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Server-side parameter binding lets psycopg prepare a query after a few runs on a connection,
# so PostgreSQL stops re-planning it: planning the API's six-table list query took longer than
# running it. Turn it off behind a transaction-pooling PgBouncer older than 1.21.
DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = envbool(
    "DATABASE_SERVER_SIDE_BINDING", True
)
if DATABASES["default"]["OPTIONS"]["server_side_binding"]:
    # psycopg prepares a query after this many runs on a connection; Django turns preparing
    # off (None) unless told, so without this line nothing was ever prepared and the binding
    # alone saved no planning.
    DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)

# Replicas. DATABASE_REPLICA_URLS names streaming replicas of DATABASE_URL (comma-separated);
# anonymous public reads go to a healthy one, everything else to the primary
# (factcheck/replicas.py). Each has the primary's connection settings, a short connect timeout
# (a replica that is down costs a request little), and mirrors `default` in tests.
DATABASE_REPLICAS: list[str] = []
for _n, _url in enumerate(envlist("DATABASE_REPLICA_URLS", ""), start=1):
    _replica = dj_database_url.parse(_url)
    for _key in ("ENGINE", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS"):
        _replica[_key] = DATABASES["default"][_key]
    _replica["OPTIONS"] = {**DATABASES["default"]["OPTIONS"], "connect_timeout": 2}
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica{_n}"] = _replica
    DATABASE_REPLICAS.append(f"replica{_n}")
DATABASE_ROUTERS = ["factcheck.replicas.ReplicaRouter"]
# Seconds a process trusts its last look at a replica's lag before asking again.
DATABASE_REPLICA_CHECK_SECONDS = envint("DATABASE_REPLICA_CHECK_SECONDS", 1)
