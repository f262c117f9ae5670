"""A province's operator sees and acts on that province only, on every operator page: farms,
certificates, OCOP decisions, orders and payouts; a country-wide operator sees both."""

from datetime import timedelta

import pytest

from app.auth.operator_scope import record_scope
from app.auth.roles import Role
from app.clock import local_today
from app.errors import NotFound, PermissionDenied
from app.extensions import db
from farms import services as farm_services
from orders import operator_orders, payouts
from orders.models import LedgerEntry
from products import services as product_services
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_certification, make_farm
from tests.orders.factories import deliver_everywhere, place_one
from tests.products.factories import make_product
from tests.support.snapshots import database_snapshot
from tests.traceability.factories import make_batch

#: Hải Phòng (which took in Hải Dương in 2025) and Hà Nội.
HAI_PHONG, HA_NOI = "31", "01"

#: Balances are written into the ledger by hand here, without the orders behind them.
pytestmark = pytest.mark.ledger_by_hand


def _province_records(code: str, label: str, country_operator) -> dict:
    """A farm of the province waiting for a check, with a certificate and an OCOP decision
    waiting too, a transfer order waiting for payment, an order to refund, money owed and a
    payout already made."""
    farm = make_farm(name=f"Vườn {label}", province_code=code, commune="xã Thanh Hà")
    certification = make_certification(farm, number=f"VietGAP-{label}-0001")
    product = make_product(farm, name=f"Vải {label}")
    ocop = product_services.set_ocop(
        product,
        farm.members[0].user,
        stars="4",
        decision_number=f"OCOP-{label}/QĐ",
        decision_date=local_today() - timedelta(days=30),
    )
    deliver_everywhere(farm)
    variant = product.variants[0]
    transfer = place_one(variant).orders[0]
    refund = place_one(variant).orders[0]
    refund.status, refund.payment_status = "cancelled", "refund_needed"
    batch = make_batch(farm, product)
    db.session.add(LedgerEntry(farm_id=farm.id, kind="sale", amount_vnd=900_000, note="NS"))
    db.session.flush()
    payouts.record_payout(farm, country_operator, "100000", f"FT-{label}")
    db.session.commit()
    return {
        "farm": farm,
        "certification": certification,
        "ocop": ocop,
        "transfer": transfer,
        "refund": refund,
        "batch": batch,
    }


@pytest.fixture
def provinces(app):
    country = make_user(Role.OPERATOR, identifier="0912000100", full_name="Ban điều hành")
    province = make_user(Role.OPERATOR, identifier="0912000131", full_name="Sở Công Thương HP")
    record_scope(province, HAI_PHONG, country)
    records = {
        "ours": _province_records(HAI_PHONG, "HaiPhong", country),
        "theirs": _province_records(HA_NOI, "HaNoi", country),
    }
    db.session.commit()
    return {"country": country, "province": province, **records}


def _page(client, address: str) -> str:
    response = client.get(address)
    assert response.status_code == 200, address
    return response.get_data(as_text=True)


def _marks(records: dict) -> list[str]:
    """What of a province's records an operator page may show, one string each."""
    return [
        records["farm"].name,
        records["certification"].number,
        records["ocop"].decision_number,
        records["transfer"].number,
        records["refund"].number,
        f"FT-{records['farm'].name.removeprefix('Vườn ')}",
    ]


ADMIN_PAGES = ["/admin/farms", "/admin/ocop", "/admin/orders", "/admin/payouts"]


def _shown(client, records: dict) -> set[str]:
    html = "".join(_page(client, address) for address in ADMIN_PAGES)
    html += _page(client, "/admin/orders?payment=refund_needed")
    return {mark for mark in _marks(records) if mark in html}


def test_a_province_operator_sees_only_their_province_on_every_page(client, provinces):
    # Given an operator of Hải Phòng
    log_in(client, "0912000131")
    # When they open every operator page
    # Then all of Hải Phòng's records show and none of Hà Nội's
    assert _shown(client, provinces["ours"]) == set(_marks(provinces["ours"]))
    assert _shown(client, provinces["theirs"]) == set()


def test_each_page_shows_the_province_farm_and_hides_the_other(client, provinces):
    log_in(client, "0912000131")
    ours, theirs = provinces["ours"], provinces["theirs"]
    expected = {
        "/admin/farms": (ours["farm"].name, theirs["farm"].name),
        "/admin/ocop": (ours["ocop"].decision_number, theirs["ocop"].decision_number),
        "/admin/orders": (ours["transfer"].number, theirs["transfer"].number),
        "/admin/payouts": (f'data-testid="owed-{ours["farm"].slug}"', theirs["farm"].name),
    }
    for address, (shown, hidden) in expected.items():
        html = _page(client, address)
        assert shown in html and hidden not in html, address
        assert "TP. Hải Phòng" in html, address


def test_the_orders_filter_offers_only_the_province_farms(client, provinces):
    log_in(client, "0912000131")
    theirs = provinces["theirs"]["farm"]
    html = _page(client, f"/admin/orders?farm={theirs.id}")
    # Another province's farm is no choice: the filter is ignored and explained
    assert f'value="{theirs.id}"' not in html
    assert provinces["theirs"]["transfer"].number not in html


def test_a_country_wide_operator_sees_both_provinces(client, provinces):
    log_in(client, "0912000100")
    for province in ("ours", "theirs"):
        assert _shown(client, provinces[province]) == set(_marks(provinces[province]))
    assert "Cả nước" in _page(client, "/admin/farms")


def _refused_actions(records: dict) -> list[tuple[str, dict]]:
    farm = records["farm"]
    return [
        (f"/admin/farms/{farm.id}/verify", {}),
        (f"/admin/farms/{farm.id}/suspend", {"reason": "Bán hàng giả"}),
        (f"/admin/farms/{farm.id}/reinstate", {}),
        (f"/admin/certifications/{records['certification'].id}/verify", {}),
        (f"/admin/ocop/{records['ocop'].id}/verify", {}),
        (
            f"/admin/farms/{farm.id}/payouts",
            {f"farm{farm.id}-amount": "100000", f"farm{farm.id}-reference": "FT1"},
        ),
        (f"/dashboard/orders/{records['transfer'].id}/confirm-transfer", {}),
        (f"/dashboard/orders/{records['refund'].id}/refund", {"reason": "Đã hoàn tiền"}),
        (
            f"/dashboard/batches/{records['batch'].id}/recall",
            {"confirm": "y", "reason": "Dư lượng thuốc vượt ngưỡng cho phép."},
        ),
    ]


@pytest.mark.parametrize("index", range(9))
def test_another_province_record_is_refused_and_nothing_changes(client, provinces, index):
    # Given an operator of Hải Phòng and a Hà Nội farm's record
    log_in(client, "0912000131")
    address, data = _refused_actions(provinces["theirs"])[index]
    before = database_snapshot()
    # When they act on it
    response = client.post_form(address, data)
    # Then it is refused and nothing changed
    assert response.status_code in (403, 404), address
    assert database_snapshot() == before


def test_a_province_operator_acts_on_their_own_province(client, provinces):
    log_in(client, "0912000131")
    ours = provinces["ours"]
    for address in (
        f"/admin/farms/{ours['farm'].id}/verify",
        f"/admin/certifications/{ours['certification'].id}/verify",
        f"/admin/ocop/{ours['ocop'].id}/verify",
        f"/dashboard/orders/{ours['transfer'].id}/confirm-transfer",
    ):
        assert client.post_form(address).status_code == 302, address
    db.session.expire_all()
    assert ours["farm"].verified_by_id == provinces["province"].id
    assert ours["certification"].verified_at is not None
    assert ours["ocop"].verified_at is not None
    assert ours["transfer"].payment_status == "paid"


def test_the_services_refuse_another_province_whoever_calls_them(app, provinces):
    operator, theirs = provinces["province"], provinces["theirs"]
    before = database_snapshot()
    refusals = [
        lambda: farm_services.verify_farm(theirs["farm"], operator),
        lambda: farm_services.suspend_farm(theirs["farm"], operator, "Lý do"),
        lambda: farm_services.reinstate_farm(theirs["farm"], operator),
        lambda: farm_services.verify_certification(theirs["certification"], operator),
        lambda: product_services.verify_ocop(theirs["ocop"], operator),
        lambda: payouts.record_payout(theirs["farm"], operator, "1000", "FT1"),
    ]
    for refusal in refusals:
        with pytest.raises(NotFound):
            refusal()
    with pytest.raises(PermissionDenied):
        farm_services.get_farm_for(operator, theirs["farm"].id)
    assert database_snapshot() == before


def test_the_operator_lists_hold_only_the_province(app, provinces):
    operator, ours = provinces["province"], provinces["ours"]
    assert farm_services.farms_for_operator(operator) == [ours["farm"]]
    assert farm_services.certifications_to_check(operator) == [ours["certification"]]
    assert product_services.ocop_certificates_for_operator(operator) == [ours["ocop"]]
    assert [row.farm for row in payouts.farms_owed(operator)] == [ours["farm"]]
    assert {entry.farm for entry in payouts.recent_payouts(operator)} == {ours["farm"]}
    assert [due.order for due in payouts.refunds_needed(operator)] == [ours["refund"]]
    assert operator_orders.farm_choices(operator) == [(ours["farm"].id, ours["farm"].name)]
    page, totals = operator_orders.orders_across_farms(operator_orders.OrderFilters(), operator)
    assert {order.farm for order in page.items} == {ours["farm"]} and totals.orders == 2
