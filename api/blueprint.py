"""The blueprints of /api/v1: flask-smorest's, with the API's own error handling and limits."""

from __future__ import annotations

import json

import marshmallow as ma
from flask import request
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint, abort
from webargs.flaskparser import FlaskParser

from api.auth import CREDENTIAL_KEY
from api.problems import domain_error
from api.rate_limits import limit_every_operation
from app.auth.api_tokens import record_use
from app.errors import DomainError
from app.extensions import db
from app.validation import is_storable_text


class ApiParser(FlaskParser):
    """webargs' parser, stricter where a program's input can hurt:

    - a query parameter the operation does not take is refused (422 naming it), as the
      document says (additionalProperties: false): a misspelt filter is never ignored;
    - a JSON body nested deeper than the parser goes is invalid JSON (400), not a 500;
    - text no database column can keep (a NUL, a lone surrogate) is refused (422) wherever
      it is in the body or the query, before any field sees it.
    """

    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": ma.RAISE,
        "querystring": ma.RAISE,
    }

    def _raw_load_json(self, req):
        try:
            body = super()._raw_load_json(req)
        except RecursionError:
            raise json.JSONDecodeError("nested too deeply", "", 0) from None
        _refuse_unstorable_text(body, "json")
        return body

    def load_querystring(self, req, schema):
        _refuse_unstorable_text(req.args.to_dict(flat=False), "query")
        return super().load_querystring(req, schema)


def _refuse_unstorable_text(value, location: str) -> None:
    where = _unstorable_at(value)
    if where is not None:
        message = str(_l("This text holds characters that are not text."))
        abort(422, messages={location: {where or location: [message]}})


def _unstorable_at(value, path: str = "") -> str | None:
    """Where (a dotted path such as `items.1.note`) the first such text is, or None."""
    if isinstance(value, str):
        return None if is_storable_text(value) else path
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if not is_storable_text(str(key)):
                return inner
            if (found := _unstorable_at(item, inner)) is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            if (
                found := _unstorable_at(item, f"{path}.{index}" if path else str(index))
            ) is not None:
                return found
    return None


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = ApiParser()


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
