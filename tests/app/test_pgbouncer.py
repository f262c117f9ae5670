"""The application behind a real PgBouncer in transaction mode (README, Scaling/Deploying).

In transaction mode two clients take turns on one server connection. psycopg prepares a
statement on the server after it ran five times, under a name every client numbers from
`_pg3_0`, so the second client's prepare collides with the first's. DATABASE_BEHIND_PGBOUNCER
turns preparing off; these tests show the failure without it and none with it.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from app.config import engine_options
from tests.support.requirements import missing

pytestmark = pytest.mark.postgres_only


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def pgbouncer_url(postgres_cluster):
    """A PgBouncer (transaction pooling, ONE server connection) in front of a new database."""
    program = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not os.path.exists(program):
        missing("PgBouncer", "apt-get install pgbouncer")
    postgres_cluster.create_database("nongsan_pgbouncer")
    # Its own folder under /tmp: pytest's are private to root, and PgBouncer runs as another user.
    folder = Path(tempfile.mkdtemp(prefix="nongsan-pgbouncer-"))
    port = _free_port()
    (folder / "users.txt").write_text('"postgres" ""\n')
    (folder / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"nongsan = host=127.0.0.1 port={postgres_cluster.port} dbname=nongsan_pgbouncer"
        " user=postgres\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {folder}/users.txt\n"
        "pool_mode = transaction\ndefault_pool_size = 1\nmax_client_conn = 20\n"
        f"logfile = {folder}/pgbouncer.log\n"
    )
    command = [program, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:  # PgBouncer refuses to run as root
        user = postgres_cluster.run_as or "nobody"
        entry = pwd.getpwnam(user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
        command = ["runuser", "-u", user, "--", *command]
    output = open(folder / "output.txt", "wb")  # noqa: SIM115 (closed in finally)
    process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    said = (folder / "output.txt").read_text(errors="replace")
                    pytest.fail(f"PgBouncer did not start: {said}")
                time.sleep(0.05)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/nongsan"
    finally:
        process.terminate()
        process.wait(timeout=10)
        output.close()
        shutil.rmtree(folder, ignore_errors=True)


def _two_clients_take_turns(url: str) -> list[int]:
    """Two pooled connections run the same statement, one transaction each in turn, past
    psycopg's prepare threshold; returns what they read."""
    engine = create_engine(url, **engine_options(url))
    read = []
    try:
        with engine.connect() as first, engine.connect() as second:
            for round_number in range(8):
                for connection in (first, second):
                    with connection.begin():
                        read.append(
                            connection.scalar(
                                text("SELECT CAST(:n AS integer) + 1"), {"n": round_number}
                            )
                        )
    finally:
        engine.dispose()
    return read


def test_behind_pgbouncer_the_engine_prepares_nothing_and_every_turn_works(
    pgbouncer_url, monkeypatch
):
    monkeypatch.setenv("DATABASE_BEHIND_PGBOUNCER", "1")
    assert _two_clients_take_turns(pgbouncer_url) == [n + 1 for n in range(8) for _ in (1, 2)]


def test_without_the_setting_prepared_statements_collide_behind_pgbouncer(
    pgbouncer_url, monkeypatch
):
    # What the setting is for: the default engine fails here after psycopg's fifth run.
    monkeypatch.delenv("DATABASE_BEHIND_PGBOUNCER", raising=False)
    with pytest.raises(DBAPIError, match="_pg3_"):
        _two_clients_take_turns(pgbouncer_url)


def test_the_setting_applies_to_postgresql_only(monkeypatch):
    monkeypatch.setenv("DATABASE_BEHIND_PGBOUNCER", "yes")
    assert engine_options("postgresql+psycopg://db/nongsan")["connect_args"] == {
        "prepare_threshold": None
    }
    # SQLite's driver would refuse the argument.
    assert "connect_args" not in engine_options("sqlite:///instance/nongsan.sqlite3")
    monkeypatch.setenv("DATABASE_BEHIND_PGBOUNCER", "0")
    assert "connect_args" not in engine_options("postgresql+psycopg://db/nongsan")
