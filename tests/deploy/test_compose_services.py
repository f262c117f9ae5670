"""compose.yaml's services: start order, what is reachable from outside, Redis's password and
the bucket set-up script."""

from __future__ import annotations

import re
import shutil
import subprocess

from tests.deploy.files import (
    ENV_EXAMPLE,
    app_image_services,
    environment_of,
    load_compose,
    read_env_file,
    render_compose,
)

DATA_SERVICES = ("db", "redis", "minio", "minio-init")


def _rendered() -> dict:
    settings = {name: value or "0123abcd" for name, value in read_env_file(ENV_EXAMPLE).items()}
    rendered, unset = render_compose(settings)
    assert unset == []
    return rendered


def test_only_nginx_publishes_a_port_and_the_data_services_are_internal():
    compose = load_compose()
    published = {name for name, service in compose["services"].items() if service.get("ports")}
    assert published == {"nginx"}
    assert compose["networks"]["backend"]["internal"] is True
    for name in DATA_SERVICES:
        assert compose["services"][name]["networks"] == ["backend"], name


def test_the_app_waits_for_healthy_services_the_bucket_and_the_migrations():
    compose = load_compose()
    for name, service in app_image_services(compose).items():
        depends_on = service["depends_on"]
        assert depends_on["db"]["condition"] == "service_healthy", name
        if name == "migrate":
            continue
        assert depends_on["redis"]["condition"] == "service_healthy", name
        assert depends_on["minio-init"]["condition"] == "service_completed_successfully"
        assert depends_on["migrate"]["condition"] == "service_completed_successfully"
    for name in ("db", "redis", "minio"):
        assert compose["services"][name]["healthcheck"]["test"], name


def test_the_one_off_services_do_not_restart():
    services = load_compose()["services"]
    assert services["migrate"]["restart"] == "no"
    assert "restart" not in services["minio-init"]


def test_redis_requires_the_password_the_app_connects_with():
    rendered = _rendered()
    services = rendered["services"]
    command = services["redis"]["command"]
    password = command[command.index("--requirepass") + 1]
    assert password
    assert environment_of(services["redis"])["REDISCLI_AUTH"] == password
    for service in app_image_services(rendered).values():
        assert environment_of(service)["REDIS_URL"].startswith(f"redis://:{password}@redis:")


def test_the_bucket_script_is_valid_shell_using_only_its_own_variables():
    """Compose replaces $NAME itself: the script's own variables must be written $$NAME."""
    service = _rendered()["services"]["minio-init"]
    script = service["command"][0]
    if shutil.which("sh"):
        subprocess.run(["sh", "-n", "-c", script], check=True, timeout=10)
    used = set(re.findall(r"\$\{?([A-Z_][A-Z0-9_]*)", script))
    given = set(environment_of(service)) - {"MC_HOST_store"}
    assert used == given
    assert 'mc mb --ignore-existing "store/$BUCKET"' in script


def test_the_app_image_is_built_once_and_never_pulled_from_a_registry():
    services = app_image_services(load_compose())
    assert [name for name, service in services.items() if "build" in service] == ["migrate"]
    for name, service in services.items():
        if "build" not in service:
            assert service["pull_policy"] == "never", name
