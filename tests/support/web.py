"""A test client that fills in the CSRF token the way a browser's form would."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

_CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class FormClient(FlaskClient):
    """post_form() first reads a CSRF token from a page, as a person's browser has one.

    Each request runs in an application context of its own, as in production: the test's
    own context (kept open for its database transaction) would otherwise be reused, and
    `g` (the logged-in user, the chosen locale) would leak from one request to the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def csrf_token(self, page: str | None = None) -> str:
        # A signed-in user's pages carry one in the language form; a visitor's the log-in form.
        for candidate in [page] if page else ["/", "/login"]:
            match = _CSRF_FIELD.search(self.get(candidate).get_data(as_text=True))
            if match:
                return match.group(1)
        raise AssertionError(f"no CSRF token on {page or '/ or /login'}")

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        fields = dict(data or {})
        fields.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=fields, **kwargs)


def page_text(response) -> str:
    """The visible text of an HTML response, whitespace folded, for readable assertions."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    import html as html_module

    return " ".join(html_module.unescape(text).split())


_HIDDEN_INPUT = re.compile(r'<input type="hidden" name="((?:price|total)-\d+)" value="(\d+)">')


def review_fields(response) -> dict[str, str]:
    """The checkout review's hidden fields (each price and each farm's total as shown), which
    a browser sends back with "Place the order"."""
    return dict(_HIDDEN_INPUT.findall(response.get_data(as_text=True)))
