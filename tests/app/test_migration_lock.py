"""Two machines starting a release at once both run `nongsan db upgrade` (the systemd units
and compose do): on PostgreSQL the second waits for the first and finds nothing to do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.postgres_only


def _head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


def test_two_upgrades_at_once_on_a_new_database_both_succeed(postgres_cluster, tmp_path):
    url = postgres_cluster.create_database("nongsan_two_migrators")
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "NONGSAN_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    nongsan = Path(sys.executable).parent / "nongsan"
    upgrades = [
        subprocess.Popen(
            [str(nongsan), "db", "upgrade"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [upgrade.communicate(timeout=300)[0] for upgrade in upgrades]
    assert [upgrade.returncode for upgrade in upgrades] == [0, 0], outputs
    engine = create_engine(url)
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == _head()
    engine.dispose()
