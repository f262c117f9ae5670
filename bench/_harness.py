"""What the benchmarks share: the load generator and the gunicorn server on loopback.

The scripts run as `python bench/<name>.py` and import this module by name (their own folder is
first on sys.path); importing it puts the project on sys.path too, so `bench.seeding` resolves.
"""

from __future__ import annotations

import http.client
import itertools
import math
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Make the project (and tests.support) importable when a benchmark runs as a script.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TRIVIAL = ("trivial", "/healthz")


def percentile(seconds: list[float], p: float) -> float:
    """Nearest-rank percentile of latencies given in seconds, in milliseconds (nan if none)."""
    if not seconds:
        return math.nan
    ordered = sorted(seconds)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1] * 1000


# Load generation ---------------------------------------------------------------------------


@dataclass
class Measurement:
    name: str
    path: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the successful requests' latency, in milliseconds."""
        return percentile(self.latencies, p)


# A path holding "{n}" gets a new number on every request, so no two requests share a URL
# (and no cached page): `/products?q=x&_={n}` measures the page as rendered afresh. Given
# several paths, the clients take them in turn, one per request.
_request_numbers = itertools.count()


def _client(
    port: int,
    paths: Sequence[str],
    deadline: float,
    limit: int,
    out: Measurement,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
) -> None:
    latencies, errors = [], 0
    sent = {"Accept-Language": "vi", **(headers or {})}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        for _ in range(limit):
            start = time.perf_counter()
            if start >= deadline:
                break
            number = next(_request_numbers)
            url = paths[number % len(paths)].replace("{n}", str(number))
            try:
                connection.request("GET", url, headers=sent)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()  # the next request() opens a fresh connection
            if ok:
                latencies.append(time.perf_counter() - start)
            else:
                errors += 1
    finally:
        connection.close()
    out.latencies, out.errors = latencies, errors


def load(
    port: int,
    name: str,
    path: str | Sequence[str],
    seconds: float,
    concurrency: int,
    max_requests: int,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
) -> Measurement:
    """`concurrency` clients hit the path (or the paths in turn) until the time is up or the
    request budget is spent; `headers` (a signed-in session's Cookie, say) go with each, and
    a request unanswered after `timeout` seconds counts as an error."""
    paths = [path] if isinstance(path, str) else list(path)
    result = Measurement(name, paths[0], seconds)
    per_client = max(1, max_requests // concurrency)
    start = time.perf_counter()
    deadline = start + seconds
    parts = [Measurement(name, paths[0], seconds) for _ in range(concurrency)]
    threads = [
        threading.Thread(
            target=_client,
            args=(port, paths, deadline, per_client, part, headers, timeout),
            daemon=True,
        )
        for part in parts
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + max(30, timeout))
    result.seconds = time.perf_counter() - start
    for part in parts:
        result.latencies.extend(part.latencies)
        result.errors += part.errors
    return result


def fetch(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Accept-Language": "vi", **(headers or {})})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


# The server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving app:create_app() on a free loopback port."""

    def __init__(self, database_url: str, instance_path: str, workers: int, log_path: str):
        self.port = free_port()
        self.log_path = log_path
        env = dict(os.environ)
        env.update(
            DATABASE_URL=database_url,
            SECRET_KEY=secrets.token_hex(32),
            NONGSAN_ENV="development",
            NONGSAN_INSTANCE_PATH=instance_path,
        )
        env.pop("REDIS_URL", None)
        env.pop("MAIL_SERVER", None)
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "app:create_app()",
        ]
        self.log = open(log_path, "wb")  # closed in stop()
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            try:
                if fetch(self.port, TRIVIAL[1])[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.log.close()


# CPU accounting ----------------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    """A process and all its descendants (Linux /proc; empty when unreadable)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    todo.extend(int(child) for child in children.read().split())
        except OSError:
            continue
    return found


def _cpu(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) each process has used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return used


class CpuMeter:
    """CPU seconds used by gunicorn, PostgreSQL and this load generator between two points."""

    def __init__(self, gunicorn_pid: int, postgres_pid: int | None):
        self.roots = {"gunicorn": gunicorn_pid, "PostgreSQL": postgres_pid}
        self.before: dict[str, dict[int, float]] = {}
        self.client_before = 0.0

    def start(self) -> None:
        self.before = {name: _cpu(_tree(pid)) for name, pid in self.roots.items() if pid}
        self.client_before = time.process_time()

    def stop(self) -> dict[str, float]:
        """Seconds per part; processes born in between count from zero, the dead not at all."""
        used = {}
        for name, before in self.before.items():
            after = _cpu(_tree(self.roots[name]))
            if after:
                used[name] = sum(t - before.get(pid, 0.0) for pid, t in after.items())
        used["load generator"] = time.process_time() - self.client_before
        return used


def postmaster_pid(data_dir: str) -> int | None:
    try:
        with open(os.path.join(data_dir, "postmaster.pid")) as pidfile:
            return int(pidfile.readline())
    except (OSError, ValueError):
        return None
