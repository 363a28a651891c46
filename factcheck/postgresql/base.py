"""Django's PostgreSQL backend (psycopg 3), with a health check that costs no round trip.

With `CONN_HEALTH_CHECKS`, Django checks a persistent connection before its first query in each
request with `SELECT 1`. That round trip was 40% of a verdict detail's time under load (the
server process must be woken and scheduled twice per request). A connection that the server
closed (restart, `pg_terminate_backend`, `idle_session_timeout`) or a proxy reset has something
waiting on its socket: the server's FATAL message, an end of file or an error. An idle
connection in autocommit has nothing to read. So: nothing readable and the transaction idle
means usable, without asking the server; anything else gets Django's own `SELECT 1`. A silently
dead network path passes this check, but it would hang `SELECT 1` until the TCP timeout too.
"""

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if connection.info.transaction_status == pq.TransactionStatus.IDLE:
            poller = select.poll()
            poller.register(connection.fileno(), select.POLLIN)
            if not poller.poll(0):
                return True
        return super().is_usable()
