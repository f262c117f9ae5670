"""The demo's farms and products: Thanh Hà lychee, Thanh Hồng pomelo, Tân Cương tea and
Hà Giang oranges, each with growing areas, certificates, variants and drawn photos.

Built through the domain services, as a farmer and an operator would, so the demo obeys
every rule the application enforces. Farms and products are found by slug on a re-run.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.auth.models import User
from app.clock import local_today
from app.extensions import db
from demo.images import draw_produce
from farms import services as farms
from farms.models import Farm
from orders.delivery import set_delivery_settings, set_zone
from products import services as products
from products.models import Product

DEMO_FARMS = [
    {
        "owner": "0912000101",
        "slug": "vuon-vai-thanh-ha",
        "bank": ("970436", "0011002345678"),
        "verified": True,
        "profile": {
            "name": "Vườn vải Thanh Hà",
            "kind": "household",
            "province_code": "31",
            "commune": "xã Thanh Hà",
            "contact_phone": "0912000101",
            "story": "Ba thế hệ nhà tôi trồng vải thiều bên sông Văn Úc.\n\n"
            "Vải chín cây, hái buổi sáng, đóng hộp trong ngày.",
        },
        "area": {
            "name": "Vườn vải thôn Thúy Lâm",
            "code": "VN-HPTH-0123",
            "crop": "Vải thiều",
            "area_ha": "1.2",
            "commune": "xã Thanh Hà",
            "latitude": "20.89",
            "longitude": "106.43",
        },
        "certification": {
            "scheme": "vietgap",
            "other_scheme": None,
            "number": "VietGAP-TT-21-0457",
            "issuer": "Trung tâm Chứng nhận Phù hợp (Quacert)",
            "issued_on": date(2025, 3, 1),
            "expires_on": date(2028, 2, 28),
        },
        "photo": ("farm", 11),
        "products": [
            {
                "details": {
                    "name": "Vải thiều Thanh Hà",
                    "english_name": "Thanh Ha lychee",
                    "category": "fresh_fruit",
                    "description": "Quả to, vỏ mỏng, cùi dày, hạt nhỏ, vị ngọt đậm.",
                    "gtin": "",
                    "season_start": "1/6",
                    "season_end": "15/7",
                    "preorder_enabled": True,
                    "preorder_ships_on": "next 5/6",
                    "preorder_capacity": "200",
                },
                "variants": [("box", "2", 180000, 2300, 40, 1), ("box", "5", 420000, 5600, 25, 1)],
                "photo": ("lychee", 1),
                "ocop": None,
            },
        ],
    },
    {
        "owner": "0912000102",
        "slug": "nha-vuon-hoa-ha-dong",
        "bank": ("970405", "2406205123456"),
        "verified": True,
        "profile": {
            "name": "Nhà vườn Hoa Hà Đông",
            "kind": "household",
            "province_code": "31",
            "commune": "xã Hà Đông",
            "contact_phone": "0912000102",
            "story": "Vải sớm, chín trước vải thiều chính vụ chừng hai tuần.",
        },
        "area": {
            "name": "Vườn thôn Văn Mạc",
            "code": "",
            "crop": "Vải sớm",
            "area_ha": "0.6",
            "commune": "xã Hà Đông",
            "latitude": "",
            "longitude": "",
        },
        "certification": {
            "scheme": "globalgap",
            "other_scheme": None,
            "number": "GGN-4063061",
            "issuer": "Control Union",
            "issued_on": date(2022, 5, 1),
            "expires_on": date(2025, 4, 30),
        },
        "photo": ("farm", 12),
        "products": [
            {
                "details": {
                    "name": "Vải sớm Hà Đông",
                    "english_name": "Ha Dong early lychee",
                    "category": "fresh_fruit",
                    "description": "Vải u hồng chín sớm, vị ngọt thanh.",
                    "gtin": "",
                    "season_start": "20/5",
                    "season_end": "30/6",
                    "preorder_enabled": False,
                    "preorder_ships_on": None,
                    "preorder_capacity": "",
                },
                "variants": [("kg", "", 65000, 1100, 120, 2), ("box", "5", 300000, 5600, 20, 1)],
                "photo": ("lychee", 2),
                "ocop": None,
            },
        ],
    },
    {
        "owner": "0912000103",
        "slug": "htx-buoi-thanh-hong",
        "bank": ("970418", "46010001234567"),
        "verified": True,
        "profile": {
            "name": "HTX Bưởi Thanh Hồng",
            "kind": "cooperative",
            "province_code": "31",
            "commune": "xã Hà Nam",
            "contact_phone": "0912000103",
            "story": "Hợp tác xã của 42 hộ trồng bưởi đường Thanh Hồng.",
        },
        "area": {
            "name": "Vùng bưởi Thanh Hồng",
            "code": "VN-HPTH-0207",
            "crop": "Bưởi",
            "area_ha": "18.5",
            "commune": "xã Hà Nam",
            "latitude": "",
            "longitude": "",
        },
        "certification": None,
        "photo": ("farm", 13),
        "members": [
            {"name": "Hộ bà Vũ Thị Mận", "commune": "xã Hà Nam", "contact_phone": "0912000113"}
        ],
        "products": [
            {
                "details": {
                    "name": "Bưởi Thanh Hồng",
                    "english_name": "Thanh Hong pomelo",
                    "category": "fresh_fruit",
                    "description": "Múi mọng, tép giòn, ngọt mát, để được lâu.",
                    "gtin": "8930000000019",
                    "season_start": "15/8",
                    "season_end": "31/1",
                    "preorder_enabled": False,
                    "preorder_ships_on": None,
                    "preorder_capacity": "",
                },
                # The second is sold by weight: about 1.2 kg a piece at 45,000 ₫/kg.
                "variants": [
                    ("piece", "", 55000, 1600, 300, 2),
                    ("piece", "", "", 1200, 80, 1, 45000),
                ],
                "photo": ("pomelo", 3),
                "ocop": {
                    "stars": 3,
                    "decision_number": "1256/QĐ-UBND",
                    "decision_date": date(2024, 9, 12),
                },
            },
        ],
    },
    {
        "owner": "0912000104",
        "slug": "htx-che-tan-cuong",
        "bank": ("970415", "106870123456"),
        "verified": True,
        "profile": {
            "name": "HTX Chè Tân Cương",
            "kind": "cooperative",
            "province_code": "19",
            "commune": "xã Tân Cương",
            "contact_phone": "0912000104",
            "story": "Chè búp non hái tay, sao chảo gang theo cách truyền thống.",
        },
        "area": {
            "name": "Đồi chè Hồng Thái",
            "code": "VN-TNTC-0031",
            "crop": "Chè trung du",
            "area_ha": "25",
            "commune": "xã Tân Cương",
            "latitude": "21.55",
            "longitude": "105.76",
        },
        "certification": {
            "scheme": "vietgap",
            "other_scheme": None,
            "number": "VietGAP-TT-19-0112",
            "issuer": "Sở Nông nghiệp và Môi trường Thái Nguyên",
            "issued_on": date(2024, 11, 1),
            "expires_on": date(2027, 10, 31),
        },
        "photo": ("farm", 14),
        "products": [
            {
                "details": {
                    "name": "Chè Tân Cương đặc biệt",
                    "english_name": "Tan Cuong green tea, special grade",
                    "category": "tea",
                    "description": "Nước xanh, hương cốm, vị chát dịu, hậu ngọt.",
                    "gtin": "",
                    "season_start": "",
                    "season_end": "",
                    "preorder_enabled": False,
                    "preorder_ships_on": None,
                    "preorder_capacity": "",
                },
                "variants": [
                    ("bag", "0.2", 150000, 260, 80, 1),
                    ("jar", "0.5", 380000, 700, 30, 1),
                ],
                "photo": ("tea", 4),
                "ocop": {
                    "stars": 4,
                    "decision_number": "2087/QĐ-UBND",
                    "decision_date": date(2024, 12, 20),
                },
            },
            {
                "details": {
                    "name": "Chè móc câu Tân Cương hộp quà",
                    "english_name": "Tan Cuong hook-leaf tea, gift box",
                    "category": "tea",
                    "description": "Hộp quà sơn mài, chè móc câu loại đặc biệt.",
                    "gtin": "",
                    "season_start": "",
                    "season_end": "",
                    "preorder_enabled": False,
                    "preorder_ships_on": None,
                    "preorder_capacity": "",
                },
                "variants": [("gift_box", "0.5", 650000, 900, 15, 1)],
                "photo": ("tea", 5),
                "ocop": {
                    "stars": 5,
                    "decision_number": "318/QĐ-BNN-KTHT",
                    "decision_date": date(2025, 2, 14),
                },
            },
        ],
    },
    {
        "owner": "0912000105",
        "slug": "vuon-cam-sang-ha-giang",
        "bank": ("970422", "0912000105"),
        "verified": False,
        "profile": {
            "name": "Vườn cam Sáng Hà Giang",
            "kind": "household",
            "province_code": "08",
            "commune": "xã Bắc Quang",
            "contact_phone": "0912000105",
            "story": "Cam sành trên đất đồi Bắc Quang, vỏ xanh, ruột vàng cam.",
        },
        "area": {
            "name": "Đồi cam Khuổi Hốc",
            "code": "",
            "crop": "Cam sành",
            "area_ha": "2",
            "commune": "xã Bắc Quang",
            "latitude": "",
            "longitude": "",
        },
        "certification": {
            "scheme": "vietgap",
            "other_scheme": None,
            "number": "VietGAP-TT-08-0990",
            "issuer": "Chi cục Trồng trọt và Bảo vệ thực vật Tuyên Quang",
            "issued_on": date(2025, 9, 1),
            "expires_on": date(2028, 8, 31),
        },
        "certification_pending": True,
        "photo": ("farm", 15),
        "products": [
            {
                "details": {
                    "name": "Cam sành Hà Giang",
                    "english_name": "Ha Giang king orange",
                    "category": "fresh_fruit",
                    "description": "Cam mọng nước, vị ngọt đậm, hơi chua nhẹ.",
                    "gtin": "",
                    "season_start": "1/11",
                    "season_end": "28/2",
                    "preorder_enabled": False,
                    "preorder_ships_on": None,
                    "preorder_capacity": "",
                },
                "variants": [("kg", "", 35000, 1050, 500, 3), ("box", "10", 320000, 10500, 40, 1)],
                "photo": ("orange", 6),
                "ocop": None,
            },
        ],
    },
]


def _variant_fields(unit, pack_kg, price, grams, stock, minimum, per_kg=None) -> dict:
    """`per_kg`: a variant sold by weight (orders.weighed), `grams` its estimated piece."""
    return {
        "unit": unit,
        "pack_kg": pack_kg,
        "custom_unit": None,
        "price_vnd": price,
        "weight_grams": grams,
        "stock": stock,
        "min_order_qty": minimum,
        "sold_by_weight": per_kg is not None,
        "price_per_kg_vnd": per_kg,
    }


def _ensure_farm(spec: dict, owner: User, operator: User) -> Farm:
    farm = db.session.scalar(select(Farm).where(Farm.slug == spec["slug"]))
    if farm is not None:
        return farm
    farm = farms.open_farm(owner, **spec["profile"])
    farm.slug = spec["slug"]
    farms.add_growing_area(farm, owner, **spec["area"])
    farms.add_farm_photo(farm, owner, draw_produce(*spec["photo"]))
    if spec.get("certification"):
        certification = farms.add_certification(farm, owner, **spec["certification"])
        if not spec.get("certification_pending"):
            farms.verify_certification(certification, operator)
    for member in spec.get("members", []):
        farms.add_member_household(farm, owner, **member)
    if spec["verified"]:
        farms.verify_farm(farm, operator)
    bank_bin, account_number = spec["bank"]
    farms.set_bank_account(
        farm, owner, bank_bin=bank_bin, account_number=account_number, holder_name=owner.full_name
    )
    _set_up_delivery(farm, owner)
    return farm


def _set_up_delivery(farm: Farm, owner: User) -> None:
    """Every demo farm delivers nationwide; its own province is cheaper, and big orders free."""
    set_delivery_settings(
        farm,
        owner,
        min_order_vnd="100000",
        free_delivery_from_vnd="1000000",
        pickup_enabled=True,
        pickup_address=farm.place,
    )
    set_zone(farm, owner, province_code=farm.province_code, fee_rule="flat", fee_vnd="20000")
    set_zone(
        farm,
        owner,
        province_code="00",
        fee_rule="per_weight",
        fee_vnd="15000",
        weight_step_grams="5000",
    )


def _next_date(day: int, month: int) -> date:
    """The next such day on or after today, so the demo's pre-orders stay in the future."""
    today = local_today()
    candidate = date(today.year, month, day)
    return candidate if candidate >= today else date(today.year + 1, month, day)


def _ensure_product(spec: dict, farm: Farm, owner: User, operator: User) -> None:
    name = spec["details"]["name"]
    exists = db.session.scalar(
        select(Product.id).where(Product.farm_id == farm.id, Product.name == name)
    )
    if exists:
        return
    details = dict(spec["details"], growing_area_id=str(farm.growing_areas[0].id))
    if details["preorder_ships_on"] == "next 5/6":
        details["preorder_ships_on"] = _next_date(5, 6)
    product = products.create_product(farm, owner, **details)
    for variant in spec["variants"]:
        products.add_variant(product, owner, **_variant_fields(*variant))
    products.add_product_photo(product, owner, draw_produce(*spec["photo"]))
    if spec["ocop"]:
        certificate = products.set_ocop(product, owner, **spec["ocop"])
        products.verify_ocop(certificate, operator)
    products.publish_product(product, owner)


def seed_demo_catalog(people: dict[str, User]) -> None:
    operator = people["admin@nongsan.demo"]
    for spec in DEMO_FARMS:
        owner = people[spec["owner"]]
        farm = _ensure_farm(spec, owner, operator)
        for product in spec["products"]:
            _ensure_product(product, farm, owner, operator)
    db.session.flush()
