"""Every figure of the dashboard against a count made by hand from the demo's story
(tests/dashboard/scenario.py, demo/catalog.py, demo/orders.py, demo/batches.py).

How the counts were made: the demo has five farms with products (Vườn vải Thanh Hà and Nhà
vườn Hoa Hà Đông, households in Hải Phòng; HTX Bưởi Thanh Hồng, a cooperative in Hải Phòng;
HTX Chè Tân Cương, a cooperative in Thái Nguyên; Vườn cam Sáng, a household in Tuyên Quang,
verified only in April) and six published products (four fruits, two teas). In March no fruit
is in season, so all seven demo orders are for the Tân Cương tea (150,000 ₫ a bag, the gift
box 650,000 ₫; delivery 15,000 ₫ an order):
  1 bag×2 transfer, unpaid · 2 bag×1 transfer, paid (165,000, to Hà Nội)
  3 bag×5 cash, packed (paid in April: 765,000, to HCM City)
  4 bag×4 transfer, paid, shipped (615,000, to HCM City)
  5 gift box×1 cash, shipped, delivered, paid, completed (665,000, to Hà Nội)
  6 bag×3 cash, cancelled · 7 bag×2 transfer, paid then cancelled and refunded (not paid now)
Eight batches with 24 labels each; the orange batch is recalled. Three OCOP decisions
(3★ pomelo, 4★ tea, 5★ gift box) verified at loading; three farm certificates verified.
"""

from __future__ import annotations

import pytest

from tests.dashboard.scenario import admin, board_for, load_demo_story, previous, values


@pytest.fixture
def story(app):
    load_demo_story(app)


def test_march_country_wide_matches_the_hand_counts(story):
    board = board_for(admin(), period="month", on="2027-03-05")
    assert values(board) == {
        "households_listing": 3,  # Thanh Hà, Hà Đông, Sáng (the member household sells none)
        "cooperatives_listing": 2,  # Thanh Hồng, Tân Cương
        "households_ordered": 0,
        "cooperatives_ordered": 1,  # Tân Cương took all seven orders
        "new_households": 3,
        "new_cooperatives": 2,
        "first_orders": 1,
        "products_listed": 6,
        "ocop_products": 3,
        "ocop_expiring": 0,  # 12/09/2027 is more than 90 days after 10/04/2027
        "certificates_expiring": 0,
        "orders": 7,
        "paid_orders": 3,  # orders 2, 4, 5
        "revenue_vnd": 165_000 + 615_000 + 665_000,
        "batches": 8,
        "traced_share": 1.0,  # orders 4 and 5: one line each, both packed from a batch
        "labels": 8 * 24,
        "scans": 0,
        "recalls": 1,
        "farms_verified": 4,
        "certificates_verified": 3,
        "ocop_verified": 3,
        "days_to_first_sale": 0,  # Tân Cương registered and sold on 20 March
    }
    # February had nothing: flows are zero, stocks had not started.
    assert set(previous(board).values()) <= {0, None}


def test_april_compares_with_march(story):
    board = board_for(admin())  # the month of "today", 10 April 2027
    now, before = values(board), previous(board)
    assert now["orders"] == 0 and before["orders"] == 7
    assert now["paid_orders"] == 1 and before["paid_orders"] == 3
    assert now["revenue_vnd"] == 765_000 and before["revenue_vnd"] == 1_445_000
    assert now["traced_share"] == 1.0  # order 3's one line, packed from the oldest tea batch
    assert now["scans"] == 2  # the link preview and the unknown serial are not scans
    assert now["farms_verified"] == 1 and now["certificates_verified"] == 1
    assert now["households_ordered"] == 0 and now["cooperatives_ordered"] == 0
    # Stocks carry over: what was listed in March is still listed at the end of April.
    assert now["products_listed"] == before["products_listed"] == 6
    assert now["ocop_products"] == 3 and now["new_households"] == 0
    assert now["days_to_first_sale"] is None  # no farm made its first sale in April


def test_the_tables_split_the_revenue_by_method_province_and_product(story):
    # April to June against January to March: (paid, revenue, revenue before)
    board = board_for(admin(), period="quarter", on="2027-04-01")
    assert board.table("payment_methods").rows == [
        ["Trả tiền khi nhận hàng", 1, 765_000, 665_000],
        ["Chuyển khoản (VietQR)", 0, 0, 165_000 + 615_000],
    ]
    board = board_for(admin(), period="range", **{"from": "2027-03-01", "to": "2027-04-30"})
    methods = {row[1:][1] for row in board.table("payment_methods").rows}
    assert methods == {165_000 + 615_000, 665_000 + 765_000}
    provinces = [row[1:3] for row in board.table("delivery_provinces").rows]
    assert provinces == [[2, 615_000 + 765_000], [2, 165_000 + 665_000]]  # HCM, then Hà Nội
    products = [row[1] for row in board.table("products").rows]
    assert products == [150_000 * (1 + 4 + 5), 650_000]  # goods only, without delivery
    categories = {row[1] for row in board.table("categories").rows}
    assert sorted(row[1] for row in board.table("categories").rows) == [2, 4] and categories
    ocop = sorted(row[1] for row in board.table("ocop").rows)
    assert ocop == [1, 1, 1]


def test_a_province_and_a_commune(story):
    hai_phong = board_for(admin(), province="31", on="2027-03-05")
    assert values(hai_phong)["households_listing"] == 2
    assert values(hai_phong)["cooperatives_listing"] == 1
    assert values(hai_phong)["orders"] == 0 and values(hai_phong)["ocop_products"] == 1
    assert values(hai_phong)["labels"] == 4 * 24  # VT-A, VT-B, VS-A, BT-A
    assert hai_phong.communes == ["xã Hà Nam", "xã Hà Đông", "xã Thanh Hà"]
    thanh_ha = board_for(admin(), province="31", commune="xã Thanh Hà")
    assert values(thanh_ha)["scans"] == 2 and values(thanh_ha)["products_listed"] == 1
    assert values(board_for(admin(), province="31", commune="xã Hà Nam"))["scans"] == 0
    tuyen_quang = board_for(admin(), province="08")
    assert values(tuyen_quang)["farms_verified"] == 1
    assert values(tuyen_quang)["recalls"] == 0  # recalled in March
    assert previous(tuyen_quang)["recalls"] == 1


def test_expiring_certificates_look_90_days_ahead_of_today(story):
    # On 1 July 2027 the pomelo's 3-star decision (until 12/09/2027) is 73 days from expiry.
    board = board_for(admin(), today="2027-07-01")
    assert values(board)["ocop_expiring"] == 1
    assert values(board)["certificates_expiring"] == 0
    # At the end of September it has expired: two OCOP products are left.
    assert values(board_for(admin(), today="2027-10-01"))["ocop_products"] == 2


def test_month_by_month_and_the_provinces_side_by_side(story):
    board = board_for(admin(), on="2027-04-10")
    months = board.table("months").rows
    assert [row[0] for row in months][:1] == ["05/2026"] and len(months) == 12
    # (month, orders, paid, revenue, scans): only March and April 2027 had any
    assert months[-2:] == [["03/2027", 7, 3, 1_445_000, 0], ["04/2027", 0, 1, 765_000, 2]]
    assert all(row[1:] == [0, 0, 0, 0] for row in months[:-2])
    provinces = board.table("provinces").rows
    # April: (households, cooperatives, products, OCOP at the end; orders, paid, revenue),
    # most revenue first, then by province code (08 before 31)
    assert provinces == [
        ["Thái Nguyên", 0, 1, 2, 2, 0, 1, 765_000],
        ["Tuyên Quang", 1, 0, 1, 0, 0, 0, 0],
        ["TP. Hải Phòng", 2, 1, 3, 1, 0, 0, 0],
    ]
