"""A throw-away S3 server (moto's server mode) on a free local port, with one empty bucket,
for the tests of the object-storage backend. Nothing leaves 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from tests.support.redis_server import free_port


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    bucket: str
    region: str = "us-east-1"

    def client(self):
        """A boto3 client with the test credentials, as an administrator of the bucket."""
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint_url, region_name=self.region)


@contextmanager
def s3_server(monkeypatch: pytest.MonkeyPatch, bucket: str = "nongsan-media") -> Iterator[S3Server]:
    """Start moto's S3 server, point boto3's credentials at it, create `bucket`."""
    moto_server = pytest.importorskip("moto.server")
    # Fake credentials, so that boto3 never looks for real ones (or a metadata service).
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        s3 = S3Server(f"http://127.0.0.1:{port}", bucket)
        s3.client().create_bucket(Bucket=bucket)
        yield s3
    finally:
        server.stop()
