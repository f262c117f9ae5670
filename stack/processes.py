"""The stack's parts as services: started, watched, stopped in reverse order.

Each child runs in a session of its own, so that Ctrl-C in the terminal reaches `make stack`
alone, which then stops them in order (nginx first, PostgreSQL last).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from stack.orphans import server_process_options


class StackError(RuntimeError):
    """A part of the stack did not start or stopped; the message says which."""


@dataclass
class Service:
    """One running part of the stack: how to tell it is alive, how to stop it, its log."""

    name: str
    is_running: Callable[[], bool]
    stop: Callable[[], None]
    log: Path | None = None


class ChildProcess:
    """A program started by the stack, its output in `log`."""

    def __init__(self, command: list[str], *, log: Path, env: dict, cwd: Path) -> None:
        with open(log, "ab") as output:
            self.popen = subprocess.Popen(
                command,
                env=env,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                **server_process_options(),
            )

    def is_running(self) -> bool:
        return self.popen.poll() is None

    def stop(self, seconds: float = 20) -> None:
        """SIGTERM (gunicorn and nginx finish what they are doing), then SIGKILL for the
        whole process group if it takes longer than `seconds`."""
        if self.is_running():
            self.popen.terminate()
            try:
                self.popen.wait(timeout=seconds)
            except subprocess.TimeoutExpired:
                pass
        try:  # workers a dead master left behind
            os.killpg(self.popen.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.popen.wait()


def first_stopped(services: list[Service]) -> Service | None:
    return next((service for service in services if not service.is_running()), None)


def watch(services: list[Service], poll_seconds: float = 0.5) -> Service:
    """Block until one of `services` stops; returns it."""
    while (stopped := first_stopped(services)) is None:
        time.sleep(poll_seconds)
    return stopped


def stop_all(services: list[Service]) -> list[str]:
    """Stop every service, the last started first; the failures, as text (never raises)."""
    failures = []
    for service in reversed(services):
        try:
            service.stop()
        except Exception as error:  # noqa: BLE001 (the others must still be stopped)
            failures.append(f"{service.name}: {error}")
    return failures


def tail(path: Path | None, lines: int = 15) -> str:
    if path is None or not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def wait_for_http(url: str, service: Service, seconds: float = 60) -> None:
    """Until `url` answers 200; StackError when `service` stops or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not service.is_running():
            raise StackError(f"{service.name} stopped while starting:\n{tail(service.log)}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise StackError(
        f"{service.name} did not answer {url} in {seconds:.0f} s:\n{tail(service.log)}"
    )


def wait_for_log(text: str, service: Service, seconds: float = 60) -> None:
    """Until `service`'s log says `text` (a process with no port to ask, such as the worker)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not service.is_running():
            raise StackError(f"{service.name} stopped while starting:\n{tail(service.log)}")
        if service.log and service.log.exists() and text in service.log.read_text(errors="replace"):
            return
        time.sleep(0.2)
    raise StackError(
        f"{service.name} did not say {text!r} in {seconds:.0f} s:\n{tail(service.log)}"
    )
