"""axe-core on every page of the main journeys, on a 360-px phone, in Vietnamese and English:
no violation of impact serious or critical (issue 17). One browser and the seeded demo shop
serve the whole walk; each visitor (guest, buyer, farmer, operator) logs in once per language."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from farms.models import Farm
from orders.group_buying.models import GroupOffer
from orders.models import Checkout, Order, OrderLine
from products.models import Product
from tests.e2e.conftest import PHONE
from traceability.models import Batch, Label

FAILING_IMPACTS = {"serious", "critical"}
LANGUAGES = ("vi", "en")
PASSWORD = "nongsan-demo"
BUYER = "minhanh@nongsan.demo"
OPERATOR = "admin@nongsan.demo"
#: The orange grower: no other journey signs in as him, and his batch is the recalled one.
FARMER_FARM = "vuon-cam-sang-ha-giang"
PRODUCT = "buoi-thanh-hong"
FARM = "htx-buoi-thanh-hong"
SEARCH = {"vi": "bưởi", "en": "pomelo"}


@dataclass(frozen=True)
class Place:
    """What the walk needs from the demo data: ids, serials and tokens in its addresses."""

    farm_id: int
    product_id: int
    batch_id: int
    genuine_serial: str
    recalled_serial: str
    transfer_token: str
    offer_id: int
    reviewable_line_id: int
    batch_code: str


#: (page name, who visits, address: a format string over Place and the language's query)
PAGES = [
    ("home", "guest", "/"),
    ("catalog", "guest", "/products"),
    ("search", "guest", "/products?q={query}"),
    ("product", "guest", f"/products/{PRODUCT}"),
    ("farm", "guest", f"/farms/{FARM}"),
    ("cart", "guest", "/cart"),
    ("checkout", "guest", "/checkout"),
    ("order-vietqr", "guest", "/orders/c/{place.transfer_token}"),
    ("order-lookup", "guest", "/orders/find"),
    ("group-offer", "guest", "/group/{place.offer_id}"),
    ("reviews", "guest", f"/products/{PRODUCT}/reviews"),
    ("trace", "guest", "/T/{place.genuine_serial}"),
    ("trace-recalled", "guest", "/T/{place.recalled_serial}"),
    ("trace-by-batch", "guest", f"/trace/{FARMER_FARM}/{{place.batch_code}}"),
    ("not-genuine", "guest", "/T/AXE0NOTISSUED"),
    ("figures", "guest", "/figures"),
    ("open-data", "guest", "/open-data"),
    ("login", "guest", "/login"),
    ("signup", "guest", "/signup"),
    ("my-orders", "buyer", "/orders"),
    ("profile", "buyer", "/profile"),
    ("api-tokens", "buyer", "/profile/api-tokens"),
    ("write-review", "buyer", "/orders/lines/{place.reviewable_line_id}/review"),
    ("farmer-dashboard", "farmer", "/dashboard"),
    ("farmer-farm", "farmer", "/dashboard/farms/{place.farm_id}"),
    ("farmer-inbox", "farmer", "/dashboard/orders"),
    ("farmer-orders", "farmer", "/dashboard/farms/{place.farm_id}/orders"),
    ("farmer-product", "farmer", "/dashboard/products/{place.product_id}"),
    ("farmer-new-product", "farmer", "/dashboard/farms/{place.farm_id}/products/new"),
    ("farmer-profile", "farmer", "/dashboard/farms/{place.farm_id}/profile"),
    ("farmer-delivery", "farmer", "/dashboard/farms/{place.farm_id}/delivery"),
    ("farmer-reports", "farmer", "/dashboard/farms/{place.farm_id}/reports"),
    ("farmer-stock", "farmer", "/dashboard/farms/{place.farm_id}/stock"),
    ("farmer-batches", "farmer", "/dashboard/farms/{place.farm_id}/batches"),
    ("batch", "farmer", "/dashboard/batches/{place.batch_id}"),
    ("farmer-webhooks", "farmer", "/dashboard/farms/{place.farm_id}/webhooks"),
    ("farmer-api-keys", "farmer", "/dashboard/farms/{place.farm_id}/api-keys"),
    ("operator-dashboard", "operator", "/admin/dashboard"),
    ("operator-orders", "operator", "/admin/orders"),
    ("operator-farms", "operator", "/admin/farms"),
    ("operator-payouts", "operator", "/admin/payouts"),
    ("operator-ocop", "operator", "/admin/ocop"),
    ("operator-webhooks", "operator", "/admin/webhooks"),
]
#: The not-genuine page answers 404 on purpose; every other page answers 200 (or 304).
STATUS = {"not-genuine": 404}


def _label_of(batch: Batch) -> str:
    # The last label of the sheet: the trace journey and people testing by hand take the first.
    return db.session.scalar(
        select(Label.serial).where(Label.batch_id == batch.id).order_by(Label.id.desc()).limit(1)
    )


@pytest.fixture(scope="module")
def place(live_app, demo_shop) -> Place:
    app = live_app[0]
    with app.app_context():
        farm = db.session.scalar(select(Farm).where(Farm.slug == FARMER_FARM))
        recalled = db.session.scalar(
            select(Batch).where(Batch.farm_id == farm.id, Batch.recalled_at.is_not(None))
        )
        genuine = db.session.scalar(
            select(Batch).where(Batch.recalled_at.is_(None)).order_by(Batch.id).limit(1)
        )
        awaiting_transfer = db.session.scalar(
            select(Checkout.access_token)
            .join(Order, Order.checkout_id == Checkout.id)
            .join(User, User.id == Checkout.buyer_id)
            .where(User.email == BUYER, Order.payment_method == "bank_transfer")
            .where(Order.payment_status == "unpaid")
            .order_by(Order.id)
            .limit(1)
        )
        return Place(
            farm_id=farm.id,
            product_id=db.session.scalar(select(Product.id).where(Product.farm_id == farm.id)),
            batch_id=recalled.id,
            genuine_serial=_label_of(genuine),
            recalled_serial=_label_of(recalled),
            transfer_token=awaiting_transfer,
            offer_id=db.session.scalar(select(GroupOffer.id).order_by(GroupOffer.id).limit(1)),
            batch_code=recalled.code,
            reviewable_line_id=db.session.scalar(
                select(OrderLine.id)
                .join(Order, Order.id == OrderLine.order_id)
                .join(Checkout, Checkout.id == Order.checkout_id)
                .join(User, User.id == Checkout.buyer_id)
                .where(User.email == BUYER, Order.status == "completed")
                .limit(1)
            ),
        )


def _identifiers(app) -> dict[str, tuple[int, str]]:
    """Each signed-in visitor: the account's id and what is typed to log in."""
    with app.app_context():
        farmer = db.session.scalar(select(Farm).where(Farm.slug == FARMER_FARM)).members[0].user
        people = {
            "buyer": db.session.scalar(select(User).where(User.email == BUYER)),
            "operator": db.session.scalar(select(User).where(User.email == OPERATOR)),
            "farmer": farmer,
        }
        return {who: (user.id, user.email or user.phone) for who, user in people.items()}


def _set_language(app, user_id: int, language: str) -> str:
    """A signed-in user reads the account's language (the cookie is for guests)."""
    with app.app_context():
        user = db.session.get(User, user_id)
        before = user.preferred_language
        user.preferred_language = language
        db.session.commit()
        return before


@pytest.fixture(scope="module")
def visitor(browser, live_app, demo_shop):
    """visitor(who, language) -> a tab of that visitor in that language, made once.

    Guests choose the language by its cookie and carry a pomelo in their cart; the demo
    accounts' languages are set for the walk and put back after it."""
    app = live_app[0]
    identifiers = _identifiers(app)
    contexts, tabs, languages_before = [], {}, {}

    def open_tab(who: str, language: str):
        if who != "guest":
            # Read on every request, so set before each page (not once per tab).
            user_id = identifiers[who][0]
            languages_before.setdefault(user_id, _set_language(app, user_id, language))
            _set_language(app, user_id, language)
        if (who, language) in tabs:
            return tabs[who, language]
        context = browser.new_context(viewport=PHONE, locale="vi-VN")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        # What the site's own policy refuses (an inline style, a script) shows in the console.
        page.refused_by_policy = []
        page.on(
            "console",
            lambda message, page=page: (
                "Content Security Policy" in message.text
                and page.refused_by_policy.append(message.text)
            ),
        )
        if who == "guest":
            page.goto(f"{demo_shop}/language/{language}")
            page.goto(f"{demo_shop}/products/{PRODUCT}")
            page.locator("form.add-to-cart button[type=submit]").click()
            page.wait_for_load_state("load")
        else:
            page.goto(f"{demo_shop}/login")
            page.fill("input[name=identifier]", identifiers[who][1])
            page.fill("input[name=password]", PASSWORD)
            page.locator("main button[type=submit]").click()
            page.wait_for_url(lambda url: "/login" not in url)
        tabs[who, language] = page
        return page

    yield open_tab
    for context in contexts:
        context.close()
    for user_id, language in languages_before.items():
        _set_language(app, user_id, language)


def _described(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:6])
        first = violation["nodes"][0]
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{len(violation['nodes'])} element(s): {targets}] {violation['helpUrl']}\n"
            f"  first: {first['html'][:200]}\n  {first['failureSummary']}"
        )
    return "\n".join(lines)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("name", "who", "address"), PAGES, ids=[page[0] for page in PAGES])
def test_a_page_has_no_serious_accessibility_violation(
    visitor, place, axe, demo_shop, name, who, address, language
):
    page = visitor(who, language)
    url = demo_shop + address.format(place=place, query=SEARCH[language])
    response = page.goto(url)
    # 304: the browser revalidated a page it had already seen in the other language's walk.
    expected = {STATUS.get(name, 200)} | ({304} if name not in STATUS else set())
    assert response.status in expected, f"{url} answered {response.status}"
    # The walk really reads the page in the language it names.
    assert page.evaluate("document.documentElement.lang") == language

    serious = [v for v in axe(page) if v["impact"] in FAILING_IMPACTS]

    assert not serious, f"axe on {name} ({language}, {url}):\n{_described(serious)}"
    assert page.refused_by_policy == [], f"{url}: the page's own CSP refused part of it"
