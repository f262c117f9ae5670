"""Label scans: each one logged (time, serial, coarse device, never an IP address) and
counted on its label; a copied label shows up as one scanned by unusually many scanners.

"Scanners" are counted, not scans: one phone scanning its box forty times, or a competitor
scanning it from one address, must never mark a genuine label as copied for everyone. A
scanner is a coarse, keyed fingerprint of the visitor for one day (scanner_fingerprint()):
the network (/24 for IPv4, /48 for IPv6) and the day, HMAC'd with a key derived from
SECRET_KEY and truncated. Not the browser: a client sends whatever user agent it likes, and
one address cycling through user agents would count as many scanners. It is kept per label
(label_scanner), never the address itself, and a new day gives the same visitor a new,
unlinkable fingerprint; so one client adds at most one scanner per label per day.
LABEL_SCAN_WARNING_THRESHOLD is the number of distinct scanners above which the label reads
"may have been copied".
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from app.clock import VIETNAM
from app.db import UTCDateTime, utcnow
from app.extensions import db
from farms.models import Farm
from products.models import Product
from traceability.labels import gtin14, normalise_serial
from traceability.models import Batch, Label, LabelScan, LabelScanner

_BOT = re.compile(r"bot|crawl|spider|preview|facebookexternalhit|zalo|slurp", re.I)
_TABLET = re.compile(r"ipad|tablet", re.I)
_PHONE = re.compile(r"mobile|android|iphone", re.I)


def network_prefix(address: str) -> str:
    """The client's network, not its address: /24 for IPv4, /48 for IPv6."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return "?"
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def scanner_fingerprint(secret: str, address: str, user_agent: str, now: datetime) -> str:
    """One visitor, for one (Vietnamese) day: coarse, keyed, truncated; never the address.
    `user_agent` is left out on purpose: the client chooses it (see the module's note)."""
    key = hashlib.sha256(b"nongsan label scanner\0" + (secret or "").encode()).digest()
    day = now.astimezone(VIETNAM).date().isoformat()
    message = f"{network_prefix(address)}\n{day}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:16]


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
class ScannedBatch:
    """What the trace page needs to know about the label's batch before rendering it."""

    id: int
    code: str
    gtin: str | None
    #: The batch's version: the shared copy of its page is keyed by these.
    event_count: int
    head_hash: str | None
    status: str
    farm_slug: str

    @property
    def version(self) -> tuple:
        """What the shared copy of the batch's page is kept under, with the batch's id."""
        return (self.event_count, self.head_hash, self.status)

    def matches_digital_link(self, gtin: str, lot: str) -> bool:
        """A GS1 Digital Link names the product (GTIN-14) and the batch (lot) beside the
        serial: a genuine serial copied into another product's or batch's link is refused."""
        return self.code == lot.upper() and bool(self.gtin) and gtin14(self.gtin) == gtin14(gtin)


@dataclass(frozen=True)
class ScanResult:
    serial: str
    #: Empty for a serial that was never issued.
    batch: ScannedBatch | None = None
    #: Scans of this label so far, this one included (bots not counted).
    count: int = 0
    first_scanned_at: datetime | None = None
    #: Distinct scanners (visitor fingerprints, one per visitor and day) so far.
    scanners: int = 0

    @property
    def genuine(self) -> bool:
        return self.batch is not None

    def looks_copied(self, threshold: int) -> bool:
        """Scanned by more distinct scanners than one box's label plausibly is (`threshold`,
        the LABEL_SCAN_WARNING_THRESHOLD setting): it may have been copied. Repeated scans
        by one visitor count once a day, so no single phone or address can trigger it."""
        return self.genuine and self.scanners > threshold


_LABEL, _SCAN, _SCANNER, _BATCH, _PRODUCT, _FARM = (
    Label.__table__,
    LabelScan.__table__,
    LabelScanner.__table__,
    Batch.__table__,
    Product.__table__,
    Farm.__table__,
)
_BATCH_COLUMNS = (
    _BATCH.c.id,
    _BATCH.c.code,
    _PRODUCT.c.gtin,
    _BATCH.c.event_count,
    _BATCH.c.head_hash,
    _BATCH.c.status,
    _FARM.c.slug,
)

#: PostgreSQL counts the scan, logs it, notes its scanner and reads the batch's version in
#: one statement, on the request's ORM session: the trace page is the hottest write of the
#: site (every box of a harvest, scanned in shops). The statement's snapshot does not see the
#: scanner row it adds, so the new one is added to the count; a concurrent duplicate is at
#: worst not yet counted, never counted twice (the primary key refuses it).
_SCAN_IN_ONE_STATEMENT = text(
    """
    WITH hit AS (
        UPDATE label
        SET scan_count = scan_count + 1,
            first_scanned_at = coalesce(first_scanned_at, :now),
            last_scanned_at = :now
        WHERE serial = :serial
        RETURNING id, batch_id, scan_count, first_scanned_at
    ), logged AS (
        INSERT INTO label_scan (label_id, batch_id, serial, scanned_at, device)
        SELECT id, batch_id, :serial, :now, :device FROM hit
    ), new_scanner AS (
        INSERT INTO label_scanner (label_id, fingerprint)
        SELECT id, :scanner FROM hit
        ON CONFLICT DO NOTHING
        RETURNING label_id
    )
    SELECT hit.scan_count, hit.first_scanned_at,
           (SELECT count(*) FROM label_scanner WHERE label_scanner.label_id = hit.id)
           + (SELECT count(*) FROM new_scanner) AS scanners,
           batch.id, batch.code, product.gtin,
           batch.event_count, batch.head_hash, batch.status, farm.slug
    FROM hit
    JOIN batch ON batch.id = hit.batch_id
    JOIN product ON product.id = batch.product_id
    JOIN farm ON farm.id = batch.farm_id
    """
).columns(first_scanned_at=UTCDateTime())


def _scan_in_steps(serial: str, now: datetime, device: str, scanner: str):
    """What _SCAN_IN_ONE_STATEMENT does, one statement at a time: for SQLite (whose WITH
    takes no INSERT or UPDATE) and for bots (logged, but neither counted nor noted as
    scanners)."""
    if device == "bot":
        found = db.session.execute(
            select(
                _LABEL.c.id, _LABEL.c.batch_id, _LABEL.c.scan_count, _LABEL.c.first_scanned_at
            ).where(_LABEL.c.serial == serial)
        ).first()
    else:
        found = db.session.execute(
            update(_LABEL)
            .where(_LABEL.c.serial == serial)
            .values(
                scan_count=_LABEL.c.scan_count + 1,
                first_scanned_at=func.coalesce(_LABEL.c.first_scanned_at, now),
                last_scanned_at=now,
            )
            .returning(
                _LABEL.c.id, _LABEL.c.batch_id, _LABEL.c.scan_count, _LABEL.c.first_scanned_at
            )
        ).first()
    if found is None:
        return None
    label_id, batch_id, count, first = found
    db.session.execute(
        insert(_SCAN).values(
            label_id=label_id, batch_id=batch_id, serial=serial, scanned_at=now, device=device
        )
    )
    if device != "bot":
        dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
        db.session.execute(
            dialect.insert(_SCANNER)
            .values(label_id=label_id, fingerprint=scanner)
            .on_conflict_do_nothing()
        )
    scanners = db.session.scalar(
        select(func.count()).select_from(_SCANNER).where(_SCANNER.c.label_id == label_id)
    )
    batch = db.session.execute(
        select(*_BATCH_COLUMNS)
        .join(_PRODUCT, _PRODUCT.c.id == _BATCH.c.product_id)
        .join(_FARM, _FARM.c.id == _BATCH.c.farm_id)
        .where(_BATCH.c.id == batch_id)
    ).one()
    return (count, first, scanners, *batch)


def record_scan(
    serial: str, user_agent: str, scanner: str, now: datetime | None = None
) -> ScanResult:
    """The one way a scan is counted: log it, and count it on its label with an atomic
    update (many workers may count the same label at once), in the request's transaction
    on the ORM session; on PostgreSQL a person's scan is one statement. `scanner` is the
    visitor's scanner_fingerprint(). A serial that was never issued is logged too."""
    now = now or utcnow()
    device = device_type(user_agent)
    wanted = normalise_serial(serial)
    found = None
    if wanted is not None:
        if device != "bot" and db.session.get_bind().dialect.name == "postgresql":
            found = db.session.execute(
                _SCAN_IN_ONE_STATEMENT,
                {"serial": wanted, "now": now, "device": device, "scanner": scanner},
            ).first()
        else:
            found = _scan_in_steps(wanted, now, device, scanner)
    if found is None:
        shown = (serial or "")[:32]
        db.session.execute(insert(_SCAN).values(serial=shown, scanned_at=now, device=device))
        return ScanResult(shown)
    count, first, scanners, *batch = found
    return ScanResult(wanted, ScannedBatch(*batch), count, first, scanners)


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
