"""A throw-away S3 server (moto's server mode) with one empty bucket, for the tests of the
object-storage backend: the starter `make stack` uses too (stack/s3.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from stack.s3 import CREDENTIALS, S3Server

__all__ = ["S3Server", "s3_server"]


@contextmanager
def s3_server(monkeypatch: pytest.MonkeyPatch, bucket: str = "nongsan-media") -> Iterator[S3Server]:
    """Start moto's S3 server, point boto3's credentials at it (for the application under
    test, which reads them from the environment), create `bucket`."""
    pytest.importorskip("moto.server")
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    server = S3Server.start(bucket)
    try:
        yield server
    finally:
        server.stop()
