"""Printed labels scan: every QR of a rendered sheet decodes to its serial's address, and
that address serves the batch's trace page."""

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.auth.roles import Role
from app.extensions import db
from tests.app.factories import make_user
from tests.support.pdf_qr import decode_labels
from tests.traceability.factories import harvest, make_batch, spray
from traceability.label_formats import FORMATS
from traceability.models import Label


@pytest.mark.parametrize("format_id", sorted(FORMATS))
def test_every_printed_label_decodes_to_its_address_which_opens_the_trace_page(
    app, client, tmp_path, format_id
):
    fmt = FORMATS[format_id]
    count = fmt.labels_per_page + 1 if fmt.is_sheet else 2  # a second page starts
    make_user(Role.OPERATOR, email="ops@nongsan.test")
    batch = make_batch(code="VT2606-A")
    spray(batch, 30)
    harvest(batch, 5)
    db.session.commit()
    output = tmp_path / "labels.pdf"

    result = app.test_cli_runner().invoke(
        args=[
            "labels",
            str(batch.id),
            "--format",
            format_id,
            "--count",
            str(count),
            "-o",
            str(output),
        ]
    )

    assert result.exit_code == 0, result.output
    pages = decode_labels(output.read_bytes(), fmt, tmp_path / "pages")
    per_page = fmt.labels_per_page
    expected = [[1] * per_page, [1] + [0] * (per_page - 1)]
    assert [[len(slot) for slot in page] for page in pages] == expected
    decoded = [slot[0] for page in pages for slot in page if slot]
    serials = {label.serial for label in db.session.scalars(select(Label))}
    assert {address.rsplit("/", 1)[1] for address in decoded} == serials
    assert len(serials) == count
    for address in decoded:
        assert address.startswith("HTTPS://NONGSAN.TEST/T/")
        page = client.get(urlsplit(address).path)
        assert page.status_code == 200 and 'data-testid="batch-code">VT2606-A<' in page.get_data(
            as_text=True
        )


def test_nongsan_labels_refuses_a_batch_not_harvested_yet(app, tmp_path):
    make_user(Role.OPERATOR, email="ops@nongsan.test")
    batch = make_batch()
    db.session.commit()

    result = app.test_cli_runner().invoke(
        args=["labels", str(batch.id), "--count", "5", "-o", str(tmp_path / "x.pdf")]
    )

    assert result.exit_code != 0 and "thu hoạch" in result.output
    assert not (tmp_path / "x.pdf").exists()
