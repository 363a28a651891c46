"""A webhook consumer on 127.0.0.1 for the tests: it verifies every request with the
`standardwebhooks` library and records what it received. It can be stopped and started again
on the same port (an endpoint that is down for a while), answer another status, or answer
slowly."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class _Server(ThreadingHTTPServer):
    # Room for every connection a delivering task opens at once (WEBHOOK_CONCURRENCY): with
    # socketserver's 5 the kernel drops the rest and they retry a second later.
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a sender killed mid-request (the worker tests) is not the receiver's error


@dataclass
class Received:
    webhook_id: str
    body: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.time)  # when it arrived (for bench_webhooks.py)


@dataclass
class Receiver:
    secrets: list[str]
    status: int = 200
    delay: float = 0.0  # seconds before answering
    answer: bytes = b"ok"
    port: int = 0
    received: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # why a request failed verification
    lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if len(raw) < length:
                    # The sender went away mid-body (a worker killed with SIGKILL): nothing was
                    # delivered, so there is nothing to verify or answer.
                    self.close_connection = True
                    return
                headers = {k: v for k, v in self.headers.items()}
                verified = None
                for secret in receiver.secrets:
                    try:
                        verified = Webhook(secret).verify(raw, headers)
                        break
                    except WebhookVerificationError as exc:
                        why = str(exc)
                if verified is None:
                    with receiver.lock:
                        receiver.refused.append(why)
                    self._answer(401, b"bad signature")
                    return
                if receiver.delay:
                    time.sleep(receiver.delay)
                if 200 <= receiver.status < 300:
                    with receiver.lock:
                        receiver.received.append(
                            Received(headers["webhook-id"], json.loads(raw), headers)
                        )
                self._answer(receiver.status, receiver.answer)

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = _Server(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def ids(self) -> list[str]:
        with self.lock:
            return [r.webhook_id for r in self.received]

    def bodies(self) -> list[dict[str, Any]]:
        with self.lock:
            return [r.body for r in self.received]
