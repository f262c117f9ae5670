"""Every PDF the project makes prints hostile user text as text: reportlab's Paragraph markup
must never read a buyer's address or a farm's name as tags (an `<img>` that reads a server
file, an `<a>` that adds a live link, a stray `<` that breaks the document)."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata

import pytest

from app.clock import local_today
from app.extensions import db
from app.pdf import markup_text, plain_text
from orders import documents, services
from tests.app.factories import log_in, make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, hanoi_contact
from tests.products.factories import make_product
from tests.support.requirements import missing
from traceability.label_formats import FORMATS
from traceability.label_pdf import LabelFace, render_labels

HOSTILE = {
    "img-passwd": '<img src="/etc/passwd"/>',
    "img-zero": '<img src="/dev/zero" width=200 height=150/>',
    "link": '<a href="https://evil.example">x</a>',
    "stray-lt": "Hàng < 5 kg",
    "ampersand": "Cam & Bưởi &nbsp; &#60;",
    "unbalanced-bold": "<b>Vải thiều",
    "nul": "Vải\x00thiều\x07",
    "rtl": "Cam\u202e sành\u200f Hà Giang",
    "long": "Đường " + "rất dài " * 400,
}


def pdf_text(data: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        missing("pdftotext", "install Debian's poppler-utils")
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, timeout=60, check=True
    ).stdout


def squeezed(text: str) -> str:
    """Text without white space, control and format characters: what a line wrap, a cut
    or a viewer's handling of direction marks cannot change."""
    return "".join(
        c for c in text if not c.isspace() and unicodedata.category(c) not in ("Cc", "Cf")
    )


def assert_inert(pdf: bytes) -> None:
    """No image was embedded and no link was added."""
    assert pdf.startswith(b"%PDF")
    assert re.search(rb"/Subtype\s*/Image", pdf) is None
    assert b"/URI" not in pdf and b"/Annots" not in pdf


def shown(value: str, limit: int = 60) -> str:
    """The part of a hostile value every document shows whole (a label cuts long names)."""
    return squeezed(value)[:limit]


# The helpers ---------------------------------------------------------------------------------


def test_markup_text_escapes_tags_and_entities():
    assert markup_text('<img src="/etc/passwd"/>') == '&lt;img src="/etc/passwd"/&gt;'
    assert markup_text("Cam & Bưởi") == "Cam &amp; Bưởi"


def test_plain_text_drops_control_characters_and_bounds_length():
    assert plain_text("Vải\x00thiều\x07\r\nHà") == "Vải thiều Hà"
    assert plain_text("\ud800x") == "x"
    assert len(plain_text("a" * 5000)) == 1000


# Orders: packing slip and delivery label ----------------------------------------------------


@pytest.fixture
def order(app):
    farm = deliver_everywhere(make_farm(name="Vườn vải"))
    variant = make_product(farm, name="Vải thiều", prices=(180000,)).variants[0]
    checkout = services.place_order(
        {variant.id: 2},
        buyer=make_user(),
        contact=hanoi_contact(),
        payment_method="cod",
        shown_prices={variant.id: 180000},
        today=local_today(),
    )
    db.session.flush()
    return checkout.orders[0]


def _make_hostile(order, value: str) -> None:
    """Every piece of user text the order's documents show, in memory only (the database's
    column lengths and PostgreSQL's refusal of NUL do not protect a document)."""
    checkout, farm = order.checkout, order.farm
    checkout.contact_name = value
    checkout.street = value
    checkout.commune = value
    farm.name = value
    farm.commune = value
    for line in order.lines:
        line.product_name = value
        line.unit_label = value


@pytest.mark.parametrize("kind", sorted(HOSTILE))
@pytest.mark.parametrize("build", ["packing_slip_pdf", "delivery_label_pdf"])
def test_order_documents_print_hostile_text_as_text(order, build, kind, tmp_path):
    # Given an order whose every text field holds hostile text
    value = HOSTILE[kind]
    assert order.lines and order.checkout and order.farm  # loaded before the values change
    with db.session.no_autoflush:
        _make_hostile(order, value)
        # When the farm prints it
        pdf = getattr(documents, build)(order)
    db.session.rollback()
    # Then the document is made, shows the text as typed and holds no image and no link
    assert_inert(pdf)
    assert shown(value, 30) in squeezed(pdf_text(pdf, tmp_path))


def test_the_farm_downloads_slip_and_label_of_an_order_with_a_hostile_address(client, tmp_path):
    # Given a guest's order whose name and street are markup, from a farm whose name is too
    farm = deliver_everywhere(make_farm(name="Vườn <b>vải & cam"))
    farm.members[0].user.phone = "+84912000777"
    variant = make_product(farm, name='Vải <a href="https://evil.example">x</a>').variants[0]
    street = '<img src="/etc/passwd"/> 12 Hàng <Bạc'
    checkout = services.place_order(
        {variant.id: 1},
        buyer=None,
        contact=hanoi_contact(name="Anh <b>Minh", street=street),
        payment_method="cod",
        shown_prices={variant.id: variant.price_vnd},
        today=local_today(),
    )
    db.session.commit()
    order_id = checkout.orders[0].id
    log_in(client, "0912000777")
    # When the farm downloads its paperwork
    answers = {
        document: client.get(f"/dashboard/orders/{order_id}/{document}.pdf")
        for document in ("packing-slip", "label")
    }
    # Then both documents come, with the text as typed and nothing embedded
    for document, response in answers.items():
        assert response.status_code == 200, document
        assert response.mimetype == "application/pdf"
        assert_inert(response.data)
    slip = squeezed(pdf_text(answers["packing-slip"].data, tmp_path))
    assert squeezed(street) in slip and squeezed("Vườn <b>vải & cam") in slip
    assert squeezed('Vải <a href="https://evil.example">x</a>') in slip


# Traceability: QR labels --------------------------------------------------------------------


def _face(value: str) -> LabelFace:
    return LabelFace(
        product_name=value,
        farm_name=value,
        batch_code=value,
        harvest_date="26/06/2026",
        ocop_stars=4,
        certification=value,
        tagline=value,
        batch_caption=value,
        harvest_caption=value,
    )


@pytest.mark.parametrize("kind", sorted(HOSTILE))
@pytest.mark.parametrize("format_id", sorted(FORMATS))
def test_qr_labels_print_hostile_text_as_text(format_id, kind, tmp_path):
    # Given a label face whose every line is hostile text
    value = HOSTILE[kind]
    # When a run is printed
    pdf = render_labels(
        _face(value), [("HTTPS://NONGSAN.TEST/T/0123456789", "0123456789")], FORMATS[format_id]
    )
    # Then the PDF is made, holds no image and no link, and its title is the text as typed
    assert_inert(pdf)
    info = subprocess.run(
        [
            "pdfinfo",
            "-",
        ],
        input=pdf,
        capture_output=True,
        timeout=60,
        check=True,
    ).stdout.decode()
    title = re.search(r"^Title:\s*(.*)$", info, re.M).group(1)
    assert shown(value, 30) in squeezed(title)
    assert "\x00" not in title
    assert shown(value, 8) in squeezed(pdf_text(pdf, tmp_path))
