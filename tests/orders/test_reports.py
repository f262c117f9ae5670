"""A farm's sales by day and by product, on screen and as CSV."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from app.clock import local_today
from app.extensions import db
from orders import services
from tests.app.factories import log_in
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, hanoi_contact
from tests.products.factories import make_product
from tests.support.web import page_text


def test_sales_count_placed_orders_and_leave_out_cancelled_ones(client, app):
    farm = deliver_everywhere(make_farm())
    farm.members[0].user.phone = "+84912000777"
    lychee = make_product(farm, name="Vải thiều", prices=(180000,)).variants[0]
    pomelo = make_product(farm, name="Bưởi", prices=(55000,)).variants[0]

    def place(cart):
        prices = {vid: (180000 if vid == lychee.id else 55000) for vid in cart}
        return services.place_order(
            cart,
            buyer=None,
            contact=hanoi_contact(),
            payment_method="cod",
            shown_prices=prices,
            today=local_today(),
        ).orders[0]

    place({lychee.id: 2, pomelo.id: 1})
    place({lychee.id: 1})
    cancelled = place({pomelo.id: 10})
    services.cancel_by_farm(cancelled, farm.members[0].user, "Khách đổi ý")
    old = place({pomelo.id: 3})
    old.created_at = datetime(2020, 1, 1, tzinfo=UTC)
    db.session.commit()

    log_in(client, "0912000777")
    page = page_text(client.get(f"/dashboard/farms/{farm.id}/reports?days=30"))
    assert "Doanh thu (chưa tính phí giao hàng): 595.000 ₫" in page.replace("\xa0", " ")

    data = client.get(f"/dashboard/farms/{farm.id}/reports.csv?days=30").get_data(as_text=True)
    assert data.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(data.lstrip("\ufeff"))))
    assert rows[0] == ["date", "orders", "revenue_vnd", "discount_vnd", "platform_discount_vnd"]
    today = [r for r in rows if r and r[0] == local_today().isoformat()]
    assert today == [[local_today().isoformat(), "2", "595000", "0", "0"]]
    products = rows[rows.index(["product", "unit", "quantity", "revenue_vnd"]) + 1 :]
    assert products == [
        ["Vải thiều", "Hộp 2 kg", "3", "540000"],
        ["Bưởi", "Hộp 2 kg", "1", "55000"],
    ]


def test_another_farm_cannot_read_the_figures(client):
    farm = make_farm()
    other = make_farm()
    other.members[0].user.phone = "+84912000888"
    db.session.flush()
    log_in(client, "0912000888")
    assert client.get(f"/dashboard/farms/{farm.id}/reports").status_code == 403
    assert client.get(f"/dashboard/farms/{farm.id}/reports.csv").status_code == 403


@pytest.mark.parametrize(("asked", "shown"), [("0", 1), ("-5", 1), ("abc", 30), ("99999", 366)])
def test_a_silly_period_is_clamped_not_an_error(client, asked, shown):
    # Given a farmer looking at the farm's figures
    farm = make_farm()
    farm.members[0].user.phone = "+84912000777"
    db.session.flush()
    log_in(client, "0912000777")
    last = local_today()
    first = last - timedelta(days=shown - 1)

    # When the period asked for is out of range or not a number
    page = client.get(f"/dashboard/farms/{farm.id}/reports?days={asked}")
    export = client.get(f"/dashboard/farms/{farm.id}/reports.csv?days={asked}")

    # Then the page and the CSV both cover the clamped period (1 to 366 days, else 30)
    assert page.status_code == 200
    assert f"{first:%d/%m/%Y} – {last:%d/%m/%Y}" in page_text(page)
    assert export.status_code == 200
    assert f"{first.isoformat()}-{last.isoformat()}.csv" in export.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    days = [row[0] for row in rows[1 : rows.index([])]]
    assert days == [(first + timedelta(days=n)).isoformat() for n in range(shown)]
