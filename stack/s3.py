"""A throw-away S3 server (moto's server mode, its own process) on a free local port with one
empty bucket, for `make stack` and the object-storage tests. Nothing leaves 127.0.0.1, and
each server starts empty: moto keeps its buckets in the memory of the process."""

from __future__ import annotations

import subprocess
import sys
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from stack.orphans import server_process_options
from stack.ports import free_port

#: moto accepts any credentials; boto3 must have some, or it goes looking for real ones.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


class S3Unavailable(RuntimeError):
    pass


@dataclass
class S3Server:
    endpoint_url: str
    bucket: str
    region: str = "us-east-1"
    process: subprocess.Popen | None = field(default=None, repr=False)

    @classmethod
    def start(cls, bucket: str = "nongsan-media", log: Path | None = None) -> S3Server:
        """`python -m moto.server` on a free port, once it answers, with `bucket` created."""
        try:
            import moto.server  # noqa: F401
        except ImportError as error:
            raise S3Unavailable("moto is not installed: pip install -e '.[test]'") from error
        port = free_port()
        command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
        with open(log, "ab") if log else nullcontext(subprocess.DEVNULL) as output:
            process = subprocess.Popen(
                command, stdout=output, stderr=subprocess.STDOUT, **server_process_options()
            )
        server = cls(f"http://127.0.0.1:{port}", bucket, process=process)
        try:
            server._create_bucket_when_up()
        except S3Unavailable:
            server.stop()
            raise
        return server

    def _create_bucket_when_up(self, seconds: float = 30) -> None:
        from botocore.exceptions import EndpointConnectionError

        client = self.client()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self.is_running():
            try:
                client.create_bucket(Bucket=self.bucket)
                return
            except EndpointConnectionError:
                time.sleep(0.1)
        raise S3Unavailable("moto's S3 server did not start")

    def client(self):
        """A boto3 client with the test credentials, as an administrator of the bucket."""
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
