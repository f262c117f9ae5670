"""A throw-away redis-server on a free port (no persistence), for `make stack` and the tests of
what production keeps in Redis (rate limits, the page cache, the job queue)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from stack.orphans import server_process_options
from stack.ports import free_port


class RedisUnavailable(RuntimeError):
    pass


def find_redis_server() -> str | None:
    if found := shutil.which("redis-server"):
        return found
    return "/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server") else None


@dataclass
class RedisServer:
    process: subprocess.Popen
    port: int

    @classmethod
    def start(cls, folder: Path, log: Path | None = None) -> RedisServer:
        """Start redis-server in `folder` and wait until it answers PING."""
        server = find_redis_server()
        if server is None:
            raise RedisUnavailable("redis-server not found (Debian: apt-get install redis-server)")
        port = free_port()
        with open(log, "ab") if log else nullcontext(subprocess.DEVNULL) as output:
            process = subprocess.Popen(
                [server, "--port", str(port), "--bind", "127.0.0.1"]
                + ["--save", "", "--appendonly", "no"],
                cwd=folder,
                stdout=output,
                stderr=subprocess.STDOUT,
                **server_process_options(),
            )
        started = cls(process, port)
        try:
            started._wait_for_ping()
        except RedisUnavailable:
            started.stop()
            raise
        return started

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _wait_for_ping(self, seconds: float = 10) -> None:
        import redis

        client = redis.Redis(port=self.port)
        try:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    break
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    time.sleep(0.05)
        finally:
            client.close()
        raise RedisUnavailable("redis-server did not start")

    def is_running(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
