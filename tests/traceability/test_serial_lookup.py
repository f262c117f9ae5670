"""A label's serial found however it was typed: Crockford's base32 reads O as 0 and I or L
as 1, in any case, with or without hyphens or spaces; a serial never issued is still fake."""

import pytest
from sqlalchemy import select, update

from app.extensions import db
from tests.farms.factories import make_farm
from tests.products.factories import make_product
from tests.support.web import page_text
from tests.traceability.factories import harvest, make_batch
from traceability import labels
from traceability.labels import normalise_serial
from traceability.models import Label, LabelScan

PHONE = "Mozilla/5.0 (Linux; Android 12; SM-A135F) Mobile Safari/537.36"
#: A serial holding every look-alike digit, set on an issued label.
SERIAL = "0A1B0C1D2E"


@pytest.mark.parametrize(
    ("typed", "serial"),
    [
        ("0A1B0C1D2E", "0A1B0C1D2E"),
        ("OA1B0C1D2E", "0A1B0C1D2E"),
        ("oaib0clD2e", "0A1B0C1D2E"),
        ("OA-LB-OC-ID-2E", "0A1B0C1D2E"),
        (" oa1b 0c1d 2e ", "0A1B0C1D2E"),
        ("ABCDEFGHJK", "ABCDEFGHJK"),
    ],
)
def test_a_typed_serial_reads_as_issued(typed, serial):
    assert normalise_serial(typed) == serial


@pytest.mark.parametrize("typed", ["", "   ", "ABCDU", "ABC_DEF", "ẞABC", "vải", "A" * 21, None])
def test_what_cannot_be_a_serial_is_not_looked_up(typed):
    assert normalise_serial(typed) is None


@pytest.fixture
def label(app):
    farm = make_farm()
    product = make_product(farm, gtin="8934567890120")
    batch = make_batch(farm, product, code="BT2609-A")
    harvest(batch, 3)
    run = labels.issue_labels(batch, farm.members[0].user, "a4-65", 1)
    (label,) = labels.run_labels(run)
    db.session.execute(update(Label).where(Label.id == label.id).values(serial=SERIAL))
    db.session.commit()
    return db.session.get(Label, label.id)


@pytest.mark.parametrize(
    "typed", ["OA1B0C1D2E", "oalbOcid2e", "OA-LB-OC-ID-2E", "oa1b%200c1d%202e", "0a1b0c1d2e"]
)
def test_a_serial_typed_with_look_alikes_finds_its_label(client, label, typed):
    page = client.get(f"/T/{typed}", headers={"User-Agent": PHONE})

    assert page.status_code == 200
    assert "Tem chính hãng" in page_text(page) and SERIAL in page_text(page)
    db.session.refresh(label)
    assert label.scan_count == 1


def test_the_digital_link_reads_the_serial_the_same_way(client, label):
    page = client.get(
        "/01/08934567890120/10/BT2609-A/21/oa-lb-oc-id-2e", headers={"User-Agent": PHONE}
    )
    assert page.status_code == 200 and "Tem chính hãng" in page_text(page)


@pytest.mark.parametrize("typed", ["OA1B0C1D2F", "ZZZZZZZZZZ", "OA1B0C1D2U"])
def test_a_truly_fake_serial_is_still_fake(client, label, typed):
    page = client.get(f"/T/{typed}", headers={"User-Agent": PHONE})

    assert page.status_code == 404
    assert "Tem này không phải tem thật" in page_text(page)
    logged = db.session.scalar(select(LabelScan).where(LabelScan.serial == typed))
    assert logged is not None and logged.label_id is None
    db.session.refresh(label)
    assert label.scan_count == 0
