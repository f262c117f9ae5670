"""Label scans: each one logged (time, serial, coarse device, never an IP address) and
counted on its label, so a copied label shows up as one scanned unusually often."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, insert, select, update

from app.db import utcnow
from app.extensions import db
from traceability.models import Label, LabelScan

_BOT = re.compile(r"bot|crawl|spider|preview|facebookexternalhit|zalo|slurp", re.I)
_TABLET = re.compile(r"ipad|tablet", re.I)
_PHONE = re.compile(r"mobile|android|iphone", re.I)
#: What a serial in an address may look like; anything else is not looked up at all.
_SERIAL = re.compile(r"[0-9A-Z]{1,20}")


def device_type(user_agent: str) -> str:
    """phone, tablet, desktop, or bot (link previews in chat apps are not people scanning)."""
    if _BOT.search(user_agent or ""):
        return "bot"
    if _TABLET.search(user_agent or ""):
        return "tablet"
    if _PHONE.search(user_agent or ""):
        return "phone"
    return "desktop"


@dataclass(frozen=True)
class ScanResult:
    serial: str
    #: Empty for a serial that was never issued.
    label_id: int | None = None
    batch_id: int | None = None
    #: Scans of this label so far, this one included (bots not counted).
    count: int = 0
    first_scanned_at: datetime | None = None

    @property
    def genuine(self) -> bool:
        return self.label_id is not None

    @property
    def suspicious(self) -> bool:
        """Scanned more often than one box's label plausibly is: it may have been copied."""
        return self.genuine and self.count > current_app.config["LABEL_SCAN_WARNING_THRESHOLD"]


def record_scan(serial: str, user_agent: str, now: datetime | None = None) -> ScanResult:
    """Log one scan, and count it on its label in the same atomic update that finds the
    label (many workers may count the same label at once)."""
    now = now or utcnow()
    device = device_type(user_agent)
    wanted = (serial or "").upper()
    found = None
    if _SERIAL.fullmatch(wanted):
        columns = (Label.id, Label.batch_id, Label.scan_count, Label.first_scanned_at)
        if device == "bot":
            statement = select(*columns).where(Label.serial == wanted)
        else:
            statement = (
                update(Label)
                .where(Label.serial == wanted)
                .values(
                    scan_count=Label.scan_count + 1,
                    first_scanned_at=func.coalesce(Label.first_scanned_at, now),
                    last_scanned_at=now,
                )
                .returning(*columns)
                .execution_options(synchronize_session=False)
            )
        found = db.session.execute(statement).first()
    if found is None:
        shown = (serial or "")[:32]
        db.session.execute(insert(LabelScan).values(serial=shown, scanned_at=now, device=device))
        return ScanResult(shown)
    label_id, batch_id, count, first = found
    db.session.execute(
        insert(LabelScan).values(
            label_id=label_id, batch_id=batch_id, serial=wanted, scanned_at=now, device=device
        )
    )
    return ScanResult(wanted, label_id, batch_id, count, first)


@dataclass(frozen=True)
class BatchScanFigures:
    labels: int
    scanned_labels: int
    scans: int


def scan_figures(batch_ids: list[int]) -> dict[int, BatchScanFigures]:
    """Per batch: labels issued, how many of them were scanned, and scans in all."""
    rows = db.session.execute(
        select(
            Label.batch_id,
            func.count(Label.id),
            func.count(Label.first_scanned_at),
            func.coalesce(func.sum(Label.scan_count), 0),
        )
        .where(Label.batch_id.in_(batch_ids))
        .group_by(Label.batch_id)
    ).all()
    figures = {row[0]: BatchScanFigures(row[1], row[2], int(row[3])) for row in rows}
    return {bid: figures.get(bid, BatchScanFigures(0, 0, 0)) for bid in batch_ids}
