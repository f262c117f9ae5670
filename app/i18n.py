"""Language choice and the formats users read: Vietnamese first, English second."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, has_request_context, request
from flask_babel import format_currency, format_datetime, format_decimal, get_locale
from flask_login import current_user

from app.auth.identifiers import display_phone
from app.auth.roles import ROLE_LABELS
from app.clock import VIETNAM

LANGUAGE_COOKIE = "lang"
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


def supported_languages() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def is_supported_language(code: str | None) -> bool:
    return code in supported_languages()


def select_locale() -> str:
    """The signed-in user's choice, then the cookie, then Accept-Language, then Vietnamese."""
    if not has_request_context():  # CLI commands and background work
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    api_prefix = current_app.config.get("API_PREFIX")
    if api_prefix and request.path.startswith(api_prefix + "/"):
        # A program chooses by Accept-Language alone: a browser's log-in is not its own.
        return request.accept_languages.best_match(supported_languages()) or "vi"
    if current_user and current_user.is_authenticated:
        if is_supported_language(current_user.preferred_language):
            return current_user.preferred_language
    languages = supported_languages()
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in languages:
        return cookie
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def format_vnd(amount_vnd: int | None) -> str:
    """Integer đồng as the user's locale writes them: "125.000 ₫" in Vietnamese."""
    if amount_vnd is None:
        return ""
    return format_currency(amount_vnd, "VND")


#: Numeric patterns that read the same in every language: strftime is six times cheaper
#: than Babel, which matters on pages that list many dated entries (a batch's diary).
_NUMERIC_PATTERNS = {
    "dd/MM/yyyy": "%d/%m/%Y",
    "dd/MM/yyyy HH:mm": "%d/%m/%Y %H:%M",
    "HH:mm dd/MM/yyyy": "%H:%M %d/%m/%Y",
}


def format_local_datetime(value: datetime | None, format: str = "short") -> str:
    """A UTC timestamp shown in Asia/Ho_Chi_Minh (BABEL_DEFAULT_TIMEZONE)."""
    if value is None:
        return ""
    numeric = _NUMERIC_PATTERNS.get(format)
    if numeric and value.tzinfo is not None:
        return value.astimezone(VIETNAM).strftime(numeric)
    return format_datetime(value, format)


def format_amount(value) -> str:
    """A quantity (hectares, kilograms) as the user's locale writes decimals: 1,5 in
    Vietnamese, 1.5 in English; at most two decimals, none when whole."""
    return "" if value is None else format_decimal(value, format="#,##0.##")


def current_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def register_template_helpers(app) -> None:
    app.jinja_env.filters["vnd"] = format_vnd
    app.jinja_env.filters["local_datetime"] = format_local_datetime
    app.jinja_env.filters["hectares"] = format_amount
    # An amount of đồng put back in a text box, grouped as app.form_fields.VndField shows it.
    app.jinja_env.filters["vnd_input"] = format_amount
    app.jinja_env.filters["number"] = format_decimal
    app.jinja_env.filters["phone"] = display_phone
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    app.jinja_env.globals["ROLE_LABELS"] = ROLE_LABELS
