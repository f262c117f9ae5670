"""Demo batches with full farming diaries, recorded through the same services a farmer uses:
the lychee's sprayings, test, harvest and packing; the pomelo's; the tea's processing; the
oranges'. Dates fall in each crop's most recent season, so they are always in the past."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.auth.models import User
from app.clock import VIETNAM, local_today
from app.extensions import db
from demo.images import draw_produce
from farms.models import Farm
from products.models import Product
from traceability import labels, services
from traceability.models import Batch

#: A diary entry: (kind, days after the harvest (negative: before), hour, fields, note).
Entry = tuple[str, int, int, dict[str, str], str]

LYCHEE_DIARY: list[Entry] = [
    ("fertilising", -120, 7, {"input": "Phân chuồng hoai mục", "amount": "30 kg/gốc"}, ""),
    ("irrigation", -75, 17, {"amount": "60 lít/gốc"}, "Tưới đẫm sau đợt khô hanh."),
    ("fertilising", -60, 7, {"input": "NPK 12-5-10", "amount": "1,5 kg/gốc"}, "Bón nuôi quả."),
    (
        "spraying",
        -35,
        6,
        {
            "product": "Regent 800WG",
            "active_ingredient": "Fipronil",
            "dose": "1 g / 16 lít nước",
            "phi_days": "14",
        },
        "Phòng sâu đục cuống quả.",
    ),
    (
        "spraying",
        -21,
        6,
        {
            "product": "Ridomil Gold 68WG",
            "active_ingredient": "Metalaxyl-M + Mancozeb",
            "dose": "50 g / 16 lít nước",
            "phi_days": "7",
        },
        "Phòng sương mai sau mưa.",
    ),
    (
        "inspection",
        -3,
        9,
        {
            "inspector": "Trung tâm Kiểm nghiệm Hải Dương",
            "result": "Đạt: không phát hiện dư lượng vượt mức",
        },
        "Mẫu lấy tại vườn ngày trước thu hoạch.",
    ),
    ("harvest", 0, 5, {"quantity": "1200", "unit": "kg"}, "Hái sáng sớm khi trời mát."),
    (
        "packing",
        0,
        14,
        {"packages": "240", "package_unit": "thùng 5 kg"},
        "Sơ chế, phân loại, đóng thùng xốp có đá.",
    ),
    ("shipping", 1, 4, {"to_whom": "Kho Nông Sản Số Hà Nội", "carrier": "Xe lạnh Thành Hưng"}, ""),
]

POMELO_DIARY: list[Entry] = [
    ("fertilising", -90, 7, {"input": "Phân hữu cơ vi sinh Sông Gianh", "amount": "5 kg/gốc"}, ""),
    (
        "spraying",
        -40,
        6,
        {
            "product": "Confidor 100SL",
            "active_ingredient": "Imidacloprid",
            "dose": "10 ml / 16 lít nước",
            "phi_days": "21",
        },
        "Trừ rệp sáp.",
    ),
    ("irrigation", -20, 16, {"amount": "80 lít/gốc"}, ""),
    ("harvest", 0, 6, {"quantity": "3500", "unit": "kg"}, "Bưởi đủ 190 ngày sau đậu quả."),
    ("packing", 1, 9, {"packages": "700", "package_unit": "túi lưới 5 kg"}, "Dán tem từng quả."),
]

TEA_DIARY: list[Entry] = [
    ("fertilising", -30, 7, {"input": "Phân đậu tương ủ hoai", "amount": "2 tấn/ha"}, ""),
    ("irrigation", -10, 17, {"amount": "Tưới phun mưa 30 phút"}, ""),
    ("harvest", 0, 6, {"quantity": "180", "unit": "kg chè búp tươi"}, "Hái một tôm hai lá."),
    ("note", 0, 11, {}, "Làm héo 4 giờ trên nong tre."),
    ("note", 0, 16, {}, "Sao diệt men bằng tôn quay củi 15 phút, vò nhẹ."),
    ("note", 1, 8, {}, "Sấy khô và lên hương bằng chảo gang; 180 kg búp tươi ra 38 kg chè khô."),
    ("packing", 2, 9, {"packages": "76", "package_unit": "túi 500 g hút chân không"}, ""),
]

ORANGE_DIARY: list[Entry] = [
    ("fertilising", -100, 7, {"input": "Kali sulfat", "amount": "0,5 kg/gốc"}, "Bón tăng độ ngọt."),
    (
        "spraying",
        -45,
        6,
        {
            "product": "Sherpa 25EC",
            "active_ingredient": "Cypermethrin",
            "dose": "20 ml / 16 lít nước",
            "phi_days": "14",
        },
        "Trừ ruồi vàng đục quả.",
    ),
    ("harvest", 0, 7, {"quantity": "2000", "unit": "kg"}, ""),
    ("packing", 1, 8, {"packages": "200", "package_unit": "thùng 10 kg"}, ""),
]

#: (farm slug, product name, batch code, (month, day) of the harvest, diary, photo kind)
DEMO_BATCHES = [
    ("vuon-vai-thanh-ha", "Vải thiều Thanh Hà", "VT-A", (6, 12), LYCHEE_DIARY, "lychee"),
    ("vuon-vai-thanh-ha", "Vải thiều Thanh Hà", "VT-B", (6, 20), LYCHEE_DIARY, "lychee"),
    ("nha-vuon-hoa-ha-dong", "Vải sớm Hà Đông", "VS-A", (5, 25), LYCHEE_DIARY, "lychee"),
    ("htx-buoi-thanh-hong", "Bưởi Thanh Hồng", "BT-A", (9, 5), POMELO_DIARY, "pomelo"),
    ("htx-che-tan-cuong", "Chè Tân Cương đặc biệt", "CT-A", (4, 10), TEA_DIARY, "tea"),
    ("htx-che-tan-cuong", "Chè Tân Cương đặc biệt", "CT-B", (10, 15), TEA_DIARY, "tea"),
    ("htx-che-tan-cuong", "Chè móc câu Tân Cương hộp quà", "MC-A", (10, 18), TEA_DIARY, "tea"),
    ("vuon-cam-sang-ha-giang", "Cam sành Hà Giang", "CS-A", (11, 5), ORANGE_DIARY, "orange"),
]

#: Recalled once the demo orders have been packed from it, so its buyers are listed.
RECALLED = (
    "vuon-cam-sang-ha-giang",
    "CS-A",
    "Kiểm nghiệm lại phát hiện dư lượng Cypermethrin vượt mức cho phép; "
    "đề nghị khách không sử dụng và liên hệ để được hoàn tiền.",
)


def _last_season(month: int, day: int, today: date) -> date:
    """The latest such day whose whole diary (up to 3 days after the harvest) is past."""
    for year in (today.year, today.year - 1):
        candidate = date(year, month, day)
        if candidate + timedelta(days=3) < today:
            return candidate
    return date(today.year - 2, month, day)


def _seed_batch(farm: Farm, product: Product, code: str, harvest_on: date, diary, photo: str):
    owner = farm.members[0].user
    dated = harvest_on.strftime("%y%m")
    batch = services.create_batch(
        farm, owner, product_id=product.id, code=f"{code[:2]}{dated}-{code[-1]}"
    )
    for n, (kind, offset, hour, fields, note) in enumerate(diary):
        moment = datetime.combine(harvest_on + timedelta(days=offset), time(hour), VIETNAM)
        entry = services.EventInput(
            kind=kind,
            occurred_at=moment,
            fields=fields,
            note=note,
            photos=[draw_produce(photo, seed=batch.id * 10 + n, size=(640, 480))]
            if kind == "harvest"
            else (),
        )
        services.record_event(batch, owner, entry)
    labels.issue_labels(batch, owner, "a4-24", 24)
    return batch


def seed_demo_batches() -> None:
    """Create the demo batches once (a farm that already has batches is left alone)."""
    today = local_today()
    for farm_slug, product_name, code, (month, day), diary, photo in DEMO_BATCHES:
        farm = db.session.scalar(select(Farm).where(Farm.slug == farm_slug))
        product = db.session.scalar(
            select(Product).where(Product.farm_id == farm.id, Product.name == product_name)
        )
        harvest_on = _last_season(month, day, today)
        full_code = f"{code[:2]}{harvest_on:%y%m}-{code[-1]}"
        if db.session.scalar(
            select(Batch.id).where(Batch.farm_id == farm.id, Batch.code == full_code)
        ):
            continue
        _seed_batch(farm, product, code, harvest_on, diary, photo)
    db.session.flush()


def recall_demo_batch(people: dict[str, User]) -> None:
    farm_slug, code, reason = RECALLED
    farm = db.session.scalar(select(Farm).where(Farm.slug == farm_slug))
    batch = db.session.scalar(
        select(Batch).where(Batch.farm_id == farm.id, Batch.code.like(f"{code[:2]}%-{code[-1]}"))
    )
    if batch is not None and not batch.is_recalled:
        services.recall_batch(batch, people["admin@nongsan.demo"], reason)
