"""Issuing QR labels: each label gets a serial, recorded before its PDF is made.

The QR holds a short address on BASE_URL: a GS1 Digital Link (/01/<GTIN-14>/10/<lot>/21/
<serial>) when the product has a GTIN, otherwise /T/<serial>. Serials are random (10
characters of Crockford's base32, 50 bits), so a forger cannot guess one that was issued;
every look-up reads a typed serial through `normalise_serial` (O as 0, I and L as 1).

A run's PDF is drawn on its first download and kept in the (private) storage under a key that
names what it shows, so later downloads serve the file; a run of LABEL_RUN_BACKGROUND_FROM
labels or more is drawn by the background worker (traceability/jobs.py) instead of a request.
The labels and runs a farm may issue in 24 hours are bounded (LABELS_PER_FARM_PER_DAY,
LABEL_RUNS_PER_FARM_PER_DAY).
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import func, insert, or_, select, update

from app.auth.models import User
from app.clock import local_today
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from app.storage import get_storage
from farms.models import Farm
from farms.permissions import ensure_can_manage
from traceability import services
from traceability.label_formats import FORMATS
from traceability.label_pdf import LabelFace, render_labels
from traceability.models import Batch, BatchStatus, Label, LabelRun

SERIAL_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ALPHABET_SET = frozenset(SERIAL_ALPHABET)
SERIAL_LENGTH = 10
MAX_LABELS_PER_RUN = 10_000
#: The window the per-farm bounds count in.
BOUND_WINDOW = timedelta(hours=24)
#: The storage folder of kept run PDFs; not one of app/media.py's public folders.
STORAGE_FOLDER = "label-runs"

log = logging.getLogger(__name__)


def new_serial() -> str:
    return "".join(secrets.choice(SERIAL_ALPHABET) for _ in range(SERIAL_LENGTH))


#: Crockford's base32 reads the letters people mistake for digits as those digits.
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
#: What people put between groups of characters when they copy a serial.
_SEPARATORS = re.compile(r"[\s\-]+")
MAX_SERIAL_LENGTH = 20


def normalise_serial(typed: str | None) -> str | None:
    """The serial a person typed or a scanner read, as issued: any case, hyphens and spaces
    dropped, O read as 0 and I or L as 1 (Crockford's decoding); None when it cannot be a
    serial at all (a character outside the alphabet, or too long), so it is not looked up."""
    text = _SEPARATORS.sub("", typed or "")
    # ASCII only, before upper-casing: "ß".upper() is "SS".
    if not text.isascii():
        return None
    text = text.upper().translate(_LOOK_ALIKES)
    if not 0 < len(text) <= MAX_SERIAL_LENGTH or not set(text) <= _ALPHABET_SET:
        return None
    return text


def _base_url() -> str:
    """BASE_URL with its scheme and host upper-cased (both are case-insensitive): with our
    upper-case paths, the whole address fits the QR code's compact alphanumeric mode."""
    parts = urlsplit(current_app.config["BASE_URL"])
    return f"{parts.scheme.upper()}://{parts.netloc.upper()}{parts.path.rstrip('/')}"


def gtin14(gtin: str) -> str:
    return gtin.zfill(14)


def label_address(batch: Batch, serial: str) -> str:
    gtin = batch.product.gtin
    if gtin:
        return f"{_base_url()}/01/{gtin14(gtin)}/10/{batch.code}/21/{serial}"
    return f"{_base_url()}/T/{serial}"


def _fresh_serials(count: int) -> set[str]:
    """`count` serials never issued before (a clash is rare at 50 bits, never impossible)."""
    serials: set[str] = set()
    while len(serials) < count:
        while len(serials) < count:
            serials.add(new_serial())
        for chunk in _chunks(sorted(serials), 1000):
            serials -= set(db.session.scalars(select(Label.serial).where(Label.serial.in_(chunk))))
    return serials


def _chunks(items: list[str], size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def issue_labels(batch: Batch, actor: User, format_id: str, count: int | str) -> LabelRun:
    """Record `count` new serials for the batch; the PDF is made from the run afterwards."""
    ensure_can_manage(actor, batch.farm)
    if format_id not in FORMATS:
        raise DomainError(_l("Choose a label format from the list."), field="format")
    try:
        count = int(str(count).strip())
    except ValueError:
        count = 0
    if not 1 <= count <= MAX_LABELS_PER_RUN:
        raise DomainError(
            _l("Print between 1 and %(n)d labels at a time.", n=MAX_LABELS_PER_RUN),
            field="count",
        )
    # Locked and read again as a recall locks it: a recall committed since the page was read
    # is seen here, and one that comes later waits until these labels are sealed.
    db.session.execute(select(Batch.id).where(Batch.id == batch.id).with_for_update())
    db.session.refresh(batch)
    if batch.status == BatchStatus.RECALLED:
        raise DomainError(_l("This batch was recalled; no labels can be printed for it."))
    if batch.harvested_on is None:
        raise DomainError(_l("Record the harvest first: the label shows the harvest date."))
    _check_farm_bounds(batch.farm, count)
    run = LabelRun(batch_id=batch.id, format=format_id, count=count, issued_by_id=actor.id)
    db.session.add(run)
    db.session.flush()
    serials = _fresh_serials(count)
    db.session.execute(
        insert(Label),
        [{"serial": s, "batch_id": batch.id, "run_id": run.id} for s in sorted(serials)],
    )
    services.record_labels_issued(batch, actor, run, serials)  # sealed in the batch's chain
    return run


def _check_farm_bounds(farm: Farm, count: int) -> None:
    """Refuse a run that would take the farm past its labels or runs of the last 24 hours.
    The farm's row is locked first, so two runs at once cannot both slip under the bound."""
    db.session.execute(select(Farm.id).where(Farm.id == farm.id).with_for_update())
    runs, labels = db.session.execute(
        select(func.count(LabelRun.id), func.coalesce(func.sum(LabelRun.count), 0))
        .join(Batch, Batch.id == LabelRun.batch_id)
        .where(Batch.farm_id == farm.id, LabelRun.created_at >= utcnow() - BOUND_WINDOW)
    ).one()
    max_runs = current_app.config["LABEL_RUNS_PER_FARM_PER_DAY"]
    max_labels = current_app.config["LABELS_PER_FARM_PER_DAY"]
    if runs >= max_runs:
        raise DomainError(
            lazy_ngettext(
                "This farm has printed %(num)d run of labels in the last 24 hours, the most "
                "allowed: print more labels in one run, or try again later.",
                "This farm has printed %(num)d runs of labels in the last 24 hours, the most "
                "allowed: print more labels in one run, or try again later.",
                max_runs,
            ),
            field="count",
        )
    if labels + count > max_labels:
        raise DomainError(
            _l(
                "A farm can issue %(max)d labels in 24 hours; left now: %(left)d. "
                "Print fewer, or try again later.",
                max=max_labels,
                left=max(max_labels - labels, 0),
            ),
            field="count",
        )


def run_labels(run: LabelRun) -> list[Label]:
    return list(db.session.scalars(select(Label).where(Label.run_id == run.id).order_by(Label.id)))


def label_face(batch: Batch) -> LabelFace:
    """What every label of the batch shows, in the current language."""
    today = local_today()
    product, farm = batch.product, batch.farm
    ocop = product.ocop if product.ocop and product.ocop.is_valid_on(today) else None
    certificates = farm.valid_certifications(today)
    certification = (
        f"{certificates[0].scheme_name} · {certificates[0].number}" if certificates else None
    )
    return LabelFace(
        product_name=product.name,
        farm_name=farm.name,
        batch_code=batch.code,
        harvest_date=batch.harvested_on.strftime("%d/%m/%Y") if batch.harvested_on else "",
        ocop_stars=ocop.stars if ocop else None,
        certification=certification,
        tagline=_("Scan to see the origin"),
        batch_caption=_("Batch"),
        harvest_caption=_("Harvest"),
    )


def _run_contents(run: LabelRun) -> tuple[LabelFace, list[tuple[str, str]]]:
    batch = run.batch
    serials = db.session.scalars(
        select(Label.serial).where(Label.run_id == run.id).order_by(Label.id)
    )
    return label_face(batch), [(label_address(batch, serial), serial) for serial in serials]


def _key(run: LabelRun, face: LabelFace, labels: list[tuple[str, str]]) -> str:
    """Per run, and naming what the PDF shows (the face in this language, every address):
    a renamed product, another language or BASE_URL draws it again, never an old file."""
    digest = hashlib.sha256(repr((run.format, face, labels)).encode()).hexdigest()[:32]
    return f"{STORAGE_FOLDER}/{run.batch.farm_id}/{run.id}-{digest}.pdf"


def stored_key(run: LabelRun) -> str:
    """Where the run's PDF is kept, as it would be drawn now."""
    return _key(run, *_run_contents(run))


def run_pdf(run: LabelRun, actor: User) -> bytes:
    """The run's PDF: the kept file, or drawn (up to seconds for 10,000 labels) and kept."""
    ensure_can_manage(actor, run.batch.farm)
    return _kept_or_drawn(run)


def kept_pdf(run: LabelRun, actor: User) -> bytes | None:
    """The run's PDF if it has been drawn (in the current language), else None."""
    ensure_can_manage(actor, run.batch.farm)
    try:
        return get_storage().open(stored_key(run))
    except FileNotFoundError:
        return None


def draws_in_background(run: LabelRun) -> bool:
    """A large run is drawn by the worker: the request that asks for it does not wait."""
    return run.count >= current_app.config["LABEL_RUN_BACKGROUND_FROM"]


#: How long one request to draw a run's PDF stands before the next page load asks again.
DRAWING_LEASE = timedelta(minutes=2)


def request_drawing(run: LabelRun, now: datetime) -> bool:
    """Mark the run as asked to be drawn (compare-and-set); True when this call should
    enqueue the drawing: never asked, or asked longer than DRAWING_LEASE ago."""
    asked = db.session.execute(
        update(LabelRun)
        .where(
            LabelRun.id == run.id,
            or_(
                LabelRun.drawing_requested_at.is_(None),
                LabelRun.drawing_requested_at < now - DRAWING_LEASE,
            ),
        )
        .values(drawing_requested_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    return asked == 1


def keep_run_pdf(run: LabelRun) -> None:
    """Draw the run's PDF and keep it, unless it is kept already (the worker's job)."""
    _kept_or_drawn(run)


def _kept_or_drawn(run: LabelRun) -> bytes:
    face, labels = _run_contents(run)
    key = _key(run, face, labels)
    storage = get_storage()
    try:
        return storage.open(key)
    except FileNotFoundError:
        pass
    pdf = render_labels(face, labels, FORMATS[run.format])
    try:
        storage.save(key, pdf, "application/pdf")
    except OSError:  # a full disk must not keep the farmer from printing
        log.exception("could not keep the PDF of label run %s", run.id)
    return pdf
