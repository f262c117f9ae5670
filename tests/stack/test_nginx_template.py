"""The nginx site template's contract with whoever renders it: `make stack` with Python's
string.Template, the compose file with the nginx image's envsubst (deploy/)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from stack import nginx
from tests.support.requirements import missing

PLACEHOLDERS = {
    "NONGSAN_LISTEN",
    "NONGSAN_UPSTREAM_SERVERS",
    "NONGSAN_STATIC_ROOT",
    "NONGSAN_CACHE_PATH",
}
VALUES = {
    "NONGSAN_LISTEN": "8080",
    "NONGSAN_UPSTREAM_SERVERS": "server app1:8000; server app2:8000;",
    "NONGSAN_STATIC_ROOT": "/srv/nongsan/public",
    "NONGSAN_CACHE_PATH": "/var/cache/nginx/nongsan",
}


def _directives(text: str) -> str:
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def test_the_template_has_exactly_the_four_placeholders():
    found = set(re.findall(r"\$\{(\w+)\}", _directives(nginx.TEMPLATE.read_text())))
    assert found == PLACEHOLDERS


def test_python_and_envsubst_render_it_alike():
    envsubst = shutil.which("envsubst")
    if envsubst is None:
        pytest.skip("envsubst (Debian: gettext-base) is not installed")
    rendered = nginx.render_site(
        VALUES["NONGSAN_LISTEN"],
        ["app1:8000", "app2:8000"],
        VALUES["NONGSAN_STATIC_ROOT"],
        VALUES["NONGSAN_CACHE_PATH"],
    )
    # As the nginx image does: only the variables that are defined are substituted.
    only = " ".join(f"${{{name}}}" for name in sorted(PLACEHOLDERS))
    result = subprocess.run(
        [envsubst, only],
        input=nginx.TEMPLATE.read_text(),
        env=VALUES,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == rendered
    assert "${" not in _directives(rendered)
    assert "$nongsan_forwarded_proto" in rendered and "$upstream_cache_status" in rendered


def test_nginx_accepts_the_configuration_the_stack_writes(tmp_path):
    program = nginx.find_nginx()
    if program is None:
        missing("nginx", "apt-get install nginx libnginx-mod-http-brotli-filter")
    (tmp_path / "public" / "static").mkdir(parents=True)
    config = nginx.write_config(
        tmp_path, 8080, ["127.0.0.1:8001", "127.0.0.1:8002"], tmp_path / "public"
    )

    result = subprocess.run(
        [*nginx.command(program, tmp_path, config), "-t"], capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
    assert (
        "server 127.0.0.1:8001; server 127.0.0.1:8002;" in (tmp_path / "nongsan.conf").read_text()
    )


def test_the_body_limit_is_the_applications(tmp_path):
    from app.config import load_config

    size = re.search(r"client_max_body_size (\d+)m;", nginx.TEMPLATE.read_text()).group(1)
    assert int(size) * 1024 * 1024 == load_config(str(tmp_path))["MAX_CONTENT_LENGTH"]
    assert f"{size} MB at most" in nginx.TEMPLATE.read_text()  # what its 413 page says
