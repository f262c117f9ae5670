"""The production-like stack on this machine, on 127.0.0.1 with free ports, all in one
temporary folder: PostgreSQL, Redis, moto's S3 server, the schema and the demo data, two
gunicorn app instances, a job worker, and nginx in front.

`Stack` is what `make stack` (stack/__main__.py) runs and what tests/stack drives.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from stack import nginx
from stack.ports import free_port, port_is_free
from stack.postgres import PostgresCluster, PostgresUnavailable
from stack.processes import (
    ChildProcess,
    Service,
    StackError,
    first_stopped,
    stop_all,
    tail,
    wait_for_http,
    wait_for_log,
    watch,
)
from stack.redis import RedisServer, RedisUnavailable
from stack.s3 import CREDENTIALS, S3Server, S3Unavailable

ROOT = Path(__file__).resolve().parent.parent
BUCKET = "nongsan-media"


class Stack:
    """Start with start() (or `with Stack() as stack:`), stop with stop()."""

    def __init__(
        self, *, port: int = 0, app_instances: int = 2, env: dict[str, str] | None = None
    ) -> None:
        self.port = port or free_port()
        self.app_ports = [free_port() for _ in range(app_instances)]
        self.extra_env = dict(env or {})
        self.folder = Path(tempfile.mkdtemp(prefix="nongsan-stack-"))
        # PostgreSQL and nginx's workers run as unprivileged users when we are root.
        self.folder.chmod(0o755)
        self.logs = self.folder / "logs"
        self.logs.mkdir()
        self.services: list[Service] = []
        self.s3: S3Server | None = None
        self.database_url = ""
        self.redis_url = ""
        self.demo_accounts = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def app_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.app_ports]

    def app_log(self, index: int) -> Path:
        return self.logs / f"app-{index + 1}.log"

    @property
    def nginx_access_log(self) -> Path:
        return self.folder / "nginx" / "access.log"

    def __enter__(self) -> Stack:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self, say=lambda message: None) -> None:
        """Start every part, each once the one before is ready; on failure stop what started
        and raise StackError."""
        nginx_program = nginx.find_nginx()
        if nginx_program is None:
            raise StackError("nginx not found (Debian: apt-get install nginx)")
        if not port_is_free(self.port):  # before a minute of starting the rest
            raise StackError(f"port {self.port} is already in use: choose another")
        try:
            self._start_data_services(say)
            env = self._app_environment()
            say("Schema and demo data…")
            self._run_once(env, "db", "upgrade")
            self.demo_accounts = self._run_once(env, "seed-demo", "--if-empty").strip()
            self._start_apps(env, say)
            say("Job worker…")
            self._start_worker(env)
            self._start_nginx(nginx_program, say)
        except (StackError, PostgresUnavailable, RedisUnavailable, S3Unavailable) as error:
            self.stop()
            raise StackError(str(error)) from error
        except BaseException:
            self.stop()
            raise

    def _start_data_services(self, say) -> None:
        say("PostgreSQL…")
        cluster = PostgresCluster.start(parent=str(self.folder))
        log = Path(cluster.directory) / "server.log"
        self.services.append(Service("PostgreSQL", cluster.is_running, cluster.stop, log))
        self.database_url = cluster.create_database("nongsan")
        say("Redis…")
        redis = RedisServer.start(self._folder("redis"), log=self.logs / "redis.log")
        self.services.append(
            Service("Redis", redis.is_running, redis.stop, self.logs / "redis.log")
        )
        self.redis_url = redis.url
        say("S3 (moto)…")
        self.s3 = S3Server.start(BUCKET, log=self.logs / "s3.log")
        self.services.append(Service("S3", self.s3.is_running, self.s3.stop, self.logs / "s3.log"))

    def _folder(self, name: str) -> Path:
        path = self.folder / name
        path.mkdir(exist_ok=True)
        return path

    def _app_environment(self) -> dict[str, str]:
        assert self.s3 is not None
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("AWS_", "NONGSAN_", "S3_", "FLASK_"))
        }
        env.update(
            {
                "PYTHONPATH": str(ROOT),
                "NONGSAN_INSTANCE_PATH": str(self._folder("instance")),
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                "STORAGE_BACKEND": "s3",
                "S3_BUCKET": self.s3.bucket,
                "S3_ENDPOINT_URL": self.s3.endpoint_url,
                "S3_REGION": self.s3.region,
                **CREDENTIALS,
                # nginx is the one proxy in front: the client's address is its last entry.
                "TRUSTED_PROXIES": "1",
                # Both instances sign and read the same sessions.
                "SECRET_KEY": secrets.token_hex(32),
                "BASE_URL": self.url,
                # Two small instances rather than two machine-sized ones: this is one machine.
                "WEB_CONCURRENCY": "2",
            }
        )
        env.update(self.extra_env)
        return env

    def _run_once(self, env: dict[str, str], *arguments: str) -> str:
        """Run `nongsan <arguments>` to the end; what it printed (its log lines too are kept
        in logs/setup.log)."""
        result = subprocess.run(
            [sys.executable, "-m", "app.cli", *arguments],
            env=env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
        )
        log = self.logs / "setup.log"
        with open(log, "a") as file:
            file.write(result.stdout + result.stderr)
        if result.returncode != 0:
            raise StackError(f"`nongsan {' '.join(arguments)}` failed:\n{tail(log)}")
        return result.stdout

    def _start_apps(self, env: dict[str, str], say) -> None:
        started = []
        for index, port in enumerate(self.app_ports):
            say(f"App instance {index + 1} (gunicorn, 127.0.0.1:{port})…")
            log = self.app_log(index)
            process = ChildProcess(
                [sys.executable, "-m", "app.cli", "run", "--no-worker"]
                + ["--host", "127.0.0.1", "--port", str(port)],
                log=log,
                env=env,
                cwd=ROOT,
            )
            service = Service(f"app instance {index + 1}", process.is_running, process.stop, log)
            self.services.append(service)
            started.append((service, port))
        for service, port in started:  # they start side by side
            wait_for_http(f"http://127.0.0.1:{port}/healthz", service)

    def _start_worker(self, env: dict[str, str]) -> None:
        log = self.logs / "worker.log"
        process = ChildProcess(
            [sys.executable, "-m", "app.cli", "worker"], log=log, env=env, cwd=ROOT
        )
        service = Service("job worker", process.is_running, process.stop, log)
        self.services.append(service)
        wait_for_log("Huey consumer started", service)  # huey's own line once it polls

    def _start_nginx(self, program: str, say) -> None:
        say(f"nginx (127.0.0.1:{self.port})…")
        folder = self._folder("nginx")
        # nginx serves the release's static files from a folder of its own, as on a server.
        static_root = self._folder("public")
        shutil.copytree(ROOT / "app" / "static", static_root / "static")
        config = nginx.write_config(
            folder, self.port, [f"127.0.0.1:{port}" for port in self.app_ports], static_root
        )
        log = self.logs / "nginx.log"
        process = ChildProcess(
            nginx.command(program, folder, config), log=log, env=dict(os.environ), cwd=folder
        )
        service = Service("nginx", process.is_running, process.stop, folder / "error.log")
        self.services.append(service)
        wait_for_http(f"{self.url}/healthz", service, seconds=20)

    def stopped_service(self) -> Service | None:
        """The first part of the stack that is no longer running, if any."""
        return first_stopped(self.services)

    def stop(self) -> list[str]:
        """Stop everything, nginx first, and remove the folder; what failed to stop."""
        failures = stop_all(self.services)
        self.services = []
        shutil.rmtree(self.folder, ignore_errors=True)
        return failures

    def watch(self, poll_seconds: float = 0.5) -> Service:
        """Block until a part stops; returns it."""
        return watch(self.services, poll_seconds)
