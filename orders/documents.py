"""The farm's paperwork for an order: an A4 packing slip and a 100 × 150 mm delivery label,
as PDF with DejaVu Sans embedded so Vietnamese names and addresses print correctly.

Buyers and farms type the names and addresses: every piece of it goes through
`app.pdf.markup_text` into Paragraph markup and through `plain_text` everywhere else."""

from __future__ import annotations

import io

from flask_babel import gettext as _
from reportlab.graphics.barcode import code128
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.auth.identifiers import display_phone
from app.i18n import format_amount, format_local_datetime, format_vnd
from app.pdf import BOLD, REGULAR, markup_text, plain_text, register_fonts
from orders.models import Order
from orders.weighed.amounts import settlement
from orders.weighed.documents import parcel_grams, weighed_rows
from products.units import translate_unit_label

LABEL_SIZE = (100 * mm, 150 * mm)
#: Lines of the address the label has room for, between the name and the sender.
ADDRESS_LINES = 5


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    return {
        "title": ParagraphStyle("title", fontName=BOLD, fontSize=16, leading=20),
        "body": ParagraphStyle("body", fontName=REGULAR, fontSize=10, leading=13),
        "small": ParagraphStyle(
            "small", fontName=REGULAR, fontSize=8, leading=10, textColor=colors.grey
        ),
    }


def _labelled(caption: str, parts: list[str], style: ParagraphStyle) -> Paragraph:
    """The caption in bold, then the parts joined by " · ", each escaped; empty ones left out."""
    text = " · ".join(markup_text(part) for part in parts if part)
    return Paragraph(f"<b>{markup_text(caption)}:</b> {text}", style)


def _payment_line(order: Order) -> str:
    # Weighed goods: a cash order's final total, or a heavier prepaid box's rest to collect.
    collect = settlement(order).collect_on_delivery_vnd
    if order.payment_status == "paid":
        if collect:
            return _("Paid; collect on delivery: %(amount)s", amount=format_vnd(collect))
        return _("Paid")
    if order.payment_method == "cod":
        return _("Collect on delivery: %(amount)s", amount=format_vnd(collect))
    return _("Not paid yet")


def packing_slip_pdf(order: Order) -> bytes:
    styles = _styles()
    checkout = order.checkout
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=plain_text(f"{order.number} · {order.farm.name}"),
    )
    rows = [[_("Product"), _("Unit"), _("Quantity"), _("Price"), _("Total")]]
    for line in order.lines:
        rows.append(
            [
                # A table row cannot break across pages: no longer than the columns allow.
                Paragraph(markup_text(line.product_name, 160), styles["body"]),
                Paragraph(markup_text(translate_unit_label(line.unit_label), 80), styles["body"]),
                str(line.quantity),
                format_vnd(line.unit_price_vnd),
                format_vnd(line.line_total_vnd),
            ]
        )
    if order.discount_vnd:  # a voucher (orders.vouchers): on the items, before delivery
        rows.append(["", "", "", _("Voucher discount"), "−" + format_vnd(order.discount_vnd)])
    rows.append(["", "", "", _("Delivery"), format_vnd(order.delivery_fee_vnd)])
    rows.append(["", "", "", _("Total"), format_vnd(order.total_vnd)])
    rows.extend(weighed_rows(order))
    table = Table(rows, colWidths=[70 * mm, 28 * mm, 18 * mm, 29 * mm, 29 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("FONTNAME", (0, 0), (-1, 0), BOLD),
                ("FONTNAME", (0, -1), (-1, -1), BOLD),
                ("FONTSIZE", (0, 0), (-1, -1), 10),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEABOVE", (0, -2), (-1, -2), 0.4, colors.grey),
                ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    farm = order.farm
    story = [
        Paragraph(markup_text(_("Packing slip %(number)s", number=order.number)), styles["title"]),
        Paragraph(format_local_datetime(order.created_at, "dd/MM/yyyy HH:mm"), styles["small"]),
        Spacer(1, 6 * mm),
        _labelled(
            _("From"),
            [farm.name, farm.place, display_phone(farm.contact_phone)],
            styles["body"],
        ),
        _labelled(
            _("To"),
            [checkout.contact_name, display_phone(checkout.contact_phone), checkout.address_line],
            styles["body"],
        ),
        _labelled(_("Payment"), [_payment_line(order)], styles["body"]),
        Spacer(1, 6 * mm),
        table,
    ]
    if order.platform_discount_vnd:
        story.append(Spacer(1, 4 * mm))
        story.append(
            Paragraph(
                markup_text(
                    _(
                        "%(amount)s of the discount is borne by the platform, which pays it "
                        "to the farm.",
                        amount=format_vnd(order.platform_discount_vnd),
                    )
                ),
                styles["small"],
            )
        )
    if any(line.ships_on for line in order.lines):
        story.append(Spacer(1, 4 * mm))
        story.append(Paragraph(markup_text(_("Contains pre-ordered produce.")), styles["small"]))
    document.build(story)
    return buffer.getvalue()


def delivery_label_pdf(order: Order) -> bytes:
    """A 100 × 150 mm label, the size thermal printers and Vietnamese carriers use."""
    register_fonts()
    checkout = order.checkout
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=LABEL_SIZE)
    page.setTitle(plain_text(f"{order.number} · {checkout.contact_name}"))
    width, height = LABEL_SIZE
    left = 6 * mm
    y = height - 12 * mm
    page.setFont(BOLD, 18)
    page.drawString(left, y, order.number)
    barcode = code128.Code128(order.number, barHeight=12 * mm, barWidth=0.35 * mm)
    barcode.drawOn(page, left - 3 * mm, y - 16 * mm)
    y -= 24 * mm
    page.setFont(REGULAR, 9)
    page.drawString(left, y, _("To"))
    page.setFont(BOLD, 14)
    page.drawString(left, y - 6 * mm, plain_text(checkout.contact_name, 34))
    page.drawString(left, y - 12 * mm, display_phone(checkout.contact_phone))
    text = page.beginText(left, y - 19 * mm)
    text.setFont(REGULAR, 11)
    for chunk in _wrap(plain_text(checkout.address_line), 42, ADDRESS_LINES):
        text.textLine(chunk)
    page.drawText(text)
    y -= 48 * mm
    page.setFont(REGULAR, 9)
    page.drawString(left, y, _("From"))
    page.setFont(REGULAR, 10)
    farm = order.farm
    page.drawString(left, y - 5 * mm, plain_text(farm.name, 48))
    page.drawString(left, y - 10 * mm, plain_text(farm.place, 52))
    if farm.contact_phone:
        page.drawString(left, y - 15 * mm, display_phone(farm.contact_phone))
    weight_kg = parcel_grams(order) / 1000
    page.setFont(BOLD, 12)
    page.drawString(left, 14 * mm, _payment_line(order))
    page.setFont(REGULAR, 9)
    page.drawString(
        left, 8 * mm, _("Weight about %(kg)s kg", kg=format_amount(round(weight_kg, 1)))
    )
    page.showPage()
    page.save()
    return buffer.getvalue()


def _wrap(text: str, width: int, max_lines: int) -> list[str]:
    """Lines of at most `width` characters (a longer word is cut into pieces), the last of
    `max_lines` ending with an ellipsis when the text goes on: the label has that much room."""
    words = [word[i : i + width] for word in text.split() for i in range(0, len(word), width)]
    lines, current = [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    lines = [*lines, current] if current else lines
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1][: width - 1] + "…"]
    return lines
