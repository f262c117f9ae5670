"""Trace page benchmark: 100,000 batches and 1,000,000 events on a throw-away PostgreSQL, loaded.

    .venv/bin/python bench/trace.py [--batches 100000] [--events 1000000] [--seconds 10]
        [--concurrency 16] [--workers 2] [--profile]

Everything stays on 127.0.0.1: the cluster, gunicorn and the load generator (threads with
keep-alive http.client connections, each bounded in time and in requests, posing as phones
that scan a box's QR label). Seeds farms and products with seed_scale(), then batches with
hash-chained farming diaries and printed labels in bulk (timed), checks a sample of chains
with the application's own verify_batch(), and loads /healthz and the trace page. Prints
requests/second and p50/p95/p99 per endpoint beside /healthz measured in the same run, a
verdict on the scan of one popular batch's labels, and whether the scans counted in the
database equal the scans the clients saw answered.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import math
import multiprocessing
import os
import random
import secrets
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from types import SimpleNamespace

from _harness import TRIVIAL, CpuMeter, Measurement, Server, fetch, load, postmaster_pid

#: A phone's browser, so each request is counted as a scan (bots are logged but not counted).
USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; SM-A155F) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/126.0.0.0 Mobile Safari/537.36"
)
#: What only the trace page holds.
TRACE_PAGE = 'data-testid="trace-page"'
TARGET_P99_MS = 50.0
TARGET_SHARE = 0.5
#: Rows per INSERT statement (one executemany) while seeding.
INSERT_ROWS = 10_000
#: Batches each seeding job generates, hashes and stores in one transaction.
JOB_BATCHES = 1_000


# The farming diary -------------------------------------------------------------------------
#
# What a farmer of each kind of produce writes down, in Vietnamese as in demo/batches.py.
# The details of each kind follow traceability.diary.KIND_FIELDS, with the types its
# validation gives them: whole numbers as int, quantities as a normalised decimal string.


@dataclass(frozen=True)
class Crop:
    """What the diary of one category of products (products.models.Category) draws from."""

    #: (input, amount)
    fertilisers: tuple[tuple[str, str], ...]
    #: (product, active ingredient, dose, pre-harvest interval in days, why)
    sprays: tuple[tuple[str, str, str, int, str], ...]
    waterings: tuple[str, ...]
    chores: tuple[str, ...]
    #: Harvested quantity range and unit, and what the harvest note may say.
    harvest: tuple[int, int, str]
    harvest_notes: tuple[str, ...]
    #: (package, kilograms or units of the harvest in one package)
    packages: tuple[tuple[str, float], ...]
    fields: tuple[str, ...] = ("Lô A1", "Lô A2", "Lô B1", "Lô B3", "Vườn nhà", "Khu C")


_FRUIT_SPRAYS = (
    ("Regent 800WG", "Fipronil", "1 g / 16 lít nước", 14, "Phòng sâu đục cuống quả."),
    ("Ridomil Gold 68WG", "Metalaxyl-M + Mancozeb", "50 g / 16 lít nước", 7, "Phòng sương mai."),
    ("Sherpa 25EC", "Cypermethrin", "20 ml / 16 lít nước", 14, "Trừ ruồi vàng đục quả."),
    ("Confidor 100SL", "Imidacloprid", "10 ml / 16 lít nước", 21, "Trừ rệp sáp."),
    ("Anvil 5SC", "Hexaconazole", "20 ml / 16 lít nước", 7, "Phòng nấm thán thư sau mưa."),
    ("Radiant 60SC", "Spinetoram", "15 ml / 16 lít nước", 7, "Trừ bọ trĩ hại lộc non."),
    ("Kasumin 2SL", "Kasugamycin", "40 ml / 16 lít nước", 7, ""),
)
_FRUIT_FERTILISERS = (
    ("Phân chuồng hoai mục", "30 kg/gốc"),
    ("NPK 12-5-10", "1,5 kg/gốc"),
    ("Phân hữu cơ vi sinh Sông Gianh", "5 kg/gốc"),
    ("Kali sulfat", "0,5 kg/gốc"),
    ("Phân bón lá Growmore 20-20-20", "30 g / 16 lít nước"),
    ("Vôi bột", "1 kg/gốc"),
)
_VEG_SPRAYS = (
    ("Bt Xentari 35WDG", "Bacillus thuringiensis", "10 g / 16 lít nước", 3, "Trừ sâu tơ."),
    ("Abatimec 3.6EC", "Abamectin", "10 ml / 16 lít nước", 7, "Trừ bọ nhảy."),
    ("SK Enspray 99EC", "Dầu khoáng", "50 ml / 16 lít nước", 3, "Trừ rệp, nhện đỏ."),
    ("Aliette 80WP", "Fosetyl-aluminium", "30 g / 16 lít nước", 7, "Phòng thối nhũn."),
)
_NO_SPRAYS: tuple[tuple[str, str, str, int, str], ...] = ()

CROPS: dict[str, Crop] = {
    "fresh_fruit": Crop(
        _FRUIT_FERTILISERS,
        _FRUIT_SPRAYS,
        ("60 lít/gốc", "Tưới nhỏ giọt 2 giờ", "Tưới rãnh", "40 lít/gốc"),
        (
            "Cắt tỉa cành tăm, cành sâu bệnh.",
            "Bao quả bằng túi giấy chống ruồi vàng.",
            "Khoanh cành để ra hoa đồng loạt.",
            "Tỉa bớt quả nhỏ, mỗi chùm để 8–10 quả.",
            "Trời mưa to, khơi rãnh thoát nước.",
            "Làm cỏ, phủ rơm giữ ẩm gốc.",
        ),
        (300, 5_000, "kg"),
        ("Hái sáng sớm khi trời mát.", "Thu hoạch khi quả chín 85–90%.", ""),
        (("thùng 5 kg", 5), ("thùng 10 kg", 10), ("hộp quà 2 kg", 2), ("sọt 20 kg", 20)),
    ),
    "vegetables": Crop(
        (
            ("Phân gà ủ hoai", "300 kg/sào"),
            ("Đạm cá", "50 ml / 10 lít nước"),
            ("NPK 16-16-8", "5 kg/sào"),
        ),
        _VEG_SPRAYS,
        ("Tưới phun mưa 30 phút", "Tưới rãnh", "20 lít/m²"),
        ("Làm cỏ, vun luống.", "Che lưới chắn côn trùng.", "Tỉa cây, để khoảng cách 20 cm."),
        (100, 1_500, "kg"),
        ("Cắt buổi sáng, để ráo trong bóng râm.", ""),
        (("túi 500 g", 0.5), ("bó 0,5 kg", 0.5), ("thùng 10 kg", 10)),
        ("Luống 1", "Luống 4", "Nhà lưới số 2", "Ruộng số 3"),
    ),
    "tea": Crop(
        (("Phân đậu tương ủ hoai", "2 tấn/ha"), ("NPK 5-10-3", "500 kg/ha")),
        (
            ("Comite 73EC", "Propargite", "15 ml / 16 lít nước", 7, "Trừ nhện đỏ."),
            ("Actara 25WG", "Thiamethoxam", "2 g / 16 lít nước", 7, "Trừ rầy xanh."),
        ),
        ("Tưới phun mưa 30 phút", ""),
        ("Đốn tạo tán sau vụ.", "Làm héo 4 giờ trên nong tre.", "Sao diệt men, vò nhẹ."),
        (80, 600, "kg chè búp tươi"),
        ("Hái một tôm hai lá.", "Hái tay vào sáng sớm."),
        (("túi 500 g hút chân không", 2.5), ("hộp 200 g", 1.0)),
        ("Đồi chè số 1", "Đồi chè số 3", "Nương Suối Giàng"),
    ),
    "rice_grains": Crop(
        (("Đạm urê", "8 kg/sào"), ("NPK 20-20-15", "10 kg/sào"), ("Lân Lâm Thao", "15 kg/sào")),
        (
            ("Tilt Super 300EC", "Difenoconazole + Propiconazole", "10 ml / 16 lít nước", 14, ""),
            ("Chess 50WG", "Pymetrozine", "5 g / 16 lít nước", 14, "Trừ rầy nâu."),
            ("Beam 75WP", "Tricyclazole", "15 g / 16 lít nước", 21, "Phòng đạo ôn cổ bông."),
        ),
        ("Bơm nước vào ruộng 5 cm", "Rút nước phơi ruộng"),
        ("Cấy dặm chỗ thưa.", "Làm cỏ sục bùn.", "Lúa trổ đều, đang vào chắc."),
        (1_500, 8_000, "kg thóc"),
        ("Gặt máy, phơi khô hai nắng.", ""),
        (("bao 5 kg", 3.2), ("bao 10 kg", 6.5), ("bao 25 kg", 16)),
        ("Ruộng số 2", "Cánh đồng mẫu lớn", "Thửa 17"),
    ),
    "honey": Crop(
        (("Đường kính nuôi ong mùa mưa", "1 kg/đàn"),),
        _NO_SPRAYS,
        ("Đặt máng nước sạch cho ong",),
        ("Kiểm tra đàn, chia đàn.", "Chuyển thùng ong đến vườn nhãn.", "Ong vít nắp 70% cầu mật."),
        (50, 600, "lít"),
        ("Quay mật sau 10 ngày ong vít nắp.", ""),
        (("chai 500 ml", 0.5), ("hũ 1 lít", 1)),
        ("Trại ong vườn nhãn", "Trại ong rừng tràm"),
    ),
    "dried_processed": Crop(
        _FRUIT_FERTILISERS[:3],
        _FRUIT_SPRAYS[:3],
        ("60 lít/gốc", "Tưới nhỏ giọt 2 giờ"),
        ("Phơi trên giàn tre.", "Sấy lạnh 18 giờ ở 45 °C.", "Kiểm tra độ ẩm dưới 12%."),
        (100, 1_000, "kg"),
        ("Thu hái nguyên liệu chín đều.",),
        (("túi 250 g", 1.2), ("hũ 500 g", 2.4)),
    ),
    "birds_nest": Crop(
        (),
        _NO_SPRAYS,
        ("Phun sương giữ ẩm nhà yến",),
        ("Vệ sinh nhà yến.", "Bật loa dẫn dụ chim.", "Đo nhiệt độ, độ ẩm nhà yến."),
        (2, 20, "kg tổ yến thô"),
        ("Khai thác tổ sau khi chim non rời tổ.",),
        (("hộp quà 100 g", 0.1), ("hộp 50 g", 0.05)),
        ("Nhà yến số 1", "Nhà yến số 2"),
    ),
    "other": Crop(
        (("Phân chuồng hoai mục", "5 kg/gốc"), ("Tro bếp", "1 kg/gốc")),
        _VEG_SPRAYS[:2],
        ("Tưới phun mưa 30 phút", ""),
        ("Phát quang dưới tán rừng.", "Phơi khô trên giàn tre."),
        (30, 500, "kg"),
        ("Thu hái thủ công.",),
        (("túi 100 g", 0.4), ("túi 500 g", 2)),
        ("Vườn rừng", "Sườn đồi phía đông"),
    ),
}
_INSPECTORS = (
    "Trung tâm Kiểm nghiệm Hải Dương",
    "Quatest 1",
    "Quatest 3",
    "Viện Bảo vệ thực vật",
    "Chi cục Trồng trọt và BVTV tỉnh",
    "Eurofins Sắc Ký Hải Đăng",
)
_RESULTS = (
    "Đạt: không phát hiện dư lượng vượt mức",
    "Đạt, không phát hiện dư lượng thuốc BVTV",
    "Đạt: dư lượng dưới giới hạn MRL",
    "Đạt, kim loại nặng dưới ngưỡng cho phép",
)
_BUYERS = (
    "Siêu thị Nông sản sạch Hà Nội",
    "Kho Nông Sản Số Hà Nội",
    "Kho Nông Sản Số TP. Hồ Chí Minh",
    "Chợ đầu mối Long Biên",
    "Chợ đầu mối Thủ Đức",
    "Chuỗi cửa hàng Bác Tôm",
    "Siêu thị WinMart Hà Đông",
    "Bếp ăn Trường Tiểu học Dịch Vọng",
)
_CARRIERS = ("Viettel Post", "Giao Hàng Tiết Kiệm", "Xe lạnh Thành Hưng", "Ahamove", "", "")
_RECEIVERS = ("Kho Long Biên", "Kho lạnh Bình Chánh", "Cửa hàng Bác Tôm 12 Láng Hạ")
_RECALL_REASONS = (
    "Kiểm nghiệm lại phát hiện dư lượng Cypermethrin vượt mức cho phép; đề nghị khách không"
    " sử dụng và liên hệ để được hoàn tiền.",
    "Một số thùng bị ngấm nước mưa khi vận chuyển; thu hồi để kiểm tra lại.",
)
_PEOPLE = (
    "Nguyễn Văn An",
    "Trần Thị Hoa",
    "Lê Minh Tuấn",
    "Phạm Thị Lan",
    "Hoàng Đức Sơn",
    "Vũ Thị Mai",
    "Đặng Quang Hải",
    "Bùi Thị Hạnh",
    "Lò Văn Nam",
    "Vàng Thị Xuân",
)


@dataclass(frozen=True)
class BatchPlan:
    """One batch as the planner decided it; the seeding job writes its diary."""

    index: int
    product_id: int
    farm_id: int
    category: str
    variety: str
    recorders: tuple[str, ...]
    code: str
    #: The day of the harvest (or, for a batch still growing, the day planned for it).
    harvest_on: date
    events: int
    status: str
    labels: int
    corrected: bool


def _decimal_text(value: Decimal) -> str:
    """A quantity as traceability.services stores it: normalised, no exponent."""
    return format(value.normalize(), "f")


def _moment(day: date, rng: random.Random, first_hour: int = 6, last_hour: int = 17) -> datetime:
    from app.clock import VIETNAM

    local = clock_time(rng.randint(first_hour, last_hour), rng.choice((0, 10, 15, 30, 45)))
    return datetime.combine(day, local, VIETNAM).astimezone(UTC)


def diary(plan: BatchPlan, rng: random.Random, now: datetime) -> list[dict]:
    """The batch's events in recording order, without ids or hashes: kind, times, details."""
    crop = CROPS.get(plan.category, CROPS["other"])
    harvested = plan.status != "growing"
    post: list[str] = []
    if harvested:
        post = ["harvest"]
        if plan.status != "harvested":
            post.append("packing")
            if plan.events >= 6:
                post.append("shipping")
            if plan.events >= 10:
                post.append("receiving")
    pre_count = plan.events - len(post) - (1 if plan.corrected else 0)
    field_name = rng.choice(crop.fields)
    recorder = rng.choice(plan.recorders)
    pre: list[dict] = []
    kinds = ["irrigation"] * 3 + ["note"] * 2
    kinds += ["fertilising"] * 4 if crop.fertilisers else []
    kinds += ["spraying"] * 3 if crop.sprays else []
    inspected = harvested and pre_count >= 5 and rng.random() < 0.6
    planted = pre_count >= 4 and rng.random() < 0.4
    longest = 150 if plan.category in ("fresh_fruit", "dried_processed") else 90
    for _ in range(pre_count - inspected - planted):
        kind = rng.choice(kinds)
        details: dict = {}
        note = ""
        days_before = rng.randint(2, longest)
        if kind == "fertilising":
            details["input"], details["amount"] = rng.choice(crop.fertilisers)
            note = rng.choice(("", "", "Bón sau mưa khi đất ẩm.", "Bón nuôi quả."))
        elif kind == "irrigation":
            amount = rng.choice(crop.waterings)
            if amount:
                details["amount"] = amount
            note = rng.choice(("", "", "Tưới đẫm sau đợt khô hanh."))
        elif kind == "spraying":
            product, ingredient, dose, phi, why = rng.choice(crop.sprays)
            details = {
                "product": product,
                "active_ingredient": ingredient,
                "dose": dose,
                "phi_days": phi,
            }
            note = why
            # Recorded through the services, a harvest inside the interval is refused.
            days_before = rng.randint(phi + 1, max(phi + 2, min(longest, phi + 45)))
        else:
            note = rng.choice(crop.chores)
        day = plan.harvest_on - timedelta(days=days_before)
        pre.append(
            {"kind": kind, "occurred_at": _moment(day, rng), "details": details, "note": note}
        )
    if planted:
        earliest = min((e["occurred_at"] for e in pre), default=_moment(plan.harvest_on, rng))
        pre.append(
            {
                "kind": "planting",
                "occurred_at": earliest - timedelta(days=rng.randint(5, 40)),
                "details": {"variety": plan.variety, "amount": f"{rng.randint(2, 40) * 10} cây"},
                "note": "",
            }
        )
    if inspected:
        pre.append(
            {
                "kind": "inspection",
                "occurred_at": _moment(plan.harvest_on - timedelta(days=rng.randint(1, 4)), rng),
                "details": {"inspector": rng.choice(_INSPECTORS), "result": rng.choice(_RESULTS)},
                "note": rng.choice(("", "Mẫu lấy tại vườn trước thu hoạch.")),
            }
        )
    pre.sort(key=lambda e: e["occurred_at"])
    for event in pre:
        event["place"] = field_name if event["kind"] != "inspection" else ""

    events = pre
    low, high, unit = crop.harvest
    quantity = Decimal(rng.randint(low, high))
    harvest_at = _moment(plan.harvest_on, rng, 5, 8)
    for kind in post:
        if kind == "harvest":
            at, place = harvest_at, field_name
            details = {"quantity": _decimal_text(quantity), "unit": unit}
            note = rng.choice(crop.harvest_notes)
        elif kind == "packing":
            at, place = harvest_at + timedelta(hours=rng.randint(3, 30)), "Nhà sơ chế"
            package, size = rng.choice(crop.packages)
            details = {
                "packages": max(1, int(quantity / Decimal(str(size)))),
                "package_unit": package,
            }
            note = rng.choice(
                ("Sơ chế, phân loại, đóng thùng.", "Dán tem truy xuất từng thùng.", "")
            )
        elif kind == "shipping":
            at, place = harvest_at + timedelta(hours=rng.randint(30, 48)), ""
            details = {"to_whom": rng.choice(_BUYERS)}
            carrier = rng.choice(_CARRIERS)
            if carrier:
                details["carrier"] = carrier
            note = ""
        else:
            at, place = harvest_at + timedelta(hours=rng.randint(50, 72)), ""
            details = {"received_by": rng.choice(_RECEIVERS)}
            note = rng.choice(("Nhiệt độ xe 4 °C khi nhận.", "Kiểm đủ số thùng, không dập."))
        events.append(
            {"kind": kind, "occurred_at": at, "details": details, "note": note, "place": place}
        )
    if plan.corrected:
        # Weighed again at the packing house: a correction of the harvest, recorded later.
        corrected = quantity - Decimal(rng.randint(1, max(1, int(quantity) // 20)))
        events.append(
            {
                "kind": "harvest",
                "occurred_at": harvest_at,
                "details": {"quantity": _decimal_text(max(Decimal(1), corrected)), "unit": unit},
                "note": "Cân lại tại nhà sơ chế, trừ quả loại.",
                "place": field_name,
                "corrects": True,
            }
        )
    for event in events:
        event["recorded_by_name"] = recorder
        later = event["occurred_at"] + timedelta(minutes=rng.randint(2, 600))
        if event.get("corrects"):
            later = event["occurred_at"] + timedelta(days=rng.randint(2, 4))
        event["recorded_at"] = min(later, now)
    return events


# Seeding (in parallel processes, each with its own connection) -----------------------------


@dataclass(frozen=True)
class SeedJob:
    """A slice of the plan for one seeding process, with the first id of each table it uses."""

    url: str
    seed: int
    now: datetime
    plans: tuple[BatchPlan, ...]
    first_batch_id: int
    first_event_id: int
    first_run_id: int
    first_label_id: int


#: A bijection of label numbers onto 50-bit numbers (an odd multiplier modulo 2**50, then an
#: XOR): serials look random, like labels.new_serial()'s, and never collide.
_SERIAL_BITS = 50
_SERIAL_MULTIPLIER = 0x2545F4914F6CD
_SERIAL_MASK = (1 << _SERIAL_BITS) - 1


def serial_for(label_id: int) -> str:
    """The label's serial: 10 characters of the labels' alphabet, one per 5 bits."""
    from traceability.labels import SERIAL_ALPHABET, SERIAL_LENGTH

    number = ((label_id * _SERIAL_MULTIPLIER) & _SERIAL_MASK) ^ 0x1D2C3B4A59687
    digits = []
    for _ in range(SERIAL_LENGTH):
        number, digit = divmod(number, 32)
        digits.append(SERIAL_ALPHABET[digit])
    return "".join(reversed(digits))


_engine = None


def _job_engine(url: str):
    """One engine per seeding process (created after the fork, never shared)."""
    global _engine
    if _engine is None:
        from sqlalchemy import create_engine

        _engine = create_engine(url)
    return _engine


def seed_job(job: SeedJob) -> Counter:
    """Write, hash and store one job's batches with their events, label run and labels;
    how many of each, and the seconds spent writing (with hashing) and storing."""
    from sqlalchemy import insert

    from traceability import chain
    from traceability.label_formats import FORMATS
    from traceability.models import Batch, BatchEvent, Label, LabelRun

    began = time.perf_counter()
    formats = sorted(FORMATS)
    batches, events, runs, labels = [], [], [], []
    event_id, run_id, label_id = job.first_event_id, job.first_run_id, job.first_label_id
    for offset, plan in enumerate(job.plans):
        rng = random.Random(job.seed * 1_000_003 + plan.index)
        batch_id = job.first_batch_id + offset
        previous, harvest = chain.GENESIS, None
        for seq, entry in enumerate(diary(plan, rng, job.now), start=1):
            corrects = harvest if entry.pop("corrects", False) else None
            row = {
                "id": event_id,
                "batch_id": batch_id,
                "seq": seq,
                "recorded_by_id": None,
                "photo_keys": [],
                "corrects_id": corrects["id"] if corrects else None,
                "prev_hash": previous,
                **entry,
            }
            if row["kind"] == "harvest" and rng.random() < 0.3:
                sha = f"{rng.getrandbits(256):064x}"
                row["photo_keys"] = [f"batches/{sha[:2]}/{sha}-display.webp"]
            # The application's own hash function, on an object with the event's attributes.
            row["hash"] = previous = chain.event_hash(
                SimpleNamespace(**row), corrects["seq"] if corrects else None
            )
            if row["kind"] == "harvest":
                harvest = row
            events.append(row)
            event_id += 1
        first_at = events[-plan.events]["occurred_at"]
        row = {
            "id": batch_id,
            "farm_id": plan.farm_id,
            "product_id": plan.product_id,
            "growing_area_id": None,
            "code": plan.code,
            "status": plan.status,
            "harvested_on": None,
            "quantity": None,
            "unit": "kg",
            "head_hash": previous,
            "event_count": plan.events,
            "created_by_id": None,
            "created_at": first_at - timedelta(hours=rng.randint(1, 48)),
            "recalled_at": None,
            "recall_reason": None,
            "recalled_by_id": None,
        }
        if harvest is not None:  # the standing harvest: the correction when there is one
            from app.clock import VIETNAM

            row["harvested_on"] = harvest["occurred_at"].astimezone(VIETNAM).date()
            row["quantity"] = Decimal(harvest["details"]["quantity"])
            row["unit"] = harvest["details"]["unit"][:20]
        if plan.status == "recalled":
            row["recalled_at"] = min(job.now, events[-1]["recorded_at"] + timedelta(days=5))
            row["recall_reason"] = rng.choice(_RECALL_REASONS)
        batches.append(row)
        if plan.labels:
            printed = events[-1]["recorded_at"]
            runs.append(
                {
                    "id": run_id,
                    "batch_id": batch_id,
                    "format": rng.choice(formats),
                    "count": plan.labels,
                    "issued_by_id": None,
                    "created_at": printed,
                }
            )
            for _ in range(plan.labels):
                labels.append(
                    {
                        "id": label_id,
                        "serial": serial_for(label_id),
                        "batch_id": batch_id,
                        "run_id": run_id,
                        "scan_count": 0,
                        "first_scanned_at": None,
                        "last_scanned_at": None,
                    }
                )
                label_id += 1
            run_id += 1
    written = time.perf_counter()
    with _job_engine(job.url).begin() as connection:
        # A bulk load's usual shortcut: no foreign-key trigger per row (a third of the insert
        # time); check_seed() checks every reference afterwards instead.
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for model, rows in (
            (Batch, batches),
            (BatchEvent, events),
            (LabelRun, runs),
            (Label, labels),
        ):
            for start in range(0, len(rows), INSERT_ROWS):
                connection.execute(insert(model), rows[start : start + INSERT_ROWS])
    return Counter(
        batches=len(batches),
        events=len(events),
        labels=len(labels),
        writing=written - began,
        storing=time.perf_counter() - written,
    )


def _spread(total: int, parts: int, minimum: int, rng: random.Random) -> list[int]:
    """`parts` whole numbers of at least `minimum` adding up to `total`, at random."""
    counts = [minimum] * parts
    for index in rng.choices(range(parts), k=total - minimum * parts):
        counts[index] += 1
    return counts


def _initials(name: str) -> str:
    from app.geo import fold_accents

    words = [w for w in fold_accents(name).upper().split() if w.isalnum()]
    return "".join(word[0] for word in words[:2]) or "LO"


def plan_batches(options: argparse.Namespace, rng: random.Random) -> tuple[list[BatchPlan], int]:
    """Decide every batch (product, code, dates, size of its diary, labels) and the popular
    one; returns the plans and the popular batch's index."""
    from sqlalchemy import select

    from app.clock import local_today
    from app.extensions import db
    from farms.models import Farm
    from products.models import Product

    products = db.session.execute(
        select(Product.id, Product.farm_id, Product.name, Product.category).order_by(Product.id)
    ).all()
    farm_names = dict(db.session.execute(select(Farm.id, Farm.name)).all())
    recorders: dict[int, tuple[str, ...]] = {}
    for farm_id, name in farm_names.items():
        owner = name.removeprefix("Hộ ").removeprefix("Nhà vườn ")
        people = random.Random(farm_id).sample(_PEOPLE, 3)
        recorders[farm_id] = (owner, *people[:1]) if owner != name else tuple(people)

    fruit = [p for p in products if p.category == "fresh_fruit"] or products
    n = options.batches
    minimum = min(3, options.events // n)
    sizes = _spread(options.events, n, minimum, rng)
    popular = rng.randrange(n)
    # The popular batch has a full diary (up to its receiving): another batch takes its size.
    other = next((i for i, size in enumerate(sizes) if size == 12), popular)
    sizes[popular], sizes[other] = sizes[other], sizes[popular]
    statuses = rng.choices(
        ("growing", "harvested", "packed", "sold_out", "recalled"),
        weights=(8, 5, 79, 7, 1),
        k=n,
    )
    statuses[popular] = "packed"
    for index, size in enumerate(sizes):
        if size < 3 and statuses[index] != "growing":
            statuses[index] = "harvested" if size == 2 else "growing"
    labelled = [i for i in range(n) if statuses[i] != "growing" and i != popular]
    label_counts = [0] * n
    spare = options.labels - options.popular_labels
    if spare >= len(labelled):
        for index, count in zip(labelled, _spread(spare, len(labelled), 1, rng), strict=True):
            label_counts[index] = count
    else:  # fewer labels than batches to put them on
        for index in rng.sample(labelled, spare):
            label_counts[index] = 1
    label_counts[popular] = options.popular_labels

    today = local_today()
    per_farm: Counter[int] = Counter()
    plans = []
    for index in range(n):
        product_id, farm_id, name, category = products[rng.randrange(len(products))]
        if index == popular:  # boxes of fruit from one harvest fill a supermarket
            product_id, farm_id, name, category = rng.choice(fruit)
        if statuses[index] == "growing":
            # Its diary so far, up to two days ago; the harvest is still to come.
            harvest_on = today
        else:
            harvest_on = today - timedelta(days=rng.randint(5, 700))
        per_farm[farm_id] += 1
        plans.append(
            BatchPlan(
                index=index,
                product_id=product_id,
                farm_id=farm_id,
                category=str(category),
                variety=" ".join(name.split()[:2]),
                recorders=recorders[farm_id],
                code=f"{_initials(name)}{harvest_on:%y%m}-{per_farm[farm_id]}",
                harvest_on=harvest_on,
                events=sizes[index],
                status=statuses[index],
                labels=label_counts[index],
                corrected=statuses[index] not in ("growing", "harvested")
                and sizes[index] >= 5
                and index != popular
                and rng.random() < 0.03,
            )
        )
    return plans, popular


# The database ------------------------------------------------------------------------------


@dataclass
class Dataset:
    """What the load generator asks for, read back from the seeded database."""

    popular_batch: int
    popular_page: str
    popular_serials: list[str]
    #: One label of each other labelled batch, shuffled: a new batch on every request.
    random_serials: list[str]
    #: /trace/<slug>/<code> of every batch, shuffled.
    random_pages: list[str]


def _app(url: str, **config):
    from app import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "TESTING": False,
            "SECRET_KEY": secrets.token_hex(16),
            **config,
        }
    )


def _reserve_ids(table: str, count: int) -> int:
    """Take `count` ids from the table's sequence at once; the first of them."""
    from sqlalchemy import text

    from app.extensions import db

    if count == 0:
        return 0
    last = db.session.scalar(
        text(
            "SELECT setval(pg_get_serial_sequence(:t, 'id'),"
            " nextval(pg_get_serial_sequence(:t, 'id')) + :n - 1)"
        ),
        {"t": table, "n": count},
    )
    return last - count + 1


def _progress(length: int, label: str):
    import click

    return click.progressbar(length=length, label=label, file=sys.stderr, width=30)


def prepare_database(url: str, options: argparse.Namespace) -> Dataset:
    """Migrate, seed (timed), VACUUM ANALYZE, check a sample of chains; what to request."""
    import flask_migrate
    from sqlalchemy import text

    from app.db import utcnow
    from app.extensions import db
    from bench.seeding import seed_scale

    app = _app(url)
    with app.app_context():
        flask_migrate.upgrade()
        start = time.perf_counter()
        with _progress(options.products, "Seeding farms and products") as bar:
            farms, products = seed_scale(
                options.farms, options.products, bar.update, seed=options.seed
            )
        seeded = time.perf_counter() - start
        print(f"Seeded {farms:,} farms and {products:,} products in {seeded:.1f} s", flush=True)

        start = time.perf_counter()
        rng = random.Random(options.seed)
        plans, popular = plan_batches(options, rng)
        planned = time.perf_counter() - start
        labelled = [plan for plan in plans if plan.labels]
        first_batch = _reserve_ids("batch", len(plans))
        first_event = _reserve_ids("batch_event", options.events)
        first_run = _reserve_ids("label_run", len(labelled))
        first_label = _reserve_ids("label", options.labels)
        db.session.commit()
        db.engine.dispose()  # the seeding processes open their own connections
        now = utcnow().replace(microsecond=0)
        jobs, events, runs, labels = [], 0, 0, 0
        for begin in range(0, len(plans), JOB_BATCHES):
            part = tuple(plans[begin : begin + JOB_BATCHES])
            jobs.append(
                SeedJob(
                    url,
                    options.seed,
                    now,
                    part,
                    first_batch + begin,
                    first_event + events,
                    first_run + runs,
                    first_label + labels,
                )
            )
            events += sum(plan.events for plan in part)
            runs += sum(1 for plan in part if plan.labels)
            labels += sum(plan.labels for plan in part)
        made = Counter()
        context = multiprocessing.get_context("fork")
        with (
            context.Pool(options.seed_processes) as pool,
            _progress(len(plans), f"Seeding batches ({options.seed_processes} processes)") as bar,
        ):
            for done in pool.imap_unordered(seed_job, jobs):
                made.update(done)
                bar.update(done["batches"])
        seeded = time.perf_counter() - start
        print(
            f"Seeded {made['batches']:,} batches, {made['events']:,} events (hash-chained),"
            f" {runs:,} label runs and {made['labels']:,} labels in {seeded:.1f} s"
            f" ({made['events'] / seeded:,.0f} events/s): planning {planned:.1f} s, then"
            f" {len(jobs)} jobs in {options.seed_processes} processes spent"
            f" {made['writing']:.1f} s writing diaries and hashing, {made['storing']:.1f} s"
            " inserting",
            flush=True,
        )

        start = time.perf_counter()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
            size = connection.scalar(
                text("SELECT pg_size_pretty(pg_database_size(current_database()))")
            )
        print(f"VACUUM ANALYZE in {time.perf_counter() - start:.1f} s; database {size}", flush=True)

        popular_id = first_batch + popular
        check_seed(options, popular_id, [first_batch + p.index for p in plans if p.corrected], rng)
        data = read_dataset(popular_id, rng)
        db.session.rollback()
        db.engine.dispose()
    return data


def check_seed(options, popular_id: int, corrected: list[int], rng: random.Random) -> None:
    """The counts add up, and the application's verify_batch() accepts a sample of the
    chains (the popular batch, some corrected ones, random ones); abort otherwise."""
    from sqlalchemy import func, select, text

    from app.clock import VIETNAM
    from app.extensions import db
    from traceability.models import Batch
    from traceability.services import effective_events, history, verify_batch

    start = time.perf_counter()
    batches, events, recorded, labels = db.session.execute(
        text(
            "SELECT (SELECT count(*) FROM batch), (SELECT count(*) FROM batch_event),"
            " (SELECT coalesce(sum(event_count), 0) FROM batch), (SELECT count(*) FROM label)"
        )
    ).one()
    problems = []
    if (batches, events, recorded, labels) != (
        options.batches,
        options.events,
        options.events,
        options.labels,
    ):
        problems.append(
            f"{batches} batches, {events} events ({recorded} by event_count), {labels} labels"
        )
    # Every reference the foreign keys would have checked row by row while seeding.
    dangling = db.session.execute(
        text(
            "SELECT (SELECT count(*) FROM batch_event e LEFT JOIN batch b ON b.id = e.batch_id"
            "   WHERE b.id IS NULL),"
            " (SELECT count(*) FROM batch_event e LEFT JOIN batch_event c ON c.id = e.corrects_id"
            "   WHERE e.corrects_id IS NOT NULL AND (c.id IS NULL OR c.batch_id <> e.batch_id)),"
            " (SELECT count(*) FROM batch b LEFT JOIN product p ON p.id = b.product_id"
            "   WHERE p.id IS NULL OR p.farm_id <> b.farm_id),"
            " (SELECT count(*) FROM label_run r LEFT JOIN batch b ON b.id = r.batch_id"
            "   WHERE b.id IS NULL),"
            " (SELECT count(*) FROM label l LEFT JOIN label_run r ON r.id = l.run_id"
            "   WHERE r.id IS NULL OR r.batch_id <> l.batch_id)"
        )
    ).one()
    if any(dangling):
        problems.append(
            "dangling references (events, corrections, products, runs, labels): "
            + ", ".join(map(str, dangling))
        )
    highest = db.session.scalar(select(func.max(Batch.id)))
    sample = {popular_id, *rng.sample(corrected, min(50, len(corrected)))}
    sample |= {rng.randint(highest - batches + 1, highest) for _ in range(options.verify)}
    for batch_id in sorted(sample):
        batch = db.session.get(Batch, batch_id)
        check = verify_batch(batch)
        if not check.ok:
            problems.append(f"batch {batch_id}: {check.reason} at event {check.broken_at}")
            continue
        # The batch's own columns agree with its history, as services._follow keeps them.
        harvests = [e for e in effective_events(history(batch)) if e.kind == "harvest"]
        if harvests:
            harvest = max(harvests, key=lambda e: e.occurred_at)
            if (batch.harvested_on, batch.quantity) != (
                harvest.occurred_at.astimezone(VIETNAM).date(),
                Decimal(harvest.details["quantity"]),
            ):
                problems.append(f"batch {batch_id}: harvest columns disagree with its history")
        db.session.expunge_all()
    if problems:
        raise RuntimeError("the seeded data is wrong: " + "; ".join(problems[:5]))
    print(
        f"verify_batch() accepted {len(sample):,} sampled chains ({len(set(corrected) & sample)}"
        f" with a correction) in {time.perf_counter() - start:.1f} s",
        flush=True,
    )


def read_dataset(popular_id: int, rng: random.Random) -> Dataset:
    from sqlalchemy import text

    from app.extensions import db

    slug, code, events, status, count = db.session.execute(
        text(
            "SELECT f.slug, b.code, b.event_count, b.status,"
            " (SELECT count(*) FROM label l WHERE l.batch_id = b.id)"
            " FROM batch b JOIN farm f ON f.id = b.farm_id WHERE b.id = :id"
        ),
        {"id": popular_id},
    ).one()
    popular = list(
        db.session.scalars(
            text("SELECT serial FROM label WHERE batch_id = :id ORDER BY id"), {"id": popular_id}
        )
    )
    others = list(
        db.session.scalars(
            text(
                "SELECT DISTINCT ON (batch_id) serial FROM label WHERE batch_id <> :id"
                " ORDER BY batch_id, id"
            ),
            {"id": popular_id},
        )
    )
    pages = [
        f"/trace/{slug_}/{code_}"
        for slug_, code_ in db.session.execute(
            text("SELECT f.slug, b.code FROM batch b JOIN farm f ON f.id = b.farm_id")
        )
    ]
    rng.shuffle(others)
    rng.shuffle(pages)
    print(
        f"Popular batch: /trace/{slug}/{code} ({status}, {events} events, {count:,} labels);"
        f" {len(others):,} other batches have labels",
        flush=True,
    )
    return Dataset(
        popular_id,
        f"/trace/{slug}/{code}",
        [f"/T/{s}" for s in popular],
        [f"/T/{s}" for s in others],
        pages,
    )


# Load --------------------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    #: Cycled through, one path per request, continuing where the previous run stopped.
    paths: Sequence[str]
    numbers: itertools.count = field(default_factory=itertools.count)


@dataclass
class Run(Measurement):
    """A Measurement that also counts answers per path and the page cache's verdicts."""

    answered: Counter = field(default_factory=Counter)
    failed: Counter = field(default_factory=Counter)
    cache: Counter = field(default_factory=Counter)
    cpu: dict[str, float] = field(default_factory=dict)

    @classmethod
    def of(cls, measured: Measurement) -> Run:
        return cls(
            measured.name, measured.path, measured.seconds, measured.latencies, measured.errors
        )

    def merge(self, other: Run) -> None:
        """Add another run of the same endpoint (another slice of time, or another client)."""
        self.seconds += other.seconds
        self.latencies.extend(other.latencies)
        self.errors += other.errors
        self.answered.update(other.answered)
        self.failed.update(other.failed)
        self.cache.update(other.cache)
        for part, seconds in other.cpu.items():
            self.cpu[part] = self.cpu.get(part, 0.0) + seconds

    @property
    def hit_share(self) -> float:
        total = sum(self.cache.values())
        return self.cache["hit"] / total if total else math.nan


def _visitor(port: int, scenario: Scenario, deadline: float, limit: int, out: Run) -> None:
    """One phone after another on one keep-alive connection (gunicorn may close it)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Accept-Language": "vi", "User-Agent": USER_AGENT}
    paths = scenario.paths
    try:
        for _ in range(limit):
            start = time.perf_counter()
            if start >= deadline:
                break
            path = paths[next(scenario.numbers) % len(paths)]
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                status, state = response.status, response.getheader("X-Page-Cache", "none")
            except (OSError, http.client.HTTPException):
                status, state = 0, ""
                connection.close()  # the next request() opens a fresh connection
            if status == 200:
                out.latencies.append(time.perf_counter() - start)
                out.answered[path] += 1
                out.cache[state] += 1
            else:
                out.errors += 1
                out.failed[path] += 1
    finally:
        connection.close()


def visit(
    port: int, scenario: Scenario, seconds: float, concurrency: int, max_requests: int
) -> Run:
    """`concurrency` visitors until the time is up or the request budget is spent."""
    result = Run(scenario.name, scenario.paths[0], seconds)
    parts = [Run(scenario.name, scenario.paths[0], seconds) for _ in range(concurrency)]
    per_client = max(1, max_requests // concurrency)
    start = time.perf_counter()
    threads = [
        threading.Thread(
            target=_visitor,
            args=(port, scenario, start + seconds, per_client, part),
            daemon=True,
        )
        for part in parts
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 30)
    elapsed = time.perf_counter() - start
    for part in parts:
        result.merge(part)
    result.seconds = elapsed
    return result


# Report ------------------------------------------------------------------------------------


def report(
    trivial: Run,
    runs: list[Run],
    single: dict[str, Measurement],
    options: argparse.Namespace,
) -> bool:
    header = (
        f"{'endpoint':<34} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
        f" {'x trivial':>9} {'cached':>6} {'1-client p50':>12} {'errors':>6}"
        f" {'CPU ms/req: app':>15} {'db':>5}"
    )
    print(
        f"\nUnder load: {options.concurrency} concurrent clients, gunicorn --workers"
        f" {options.workers}, {options.seconds:g} s each in {options.rounds} turns; 1-client:"
        " one client, sequential; cached: share of answers from the page cache; CPU: used by"
        " gunicorn (app) and PostgreSQL (db) per request"
    )
    print(header)
    print("-" * len(header))
    for m in (trivial, *runs):
        one = single.get(m.name)
        one_p50 = f"{one.percentile(50):12.1f}" if one else f"{'-':>12}"
        share = m.rps / trivial.rps if trivial.rps else math.nan
        cached = f"{'-':>6}" if math.isnan(m.hit_share) else f"{m.hit_share:6.0%}"
        cpu = m.cpu
        count = len(m.latencies) + m.errors
        app_cpu = f"{cpu['gunicorn'] / count * 1000:15.2f}" if cpu and count else f"{'-':>15}"
        db_cpu = f"{cpu['PostgreSQL'] / count * 1000:5.2f}" if cpu and count else f"{'-':>5}"
        print(
            f"{m.name:<34} {m.rps:7.1f} {m.percentile(50):7.1f} {m.percentile(95):7.1f}"
            f" {m.percentile(99):7.1f} {share:9.2f} {cached}"
            f" {one_p50} {m.errors:6d} {app_cpu} {db_cpu}"
        )
    scan, uncached = runs[0], runs[1]
    share = scan.rps / trivial.rps if trivial.rps else 0.0
    share_ok = share >= TARGET_SHARE
    p99_ok = scan.percentile(99) < TARGET_P99_MS
    errors = sum(m.errors for m in (trivial, *runs))
    print(
        f"\nVERDICT ({scan.name}, /T/<serial>, one scan counted per request):"
        f" throughput >= {TARGET_SHARE:g} x trivial: {'PASS' if share_ok else 'FAIL'}"
        f" ({scan.rps:.1f} req/s = {share:.2f} x {trivial.rps:.1f});"
        f" p99 < {TARGET_P99_MS:.0f} ms: {'PASS' if p99_ok else 'FAIL'}"
        f" ({scan.percentile(99):.1f} ms)" + (f"; {errors} failed requests" if errors else "")
    )
    print(
        f"Uncached, for information ({uncached.name}: a batch not in the page cache on"
        f" {1 - uncached.hit_share:.0%} of requests): {uncached.rps:.1f} req/s ="
        f" {uncached.rps / trivial.rps if trivial.rps else math.nan:.2f} x trivial; p50/p95/p99"
        f" {uncached.percentile(50):.1f} / {uncached.percentile(95):.1f} /"
        f" {uncached.percentile(99):.1f} ms"
    )
    return share_ok and p99_ok and not errors


def consistency(url: str, answered: Counter, failed: Counter) -> list[str]:
    """Compare every label's scan count, and the scan log, with the scans the clients saw
    answered (a request that failed may or may not have been counted); the problems."""
    from sqlalchemy import text

    scans = {path.removeprefix("/T/"): n for path, n in answered.items() if path.startswith("/T/")}
    unsure = {path.removeprefix("/T/"): n for path, n in failed.items() if path.startswith("/T/")}
    app = _app(url)
    with app.app_context():
        from app.extensions import db

        counted, logged, genuine = db.session.execute(
            text(
                "SELECT (SELECT coalesce(sum(scan_count), 0) FROM label),"
                " (SELECT count(*) FROM label_scan),"
                " (SELECT count(*) FROM label_scan WHERE label_id IS NOT NULL)"
            )
        ).one()
        # No lost update: every label's counter equals the rows logged for it.
        drifted = db.session.scalar(
            text(
                "SELECT count(*) FROM label l FULL JOIN (SELECT label_id, count(*) AS n"
                " FROM label_scan WHERE label_id IS NOT NULL GROUP BY label_id) s"
                " ON s.label_id = l.id"
                " WHERE coalesce(s.n, 0) <> coalesce(l.scan_count, -1)"
                " OR (l.scan_count > 0 AND l.first_scanned_at IS NULL)"
            )
        )
        per_serial = dict(
            db.session.execute(
                text("SELECT serial, scan_count FROM label WHERE scan_count > 0")
            ).all()
        )
        db.session.rollback()
        db.engine.dispose()
    expected, slack = sum(scans.values()), sum(unsure.values())
    print(
        f"\nScans: the clients saw {expected:,} answered (and {slack} failed) on"
        f" {len(scans):,} serials; the database counted {counted:,} on {len(per_serial):,}"
        f" labels and logged {logged:,} scans ({genuine:,} of issued labels)"
    )
    problems = []
    if not expected <= counted <= expected + slack:
        problems.append(f"{counted:,} scans counted, {expected:,} answered")
    if logged != genuine or genuine != counted:
        problems.append(f"{logged:,} scans logged, {genuine:,} of labels, {counted:,} counted")
    if drifted:
        problems.append(f"{drifted} labels whose count differs from their logged scans")
    wrong = [
        serial
        for serial in set(scans) | set(per_serial)
        if not scans.get(serial, 0)
        <= per_serial.get(serial, 0)
        <= scans.get(serial, 0) + unsure.get(serial, 0)
    ]
    if wrong:
        problems.append(f"{len(wrong)} labels counted differently from their answered scans")
    return problems


# Profile -----------------------------------------------------------------------------------


#: Where a scan's time goes, as (what, file, function) in the profile; nested, not additive.
PHASES = (
    ("whole request (the scan gateway in front of Flask)", "scan_gateway.py", "__call__"),
    ("  the gateway's own answer (cached page)", "scan_gateway.py", "_answer"),
    ("    scan limit (Flask-Limiter's strategy)", "public.py", "within_scan_limit"),
    ("    record_visitor_scan(): one statement, autocommit", "scans.py", "record_visitor_scan"),
    ("    the page cache (shared_page)", "page_cache.py", "shared_page"),
    ("    the label's lines (genuineness)", "scan_gateway.py", "_label_lines"),
    ("  Flask (requests the gateway hands on)", "app.py", "wsgi_app"),
    ("    before_request hooks (limiter, login)", "app.py", "preprocess_request"),
    ("    after_request hooks (session cookie, headers)", "app.py", "process_response"),
    ("    the view: _scanned()", "public.py", "_scanned"),
    ("      _trace_response()", "public.py", "_trace_response"),
    ("        render_shared() (page cache)", "page_cache.py", "render_shared"),
    ("          batch_trace(): farm, product, events", "trace_page.py", "batch_trace"),
    ("            chain.verify(): SHA-256 of every event", "chain.py", "verify"),
    ("        render_template() (page and genuineness)", "templating.py", "render_template"),
    ("          _() in templates (flask_babel gettext)", "ext.py", "gettext"),
    ("          local_datetime filter (Babel)", "i18n.py", "format_local_datetime"),
    ("          event_details() (lazy labels)", "__init__.py", "event_details"),
    ("  ORM statement execution (all statements)", "context.py", "orm_execute_statement"),
    ("  pool checkout ping (pool_pre_ping)", "default.py", "_do_ping_w_event"),
    ("  waiting on PostgreSQL (psycopg, per round trip)", "connection.py", "wait"),
)


def phase_table(stats, requests: int) -> None:
    """Milliseconds and calls per request of each phase (under cProfile, so inflated)."""
    print(f"  {'per request, profiled':<52} {'ms':>7} {'calls':>6}")
    for label, filename, function in PHASES:
        found = [
            (calls, cumulative)
            for (file, _, name), (_, calls, _, cumulative, _) in stats.stats.items()
            if file == filename and name == function
        ]
        if found:
            calls = sum(c for c, _ in found) / requests
            print(f"  {label:<52} {sum(t for _, t in found) / requests * 1000:7.2f} {calls:6.1f}")


def profile(url: str, data: Dataset, requests: int) -> None:
    """Profile uncached and cached scans in this process (Flask's test client, the same
    database): time per request, the SQL each runs, and where the Python time goes."""
    import cProfile
    import io
    import pstats

    from sqlalchemy import event

    app = _app(url, PAGE_CACHE_SECONDS=30)
    headers = {"Accept-Language": "vi", "User-Agent": USER_AGENT}
    # Batches the load never reached (it took them from the front of the list).
    fresh = iter(data.random_serials[::-1])
    popular = data.popular_serials
    cached = popular[0]
    with app.app_context():
        from app.extensions import db

        statements: list[list] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            conn.info["started"] = time.perf_counter()

        def after(conn, cursor, statement, parameters, context, executemany):
            statements.append(
                [" ".join(statement.split()), time.perf_counter() - conn.info["started"]]
            )

        client = app.test_client()
        for path in (next(fresh), cached, cached):  # compiled templates, loaded translations
            assert client.get(path, headers=headers).status_code == 200
        floor = []
        for _ in range(requests):
            start = time.perf_counter()
            client.get(TRIVIAL[1], headers=headers)
            floor.append(time.perf_counter() - start)
        print(
            f"\n=== in-process {TRIVIAL[1]}, for scale: median"
            f" {sorted(floor)[len(floor) // 2] * 1000:.2f} ms"
        )
        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)
        try:
            for name, paths in (
                ("uncached", [next(fresh) for _ in range(requests)]),
                ("cached", [popular[n % len(popular)] for n in range(requests)]),
            ):
                elapsed, queries = [], []
                for path in paths:
                    statements.clear()
                    start = time.perf_counter()
                    response = client.get(path, headers=headers)
                    elapsed.append(time.perf_counter() - start)
                    if response.status_code != 200:
                        raise RuntimeError(f"{path} answered {response.status_code}")
                    queries.append(list(statements))
                state = response.headers.get("X-Page-Cache")
                sql = sum(t for q in queries for _, t in q) / len(queries)
                ordered = sorted(elapsed)
                print(
                    f"\n=== in-process /T/<serial>, {name} (X-Page-Cache: {state}), {requests}"
                    f" requests: median {ordered[len(ordered) // 2] * 1000:.2f} ms, mean"
                    f" {sum(elapsed) / len(elapsed) * 1000:.2f} ms, of which SQL round trips"
                    f" {sql * 1000:.2f} ms; {len(queries[-1])} statements through SQLAlchemy"
                    " (the scan's own statement goes straight to the driver, unseen here):"
                )
                for statement, seconds in queries[-1]:
                    print(f"  {seconds * 1000:6.2f} ms  {statement[:150]}")
                profiler = cProfile.Profile()
                more = [next(fresh) for _ in range(requests)] if name == "uncached" else paths
                profiler.enable()
                for path in more:
                    client.get(path, headers=headers)
                profiler.disable()
                out = io.StringIO()
                stats = pstats.Stats(profiler, stream=out).strip_dirs()
                print(f"cProfile of {len(more)} more such requests:")
                phase_table(stats, len(more))
                stats.sort_stats("tottime").print_stats(15)
                stats.sort_stats("cumulative").print_stats(30)
                print(out.getvalue())
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
            event.remove(db.engine, "after_cursor_execute", after)
        db.session.rollback()
        db.engine.dispose()


# Main --------------------------------------------------------------------------------------


def main() -> int:
    # Every simulated phone scans from 127.0.0.1: lift the per-address scan limit.
    os.environ["SCAN_RATE_LIMIT"] = "10000000 per minute"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000, help="in all, over the batches")
    parser.add_argument("--labels", type=int, default=200_000, help="in all, over the batches")
    parser.add_argument("--popular-labels", type=int, default=1_000, help="of the popular batch")
    parser.add_argument("--farms", type=int, default=1_000)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--seed-processes", type=int, default=os.cpu_count() or 1, help="seeding in parallel"
    )
    parser.add_argument("--verify", type=int, default=1_000, help="chains checked after seeding")
    parser.add_argument("--seconds", type=float, default=10, help="measuring time per endpoint")
    parser.add_argument(
        "--rounds", type=int, default=5, help="the endpoints take turns, --seconds/rounds each"
    )
    parser.add_argument("--warmup", type=float, default=2, help="warm-up time per endpoint")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--max-requests", type=int, default=200_000, help="per endpoint")
    parser.add_argument(
        "--single-seconds", type=float, default=3, help="one sequential client; 0 skips it"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--profile", action="store_true", help="then profile scans in this process (cProfile)"
    )
    parser.add_argument("--profile-requests", type=int, default=200, help="of each kind")
    options = parser.parse_args()
    if not options.batches <= options.events:
        parser.error("--events must be at least --batches")
    if options.rounds < 1:
        parser.error("--rounds must be at least 1")
    if not options.popular_labels <= options.labels:
        parser.error("--labels must be at least --popular-labels")

    from tests.support.postgres import PostgresCluster

    workdir = tempfile.mkdtemp(prefix="nongsan-bench-")
    os.environ["NONGSAN_INSTANCE_PATH"] = os.path.join(workdir, "instance")
    cluster = server = None
    try:
        cluster = PostgresCluster.start()
        url = cluster.create_database("nongsan_bench")
        print(
            f"PostgreSQL on 127.0.0.1:{cluster.port}; {options.farms:,} farms,"
            f" {options.products:,} products, {options.batches:,} batches,"
            f" {options.events:,} events, {options.labels:,} labels"
        )
        data = prepare_database(url, options)

        server = Server(
            url, os.environ["NONGSAN_INSTANCE_PATH"], options.workers, f"{workdir}/gunicorn.log"
        )
        server.wait_until_up()
        print(f"gunicorn --workers {options.workers} on 127.0.0.1:{server.port}")
        scenarios = [
            Scenario("trace, one batch's labels", data.popular_serials),
            Scenario("trace, random batches", data.random_serials),
            Scenario("batch page, one batch", [data.popular_page]),
            Scenario("batch page, random batches", data.random_pages),
        ]
        everything = Run("all", "", 0)
        for scenario in scenarios:
            probe = visit(server.port, scenario, 60, 1, 1)
            everything.merge(probe)
            path = scenario.paths[0]
            status, page = fetch(server.port, path)  # counted as a scan too (no User-Agent)
            if status == 200:
                everything.answered[path] += 1
            else:
                everything.failed[path] += 1
            traced = TRACE_PAGE in page
            print(
                f"  {scenario.name:<28} {path:<44} HTTP {status}, {len(page):,} characters"
                + (", the trace page" if traced else "")
            )
            if status != 200 or probe.errors or not traced:
                raise RuntimeError(f"{path} answered {status}; see {server.log_path}")
        print(
            f"Warming up ({options.warmup:g} s each), then {options.seconds:g} s per endpoint"
            f" with {options.concurrency} clients…",
            flush=True,
        )
        load(server.port, *TRIVIAL, options.warmup, options.concurrency, options.max_requests)
        for scenario in scenarios:
            everything.merge(
                visit(
                    server.port, scenario, options.warmup, options.concurrency, options.max_requests
                )
            )
        # The machine may be shared: rounds of short slices, each endpoint in turn, so that
        # whatever else runs weighs on the trivial endpoint and the trace pages alike.
        meter = CpuMeter(server.process.pid, postmaster_pid(cluster.data_dir))
        trivial = Run(TRIVIAL[0], TRIVIAL[1], 0)
        runs = [Run(scenario.name, scenario.paths[0], 0) for scenario in scenarios]
        piece = options.seconds / options.rounds
        budget = max(1, options.max_requests // options.rounds)
        for _ in range(options.rounds):
            meter.start()
            part = Run.of(load(server.port, *TRIVIAL, piece, options.concurrency, budget))
            part.cpu = meter.stop()
            trivial.merge(part)
            for scenario, run in zip(scenarios, runs, strict=True):
                meter.start()
                part = visit(server.port, scenario, piece, options.concurrency, budget)
                part.cpu = meter.stop()
                run.merge(part)
                everything.merge(part)
        single: dict[str, Measurement] = {}
        if options.single_seconds > 0:
            single[TRIVIAL[0]] = load(
                server.port, *TRIVIAL, options.single_seconds, 1, options.max_requests
            )
            for scenario in scenarios:
                single[scenario.name] = visit(
                    server.port, scenario, options.single_seconds, 1, options.max_requests
                )
                everything.merge(single[scenario.name])
        server.stop()  # requests in flight finish before the database is checked
        server = None
        passed = report(trivial, runs, single, options)
        problems = consistency(url, everything.answered, everything.failed)
        print("consistency: ok" if not problems else f"consistency: {'; '.join(problems)}")
        if options.profile:
            profile(url, data, options.profile_requests)
        return 0 if passed and not problems else 1
    finally:
        if server is not None:
            server.stop()
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
