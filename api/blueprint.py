"""The blueprints of /api/v1: flask-smorest's, with the API's own error handling."""

from __future__ import annotations

from flask_smorest import Blueprint

from api.problems import domain_error, problem
from app.errors import DomainError, PermissionDenied
from app.extensions import db


def api_blueprint(name: str, path: str, description: str) -> Blueprint:
    """A blueprint under /api/v1/<path>; its tag in the document is `name`."""
    blp = Blueprint(name, __name__, url_prefix=f"/api/v1{path}", description=description)
    # PermissionDenied, NotFound and HTTP errors reach app.errors, which asks api.problems.
    blp.register_error_handler(DomainError, domain_error)
    # PermissionDenied is a DomainError: without its own handler here, the one above (a
    # blueprint's handlers come before the application's) would answer it 422.
    blp.register_error_handler(PermissionDenied, permission_denied)
    return blp


def permission_denied(error: PermissionDenied):
    db.session.rollback()
    return problem(403, str(error.message))
