"""Label printing benchmark: one PDF of N unique batch QR labels, beside plain qrcode encoding.

    .venv/bin/python bench/labels.py [--count 10000] [--format a4-65]

No database, no server; the PDF stays in memory. Prints the time and labels per second of
`traceability.label_pdf.render_labels()` for the whole PDF, beside a baseline measured in the
same run (the same addresses encoded to QR matrices with the qrcode library's defaults, which
is where a naive label printer starts), the PDF's size, and a verdict: at least 1,000 labels
a second.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time

import _harness  # noqa: F401  (puts the project on sys.path)
import qrcode

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BASE = "HTTPS://NONGSAN.VN/T/"
TARGET = 1_000  # labels per second


def serials(count: int) -> list[str]:
    """`count` distinct random 10-character serials, as the application issues them."""
    made: set[str] = set()
    while len(made) < count:
        made.add("".join(secrets.choice(CROCKFORD) for _ in range(10)))
    return sorted(made)


def cpu_seconds() -> float:
    """CPU time of this process (and of any children that have ended)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def baseline(addresses: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds to encode every address with qrcode's defaults."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    for address in addresses:
        code = qrcode.QRCode()
        code.add_data(address)
        code.make(fit=True)
        code.get_matrix()
    return time.perf_counter() - wall, cpu_seconds() - cpu


def main() -> int:
    from traceability.label_formats import FORMATS
    from traceability.label_pdf import (
        ERROR_CORRECTION,
        MASK_PATTERN,
        LabelFace,
        render_labels,
    )

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="labels in the PDF")
    parser.add_argument("--format", choices=sorted(FORMATS), default="a4-65")
    options = parser.parse_args()
    fmt = FORMATS[options.format]
    face = LabelFace(
        product_name="Vải thiều Thanh Hà loại 1 – hộp quà 2 kg",
        farm_name="HTX Nông nghiệp Thanh Hà Xanh",
        batch_code="VT2606-A",
        harvest_date="26/06/2026",
        ocop_stars=4,
        certification="VietGAP · 02-2025/VG",
        tagline="Quét để xem nguồn gốc",
    )
    labels = [(BASE + serial, serial) for serial in serials(options.count)]
    addresses = [address for address, _ in labels]
    pages = -(-options.count // fmt.labels_per_page)
    sample = qrcode.QRCode(error_correction=ERROR_CORRECTION, mask_pattern=MASK_PATTERN)
    sample.add_data(addresses[0])
    sample.make(fit=True)
    print(
        f"{options.count:,} labels on {fmt.id} ({pages:,} pages); addresses like {addresses[0]}"
        f" (QR version {sample.version}, {sample.modules_count} modules a side, level M,"
        f" mask {MASK_PATTERN})",
    )
    # A server process has registered the fonts long before; keep that out of the figure.
    render_labels(face, labels[:1], fmt)

    wall, cpu = time.perf_counter(), cpu_seconds()
    pdf = render_labels(face, labels, fmt)
    pdf_wall, pdf_cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    print(f"PDF made in {pdf_wall:.2f} s; now the baseline…", flush=True)
    base_wall, base_cpu = baseline(addresses)

    rate = options.count / pdf_wall
    header = f"{'':<42} {'seconds':>8} {'labels/s':>9} {'x baseline':>10} {'CPU ms/label':>13}"
    print(f"\n{header}\n{'-' * len(header)}")
    for name, seconds, cpu_used in (
        ("baseline: qrcode defaults, matrices only", base_wall, base_cpu),
        ("render_labels(): the whole PDF", pdf_wall, pdf_cpu),
    ):
        print(
            f"{name:<42} {seconds:8.2f} {options.count / seconds:9,.0f}"
            f" {base_wall / seconds:10.2f} {cpu_used / options.count * 1000:13.3f}"
        )
    print(f"\nPDF size: {len(pdf) / 1e6:.2f} MB ({len(pdf) / options.count:,.0f} bytes a label)")
    passed = rate >= TARGET
    print(
        f"\nVERDICT: PDF at >= {TARGET:,} labels/s: {'PASS' if passed else 'FAIL'}"
        f" ({rate:,.0f} labels/s, {pdf_wall:.2f} s for {options.count:,})"
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
