"""The Dockerfile, read statically (no Docker here): stages, user, build order, the commands it
and compose.yaml run, and the paths the image and compose.yaml must agree on."""

from __future__ import annotations

import fnmatch
import re

import pytest
from click.testing import CliRunner

from app.cli import cli
from app.pdf import BOLD, REGULAR
from tests.deploy.files import (
    ROOT,
    SYSTEMD_DIR,
    app_image_services,
    dockerfile_args,
    dockerfile_instructions,
    dockerfile_stages,
    dockerignore_patterns,
    load_compose,
    read_unit,
)


def _only(stage: str, keyword: str):
    found = [i for i in dockerfile_stages()[stage] if i.keyword == keyword]
    assert len(found) == 1, f"{stage} has {len(found)} {keyword}"
    return found[0]


def _base_image(stage: str) -> str:
    words = dockerfile_stages()[stage][0].arguments.split()
    name = words[0]
    variable = re.fullmatch(r"\$\{?(\w+)\}?", name)
    return dockerfile_args()[variable[1]] if variable else name


def test_the_python_stages_use_debian_slim_python_311():
    for stage in ("build", "runtime"):
        assert re.fullmatch(r"python:3\.11-slim-(bookworm|trixie)", _base_image(stage))
    assert _base_image("nginx").startswith("nginx:")


def test_the_runtime_stage_is_the_default_target_and_runs_unprivileged():
    instructions = dockerfile_instructions()
    last_from = [i for i in instructions if i.keyword == "FROM"][-1]
    assert last_from.stage == "runtime"
    assert _only("runtime", "USER").arguments not in {"root", "0"}


def test_translations_are_compiled_before_the_wheel_is_built():
    build_steps = " ".join(i.arguments for i in dockerfile_stages()["build"] if i.keyword == "RUN")
    compile_at = build_steps.find("pybabel compile -d app/translations")
    wheel_at = build_steps.find("pip wheel")
    assert 0 <= compile_at < wheel_at


def test_pdf_fonts_ship_inside_the_package():
    """No font package in the image: the PDFs embed the DejaVu files from app/fonts."""
    for font in (REGULAR, BOLD):
        assert (ROOT / "app" / "fonts" / f"{font}.ttf").is_file()
    assert "fonts/*" in (ROOT / "setup.cfg").read_text(encoding="utf-8")


def test_the_healthcheck_asks_healthz_on_the_port_gunicorn_binds():
    healthcheck = _only("runtime", "HEALTHCHECK").arguments
    command = _only("runtime", "CMD").exec_form()
    port = command[command.index("--port") + 1]
    assert f"http://127.0.0.1:{port}/healthz" in healthcheck
    assert _only("runtime", "EXPOSE").arguments == port


def _commands() -> list[tuple[str, list[str]]]:
    """Every `nongsan …` command the image, compose.yaml and the systemd units run."""
    commands = [("Dockerfile CMD", _only("runtime", "CMD").exec_form())]
    for name, service in app_image_services(load_compose()).items():
        if "command" in service:
            commands.append((f"compose {name}", service["command"]))
    for path in sorted(SYSTEMD_DIR.glob("*.service")):
        words = read_unit(path).value("Service", "ExecStart").replace("%i", "8001").split()
        commands.append((path.name, ["nongsan", *words[1:]]))
    return commands


@pytest.mark.parametrize("where,command", _commands(), ids=lambda value: str(value))
def test_each_command_is_a_nongsan_subcommand_with_valid_options(where, command):
    assert command[0] == "nongsan", where
    result = CliRunner().invoke(cli, [*command[1:], "--help"], prog_name="nongsan")
    assert result.exit_code == 0, result.output
    subcommand = " ".join(word for word in command[1:3] if not word.startswith("-"))
    assert result.output.startswith(f"Usage: nongsan {subcommand} "), result.output


def test_the_dockerfile_runs_gunicorn_without_the_in_process_worker():
    command = _only("runtime", "CMD").exec_form()
    assert command[:3] == ["nongsan", "run", "--no-worker"]
    assert command[command.index("--host") + 1] == "0.0.0.0"


def test_the_migrate_service_reads_the_migrations_where_the_image_puts_them():
    copies = [i.exec_form() for i in dockerfile_stages()["runtime"] if i.keyword == "COPY"]
    destination = next(words[-1] for words in copies if words[:-1] == ["migrations"])
    command = load_compose()["services"]["migrate"]["command"]
    assert command[command.index("--directory") + 1] == destination
    assert (ROOT / "migrations" / "env.py").is_file()


def test_the_nginx_image_serves_the_static_files_where_compose_points_nginx():
    copies = [i.exec_form() for i in dockerfile_stages()["nginx"] if i.keyword == "COPY"]
    static = [words for words in copies if words[-2:-1] == ["/src/app/static"]]
    assert len(static) == 1
    nginx = load_compose()["services"]["nginx"]
    assert static[0][-1] == nginx["environment"]["NONGSAN_STATIC_ROOT"] + "/static"
    assert nginx["build"]["target"] == "nginx"


def _ignored(path: str) -> bool:
    ignored = False
    for pattern in dockerignore_patterns():
        negated = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        candidates = [path] + [path[:i] for i, ch in enumerate(path) if ch == "/"]
        if any(
            fnmatch.fnmatch(candidate, pattern) or fnmatch.fnmatch(candidate, f"**/{pattern}")
            for candidate in candidates
        ):
            ignored = not negated
    return ignored


@pytest.mark.parametrize(
    "path",
    [
        "setup.cfg",
        "pyproject.toml",
        "README.md",
        "app/__init__.py",
        "app/static/css/site.css",
        "app/fonts/DejaVuSans.ttf",
        "app/translations/vi/LC_MESSAGES/messages.po",
        "farms/__init__.py",
        "products/__init__.py",
        "orders/__init__.py",
        "traceability/__init__.py",
        "demo/__init__.py",
        "migrations/env.py",
    ],
)
def test_the_build_context_keeps_what_the_image_needs(path):
    assert (ROOT / path).exists()
    assert not _ignored(path)


@pytest.mark.parametrize("path", [".env", ".git/config", ".venv/bin/python", "instance/x"])
def test_the_build_context_leaves_out_secrets_and_local_state(path):
    assert _ignored(path)
