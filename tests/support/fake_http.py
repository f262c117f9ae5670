"""A local HTTP server standing in for a provider's API (Zalo, eSMS): it records each request
and answers from a script, so tests check the requests exactly and never reach the network."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    status: int = 200
    body: dict | str = field(default_factory=dict)
    #: Seconds to wait before answering (a slow provider).
    delay: float = 0.0


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


class FakeProvider:
    def __init__(self, default: Answer) -> None:
        self.default = default
        self.script: list[Answer] = []
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        self.url = ""

    def answer_next(self, *answers: Answer) -> None:
        """Answer the next requests with these, then with the default."""
        with self._lock:
            self.script.extend(answers)

    def _take(self, received: Received) -> Answer:
        with self._lock:
            self.requests.append(received)
            return self.script.pop(0) if self.script else self.default


def _handler(provider: FakeProvider):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            received = Received(
                method="POST",
                path=self.path,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length),
            )
            answer = provider._take(received)
            time.sleep(answer.delay)
            payload = answer.body if isinstance(answer.body, str) else json.dumps(answer.body)
            data = payload.encode("utf-8")
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):  # keep the test output quiet
            pass

    return Handler


@contextmanager
def fake_provider(default: Answer, path: str = "/") -> Iterator[FakeProvider]:
    provider = FakeProvider(default)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    server.daemon_threads = True
    provider.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
