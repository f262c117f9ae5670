"""HTTP headers that keep pages to this site's own resources."""

from __future__ import annotations

from flask import Flask, Response, abort, request

# Every style, script and image is served from static/; nothing loads from a CDN.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)

#: Sent with every answer (a view may set its own Content-Security-Policy first).
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
)


def _has_nul(values) -> bool:
    return any("\x00" in value for value in values)


def register_security_headers(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters():
        # No page takes a NUL character, and PostgreSQL refuses them in text: an address or
        # a form holding one is a bad request, not a server error.
        if "\x00" in request.path:
            abort(404)
        if _has_nul(request.args.values()) or (
            request.method == "POST" and _has_nul(request.form.values())
        ):
            abort(400)

    @app.after_request
    def add_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS:
            response.headers.setdefault(name, value)
        # A visitor's language comes from Accept-Language: a shared cache in front must not
        # hand a Vietnamese page to an English browser.
        response.vary.add("Accept-Language")
        return response
