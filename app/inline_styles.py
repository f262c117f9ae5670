"""The stylesheet inlined in a `<style>` on the pages a consumer reaches from a label.

A phone that scans a box on a weak signal then paints the trace page after one round trip
(the HTML), not two (the HTML, then site.css). The Content-Security-Policy allows exactly
that text by its SHA-256 (`style-src 'sha256-…'`), never `'unsafe-inline'`; a hash, not a
nonce, because these pages are kept by the page cache, nginx and browsers, where a nonce
would be frozen.

The text is read, lightly minified and hashed once per process, and again when the file's
size or modification time changes (as StaticHashes does), so an edited stylesheet never
goes out with a hash the header does not carry. Every response's policy carries the hash, so
a stylesheet that cannot be read or inlined stops the application at start-up; later (a
deploy swapping files) the last good text is kept and the failure logged, rather than every
response failing. The hash of the text a page actually inlined also goes into that page's
own policy (`g`), so an edit between rendering and the header cannot make them differ.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re

from flask import Flask, current_app, g
from markupsafe import Markup

log = logging.getLogger(__name__)

#: The stylesheets a page may inline; the policy allows each one's current text.
INLINED_STYLESHEETS = ("css/site.css",)

_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_SPACE = re.compile(r"\s+")
# Spaces around these never matter in our CSS (none sits inside a selector's meaning:
# a space BEFORE ":" would, so only the one after it goes).
_AROUND_PUNCTUATION = re.compile(r"\s*([{};,])\s*")
_AFTER_COLON = re.compile(r":\s+")
# On a label page a relative url() would resolve against /T/…, not /static/css/.
_RELATIVE_URL = re.compile(r"url\(\s*(?!['\"]?(?:data:|/))", re.IGNORECASE)


def minify_css(css: str) -> str:
    """Comments and spacing out; rules, selectors and quoted names untouched."""
    css = _SPACE.sub(" ", _COMMENT.sub("", css))
    css = _AFTER_COLON.sub(":", _AROUND_PUNCTUATION.sub(r"\1", css))
    return css.replace(";}", "}").strip()


def csp_hash(text: str) -> str:
    """The CSP source that allows exactly this `<style>` text."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


class InlineStyles:
    """Each inlined stylesheet's minified text and CSP hash, kept per process."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._known: dict[str, tuple[tuple[int, int], str, str]] = {}

    def _current(self, filename: str) -> tuple[str, str]:
        known = self._known.get(filename)
        try:
            stat = os.stat(os.path.join(self.folder, filename))
            signature = (stat.st_mtime_ns, stat.st_size)
            if known is None or known[0] != signature:
                known = (signature, *self._read(filename))
                self._known[filename] = known
        except (OSError, ValueError):
            if known is None:  # at start-up: a broken stylesheet stops the app, not a scan
                raise
            log.exception("%s cannot be inlined now: the last good text is kept", filename)
        return known[1], known[2]

    def _read(self, filename: str) -> tuple[str, str]:
        with open(os.path.join(self.folder, filename), encoding="utf-8") as file:
            text = minify_css(file.read())
        if "</" in text:  # would end the <style> element early
            raise ValueError(f"{filename} cannot be inlined: it contains '</'")
        if _RELATIVE_URL.search(text):
            raise ValueError(f"{filename} cannot be inlined: it has a relative url()")
        return text, csp_hash(text)

    def text_and_source(self, filename: str) -> tuple[str, str]:
        """The text to inline and the CSP source that allows it, read together."""
        return self._current(filename)

    def csp_sources(self) -> str:
        """The hashes of every inlinable stylesheet, for `style-src`."""
        return " ".join(self._current(name)[1] for name in INLINED_STYLESHEETS)

    def digest(self) -> str:
        """Changes whenever an inlined text does: part of the page cache's keys, so a cached
        page never carries a stylesheet whose hash the policy no longer allows."""
        return hashlib.sha256(self.csp_sources().encode("ascii")).hexdigest()[:12]


def inline_styles(app: Flask | None = None) -> InlineStyles:
    return (app or current_app).extensions["inline_styles"]


def inline_stylesheet(filename: str = INLINED_STYLESHEETS[0]) -> Markup:
    """`<style>` with the stylesheet's text, for a template's `stylesheet` block."""
    if filename not in INLINED_STYLESHEETS:
        raise ValueError(f"{filename} is not in INLINED_STYLESHEETS: the policy would block it")
    text, source = inline_styles().text_and_source(filename)
    g.inlined_style_sources = {*g.get("inlined_style_sources", ()), source}
    return Markup("<style>") + Markup(text) + Markup("</style>")


def init_inline_styles(app: Flask) -> None:
    styles = InlineStyles(app.static_folder)
    styles.csp_sources()  # read and hash at start-up: a broken file fails here, not on a scan
    app.extensions["inline_styles"] = styles
    app.add_template_global(inline_stylesheet)
