"""compose.yaml's nginx: it renders the stack's template (deploy/nginx/nongsan.conf.template)
through the official image's envsubst templates folder, with every placeholder set."""

from __future__ import annotations

import re
import string
from pathlib import PurePosixPath

from tests.deploy.files import (
    ROOT,
    app_image_services,
    dockerfile_stages,
    environment_of,
    load_compose,
)

TEMPLATES_DIR = PurePosixPath("/etc/nginx/templates")
PLACEHOLDER = re.compile(r"\$\{(NONGSAN_[A-Z0-9_]+)\}")


def _nginx() -> dict:
    return load_compose()["services"]["nginx"]


def _template_mount() -> tuple[str, PurePosixPath]:
    mounts = [volume.split(":") for volume in _nginx()["volumes"]]
    templates = [
        (source, PurePosixPath(target))
        for source, target, *_ in mounts
        if PurePosixPath(target).parent == TEMPLATES_DIR
    ]
    assert len(templates) == 1
    return templates[0]


def _template_text() -> str:
    source, _ = _template_mount()
    return (ROOT / source).read_text(encoding="utf-8")


def test_compose_mounts_the_template_into_the_images_templates_folder():
    source, target = _template_mount()
    assert source == "./deploy/nginx/nongsan.conf.template"
    assert (ROOT / source).is_file()
    assert target.name == "nongsan.conf.template"


def test_every_placeholder_of_the_template_is_set_and_nothing_else():
    placeholders = set(PLACEHOLDER.findall(_template_text()))
    environment = environment_of(_nginx())
    assert placeholders
    assert {name for name in environment if name.startswith("NONGSAN_")} == placeholders
    assert all(environment[name] for name in placeholders)


def test_envsubst_replaces_only_the_placeholders():
    """The image passes envsubst only the names its filter matches: nginx's own variables
    ($host, $remote_addr…) must not be among them."""
    environment = environment_of(_nginx())
    pattern = re.compile(environment["NGINX_ENVSUBST_FILTER"])
    placeholders = set(PLACEHOLDER.findall(_template_text()))
    assert all(pattern.search(name) for name in placeholders)
    nginx_variables = set(re.findall(r"\$([a-z_][a-z0-9_]*)", _template_text()))
    assert nginx_variables and not any(pattern.search(name) for name in nginx_variables)
    rendered = string.Template(_template_text()).safe_substitute(environment)
    assert "${NONGSAN_" not in rendered
    assert all(f"${name}" in rendered for name in nginx_variables)


def test_nginx_balances_every_web_instance_on_the_port_it_binds():
    compose = load_compose()
    web = [name for name, s in app_image_services(compose).items() if "command" not in s]
    assert len(web) >= 2
    upstream = environment_of(_nginx())["NONGSAN_UPSTREAM_SERVERS"]
    servers = re.findall(r"server\s+([\w.-]+):(\d+);", upstream)
    command = next(i for i in dockerfile_stages()["runtime"] if i.keyword == "CMD").exec_form()
    port = command[command.index("--port") + 1]
    assert sorted(servers) == sorted((name, port) for name in web)
    depends_on = _nginx()["depends_on"]
    assert all(depends_on[name]["condition"] == "service_healthy" for name in web)


def test_the_cache_folder_is_one_nginx_may_write():
    assert environment_of(_nginx())["NONGSAN_CACHE_PATH"].startswith("/var/cache/nginx/")
