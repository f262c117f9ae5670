"""`python -m stack` (`make stack`) as a person runs it: it prints the address, Ctrl-C stops
every part and removes the temporary folder; when one part stops by itself, the command says
which and stops the rest."""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from stack import __main__ as command
from stack.processes import ChildProcess, Service, stop_all, watch
from tests.stack.conftest import require_stack_programs

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgres_only  # the stack runs on PostgreSQL
def test_ctrl_c_stops_every_part_and_removes_the_folder():
    require_stack_programs()
    process = subprocess.Popen(
        [sys.executable, "-m", "stack"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stdout])
    reader.start()
    output = []
    try:
        deadline = time.monotonic() + 120
        while "is running at" not in "".join(output) and time.monotonic() < deadline:
            try:
                output.append(lines.get(timeout=1))
            except queue.Empty:
                if process.poll() is not None:
                    break
        text = "".join(output)
        address = re.search(r"is running at (http://127\.0\.0\.1:\d+)/", text)
        assert address, text
        folder = Path(re.search(r"Starting the stack in (\S+)", text).group(1))
        with urllib.request.urlopen(f"{address.group(1)}/healthz", timeout=10) as answer:
            assert answer.status == 200

        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:  # a failed check above: let it stop its servers first
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        reader.join(timeout=10)
        process.stdout.close()
    rest = "".join(lines.get() for _ in range(lines.qsize()))

    assert "Every demo account's password is: nongsan-demo" in rest  # printed when ready
    assert process.returncode == 0, rest
    assert "Stopped; temporary folder removed." in rest
    assert not folder.exists()
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{address.group(1)}/healthz", timeout=5)


def test_watch_returns_the_part_that_stopped_and_stop_all_stops_the_others(tmp_path):
    parts = [
        ChildProcess(["sleep", seconds], log=tmp_path / f"{seconds}.log", env={}, cwd=tmp_path)
        for seconds in ("60", "0.2", "60")
    ]
    services = [
        Service(name, part.is_running, part.stop)
        for name, part in zip(("redis", "worker", "nginx"), parts, strict=True)
    ]

    assert watch(services, poll_seconds=0.05).name == "worker"
    assert stop_all(services) == []
    assert not any(part.is_running() for part in parts)


class _StackWhoseWorkerStops:
    instances: list = []

    def __init__(self, port: int) -> None:
        self.folder = Path("/nonexistent/stack")
        self.stopped = False
        _StackWhoseWorkerStops.instances.append(self)

    def start(self, say) -> None:
        pass

    def watch(self) -> Service:
        return Service("job worker", lambda: False, lambda: None)

    def stop(self) -> list[str]:
        self.stopped = True
        return []


def test_the_command_says_which_part_stopped_and_stops_the_rest(monkeypatch, capsys):
    monkeypatch.setattr(command, "Stack", _StackWhoseWorkerStops)
    monkeypatch.setattr(command, "_print_ready", lambda stack: None)
    saved = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    try:
        assert command.main([]) == 1
    finally:
        signal.signal(signal.SIGINT, saved[0])
        signal.signal(signal.SIGTERM, saved[1])

    assert "job worker stopped; stopping the rest." in capsys.readouterr().err
    assert _StackWhoseWorkerStops.instances[-1].stopped


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting for a parent that is gone."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_server_does_not_outlive_a_stack_killed_outright(tmp_path):
    starter = (
        "import sys, time; from pathlib import Path; from stack.processes import ChildProcess; "
        "p = ChildProcess(['sleep', '60'], log=Path(sys.argv[1]), env={}, cwd=Path('.')); "
        "print(p.popen.pid, flush=True); time.sleep(60)"
    )
    stack = subprocess.Popen(
        [sys.executable, "-c", starter, str(tmp_path / "sleep.log")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    with stack.stdout:
        server = int(stack.stdout.readline())
    assert _running(server)

    stack.kill()
    stack.wait()

    deadline = time.monotonic() + 10
    while _running(server) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(server)
