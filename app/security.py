"""HTTP headers that keep pages to this site's own resources."""

from __future__ import annotations

from flask import Flask, Response, abort, g, request
from flask_login import current_user

from app.inline_styles import inline_styles

# Every style, script and image is served from static/; nothing loads from a CDN. The one
# inline style allowed is the stylesheet the label pages inline, by its hash (app/inline_styles.py).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' {inline_styles}; "
    "script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "object-src 'none'"
)

#: Added in production, where the site is served over https only (behind the TLS proxy).
STRICT_TRANSPORT_SECURITY = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
#: No page uses the camera, microphone, location or payment APIs, or any other device feature.
PERMISSIONS_POLICY = (
    "Permissions-Policy",
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "accelerometer=(), gyroscope=(), magnetometer=()",
)
#: Sent with every answer, after the Content-Security-Policy (a view may set its own first).
SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
    PERMISSIONS_POLICY,
)


#: Pages under these addresses belong to one person (account, shop, cart, orders, operators).
PRIVATE_PREFIXES = (
    "/dashboard",
    "/admin",
    "/profile",
    "/orders",
    "/checkout",
    "/cart",
    "/password",
)


def security_headers(config) -> tuple[tuple[str, str], ...]:
    """Every answer's security headers; HSTS only in production (NONGSAN_ENV=production)."""
    if config.get("NONGSAN_ENV") == "production":
        return (*SECURITY_HEADERS, STRICT_TRANSPORT_SECURITY)
    return SECURITY_HEADERS


def content_security_policy() -> str:
    """The policy, with the current hash of each stylesheet a page may inline, and of the
    text this page inlined if the file changed while it was rendered."""
    sources = inline_styles().csp_sources().split()
    sources += sorted(set(g.get("inlined_style_sources", ())) - set(sources))
    return CONTENT_SECURITY_POLICY.format(inline_styles=" ".join(sources))


def _is_private_page() -> bool:
    """A page that shows one person's data: no browser or proxy may keep a copy."""
    if request.endpoint == "static":
        return False  # and reading the session would add "Vary: Cookie" to static files
    return request.path.startswith(PRIVATE_PREFIXES) or current_user.is_authenticated


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
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        for name, value in security_headers(app.config):
            response.headers.setdefault(name, value)
        if "Cache-Control" not in response.headers and _is_private_page():
            response.headers["Cache-Control"] = "no-store"
        # A visitor's language comes from Accept-Language: a shared cache in front must not
        # hand a Vietnamese page to an English browser. A static file is the same in every
        # language: one cached copy, not one per language.
        if request.endpoint != "static":
            response.vary.add("Accept-Language")
        return response
