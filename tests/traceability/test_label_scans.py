"""Printed labels scan: every QR of a rendered sheet decodes to its serial's address, and
that address serves the batch's trace page."""

from urllib.parse import urlsplit

from sqlalchemy import select

from app.auth.roles import Role
from app.extensions import db
from tests.app.factories import make_user
from tests.support.pdf_qr import decode_labels
from tests.traceability.factories import harvest, make_batch, spray
from traceability.label_formats import FORMATS
from traceability.models import Label


def test_nongsan_labels_writes_a_sheet_whose_codes_open_the_trace_page(app, client, tmp_path):
    make_user(Role.OPERATOR, email="ops@nongsan.test")
    batch = make_batch(code="VT2606-A")
    spray(batch, 30)
    harvest(batch, 5)
    db.session.commit()
    output = tmp_path / "labels.pdf"

    result = app.test_cli_runner().invoke(
        args=["labels", str(batch.id), "--format", "a4-65", "--count", "70", "-o", str(output)]
    )

    assert result.exit_code == 0, result.output
    pages = decode_labels(output.read_bytes(), FORMATS["a4-65"], tmp_path / "pages")
    issued = {label.serial for label in db.session.scalars(select(Label))}
    # Every label holds exactly one readable code; the second sheet's last 60 are blank.
    assert [[len(slot) for slot in page] for page in pages] == [[1] * 65, [1] * 5 + [0] * 60]
    decoded = [slot[0] for page in pages for slot in page if slot]
    assert {address.rsplit("/", 1)[1] for address in decoded} == issued and len(issued) == 70
    page = client.get(urlsplit(decoded[0]).path)
    assert page.status_code == 200
    assert "VT2606-A" in page.get_data(as_text=True)


def test_nongsan_labels_refuses_a_batch_not_harvested_yet(app, tmp_path):
    make_user(Role.OPERATOR, email="ops@nongsan.test")
    batch = make_batch()
    db.session.commit()

    result = app.test_cli_runner().invoke(
        args=["labels", str(batch.id), "--count", "5", "-o", str(tmp_path / "x.pdf")]
    )

    assert result.exit_code != 0 and "thu hoạch" in result.output
    assert not (tmp_path / "x.pdf").exists()
