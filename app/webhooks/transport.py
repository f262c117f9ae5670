"""One POST of a signed body to a checked address, with a short timeout, no redirects."""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
from dataclasses import dataclass

from app.webhooks.address_guard import Target

TIMEOUT_SECONDS = 5
#: The whole attempt's limit. TIMEOUT_SECONDS bounds each wait on the socket, so an endpoint
#: that answers a byte every few seconds would hold a worker thread for ever without it; it
#: stays well under delivery.LEASE, after which another thread may take the delivery over.
DEADLINE_SECONDS = 20
#: Enough of an answer to be sure it arrived; the rest is not read.
ANSWER_BYTES = 4096


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address, whatever the host resolves to by now."""

    def __init__(self, target: Target, **kwargs):
        super().__init__(target.host, target.port, **kwargs)
        self._address = target.address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to the checked address; the certificate must still name the URL's host."""

    def __init__(self, target: Target, **kwargs):
        super().__init__(target.host, target.port, context=ssl.create_default_context(), **kwargs)
        self._address = target.address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(target: Target, body: bytes, headers: dict[str, str]) -> Answer:
    """The status the endpoint answered, or the reason it could not be reached."""
    kind = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = kind(target, timeout=TIMEOUT_SECONDS)
    cut = threading.Event()
    deadline = threading.Timer(DEADLINE_SECONDS, _cut, args=(connection, cut))
    deadline.daemon = True
    deadline.start()
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(ANSWER_BYTES)
        return Answer(
            response.status, None if 200 <= response.status < 300 else f"HTTP {response.status}"
        )
    except (OSError, http.client.HTTPException) as error:
        if cut.is_set():
            return Answer(None, f"no complete answer within {DEADLINE_SECONDS} seconds")
        return Answer(None, f"{type(error).__name__}: {error}"[:500])
    finally:
        deadline.cancel()
        connection.close()


def _cut(connection: http.client.HTTPConnection, cut: threading.Event) -> None:
    """Past the deadline: shut the socket, so the thread blocked reading it wakes up (it is
    told first, so it knows why its read failed)."""
    cut.set()
    if connection.sock is not None:
        try:
            connection.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
