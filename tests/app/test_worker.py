"""The real worker process: jobs waiting in the queue survive a killed worker, and a failing
provider is retried until it answers. Queue in the SQLite file of `make run` and in Redis
(production); the shop's database on each test backend."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.support.fake_http import Answer, fake_provider
from tests.support.redis_server import redis_server

ROOT = Path(__file__).resolve().parents[2]
ESMS_OK = {"CodeResult": "100", "SMSID": "x"}
MESSAGES = 8


@pytest.fixture(params=["sqlite-file", "redis"])
def queue_env(request, tmp_path):
    """Environment variables naming where the queue lives."""
    if request.param == "redis":
        with redis_server(tmp_path) as url:
            yield {"REDIS_URL": url}
    else:
        yield {}


@pytest.fixture
def shop(backend, database_factory, tmp_path, queue_env):
    """A migrated database and the environment every process of the shop shares."""
    url = database_factory(backend, f"worker_{len(queue_env)}_{time.monotonic_ns()}")
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "MAIL_SERVER"}}
    env.update(
        queue_env,
        DATABASE_URL=url,
        NONGSAN_INSTANCE_PATH=str(tmp_path / "instance"),
        SECRET_KEY="worker-test",
        ESMS_API_KEY="k",
        MESSAGE_RETRY_BASE_SECONDS="1",
        MESSAGE_LEASE_SECONDS="1",
        PYTHONPATH=str(ROOT),
    )
    _nongsan(env, "db", "upgrade")
    return url, env


def _nongsan(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "app.cli", *args], env=env, cwd=ROOT, check=True, capture_output=True
    )


def _queue_sms(env: dict, count: int) -> None:
    """What a web process does: write messages and enqueue their jobs (no worker running)."""
    script = textwrap.dedent(
        f"""
        from app import create_app
        from app.extensions import db
        from app.messaging import Channel, queue_message

        app = create_app()
        with app.app_context():
            for n in range({count}):
                queue_message(Channel.SMS, "+8491200%04d" % n, "Don moi %d" % n, kind="t")
            db.session.commit()
        """
    )
    subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, check=True)


def _start_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker", "--threads", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _statuses(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT status, count(*) FROM outbound_message GROUP BY status")
            )
            return dict(rows.all())
    finally:
        engine.dispose()


def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def test_jobs_waiting_survive_a_killed_worker(shop):
    url, env = shop
    with fake_provider(Answer(body=ESMS_OK, delay=0.4)) as esms:
        env["ESMS_URL"] = esms.url
        # Given messages queued while no worker runs
        _queue_sms(env, MESSAGES)
        assert _statuses(url) == {"queued": MESSAGES}

        # When a worker starts and is killed (SIGKILL, no clean-up) in the middle of sending
        worker = _start_worker(env)
        try:
            _wait_for(lambda: len(esms.requests) >= 2, 60, "the first sends")
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        left = _statuses(url)
        assert left.get("sent", 0) < MESSAGES

        # Then a new worker sends every one of them
        worker = _start_worker(env)
        try:
            _wait_for(lambda: _statuses(url) == {"sent": MESSAGES}, 90, "every message sent")
        finally:
            worker.send_signal(signal.SIGINT)  # graceful stop
            assert worker.wait(timeout=30) == 0

        # Each message went out; only one in flight at the kill can have gone twice, with
        # the same request id (which eSMS drops)
        request_ids = [r.json()["RequestId"] for r in esms.requests]
        assert len(set(request_ids)) == MESSAGES
        assert len(request_ids) <= MESSAGES + 1


def test_a_failing_provider_is_retried_by_the_worker_until_it_answers(shop):
    url, env = shop
    with fake_provider(Answer(body=ESMS_OK)) as esms:
        env["ESMS_URL"] = esms.url
        # Given eSMS failing twice, then back
        esms.answer_next(Answer(status=503, body="down"), Answer(status=503, body="down"))
        _queue_sms(env, 1)

        worker = _start_worker(env)
        try:
            _wait_for(lambda: _statuses(url) == {"sent": 1}, 60, "the message sent")
        finally:
            worker.send_signal(signal.SIGINT)
            worker.wait(timeout=30)

    engine = create_engine(url)
    with engine.connect() as connection:
        attempts, error = connection.execute(
            text("SELECT attempts, last_error FROM outbound_message")
        ).one()
    engine.dispose()
    assert attempts == 3 and error is None
    assert len(esms.requests) == 3


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc)."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                children.append(int(entry.name))
    return children


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("queue_env", ["sqlite-file"], indirect=True)
def test_nongsan_run_starts_a_worker_that_stops_with_it(shop, tmp_path):
    url, env = shop
    with fake_provider(Answer(body=ESMS_OK)) as esms:
        env["ESMS_URL"] = esms.url
        # Given a message waiting, when the server starts as `make run` starts it
        _queue_sms(env, 1)
        from tests.support.redis_server import free_port

        server = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "run", "--port", str(free_port()), "--workers", "1"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            # Then its worker sends the message
            _wait_for(lambda: _statuses(url) == {"sent": 1}, 60, "the message sent")
            workers = [p for p in _children(server.pid) if "app.cli worker" in _cmdline(p)]
            assert len(workers) == 1
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        # and when the server stops, the worker stops too
        _wait_for(lambda: not _alive(workers[0]), 30, "the worker to stop")
