"""The discount on the packing slip, the farm's order list and report, its CSV and the mail."""

import csv
import io

import pytest

from app.auth.roles import Role
from app.extensions import db
from orders import documents
from tests.app.factories import log_in, make_user
from tests.app.test_pdf_escaping import pdf_text
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, hanoi_contact
from tests.orders.vouchers.factories import checkout_with, make_voucher
from tests.products.factories import make_product
from tests.support.web import page_text


@pytest.fixture
def discounted(app, outbox):
    """A 210,000 ₫ order (180,000 ₫ of lychee, 30,000 ₫ delivery) with a 20,000 ₫ platform
    voucher."""
    farm = deliver_everywhere(make_farm(name="Vườn vải"))
    variant = make_product(farm, name="Vải thiều", prices=(180000,)).variants[0]
    make_voucher(None, actor=make_user(Role.OPERATOR), code="NONGSAN", kind="fixed", value="20000")
    checkout = checkout_with(
        [variant], "NONGSAN", buyer=make_user(), contact=hanoi_contact(email="anh@example.vn")
    )
    db.session.commit()
    return checkout.orders[0]


def test_the_packing_slip_shows_the_discount_and_who_bears_it(discounted, tmp_path):
    text = " ".join(pdf_text(documents.packing_slip_pdf(discounted), tmp_path).split())
    assert "Giảm giá từ mã −20.000" in text
    assert "190.000" in text  # the total the buyer pays
    assert "sàn chi trả" in text


def test_the_farm_sees_the_discount_on_its_orders_report_and_csv(client, discounted):
    log_in(client, discounted.farm.members[0].user.phone)
    orders_page = page_text(client.get(f"/dashboard/farms/{discounted.farm_id}/orders?tab=all"))
    assert "−20.000" in orders_page.replace("\xa0", " ")
    assert "sàn chi trả" in orders_page
    report = page_text(client.get(f"/dashboard/farms/{discounted.farm_id}/reports?days=7"))
    assert "20.000" in report and "sàn chi trả" in report
    data = client.get(f"/dashboard/farms/{discounted.farm_id}/reports.csv?days=7")
    rows = list(csv.reader(io.StringIO(data.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["date", "orders", "revenue_vnd", "discount_vnd", "platform_discount_vnd"]
    assert rows[7][2:] == ["180000", "20000", "20000"]


def test_the_buyers_mail_shows_the_discount(discounted, outbox):
    [mail] = [m for m in outbox if m["To"] == "anh@example.vn"]
    body = mail.get_content().replace("\xa0", " ")
    assert "−20.000 ₫" in body and "190.000 ₫" in body
