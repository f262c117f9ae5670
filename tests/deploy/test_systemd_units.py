"""The systemd units for a bare Debian server (deploy/systemd): their structure and hardening,
checked here, and `systemd-analyze verify` where systemd is installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.files import SYSTEMD_DIR, read_unit

VENV_NONGSAN = "/srv/nongsan/venv/bin/nongsan"
INSTANCE_PATH = "/var/lib/nongsan"
UNITS = ("nongsan-web@.service", "nongsan-worker.service", "nongsan-migrate.service")
HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "CapabilityBoundingSet": "",
}


def test_the_units_are_the_web_template_the_worker_and_the_migrations():
    assert sorted(p.name for p in SYSTEMD_DIR.glob("*.service")) == sorted(UNITS)


@pytest.mark.parametrize("name", UNITS)
def test_a_unit_runs_the_venvs_nongsan_as_its_own_user_with_the_env_file(name):
    unit = read_unit(SYSTEMD_DIR / name)
    assert set(unit.sections) == {"Unit", "Service", "Install"}
    assert unit.value("Unit", "Description")
    assert unit.value("Install", "WantedBy") == "multi-user.target"
    assert unit.value("Service", "ExecStart").split()[0] == VENV_NONGSAN
    assert unit.value("Service", "User") == unit.value("Service", "Group") == "nongsan"
    assert unit.values("Service", "EnvironmentFile")[0] == "/etc/nongsan/env"
    environment = " ".join(unit.values("Service", "Environment")).split()
    assert f"NONGSAN_INSTANCE_PATH={INSTANCE_PATH}" in environment


@pytest.mark.parametrize("name", UNITS)
def test_a_unit_is_hardened_and_may_write_only_the_instance_folder(name):
    unit = read_unit(SYSTEMD_DIR / name)
    for key, value in HARDENING.items():
        assert unit.value("Service", key) == value, key
    assert unit.values("Service", "ReadWritePaths") == [INSTANCE_PATH]
    assert unit.value("Service", "StateDirectory") == Path(INSTANCE_PATH).name


@pytest.mark.parametrize("name", ["nongsan-web@.service", "nongsan-worker.service"])
def test_long_running_units_restart_on_failure_after_the_migrations(name):
    unit = read_unit(SYSTEMD_DIR / name)
    assert unit.value("Service", "Restart") == "on-failure"
    assert "nongsan-migrate.service" in unit.values("Unit", "Requires")
    assert "nongsan-migrate.service" in " ".join(unit.values("Unit", "After")).split()


def test_each_web_instance_listens_on_its_instance_port_behind_nginx():
    unit = read_unit(SYSTEMD_DIR / "nongsan-web@.service")
    words = unit.value("Service", "ExecStart").split()
    assert words[1:3] == ["run", "--no-worker"]
    assert words[words.index("--port") + 1] == "%i"
    assert words[words.index("--host") + 1] == "127.0.0.1"
    # gunicorn reports readiness itself.
    assert unit.value("Service", "Type") == "notify"


def test_the_migrations_run_once_from_the_release_source():
    unit = read_unit(SYSTEMD_DIR / "nongsan-migrate.service")
    assert unit.value("Service", "Type") == "oneshot"
    words = unit.value("Service", "ExecStart").split()
    assert words[1:3] == ["db", "upgrade"]
    assert words[words.index("--directory") + 1].endswith("/migrations")


def test_systemd_accepts_the_units(tmp_path):
    """systemd-analyze verify, in a throw-away root holding the system's own units, ours and
    an executable at the venv's path: any warning (an unknown key, a bad value) fails."""
    analyze = shutil.which("systemd-analyze")
    system_units = Path("/usr/lib/systemd/system")
    if not analyze or not (system_units / "multi-user.target").exists():
        pytest.skip("systemd-analyze and the system's units are not installed")
    shutil.copytree(system_units, tmp_path / "usr/lib/systemd/system", symlinks=True)
    (tmp_path / "lib").symlink_to("usr/lib")
    units = tmp_path / "etc/systemd/system"
    units.mkdir(parents=True)
    for name in UNITS:
        shutil.copy(SYSTEMD_DIR / name, units / name)
    executable = tmp_path / VENV_NONGSAN.lstrip("/")
    executable.parent.mkdir(parents=True)
    executable.write_text("#!/bin/sh\n")
    executable.chmod(0o755)
    instances = [name.replace("@.", "@8001.") for name in UNITS]
    result = subprocess.run(
        [analyze, "verify", "--man=no", f"--root={tmp_path}", *instances],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stderr) == (0, "")
