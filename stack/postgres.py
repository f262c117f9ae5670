"""A throw-away PostgreSQL cluster: initdb + pg_ctl in a temporary folder, for the test
session (tests/conftest.py) and for `make stack`.

initdb refuses to run as root, so when the tests run as root the server runs as an
unprivileged user (postgres, or nobody).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

from stack.ports import free_port


class PostgresUnavailable(RuntimeError):
    pass


def find_postgres_bin() -> str | None:
    """The folder holding initdb and pg_ctl: on PATH, or Debian's /usr/lib/postgresql/*/bin."""
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return os.path.dirname(os.path.realpath(initdb))
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return os.path.dirname(candidates[0]) if candidates else None


def _unprivileged_user() -> str:
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise PostgresUnavailable("running as root and no unprivileged user to run PostgreSQL as")


@dataclass
class PostgresCluster:
    bin_dir: str
    directory: str
    port: int
    run_as: str | None

    @classmethod
    def start(cls, parent: str | None = None) -> PostgresCluster:
        """initdb and start a cluster in a new folder (under `parent`, which the server's
        user must be able to enter, when given)."""
        bin_dir = find_postgres_bin()
        if bin_dir is None:
            raise PostgresUnavailable(
                "initdb/pg_ctl not found; install PostgreSQL (Debian: apt-get install postgresql)"
            )
        run_as = _unprivileged_user() if os.geteuid() == 0 else None
        directory = tempfile.mkdtemp(prefix="nongsan-pg-", dir=parent)
        if run_as:
            entry = pwd.getpwnam(run_as)
            os.chown(directory, entry.pw_uid, entry.pw_gid)
        cluster = cls(bin_dir, directory, free_port(), run_as)
        cluster._initdb()
        cluster._pg_ctl_start()
        return cluster

    @property
    def data_dir(self) -> str:
        return os.path.join(self.directory, "data")

    def _run(self, program: str, *args: str) -> None:
        command = [os.path.join(self.bin_dir, program), *args]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise PostgresUnavailable(f"{program} failed: {result.stdout}\n{result.stderr}")

    def _initdb(self) -> None:
        self._run(
            "initdb",
            "-D",
            self.data_dir,
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )

    def _pg_ctl_start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.directory} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        self._run(
            "pg_ctl",
            "-D",
            self.data_dir,
            "-l",
            os.path.join(self.directory, "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def is_running(self) -> bool:
        """True while the server whose pid pg_ctl wrote is alive."""
        try:
            with open(os.path.join(self.data_dir, "postmaster.pid")) as file:
                pid = int(file.readline())
            os.kill(pid, 0)
        except (OSError, ValueError):
            return False
        return True

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", self.data_dir, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)
