"""Small helpers every blueprint's views share: safe redirects and showing service errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.routing import IntegerConverter, ValidationError

from app.errors import DomainError, PermissionDenied
from app.extensions import db
from app.validation import MAX_ID

#: Status of a page that shows a form again with its errors: the input was not accepted.
UNPROCESSABLE = 422


class IdConverter(IntegerConverter):
    """`<int:…>` in every route (registered in place of Werkzeug's): a row id, 1 to MAX_ID.

    Werkzeug's own reads any length and any script's digits ("١"); a number past the
    database's integer overflows it (PostgreSQL) or the driver (SQLite) instead of a 404.
    """

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits: int = 0, min: int = 1, max: int = MAX_ID, **kwargs):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, **kwargs)

    def to_python(self, value: str):
        if len(value) > len(str(self.max)):  # int() refuses past 4300 digits
            raise ValidationError()
        return super().to_python(value)


def signed_in_user():
    """The signed-in account itself (not Flask-Login's proxy), or None for a visitor: what
    services take as the acting user."""
    return current_user._get_current_object() if current_user.is_authenticated else None


def is_safe_next(target: str | None) -> bool:
    """True for a path on this site; anything that could point elsewhere is not."""
    if not target:
        return False
    parts = urlsplit(target)
    return (
        not parts.scheme
        and not parts.netloc
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
    )


def safe_next_url(target: str | None, fallback_endpoint: str = "main.index") -> str:
    """A same-site path to go to next; anything pointing elsewhere falls back (no open redirect)."""
    return target if is_safe_next(target) else url_for(fallback_endpoint)


def back_url() -> str:
    """Where the user came from on this site, for forms that return to the page they were on."""
    return safe_next_url(request.form.get("next") or request.args.get("next"))


def show_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Put a service's message next to the field it is about, or above the form."""
    field = form._fields.get(error.field) if error.field else None
    # As text: Jinja trusts a lazily translated message as markup (its __html__), and the
    # message may repeat what someone typed (a voucher code, a product's name).
    message = str(error.message)
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)


@dataclass(frozen=True)
class Outcome:
    """What submit() did: true when committed, with the service's return value."""

    ok: bool
    value: Any = None

    def __bool__(self) -> bool:
        return self.ok


def submit(form: FlaskForm, action: Callable[[], Any]) -> Outcome:
    """Validate the form and run one service call in the request's transaction.

    Committed when both accept; otherwise the message is shown on the form and nothing
    changes. PermissionDenied is not a form message: it still becomes a 403.
    """
    if not form.validate_on_submit():
        return Outcome(False)
    try:
        value = action()
    except PermissionDenied:
        raise
    except DomainError as error:
        db.session.rollback()
        show_domain_error(form, error)
        return Outcome(False)
    db.session.commit()
    return Outcome(True, value)


def form_status(form: FlaskForm) -> int:
    """200 for a fresh form, 422 for one sent back with errors."""
    return UNPROCESSABLE if form.is_submitted() else 200


def uploaded_bytes(form_field) -> bytes | None:
    """The bytes of an uploaded file, or None when nothing was chosen."""
    storage = form_field.data
    if storage is None or not getattr(storage, "filename", ""):
        return None
    return storage.read()
