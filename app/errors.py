"""Domain exceptions that services raise, and the error pages users see."""

from __future__ import annotations

from typing import TypeVar

from flask import current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db
from app.storage import StorageUnavailable

T = TypeVar("T")


class DomainError(Exception):
    """A rule of the business was broken; the message is shown to the user as it is.

    Services raise it with a lazily translated message so that it reads in the user's language.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        #: The form field the message belongs to, when there is one.
        self.field = field


class PermissionDenied(DomainError):
    """The acting user may not do this; answered with 403 wherever it escapes a view."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _l("You do not have permission to do this."))


class NotFound(Exception):
    """What the caller asked for does not exist; answered with the 404 page.

    Not a DomainError: there is no rule to explain on a form, so a view that shows
    DomainError messages never swallows it, and services stay unaware of HTTP.
    """


def get_or_not_found(model: type[T], row_id: int) -> T:
    """The row with this primary key, or NotFound: the services' `get_or_404`."""
    row = db.session.get(model, row_id)
    if row is None:
        raise NotFound(f"{model.__name__} {row_id}")
    return row


# Titles and explanations of each error page, in the page's language.
ERROR_TEXTS = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Please go back and try again."),
    ),
    403: (_l("Not allowed"), _l("You do not have permission to see this page.")),
    404: (_l("Page not found"), _l("The page you are looking for does not exist or was moved.")),
    405: (_l("Not allowed"), _l("This page cannot be used that way.")),
    413: (_l("Too large"), _l("The file or form you sent is too large.")),
    429: (
        _l("Too many attempts"),
        _l("You have tried too many times. Please wait a few minutes and try again later."),
    ),
    503: (
        _l("Temporarily unavailable"),
        _l("This file cannot be reached right now. Please try again in a few minutes."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error happened on our side. It has been logged; please try again."),
    ),
}


def on_error_rendering(app, renderer) -> None:
    """`renderer(code, detail, error)` answers an error in its own format (the JSON API's
    problem details) or returns None to leave it to the HTML pages. No domain is imported."""
    app.extensions.setdefault("nongsan_error_renderers", []).append(renderer)


def _rendered_elsewhere(code: int, detail: str | None, error: BaseException | None):
    for renderer in current_app.extensions.get("nongsan_error_renderers", ()):
        response = renderer(code, detail, error)
        if response is not None:
            return response
    return None


def render_error(code: int, detail: str | None = None, error: BaseException | None = None):
    if (answer := _rendered_elsewhere(code, detail, error)) is not None:
        return answer
    title, explanation = ERROR_TEXTS.get(code, ERROR_TEXTS[500])
    return (
        render_template(
            "errors/error.html", code=code, title=title, explanation=detail or explanation
        ),
        code,
    )


def register_error_handlers(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(
            400, _l("This form has expired or was sent from elsewhere. Please reload the page.")
        )

    @app.errorhandler(PermissionDenied)
    def permission_denied(error: PermissionDenied):
        db.session.rollback()
        return render_error(403, error.message)

    @app.errorhandler(NotFound)
    def not_found(error: NotFound):
        db.session.rollback()
        return render_error(404)

    @app.errorhandler(StorageUnavailable)
    def storage_unavailable(error: StorageUnavailable):
        # The store (a bucket, a disk) failed and said so in the log: a page, not a crash.
        db.session.rollback()
        return render_error(503)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if (answer := _rendered_elsewhere(code, None, error)) is not None:
            return answer
        if code not in ERROR_TEXTS:
            return error
        return render_error(code)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(500)
