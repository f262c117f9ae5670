"""A label's page paints from its HTML alone, under the site's real Content-Security-Policy
(no bypass): the stylesheet inline and allowed by its hash, no request for site.css, no CSP
complaint in the console."""

from sqlalchemy import select

from app.extensions import db
from traceability.models import Batch

PAPER_BACKGROUND = "rgb(246, 248, 245)"  # --background in site.css: the styles were applied


def _batch_page(live_app) -> str:
    app, _ = live_app
    with app.app_context():
        batch = db.session.scalars(
            select(Batch).where(Batch.recalled_at.is_(None)).order_by(Batch.id)
        ).first()
        return f"/trace/{batch.farm.slug}/{batch.code}"


def test_the_trace_page_renders_styled_with_only_its_html_and_no_csp_error(
    phone, demo_shop, live_app
):
    page = phone
    console, requested = [], []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("request", lambda request: requested.append(request.url))

    for path, name in ((_batch_page(live_app), "trace"), ("/T/NOTPRINTED0001", "not-genuine")):
        console.clear()
        requested.clear()
        page.goto(demo_shop + path)
        page.wait_for_load_state("load")

        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == (
            PAPER_BACKGROUND
        ), name
        assert page.locator("link[rel=stylesheet]").count() == 0, name
        assert not [url for url in requested if url.endswith(".css") or ".css?" in url], name
        assert not [text for text in console if "Content Security Policy" in text], console
        page.screenshot_as(f"trace-first-paint-{name}")
    assert not [text for text in console if text.startswith("error") and "404" not in text]
