"""Small helpers every blueprint's views share: safe redirects and showing service errors."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request, url_for
from flask_wtf import FlaskForm

from app.errors import DomainError


def safe_next_url(target: str | None, fallback_endpoint: str = "main.index") -> str:
    """A same-site path to go to next; anything pointing elsewhere falls back (no open redirect)."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
        ):
            return target
    return url_for(fallback_endpoint)


def back_url() -> str:
    """Where the user came from on this site, for forms that return to the page they were on."""
    return safe_next_url(request.form.get("next") or request.args.get("next"))


def show_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Put a service's message next to the field it is about, or above the form."""
    field = form._fields.get(error.field) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


#: Status of a page that shows a form again with its errors: the input was not accepted.
UNPROCESSABLE = 422
