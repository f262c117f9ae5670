"""Jinja settings and filters that are not about language."""

from __future__ import annotations

from flask import Flask
from markupsafe import Markup, escape

from app.paging import link_arguments


def paragraphs(text: str | None) -> Markup:
    """Plain text typed by a farmer, shown as escaped paragraphs with its line breaks."""
    blocks = [b.strip() for b in (text or "").replace("\r\n", "\n").split("\n\n") if b.strip()]
    return Markup("").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in b.split("\n")))
        for b in blocks
    )


def register_templating(app: Flask) -> None:
    # Templates are written with block tags on their own lines; keep that out of the HTML.
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["paragraphs"] = paragraphs
    app.jinja_env.filters["link_arguments"] = link_arguments
