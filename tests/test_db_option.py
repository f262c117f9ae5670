"""`--db sqlite` keeps PostgreSQL out of the run: tests that ask for a PostgreSQL database of
their own (races, the flash sale) are skipped instead of starting a cluster."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_db_sqlite_skips_the_tests_that_need_postgresql_without_starting_it():
    # Given a module whose only test needs a PostgreSQL database of its own
    command = [sys.executable, "-m", "pytest", "tests/orders/test_concurrency.py"]
    command += ["--db", "sqlite", "-p", "no:cacheprovider", "-q", "-rs"]

    # When it runs with --db sqlite
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)

    # Then the test is skipped for that reason (no cluster was started to run it)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout and "--db leaves postgresql out" in result.stdout
