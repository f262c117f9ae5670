"""The README's curl script, run as it is written against the demo marketplace served on
localhost: it makes a token, lists the farm's new orders, records a harvest and receives a
signed webhook on the listener, which checks the signature."""

from __future__ import annotations

import os
import re
import socket
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from orders.models import Order
from tests.conftest import make_test_app
from tests.support.database import upgrade_schema
from tests.support.live import serving
from traceability.models import BatchEvent

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = re.compile(r"<!-- curl-demo -->\n```bash\n(.*?)```", re.S)


def readme_script() -> str:
    match = SCRIPT.search((ROOT / "README.md").read_text(encoding="utf-8"))
    assert match, "README.md has no ```bash block after <!-- curl-demo -->"
    return match.group(1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def demo_server(backend, database_factory, tmp_path):
    from demo.seed import seed_demo

    url = database_factory(backend, "nongsan_curl_demo")
    app = make_test_app(url, str(tmp_path / "instance"), WEBHOOKS_ALLOW_LOCAL=True)
    upgrade_schema(app)
    with app.app_context():
        seed_demo()
        db.session.commit()
    with serving(app) as url:
        yield app, url


def test_the_readme_script_runs_end_to_end(demo_server):
    app, base = demo_server
    env = {**os.environ, "BASE": base, "PORT": str(free_port())}

    run = subprocess.run(
        ["bash", "-c", readme_script()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"^VERIFIED order\.shipped ", run.stdout, re.M), run.stdout
    order_id = int(re.search(r"^new order: (\d+)$", run.stdout, re.M).group(1))
    with app.app_context():
        assert db.session.get(Order, order_id).status == "shipped"
        harvests = db.session.scalars(
            select(BatchEvent).where(BatchEvent.kind == "harvest").order_by(BatchEvent.id)
        ).all()
        assert harvests[-1].details.get("quantity") in ("120", 120)
