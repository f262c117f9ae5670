"""A large synthetic catalog for benchmarks: `python -m bench.seeding --farms N --products M`.

Farms, products, variants, OCOP decisions and farm certifications are generated with a seeded
random generator (the same seed gives the same catalog) and stored with bulk INSERTs in batches,
not through the per-object services, so that 100,000 products load in minutes. The columns the
services keep in step (slug, search_name, search_text, price_from_vnd) are filled the same way:
the search copies come from products.services.refresh_search_fields itself.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import click
from dateutil.relativedelta import relativedelta
from flask import current_app
from flask.cli import ScriptInfo, with_appcontext
from sqlalchemy import func, insert, select

from app import create_app
from app.auth.models import User
from app.auth.roles import Role
from app.clock import local_today
from app.db import utcnow
from app.extensions import db
from app.geo import Province, all_provinces
from app.validation import slugify
from farms.models import BankAccount, Certification, CertificationScheme, Farm, FarmKind
from orders.models import DeliverySettings
from products.models import Category, OcopCertificate, Product, ProductStatus, Unit, Variant
from products.seasons import in_season
from products.services import OCOP_VALIDITY, refresh_search_fields
from products.units import PACKED_UNITS

BATCH_SIZE = 2_000
DEFAULT_SEED = 2026


# The produce ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Produce:
    category: Category
    #: How it is packed and sold; see _PACKS.
    packing: str
    #: Price of one kilogram (or one bottle for "bottle"), in đồng.
    price: tuple[int, int]
    #: Names sold anywhere, followed by the farm's province: "Cải ngọt Gia Lai".
    generic: tuple[str, ...]
    #: Named specialties and the province (code) they come from: ("Vải thiều Thanh Hà", "31").
    specialties: tuple[tuple[str, str], ...] = ()
    #: Harvest season as month*100+day, or None for all year.
    season: tuple[int, int] | None = None


FRUIT, VEG = Category.FRESH_FRUIT, Category.VEGETABLES

PRODUCE: tuple[Produce, ...] = (
    Produce(
        FRUIT,
        "fruit",
        (35_000, 90_000),
        ("Vải thiều", "Vải chín sớm"),
        (("Vải thiều Thanh Hà", "31"), ("Vải thiều Lục Ngạn", "24"), ("Vải lai Phù Cừ", "33")),
        (520, 720),
    ),
    Produce(
        FRUIT,
        "fruit",
        (25_000, 60_000),
        ("Bưởi da xanh", "Bưởi đường", "Bưởi Diễn"),
        (
            ("Bưởi Diễn", "01"),
            ("Bưởi Thanh Hồng", "31"),
            ("Bưởi Đoan Hùng", "25"),
            ("Bưởi Phúc Trạch", "42"),
            ("Bưởi da xanh Bến Tre", "86"),
            ("Bưởi Năm Roi", "86"),
            ("Bưởi Tân Triều", "75"),
        ),
        (815, 215),
    ),
    Produce(
        FRUIT,
        "fruit",
        (20_000, 55_000),
        ("Cam sành", "Cam canh", "Quýt đường"),
        (
            ("Cam sành Hà Giang", "08"),
            ("Cam Vinh", "40"),
            ("Cam xã Đoài", "40"),
            ("Cam Cao Phong", "25"),
            ("Cam sành Tam Bình", "86"),
            ("Quýt hồng Lai Vung", "82"),
            ("Quýt Bắc Sơn", "20"),
        ),
        (1015, 228),
    ),
    Produce(
        FRUIT,
        "fruit",
        (30_000, 80_000),
        ("Nhãn lồng", "Nhãn xuồng cơm vàng", "Nhãn Ido"),
        (("Nhãn lồng Hưng Yên", "33"), ("Nhãn Sông Mã", "14"), ("Nhãn Ido Cái Bè", "82")),
        (701, 915),
    ),
    Produce(
        FRUIT,
        "fruit",
        (40_000, 120_000),
        ("Xoài cát chu", "Xoài tứ quý", "Xoài keo"),
        (
            ("Xoài cát Hòa Lộc", "82"),
            ("Xoài cát chu Cao Lãnh", "82"),
            ("Xoài Yên Châu", "14"),
            ("Xoài tứ quý Ba Tri", "86"),
        ),
        (301, 630),
    ),
    Produce(
        FRUIT,
        "fruit",
        (60_000, 180_000),
        ("Sầu riêng Ri6", "Sầu riêng Monthong", "Sầu riêng Musang King"),
        (
            ("Sầu riêng Ri6 Cái Mơn", "86"),
            ("Sầu riêng Monthong Krông Pắc", "66"),
            ("Sầu riêng Dona Long Khánh", "75"),
            ("Sầu riêng Musang King Đắk Song", "68"),
        ),
        (501, 831),
    ),
    Produce(
        FRUIT,
        "fruit",
        (15_000, 45_000),
        ("Thanh long ruột đỏ", "Thanh long ruột trắng"),
        (
            ("Thanh long Bình Thuận", "68"),
            ("Thanh long Chợ Gạo", "82"),
            ("Thanh long Long An", "80"),
        ),
    ),
    Produce(
        FRUIT,
        "fruit",
        (30_000, 70_000),
        ("Mận hậu", "Mận tam hoa"),
        (("Mận hậu Mộc Châu", "14"), ("Mận tam hoa Bắc Hà", "15")),
        (515, 715),
    ),
    Produce(
        FRUIT,
        "fruit",
        (50_000, 110_000),
        ("Măng cụt", "Chôm chôm Java", "Bơ sáp"),
        (
            ("Măng cụt Lái Thiêu", "79"),
            ("Măng cụt Chợ Lách", "86"),
            ("Bơ sáp Krông Năng", "66"),
            ("Na dai Chi Lăng", "20"),
            ("Mãng cầu Bà Đen", "80"),
            ("Dứa Đồng Giao", "37"),
        ),
        (601, 831),
    ),
    Produce(
        VEG,
        "greens",
        (15_000, 45_000),
        ("Cải ngọt", "Cải bẹ xanh", "Rau muống", "Rau cải mèo", "Su su ngọn", "Rau ngót"),
    ),
    Produce(
        VEG,
        "vegetable",
        (12_000, 60_000),
        (
            "Bắp cải",
            "Cà chua bi",
            "Su hào",
            "Bí đỏ hồ lô",
            "Khoai lang mật",
            "Khoai lang tím Nhật",
            "Dưa chuột",
        ),
        (
            ("Cà rốt Đà Lạt", "68"),
            ("Atiso Đà Lạt", "68"),
            ("Măng tây Ninh Thuận", "56"),
            ("Tỏi Lý Sơn", "51"),
            ("Hành tím Vĩnh Châu", "92"),
            ("Khoai lang Bình Tân", "86"),
        ),
    ),
    Produce(
        Category.TEA,
        "tea",
        (250_000, 1_500_000),
        ("Chè búp", "Chè xanh", "Trà ô long"),
        (
            ("Chè Shan tuyết Suối Giàng", "15"),
            ("Chè Shan tuyết Hà Giang", "08"),
            ("Chè Tân Cương", "19"),
            ("Chè móc câu Thái Nguyên", "19"),
            ("Chè Shan tuyết Tà Xùa", "14"),
            ("Trà ô long Bảo Lộc", "68"),
        ),
    ),
    Produce(
        Category.RICE_GRAINS,
        "rice",
        (18_000, 45_000),
        ("Gạo ST25", "Gạo tám thơm", "Gạo lứt đỏ", "Gạo nếp cái hoa vàng", "Ngô nếp"),
        (
            ("Gạo ST25 Sóc Trăng", "92"),
            ("Gạo ST24 Sóc Trăng", "92"),
            ("Gạo tám thơm Hải Hậu", "37"),
            ("Gạo Séng Cù Mường Khương", "15"),
            ("Gạo lứt đỏ Điện Biên", "11"),
            # "cẩm" folds to "cam": a decoy for searches for oranges (see search relevance).
            ("Gạo cẩm Điện Biên", "11"),
            ("Gạo nàng thơm Chợ Đào", "80"),
            ("Nếp Tú Lệ", "15"),
        ),
    ),
    Produce(
        Category.HONEY,
        "honey",
        (180_000, 600_000),
        ("Mật ong hoa nhãn", "Mật ong rừng", "Mật ong hoa cà phê", "Mật ong hoa vải"),
        (
            ("Mật ong bạc hà Hà Giang", "08"),
            ("Mật ong hoa nhãn Hưng Yên", "33"),
            ("Mật ong rừng U Minh", "96"),
            ("Mật ong hoa cà phê Đắk Lắk", "66"),
            ("Mật ong hoa vải Lục Ngạn", "24"),
        ),
    ),
    Produce(
        Category.DRIED_PROCESSED,
        "dried",
        (150_000, 800_000),
        ("Mít sấy", "Chuối sấy dẻo", "Long nhãn", "Vải sấy", "Cà phê rang xay", "Hạt điều rang"),
        (
            ("Hồng treo gió Đà Lạt", "68"),
            ("Long nhãn Hưng Yên", "33"),
            ("Vải sấy Thanh Hà", "31"),
            ("Hạt điều rang muối Bình Phước", "75"),
            ("Cà phê Robusta Buôn Ma Thuột", "66"),
            ("Cà phê Arabica Cầu Đất", "68"),
            ("Cốm làng Vòng", "01"),
        ),
    ),
    Produce(
        Category.DRIED_PROCESSED,
        "bottle",
        (60_000, 180_000),
        ("Nước mắm cá cơm", "Tương bần"),
        (("Nước mắm Phú Quốc", "91"), ("Nước mắm Nam Ô", "48"), ("Nước mắm Cát Hải", "31")),
    ),
    # Decoys for search relevance: "tra" is a fish as well as tea, and "giới thiệu" (to
    # introduce) holds the "thiều" of lychees (tests/products/search_relevance.py).
    Produce(
        Category.DRIED_PROCESSED,
        "dried",
        (90_000, 250_000),
        ("Khô cá tra", "Cá tra một nắng"),
        (("Khô cá tra An Giang", "91"), ("Cá tra một nắng Châu Đốc", "91")),
    ),
    Produce(
        Category.OTHER,
        "dried",
        (150_000, 900_000),
        ("Hộp quà giới thiệu đặc sản", "Bộ sản phẩm giới thiệu"),
    ),
    Produce(
        Category.BIRDS_NEST,
        "nest",
        (25_000_000, 45_000_000),
        ("Yến sào tinh chế", "Tổ yến thô"),
        (("Yến sào Khánh Hòa", "56"), ("Yến sào Cần Giờ", "79"), ("Yến đảo Hội An", "48")),
    ),
    Produce(
        Category.OTHER,
        "spice",
        (120_000, 600_000),
        ("Nấm hương rừng", "Hạt tiêu đen", "Mộc nhĩ"),
        (
            ("Hạt tiêu Phú Quốc", "91"),
            ("Quế Trà Bồng", "51"),
            ("Hồi Lạng Sơn", "20"),
            ("Thảo quả Lào Cai", "15"),
            ("Sâm Ngọc Linh", "51"),
        ),
    ),
)

#: How each kind of produce is sold: (unit, kilograms in the pack, custom unit name).
_PACKS: dict[str, tuple[tuple[str, float | None, str | None], ...]] = {
    "fruit": (
        (Unit.KG, None, None),
        (Unit.BOX, 3, None),
        (Unit.BOX, 5, None),
        (Unit.GIFT_BOX, 2, None),
    ),
    "greens": ((Unit.KG, None, None), (Unit.CUSTOM, 0.5, "bó"), (Unit.BAG, 2, None)),
    "vegetable": ((Unit.KG, None, None), (Unit.BAG, 2, None), (Unit.BOX, 5, None)),
    "tea": ((Unit.BAG, 0.2, None), (Unit.BAG, 0.5, None), (Unit.GIFT_BOX, 0.5, None)),
    "rice": ((Unit.BAG, 5, None), (Unit.BAG, 10, None), (Unit.BAG, 25, None)),
    "honey": ((Unit.JAR, 0.5, None), (Unit.JAR, 1, None), (Unit.GIFT_BOX, 1, None)),
    "dried": ((Unit.BAG, 0.25, None), (Unit.BAG, 0.5, None), (Unit.JAR, 0.5, None)),
    "bottle": ((Unit.CUSTOM, 1, "chai 500 ml"), (Unit.CUSTOM, 2, "chai 1 lít")),
    "nest": ((Unit.GIFT_BOX, 0.05, None), (Unit.GIFT_BOX, 0.1, None)),
    "spice": ((Unit.BAG, 0.1, None), (Unit.BAG, 0.5, None), (Unit.KG, None, None)),
}

_QUALIFIERS = ("loại 1", "hữu cơ", "đặc sản", "VietGAP", "tuyển chọn")

#: Weighted roughly by how common they are.
_SURNAMES = (
    "Nguyễn " * 8 + "Trần " * 3 + "Lê " * 3 + "Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô "
    "Dương Lý Hà Lò Vàng"
).split()
_MALE_MIDDLE = ("Văn", "Văn", "Hữu", "Đức", "Minh", "Quang", "Công")
_MALE_GIVEN = ("An", "Bình", "Cường", "Dũng", "Hùng", "Hải", "Sơn", "Thành", "Tuấn", "Nam", "Long")
_FEMALE_MIDDLE = ("Thị", "Thị", "Ngọc", "Thu", "Thanh", "Kim")
_FEMALE_GIVEN = ("Hoa", "Lan", "Hương", "Mai", "Hạnh", "Thảo", "Yến", "Nga", "Liên", "Xuân")
_COMMUNES = (
    "Tân Lập",
    "Hòa Bình",
    "Phú Thịnh",
    "An Phú",
    "Tân Phú",
    "Bình Minh",
    "Hồng Phong",
    "Quang Trung",
    "Đồng Tâm",
    "Yên Bình",
    "Tân Tiến",
    "Phước Long",
    "Vĩnh Thạnh",
    "Mỹ An",
    "Long Hòa",
    "Thanh Sơn",
    "Xuân Lộc",
    "Đại Đồng",
    "Minh Khai",
    "Nghĩa Trung",
    "Thạnh Phú",
    "Hưng Đạo",
    "Tam Hiệp",
    "Cát Tiên",
    "Sơn Thủy",
    "Lộc Ninh",
    "Kim Sơn",
    "Ea Kar",
    "Bản Lầu",
    "Nậm Mười",
)
_COMPANY_WORDS = ("Phú Thịnh", "An Khang", "Hưng Phát", "Minh Long", "Thành Đạt", "Xanh Việt")

_OPENERS = (
    "{name} của {farm}, làm ra tại {place}.",
    "{farm} giới thiệu {name}, sản phẩm của vùng đất {place}.",
    "{name} đến thẳng từ {place}, không qua thương lái.",
)
_DETAILS: dict[Category, tuple[str, ...]] = {
    FRUIT: (
        "Quả được hái khi chín tới, đóng thùng ngay trong ngày.",
        "Vườn canh tác theo hướng VietGAP, không dùng thuốc kích chín.",
        "Cùi dày, mọng nước, vị ngọt thanh.",
        "Mỗi thùng được lót giấy và chèn xốp để quả không dập khi vận chuyển.",
    ),
    VEG: (
        "Rau cắt buổi sáng, giao trong ngày ở nội thành.",
        "Không dùng thuốc diệt cỏ; bón phân chuồng ủ hoai.",
        "Đóng túi có lỗ thoáng để rau giữ tươi lâu hơn.",
    ),
    Category.TEA: (
        "Búp chè hái một tôm hai lá, sao tay trên chảo gang.",
        "Nước chè xanh trong, hậu ngọt kéo dài.",
        "Đóng túi hút chân không, bảo quản nơi khô ráo.",
    ),
    Category.RICE_GRAINS: (
        "Lúa gặt đúng độ chín, phơi khô tự nhiên và xay mới mỗi tuần.",
        "Hạt gạo dài, cơm dẻo và thơm khi để nguội.",
        "Đóng bao có in ngày xay và mã lô.",
    ),
    Category.HONEY: (
        "Mật quay từ những tổ ong nuôi trong vườn cây ăn quả.",
        "Mật nguyên chất, không pha đường, độ ẩm dưới 20%.",
        "Mật có thể kết tinh khi trời lạnh, đó là hiện tượng tự nhiên.",
    ),
    Category.DRIED_PROCESSED: (
        "Sấy lạnh ở nhiệt độ thấp để giữ màu và hương vị.",
        "Không chất bảo quản, không phẩm màu.",
        "Chế biến tại xưởng đạt chứng nhận an toàn thực phẩm.",
    ),
    Category.BIRDS_NEST: (
        "Tổ yến được nhặt lông thủ công, giữ nguyên sợi.",
        "Hộp quà có tem chống giả và giấy kiểm nghiệm.",
    ),
    Category.OTHER: (
        "Thu hái từ vườn rừng, phơi khô trên giàn tre.",
        "Đóng túi zip, bảo quản nơi khô mát.",
    ),
}
_CLOSERS = (
    "Giao hàng toàn quốc; đổi trả nếu hàng hỏng khi nhận.",
    "Nhận đặt số lượng lớn cho cửa hàng và bếp ăn.",
    "Quét mã QR trên thùng để xem nguồn gốc lô hàng.",
    "",
)


# Generation -------------------------------------------------------------------------------


@dataclass
class _FarmPlan:
    row: dict
    province: Province
    #: A farm that never joins the session: it gives refresh_search_fields the same name,
    #: province name and commune as the row.
    model: Farm
    assortment: tuple[Produce, ...]
    specialties: tuple[tuple[str, Produce], ...]
    id: int | None = None


def _person(rng: random.Random) -> str:
    surname = rng.choice(_SURNAMES)
    if rng.random() < 0.6:
        return f"{surname} {rng.choice(_MALE_MIDDLE)} {rng.choice(_MALE_GIVEN)}"
    return f"{surname} {rng.choice(_FEMALE_MIDDLE)} {rng.choice(_FEMALE_GIVEN)}"


def _phone(rng: random.Random) -> str:
    prefix = rng.choice(("91", "94", "98", "97", "96", "86", "88", "32", "35", "39", "77", "83"))
    return f"+84{prefix}{rng.randint(0, 9_999_999):07d}"


def _specialties_by_province() -> dict[str, list[tuple[str, Produce]]]:
    index: dict[str, list[tuple[str, Produce]]] = {}
    for produce in PRODUCE:
        for name, code in produce.specialties:
            index.setdefault(code, []).append((name, produce))
    return index


def _farm_plan(
    rng: random.Random,
    province: Province,
    now: datetime,
    local: dict,
    slugs: set[str],
    operator_id: int | None,
) -> _FarmPlan:
    place = rng.choice(_COMMUNES)
    commune = f"phường {place}" if rng.random() < 0.1 else f"xã {place}"
    specialties = tuple(local.get(province.code, ()))
    assortment = tuple(rng.sample(PRODUCE, rng.randint(2, 5)))
    focus = specialties[0][0] if specialties else assortment[0].generic[0]
    roll = rng.random()
    if roll < 0.7:
        kind = FarmKind.HOUSEHOLD
        owner = _person(rng)
        name = f"Hộ {owner}" if rng.random() < 0.8 else f"Nhà vườn {owner}"
        story = (
            f"Gia đình {owner} sản xuất {focus[0].lower()}{focus[1:]} ở {commune}, {province.name} "
            f"đã {rng.randint(2, 4)} thế hệ. Chúng tôi bán trực tiếp, không qua thương lái."
        )
    elif roll < 0.92:
        kind = FarmKind.COOPERATIVE
        name = rng.choice(
            (
                f"HTX Nông nghiệp {place}",
                f"HTX Dịch vụ nông nghiệp {place}",
                f"HTX Nông sản sạch {place}",
            )
        )
        story = (
            f"Hợp tác xã có {rng.randint(12, 180)} hộ thành viên ở {commune}, canh tác "
            f"{rng.randint(5, 300)} ha theo quy trình VietGAP."
        )
    else:
        kind = FarmKind.COMPANY
        name = f"Công ty TNHH Nông sản {rng.choice(_COMPANY_WORDS)} {province.name}"
        story = f"Doanh nghiệp thu mua, sơ chế và đóng gói nông sản của {province.name}."
    slug = _unique(slugify(name), slugs)
    created_at = now - timedelta(days=rng.randint(760, 1500), seconds=rng.randint(0, 86_399))
    verified = rng.random() < 0.85
    row = {
        "slug": slug,
        "name": name,
        "kind": kind.value,
        "story": story,
        "province_code": province.code,
        "commune": commune,
        "contact_phone": _phone(rng),
        "cooperative_id": None,
        "verified_at": created_at + timedelta(days=rng.randint(1, 30)) if verified else None,
        "verified_by_id": operator_id if verified else None,
        "suspended_at": None,
        "suspended_by_id": None,
        "suspension_reason": None,
        "created_at": created_at,
    }
    model = Farm(name=name, province_code=province.code, commune=commune)
    return _FarmPlan(row, province, model, assortment, specialties)


def _bank_account(farm_id: int) -> dict:
    return {
        "farm_id": farm_id,
        "bank_bin": "970436",
        "account_number": f"{9_000_000_000 + farm_id}",
        "holder_name": "NONG SAN SO",
        "updated_at": utcnow(),
    }


def _pickup(plan: _FarmPlan) -> dict:
    return {
        "farm_id": plan.id,
        "min_order_vnd": 0,
        "pickup_enabled": True,
        "pickup_address": plan.row["commune"],
    }


def _unique(base: str, taken: set[str]) -> str:
    """The services' rule for farm slugs: the name, then name-2, name-3…"""
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _certification(
    rng: random.Random, farm_id: int, today: date, now: datetime, operator_id: int | None
) -> dict | None:
    roll = rng.random()
    if roll < 0.35:
        scheme, issuer = CertificationScheme.VIETGAP, "Trung tâm Chứng nhận Phù hợp (QUACERT)"
    elif roll < 0.42:
        scheme, issuer = CertificationScheme.GLOBALGAP, "Control Union Việt Nam"
    elif roll < 0.48:
        scheme, issuer = CertificationScheme.ORGANIC, "Văn phòng Chứng nhận Hữu cơ Việt Nam"
    else:
        return None
    issued_on = today - timedelta(days=rng.randint(30, 900))
    created_at = now - timedelta(days=rng.randint(10, 29))
    return {
        "farm_id": farm_id,
        "scheme": scheme.value,
        "other_scheme": None,
        "number": f"{scheme.value.upper()}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}",
        "issuer": issuer,
        "issued_on": issued_on,
        "expires_on": issued_on + relativedelta(years=3),
        "scan_key": None,
        "scan_content_type": None,
        "verified_at": created_at + timedelta(days=rng.randint(1, 9)),
        "verified_by_id": operator_id,
        "created_at": created_at,
    }


def _round_price(value: float) -> int:
    return max(1_000, int(round(value / 1_000)) * 1_000)


def _variants(rng: random.Random, produce: Produce) -> list[dict]:
    packs = _PACKS[produce.packing]
    chosen = sorted(rng.sample(range(len(packs)), min(len(packs), rng.choice((1, 2, 2, 3)))))
    per_kg = rng.uniform(*produce.price)
    variants = []
    for position, index in enumerate(chosen):
        unit, pack_kg, custom_unit = packs[index]
        kg = pack_kg or 1
        # Bigger packs cost a little less per kilogram; boxes and jars add their own price.
        price = per_kg * kg * (1 - 0.03 * position) + (15_000 if unit == Unit.GIFT_BOX else 0)
        variants.append(
            {
                "unit": unit.value,
                "pack_kg": Decimal(str(pack_kg)) if unit in PACKED_UNITS else None,
                "custom_unit": custom_unit,
                "price_vnd": _round_price(price),
                "weight_grams": int(kg * 1000) + rng.choice((50, 100, 200, 300)),
                "stock": rng.randint(0, 500),
                "min_order_qty": 1,
                "position": position,
            }
        )
    return variants


def _next_date(month_day: int, today: date) -> date:
    month, day = divmod(month_day, 100)
    for year in (today.year, today.year + 1, today.year + 2):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return today


def _product(
    rng: random.Random,
    plan: _FarmPlan,
    slugs: set[str],
    sequence: int,
    now: datetime,
    today: date,
) -> tuple[dict, Produce]:
    if plan.specialties and rng.random() < 0.6:
        base, produce = rng.choice(plan.specialties)
    else:
        produce = rng.choice(plan.assortment)
        base = rng.choice(produce.generic)
        if rng.random() < 0.7:
            base = f"{base} {plan.province.name}"
    qualifiers = _QUALIFIERS + (("chính vụ",) if produce.season else ())
    name = f"{base} {rng.choice(qualifiers)}" if rng.random() < 0.35 else base
    place = f"{plan.row['commune']}, {plan.province.display_name}"
    sentences = [
        rng.choice(_OPENERS).format(name=name, farm=plan.row["name"], place=place),
        *rng.sample(_DETAILS[produce.category], 2),
        rng.choice(_CLOSERS),
    ]
    description = " ".join(s for s in sentences if s)
    slug = f"{slugify(name, 100)}-{sequence}"
    while slug in slugs:
        sequence += 1
        slug = f"{slugify(name, 100)}-{sequence}"
    slugs.add(slug)
    created_at = now - timedelta(days=rng.randint(0, 730), seconds=rng.randint(3_600, 86_399))
    published_at = min(now, created_at + timedelta(minutes=rng.randint(5, 3 * 24 * 60)))
    season = produce.season if produce.season and rng.random() < 0.8 else None
    preorder = bool(season) and not in_season(*season, today) and rng.random() < 0.3
    # A product that never joins the session, so the search copies come from the service itself.
    search = Product(name=name, description=description, farm=plan.model)
    refresh_search_fields(search)
    row = {
        "farm_id": plan.id,
        "slug": slug,
        "name": name,
        "category": produce.category.value,
        "description": description,
        "gtin": None,
        "status": ProductStatus.PUBLISHED.value,
        "growing_area_id": None,
        "season_start": season[0] if season else None,
        "season_end": season[1] if season else None,
        "preorder_enabled": preorder,
        "preorder_ships_on": _next_date(season[0], today) if preorder else None,
        "preorder_capacity": rng.randint(50, 500) if preorder else 0,
        "preorder_taken": 0,
        "price_from_vnd": None,
        "search_name": search.search_name,
        "search_text": search.search_text,
        "created_at": created_at,
        "published_at": published_at,
    }
    return row, produce


def _ocop(rng: random.Random, today: date, now: datetime, operator_id: int | None) -> dict:
    stars = rng.choices((3, 4, 5), weights=(60, 32, 8))[0]
    decided = today - timedelta(days=rng.randint(20, 1000))
    authority = "QĐ-BNN-KTHT" if stars == 5 else "QĐ-UBND"
    return {
        "stars": stars,
        "level": "ministry" if stars == 5 else "province",
        "decision_number": f"{rng.randint(100, 4999)}/{authority}",
        "decision_date": decided,
        "expires_on": decided + OCOP_VALIDITY,
        "verified_at": now - timedelta(days=rng.randint(0, 15)),
        "verified_by_id": operator_id,
    }


#: The ORM leaves None values out of a bulk INSERT, so rows with different empty columns
#: would be split into many small statements; rendering NULL keeps one multi-row INSERT.
_ONE_BATCH = {"render_nulls": True}


def _insert_returning_ids(model: type[Farm] | type[Product], rows: list[dict]) -> dict[str, int]:
    """Bulk INSERT … RETURNING; the new ids by (unique) slug, whatever order rows come back in."""
    result = db.session.execute(
        insert(model).returning(model.id, model.slug), rows, execution_options=_ONE_BATCH
    )
    return {slug: id_ for id_, slug in result}


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def seed_scale(
    farms: int,
    products: int,
    progress: Callable[[int], None] | None = None,
    *,
    seed: int = DEFAULT_SEED,
    batch_size: int = BATCH_SIZE,
) -> tuple[int, int]:
    """Add `farms` farms and `products` published products spread over them, in bulk.

    Farms cover all 34 provinces (once there are at least 34); `progress` is called with the
    number of products stored after each committed batch. Returns (farms, products) created.
    """
    rng = random.Random(seed)
    now, today = utcnow(), local_today()
    operator_id = db.session.scalar(
        select(User.id).where(User.role == Role.OPERATOR.value).order_by(User.id).limit(1)
    )
    farm_slugs = set(db.session.scalars(select(Farm.slug)))
    product_slugs = set(db.session.scalars(select(Product.slug)))
    sequence = (db.session.scalar(select(func.max(Product.id))) or 0) + 1

    provinces = list(all_provinces())
    rng.shuffle(provinces)
    local = _specialties_by_province()
    plans = [
        _farm_plan(rng, provinces[i % len(provinces)], now, local, farm_slugs, operator_id)
        for i in range(farms)
    ]
    for batch in _chunks(plans, batch_size):
        ids = _insert_returning_ids(Farm, [plan.row for plan in batch])
        certifications = []
        for plan in batch:
            plan.id = farm_id = ids[plan.row["slug"]]
            certification = _certification(rng, farm_id, today, now, operator_id)
            if certification:
                certifications.append(certification)
        if certifications:
            db.session.execute(insert(Certification), certifications, execution_options=_ONE_BATCH)
        # Published products need a farm that can take an order: a way to be paid, and
        # (the simplest) pickup at the farm.
        db.session.execute(
            insert(BankAccount),
            [_bank_account(plan.id) for plan in batch],
            execution_options=_ONE_BATCH,
        )
        db.session.execute(
            insert(DeliverySettings),
            [_pickup(plan) for plan in batch],
            execution_options=_ONE_BATCH,
        )
        db.session.commit()

    if not plans:
        return 0, 0
    # Every farm gets a product before any gets a second; then bigger farms get more.
    weights = [rng.uniform(0.3, 3.0) for _ in plans]
    owners = list(range(min(farms, products)))
    owners += rng.choices(range(farms), weights=weights, k=products - len(owners))
    rng.shuffle(owners)

    made = 0
    for batch in _chunks(owners, batch_size):
        rows, produce_of = [], []
        for index in batch:
            row, produce = _product(rng, plans[index], product_slugs, sequence, now, today)
            sequence += 1
            rows.append(row)
            produce_of.append(produce)
        variants_of = [_variants(rng, produce) for produce in produce_of]
        for row, variants in zip(rows, variants_of, strict=True):
            row["price_from_vnd"] = min(v["price_vnd"] for v in variants)
        ids = _insert_returning_ids(Product, rows)
        variant_rows, ocop_rows = [], []
        for row, variants in zip(rows, variants_of, strict=True):
            product_id = ids[row["slug"]]
            for variant in variants:
                variant["product_id"] = product_id
                variant_rows.append(variant)
            if rng.random() < 0.08:
                ocop_rows.append({"product_id": product_id, **_ocop(rng, today, now, operator_id)})
        db.session.execute(insert(Variant), variant_rows, execution_options=_ONE_BATCH)
        if ocop_rows:
            db.session.execute(insert(OcopCertificate), ocop_rows, execution_options=_ONE_BATCH)
        db.session.commit()
        made += len(rows)
        if progress is not None:
            progress(len(rows))
    return len(plans), made


@click.command("seed-scale")
@click.option("--farms", default=200, show_default=True, type=click.IntRange(min=1))
@click.option("--products", default=10_000, show_default=True, type=click.IntRange(min=0))
@click.option("--seed", default=DEFAULT_SEED, show_default=True, help="Same seed, same catalog.")
@with_appcontext
def seed_scale_command(farms: int, products: int, seed: int) -> None:
    """Add a large synthetic catalog (farms, published products) for benchmarks."""
    if current_app.config["NONGSAN_ENV"] == "production":
        raise click.ClickException("seed-scale refuses to run with NONGSAN_ENV=production")
    with click.progressbar(length=products, label="Products") as bar:
        made_farms, made_products = seed_scale(farms, products, bar.update, seed=seed)
    click.echo(f"Seeded {made_farms} farm(s) and {made_products} product(s).")


def main(argv: list[str] | None = None) -> None:
    """`python -m bench.seeding`: the application comes from the environment (DATABASE_URL)."""
    info = ScriptInfo(create_app=create_app)
    seed_scale_command.main(argv, prog_name="python -m bench.seeding", obj=info)


if __name__ == "__main__":
    main()
