"""The blueprints of /api/v1: flask-smorest's, with the API's own error handling and limits."""

from __future__ import annotations

import marshmallow as ma
from flask import request
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser

from api.auth import CREDENTIAL_KEY
from api.problems import domain_error
from api.rate_limits import limit_every_operation
from app.auth.api_tokens import record_use
from app.errors import DomainError
from app.extensions import db


class StrictQueryParser(FlaskParser):
    """A query parameter the operation does not take is refused (422 naming it), as the
    document says (additionalProperties: false): a misspelt filter is never silently ignored."""

    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": ma.RAISE,
        "querystring": ma.RAISE,
    }


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = StrictQueryParser()


def api_blueprint(name: str, path: str, description: str) -> Blueprint:
    """A blueprint under /api/v1/<path>; its tag in the document is `name`."""
    blp = ApiBlueprint(name, __name__, url_prefix=f"/api/v1{path}", description=description)
    # PermissionDenied, NotFound and HTTP errors reach app.errors, which asks api.problems.
    blp.register_error_handler(DomainError, domain_error)
    limit_every_operation(blp)
    blp.after_request(_keep_last_use)
    return blp


def _keep_last_use(response):
    """A call that succeeded notes its token's last use (shown on the token pages) and
    commits it: a read has nothing else to commit, a write has committed already. A refused
    call keeps nothing."""
    credential = request.environ.get(CREDENTIAL_KEY)
    if credential is not None and response.status_code < 400 and record_use(credential):
        db.session.commit()
    return response
