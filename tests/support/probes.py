"""Routes that exist only in the test application, to reach error and permission paths
that no real page triggers on purpose."""

from flask import Blueprint, abort

from app.auth.roles import Role, role_required

probes = Blueprint("probes", __name__, url_prefix="/_probe")


@probes.get("/boom")
def boom():
    raise RuntimeError("a bug in a view")


@probes.get("/abort/<int:code>")
def abort_with(code: int):
    abort(code)


@probes.get("/operators-only")
@role_required(Role.OPERATOR)
def operators_only():
    return "ok"
