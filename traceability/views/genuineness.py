"""The label's own lines on the trace page ("genuine label", how often it was scanned).

They differ on every scan while the rest of the page is shared, so they are built here with
Markup instead of a template render: this runs on every scan of every box.
"""

from __future__ import annotations

from flask_babel import get_translations
from markupsafe import Markup

from app.clock import VIETNAM
from traceability.models import BatchStatus
from traceability.scans import ScanResult


def _when(scan: ScanResult) -> str:
    return scan.first_scanned_at.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def genuineness_html(scan: ScanResult, threshold: int) -> Markup:
    """`threshold` is LABEL_SCAN_WARNING_THRESHOLD."""
    _ = get_translations().gettext  # looked up once: this runs on every scan
    copied = scan.looks_copied(threshold)
    recalled = scan.batch is not None and scan.batch.status == BatchStatus.RECALLED
    if copied:
        headline = Markup("<p><strong>⚠ {}</strong> {}</p>").format(
            _("This label was scanned by %(n)d different visitors.") % {"n": scan.scanners},
            _(
                "A label on one box is rarely scanned by so many people: it may have been "
                "copied. Check the seller and the packaging."
            ),
        )
    elif recalled:
        # The recall banner above is the verdict: the label is stated, not vouched for.
        headline = Markup('<p>{} <span class="code">{}</span></p>').format(
            _("Label issued for this batch, serial"), scan.serial
        )
    else:
        headline = Markup('<p><strong>✓ {}</strong> · {} <span class="code">{}</span></p>').format(
            _("Genuine label"), _("serial"), scan.serial
        )
    if scan.count <= 1:
        count = _("This is the first time this label is scanned.")
    else:
        count = _("Scanned %(n)d times, first on %(date)s.") % {
            "n": scan.count,
            "date": _when(scan),
        }
    style = " genuine genuine-warning" if copied else ("" if recalled else " genuine")
    return Markup(
        '<section class="card{}" data-testid="genuineness">{}'
        '<p class="muted" data-testid="scan-count">{}</p></section>'
    ).format(style, headline, count)
