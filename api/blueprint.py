"""The blueprints of /api/v1: flask-smorest's, with the API's own error handling."""

from __future__ import annotations

from flask_smorest import Blueprint

from api.problems import domain_error
from app.errors import DomainError


def api_blueprint(name: str, path: str, description: str) -> Blueprint:
    """A blueprint under /api/v1/<path>; its tag in the document is `name`."""
    blp = Blueprint(name, __name__, url_prefix=f"/api/v1{path}", description=description)
    # PermissionDenied, NotFound and HTTP errors reach app.errors, which asks api.problems.
    blp.register_error_handler(DomainError, domain_error)
    return blp
