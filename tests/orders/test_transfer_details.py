"""Paying by transfer on the phone that would scan: the details beside each VietQR code, the
saved QR image, and plain words when one checkout pays several farms."""

import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from farms.services import set_bank_account
from orders import services
from orders.views import _vietqr_payload
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, make_checkout
from tests.products.factories import make_product
from tests.support.requirements import missing
from tests.support.snapshots import database_snapshot
from tests.support.vietqr_reader import parse_payload
from tests.support.web import page_text


def _farm(name, *, bank_bin="970416", account="257678859", holder="Nguyen Van Thanh", fee=30000):
    farm = deliver_everywhere(make_farm(name=name), fee_vnd=fee)
    set_bank_account(
        farm, farm.members[0].user, bank_bin=bank_bin, account_number=account, holder_name=holder
    )
    return farm


def _variant(farm, price):
    return make_product(farm, name=f"Hàng của {farm.name}", prices=(price,)).variants[0]


def _checkout(*variants, quantity=2, payment_method="bank_transfer"):
    placed = make_checkout(list(variants), quantity, payment_method=payment_method)
    db.session.commit()
    return placed


@pytest.fixture
def lychee(app):
    return _variant(_farm("Vườn vải"), 180000)


@pytest.fixture
def pomelo(app):
    farm = _farm(
        "HTX Bưởi", bank_bin="970436", account="0011002345678", holder="HTX Buoi", fee=25000
    )
    return _variant(farm, 55000)


def _page(client, placed, **headers):
    return client.get(f"/orders/c/{placed.access_token}", headers=headers)


def _details(html: str, number: str) -> str:
    """The transfer block of one order on the page."""
    start = html.index(f'data-testid="transfer-{number}"')
    return html[start : html.index("</section>", start)]


def _value(block: str, name: str) -> str:
    match = re.search(rf'data-testid="transfer-{name}">([^<]*)</span>', block)
    assert match, f"no {name} in the transfer block"
    return match.group(1)


def _copied(block: str, name: str) -> str:
    """What the copy button beside a value puts on the clipboard."""
    match = re.search(
        rf'data-testid="transfer-{name}">[^<]*</span>\s*<button[^>]*data-copy="([^"]*)"', block
    )
    assert match, f"no copy button beside the {name}"
    return match.group(1)


def test_each_transfer_detail_is_text_beside_the_code(client, lychee):
    order = _checkout(lychee).orders[0]

    html = _page(client, order.checkout).get_data(as_text=True)
    block = _details(html, order.number)

    assert f'data-testid="vietqr-{order.number}"' in block
    assert _value(block, "bank") == "ACB" and "Ngân hàng TMCP Á Châu" in block
    assert _value(block, "account") == "257678859"
    assert _value(block, "holder") == "NGUYEN VAN THANH"
    assert _value(block, "amount").replace("\xa0", " ") == "390.000 ₫"
    assert _value(block, "message") == order.number


def test_the_message_shown_is_the_one_the_code_carries(client, lychee):
    order = _checkout(lychee).orders[0]
    block = _details(_page(client, order.checkout).get_data(as_text=True), order.number)

    fields = parse_payload(_vietqr_payload(order))

    assert _value(block, "message") == parse_payload(fields["62"])["08"]
    assert fields["54"] == "390000"
    assert _value(block, "account") in fields["38"]


def test_the_message_pays_the_order_through_a_bank_notification(client, app, lychee):
    from orders.bank_notifications import record_credit

    order = _checkout(lychee).orders[0]
    block = _details(_page(client, order.checkout).get_data(as_text=True), order.number)
    notification = {
        "id": "FT26112900001",
        "amount": int(_copied(block, "amount")),
        "account": _copied(block, "account"),
        "description": f"LE MINH ANH chuyen khoan {_copied(block, 'message')}",
    }

    credit = record_credit(notification)

    assert credit.outcome == "paid"


def test_once_the_transfer_arrives_the_page_says_paid_and_offers_no_transfer(client, lychee):
    from orders.bank_notifications import record_credit

    order = _checkout(lychee).orders[0]
    record_credit(
        {
            "id": "FT1",
            "amount": order.total_vnd,
            "account": "257678859",
            "description": order.number,
        }
    )
    db.session.commit()

    page = _page(client, order.checkout)

    html = page.get_data(as_text=True)
    assert f'data-testid="paid-{order.number}"' in html
    assert "Bạn đã thanh toán đơn này lúc" in page_text(page)
    assert f'data-testid="transfer-{order.number}"' not in html and "copy.js" not in html


def test_each_value_has_a_copy_button_that_waits_for_the_script(client, lychee):
    order = _checkout(lychee).orders[0]
    block = _details(_page(client, order.checkout).get_data(as_text=True), order.number)
    buttons = re.findall(r"<button[^>]*copy-button[^>]*>", block)

    assert len(buttons) == 5
    for button in buttons:
        # Hidden until js/copy.js finds a clipboard: without script, no dead buttons.
        assert " hidden" in button and 'type="button"' in button
        assert 'data-copied="Đã sao chép"' in button
    assert 'data-copy="257678859" data-copied="Đã sao chép" aria-label="Sao chép số tài khoản"' in (
        re.sub(r"\s+", " ", block)
    )
    # The amount is copied as the bank app's amount field takes it: digits only.
    assert _copied(block, "amount") == "390000"
    assert _copied(block, "message") == order.number


def test_the_copy_script_is_served_from_the_site_under_its_content_security_policy(client, lychee):
    order = _checkout(lychee).orders[0]
    page = _page(client, order.checkout)
    html = page.get_data(as_text=True)

    scripts = re.findall(r"<script[^>]*>", html)
    assert len(scripts) == 1  # under its content hash (app/static_files.py)
    assert re.fullmatch(r'<script src="/static/js/copy\.js\?v=[0-9a-f]{12}" defer>', scripts[0])
    assert not re.search(r"\son[a-z]+=", html)  # no inline handler
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    script = client.get("/static/js/copy.js")
    assert script.status_code == 200 and "javascript" in script.content_type
    assert "navigator.clipboard" in script.get_data(as_text=True)
    script.close()


def test_an_english_page_says_copy_and_copied_in_english(client, lychee):
    order = _checkout(lychee).orders[0]

    html = _page(client, order.checkout, **{"Accept-Language": "en"}).get_data(as_text=True)
    block = _details(html, order.number)

    assert 'data-copied="Copied"' in block and ">Copy</button>" in block
    assert 'aria-label="Copy the transfer message"' in block
    assert "Save the QR image" in block


def test_the_farm_and_holder_names_are_escaped(client, app, pomelo):
    farm = _farm("Vườn <i>vải</i>")
    placed = _checkout(_variant(farm, 180000), pomelo)
    # The service folds holder names to letters; a row written before that rule may not be.
    farm.bank_account.holder_name = 'HTX <script>alert("x")</script> & CO'
    db.session.commit()
    order = placed.orders[0]

    html = _page(client, placed).get_data(as_text=True)
    block = _details(html, order.number)

    assert "<script>alert" not in html and "<i>vải</i>" not in html
    escaped = "HTX &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; CO"
    assert _value(block, "holder") == escaped and _copied(block, "holder") == escaped
    # In the two-farm summary:
    assert f'<li>Vườn &lt;i&gt;vải&lt;/i&gt; · <span class="code">{order.number}</span>' in html


def test_a_bin_no_longer_in_the_bank_list_is_shown_as_its_code(client, lychee):
    order = _checkout(lychee).orders[0]
    lychee.product.farm.bank_account.bank_bin = "970499"  # a bank since merged away
    db.session.commit()

    block = _details(_page(client, order.checkout).get_data(as_text=True), order.number)

    assert _value(block, "bank") == "Mã NAPAS 970499"
    assert _copied(block, "bank") == "970499"


def test_an_order_no_longer_payable_shows_no_transfer_details(client, lychee, pomelo):
    placed = _checkout(lychee, pomelo)
    cancelled, still_open = placed.orders
    services.cancel_by_buyer(cancelled, None, access_token=placed.access_token)
    db.session.commit()

    html = _page(client, placed).get_data(as_text=True)

    assert f'data-testid="transfer-{cancelled.number}"' not in html
    assert f'data-testid="save-qr-{cancelled.number}"' not in html
    assert f'data-testid="save-qr-{still_open.number}"' in html
    assert 'data-testid="transfer-summary"' not in html  # one transfer is left


# The saved QR image ---------------------------------------------------------------------


def _image_url(placed, order):
    return f"/orders/c/{placed.access_token}/vietqr/{order.id}.png"


def test_the_saved_image_is_a_png_download_that_decodes_to_the_same_payload(
    client, lychee, tmp_path
):
    if shutil.which("zbarimg") is None:
        missing("zbarimg", "install Debian's zbar-tools")
    placed = _checkout(lychee)
    order = placed.orders[0]
    html = _page(client, placed).get_data(as_text=True)
    assert f'href="{_image_url(placed, order)}" download' in html

    response = client.get(_image_url(placed, order))

    assert response.status_code == 200 and response.content_type == "image/png"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{order.number}-vietqr.png"'
    )
    assert "no-store" in response.headers["Cache-Control"]
    path = tmp_path / "saved.png"
    path.write_bytes(response.get_data())
    decoded = subprocess.run(
        ["zbarimg", "--raw", "-q", str(path)], capture_output=True, text=True, timeout=30
    )
    assert decoded.returncode == 0
    assert decoded.stdout.strip() == _vietqr_payload(order)


@pytest.mark.parametrize("token", ["wrong-token", "", "%E2%80%AE"])
def test_the_image_needs_the_checkouts_secret_link(client, lychee, token):
    placed = _checkout(lychee)
    before = database_snapshot()

    response = client.get(f"/orders/c/{token}/vietqr/{placed.orders[0].id}.png")

    assert response.status_code == 404
    assert database_snapshot() == before


def test_one_checkouts_link_does_not_open_another_checkouts_image(client, lychee):
    mine, theirs = _checkout(lychee), _checkout(lychee)
    before = database_snapshot()

    response = client.get(f"/orders/c/{mine.access_token}/vietqr/{theirs.orders[0].id}.png")

    assert response.status_code == 404
    assert database_snapshot() == before


def _cancel(order):
    services.cancel_by_buyer(order, None, access_token=order.checkout.access_token)


def _pay(order):
    services.set_payment_status(order, "paid", actor=None, note="test")


def _expire(order):
    order.pay_before = datetime.now(UTC) - timedelta(minutes=1)


@pytest.mark.parametrize(
    "make_unpayable", [_cancel, _pay, _expire], ids=["cancelled", "paid", "expired"]
)
def test_an_order_no_longer_payable_by_transfer_gives_no_image(client, lychee, make_unpayable):
    placed = _checkout(lychee)
    make_unpayable(placed.orders[0])
    db.session.commit()
    before = database_snapshot()

    response = client.get(_image_url(placed, placed.orders[0]))

    assert response.status_code == 302
    assert response.headers["Location"] == f"/orders/c/{placed.access_token}"
    assert response.content_type.startswith("text/html")
    assert "Đơn này không thể thanh toán nữa." in page_text(
        client.get(response.headers["Location"])
    )
    assert database_snapshot() == before


def test_a_cash_on_delivery_order_gives_no_image(client, lychee):
    placed = _checkout(lychee, payment_method="cod")
    before = database_snapshot()

    response = client.get(_image_url(placed, placed.orders[0]))

    assert response.status_code == 302
    assert database_snapshot() == before


# Several farms, several transfers ------------------------------------------------------


def test_two_farms_are_two_transfers_and_the_page_says_why_and_their_sum(client, lychee, pomelo):
    placed = _checkout(lychee, pomelo)

    page = _page(client, placed)
    text = page_text(page).replace("\xa0", " ")

    assert "Thanh toán bằng 2 lần chuyển khoản riêng" in text
    assert "Mỗi nông trại nhận tiền vào tài khoản ngân hàng riêng" in text
    lychee_order, pomelo_order = placed.orders
    assert (lychee_order.total_vnd, pomelo_order.total_vnd) == (390000, 135000)
    assert "Tổng cộng: 525.000 ₫" in text
    assert f"Vườn vải · {lychee_order.number} · 390.000 ₫" in text
    assert f"HTX Bưởi · {pomelo_order.number} · 135.000 ₫" in text


def test_the_two_transfers_read_plainly_in_english(client, lychee, pomelo):
    placed = _checkout(lychee, pomelo)

    text = page_text(_page(client, placed, **{"Accept-Language": "en"}))

    assert "Pay with 2 separate transfers" in text
    assert "Each farm is paid into its own bank account" in text


def test_three_farms_are_three_transfers(client, lychee, pomelo):
    tea = _variant(_farm("Chè Tân Cương", account="9704221234", bank_bin="970422"), 100000)
    placed = _checkout(lychee, pomelo, tea, quantity=1)

    text = page_text(_page(client, placed)).replace("\xa0", " ")

    assert "Thanh toán bằng 3 lần chuyển khoản riêng" in text
    assert f"Tổng cộng: {sum(o.total_vnd for o in placed.orders):,} ₫".replace(",", ".") in text


def test_one_farm_is_one_transfer_without_a_summary(client, lychee):
    html = _page(client, _checkout(lychee)).get_data(as_text=True)

    assert 'data-testid="transfer-summary"' not in html
    assert "chuyển khoản riêng" not in html


def test_a_farm_without_a_bank_account_is_not_counted_as_a_transfer(client, lychee, pomelo):
    placed = _checkout(lychee, pomelo)
    db.session.delete(pomelo.product.farm.bank_account)  # removed after the order was placed
    db.session.commit()

    page = _page(client, placed)

    assert 'data-testid="transfer-summary"' not in page.get_data(as_text=True)
    assert "Nông trại chưa thêm tài khoản ngân hàng" in page_text(page)
