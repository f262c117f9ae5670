"""Errors as RFC 9457 problem details (`application/problem+json`), in the caller's language.

Every refusal the API gives goes through `problem()`: the services' DomainError (422, with
the field it belongs to), PermissionDenied (403), NotFound (404), request validation (422,
one message per field), a missing or bad token (401), a missing scope (403), rate limits
(429) and whatever else Werkzeug raises. An unexpected exception is logged and answered 500
with no detail, so nothing of the server leaks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from flask import Flask, current_app, json, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from api.messages import in_callers_language
from app.errors import ERROR_TEXTS, DomainError, PermissionDenied, on_error_rendering
from app.extensions import db

PROBLEM_TYPE = "application/problem+json"
#: Titles for statuses app.errors has no words for.
_TITLES = {
    401: _l("Authentication required"),
    409: _l("Conflict"),
    415: _l("Unsupported media type"),
    422: _l("The request has invalid values"),
}


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem; `errors` names the fields that were refused and why."""

    type = ma.fields.String(metadata={"description": "A URI for the kind of problem"})
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String()
    instance = ma.fields.String()
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        metadata={"description": "Field name (or location.field) -> messages"},
    )


def title_of(status: int) -> str:
    if status in _TITLES:
        return str(_TITLES[status])
    return str(ERROR_TEXTS.get(status, ERROR_TEXTS[500])[0])


def problem(
    status: int,
    detail: str | None = None,
    *,
    errors: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
):
    """A problem-details response; `type` is about:blank, as RFC 9457 advises when the status
    says it all."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title_of(status),
        "status": status,
        "instance": request.path,
    }
    if detail:
        body["detail"] = str(detail)
    if errors:
        body["errors"] = _translated(errors)
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_TYPE
    )
    response.headers["Content-Language"] = _language()
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _language() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "vi")


def _translated(errors: Mapping[str, Any]) -> dict[str, Any]:
    """marshmallow's messages through the catalogue, so a Vietnamese caller reads Vietnamese."""
    out: dict[str, Any] = {}
    for key, value in errors.items():
        if isinstance(value, Mapping):
            out[str(key)] = _translated(value)
        elif isinstance(value, list | tuple):
            out[str(key)] = [in_callers_language(v) if isinstance(v, str) else v for v in value]
        else:
            out[str(key)] = in_callers_language(str(value))
    return out


def _validation_errors(error: HTTPException) -> dict[str, Any] | None:
    """webargs puts {location: {field: [messages]}} on the exception; flatten the location
    away when there is only one, which is nearly always."""
    messages = getattr(error, "data", {}).get("messages") if hasattr(error, "data") else None
    if not messages:
        return None
    if len(messages) == 1:
        ((where, fields),) = messages.items()
        # A body that is no JSON at all has messages for the location, not per field.
        return dict(fields) if isinstance(fields, Mapping) else {str(where): list(fields)}
    return {str(where): fields for where, fields in messages.items()}


def is_api_request() -> bool:
    return request.path.startswith(current_app.config["API_PREFIX"] + "/")


def _render(status: int, detail: str | None, error: BaseException | None):
    """app.errors' renderer: problems on /api/ paths, the HTML pages elsewhere."""
    if not is_api_request():
        return None
    headers = None
    errors = None
    if isinstance(error, HTTPException):
        errors = _validation_errors(error)
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        headers.update(getattr(error, "data", {}).get("headers") or {})
        # flask_smorest.abort(status, message=...) carries our own, translated, detail.
        detail = detail or getattr(error, "data", {}).get("message")
    return problem(status, detail, errors=errors, headers=headers)


def domain_error(error: DomainError):
    """A business rule refused the request: 422, with the field it belongs to."""
    db.session.rollback()
    # PermissionDenied is a DomainError, and Flask tries a blueprint's handlers before the
    # application's: without this it would be a 422.
    if isinstance(error, PermissionDenied):
        return problem(403, str(error.message))
    errors = {error.field: [str(error.message)]} if error.field else None
    return problem(422, str(error.message), errors=errors)


def register_problem_handlers(app: Flask) -> None:
    """Errors on /api/ paths become problems, 404 and 405 from routing included (app.errors
    asks its renderers first); DomainError is handled per blueprint (api.blueprint)."""
    on_error_rendering(app, _render)
