"""One attempt has a deadline for the whole answer, not only for each wait on the socket."""

from __future__ import annotations

import socket
import threading
import time

from app.webhooks import transport
from app.webhooks.address_guard import Target


def _trickling_server(stop: threading.Event) -> int:
    """A server that answers one byte of its status line every half second, for eight
    seconds: longer than the deadline, each byte sooner than the socket's timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve():
        connection, _ = listener.accept()
        connection.recv(65536)
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 16:
            if stop.is_set():
                break
            try:
                connection.sendall(bytes([byte]))
            except OSError:
                break
            time.sleep(0.5)
        connection.close()
        listener.close()

    threading.Thread(target=serve, daemon=True).start()
    return listener.getsockname()[1]


def test_an_endpoint_that_trickles_its_answer_is_cut_off_at_the_deadline(monkeypatch):
    monkeypatch.setattr(transport, "DEADLINE_SECONDS", 2)
    stop = threading.Event()
    port = _trickling_server(stop)
    target = Target("http", "127.0.0.1", port, "/", "127.0.0.1")

    started = time.monotonic()
    answer = transport.post(target, b"{}", {"Content-Type": "application/json"})
    took = time.monotonic() - started
    stop.set()

    assert not answer.ok
    assert "within 2 seconds" in answer.error
    # Each byte came within the socket timeout: only the deadline could stop it.
    assert took < transport.TIMEOUT_SECONDS + 2
