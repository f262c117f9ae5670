"""The monthly report for a province office, as a PDF: the month's headline figures beside the
month before, the main tables, two bar charts, each figure's definition, the freshness and page
numbers. Built from the dashboard service (its figures and tables), never computed again here."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from app.auth.models import User
from app.auth.operator_scope import scope_name
from app.i18n import format_local_datetime
from app.pdf import BOLD, REGULAR, markup_text, plain_text, register_fonts
from dashboard import services, tables
from dashboard.figures import reworded
from dashboard.formatting import figure_change, figure_value
from dashboard.periods import period_of

#: The tables of the report, in the page's order (the months feed the first chart).
REPORT_TABLES = ("categories", "ocop", "payment_methods", "delivery_provinces", "products")
#: The definitions whose dashboard wording is not true of the report: its breakdowns are in
#: the tables printed before the definitions, and what expires counts from the day it is made.
REPORT_DEFINITIONS = {
    "products_listed": _l(
        "Products published now, counted from the day they were published; at the last day "
        "of the period. By category in the table above."
    ),
    "ocop_products": _l(
        "Published products whose OCOP decision an operator verified, from the day it was "
        "verified until the day it expires; at the last day of the period. By stars and "
        "certifying level in the table above."
    ),
    "ocop_expiring": _l(
        "Verified OCOP decisions of published products that expire within 90 days of the day "
        "this report was made, whatever its month."
    ),
    "certificates_expiring": _l(
        "Verified VietGAP, GlobalGAP, organic and other farm certificates that expire within "
        "90 days of the day this report was made, whatever its month."
    ),
    "revenue_vnd": _l(
        "The totals (goods and delivery) of the transactions paid, in đồng. By payment method, "
        "by delivery province and by product (goods only, without delivery) in the tables "
        "above."
    ),
}
#: A table longer than this prints its first rows and says how many were left out.
MAX_TABLE_ROWS = 30
#: Bars of a chart: the largest categories, or the twelve months.
MAX_BARS = 12
GREEN = colors.HexColor("#2f6b3a")
LIGHT = colors.HexColor("#eef4ee")

_MARGIN = 16 * mm
_WIDTH = A4[0] - 2 * _MARGIN


def monthly_report(operator: User, province: str | None, month: date, today: date) -> bytes:
    """The PDF of the month holding `month` for the province (None: the whole country);
    the operator must see that scope (services.dashboard checks it)."""
    filters = services.DashboardFilters(province, period_of("month", month))
    board = services.dashboard(operator, filters, today)
    return render(board, today)


def file_name(province: str | None, month: date) -> str:
    return f"bao-cao-thang-{province or 'vn'}-{month:%Y-%m}.pdf"


def render(board: services.Dashboard, made_on: date) -> bytes:
    """The PDF of the board, made on `made_on` (the day its expiring figures count from)."""
    register_fonts()
    styles = _styles()
    period = board.filters.period
    place = scope_name(board.filters.province)
    title = _("Monthly report %(month)s: %(place)s", month=period.label(), place=place)
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_MARGIN,
        bottomMargin=_MARGIN + 4 * mm,
        title=plain_text(title),
        author="Nông Sản Số",
    )
    story = [
        Paragraph(markup_text(title), styles["title"]),
        Paragraph(
            markup_text(
                _(
                    "Compared with the month before (%(previous)s).",
                    previous=period.previous().label(),
                )
            ),
            styles["body"],
        ),
        Paragraph(markup_text(_freshness(board)), styles["muted"]),
        Paragraph(
            markup_text(_("Report made on %(day)s.", day=format_date(made_on, "dd/MM/yyyy"))),
            styles["muted"],
        ),
        Spacer(1, 4 * mm),
        Paragraph(markup_text(_("Headline figures")), styles["heading"]),
        _figures_table(board, styles),
        Spacer(1, 4 * mm),
    ]
    story += _months_chart(board, styles)
    for key in REPORT_TABLES:
        story += _table(board.table(key), styles)
    story += _definitions(board, styles)
    pages = _PageNumbers(plain_text(title))
    document.build(story, onFirstPage=pages, onLaterPages=pages)
    return buffer.getvalue()


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=9, leading=12)
    return {
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=16, leading=20),
        "heading": ParagraphStyle(
            "heading", parent=body, fontName=BOLD, fontSize=11, leading=15, spaceBefore=6
        ),
        "body": body,
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10),
        "head": ParagraphStyle("head", parent=body, fontName=BOLD, fontSize=8, leading=10),
        "head_number": ParagraphStyle(
            "head_number", parent=body, fontName=BOLD, fontSize=8, leading=10, alignment=TA_RIGHT
        ),
        "muted": ParagraphStyle("muted", parent=body, textColor=colors.HexColor("#555555")),
        "term": ParagraphStyle("term", parent=body, fontName=BOLD, spaceBefore=4),
    }


def _freshness(board: services.Dashboard) -> str:
    if board.refreshed_at is None:
        return _("The figures have not been calculated yet.")
    return _(
        "Figures updated at %(time)s.",
        time=format_local_datetime(board.refreshed_at, "HH:mm dd/MM/yyyy"),
    )


def _grid(rows: list[list], widths: list[float], numeric_from: int) -> Table:
    grid = Table(rows, colWidths=widths, repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, GREEN),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#cccccc")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return grid


def _head(labels: list[str], styles) -> list[Paragraph]:
    """The header row: the first column's label on the left, the numbers' on the right."""
    return [
        Paragraph(markup_text(label), styles["head_number" if index else "head"])
        for index, label in enumerate(labels)
    ]


def _figures_table(board: services.Dashboard, styles) -> Table:
    rows = [_head([_("Figure"), _("This month"), _("Previous month"), _("Change")], styles)]
    for figure in board.figures:
        rows.append(
            [
                Paragraph(markup_text(figure.label), styles["cell"]),
                figure_value(figure.current, figure.kind),
                figure_value(figure.previous, figure.kind) if figure.compared else "—",
                figure_change(figure.change, figure.kind, figure.relative_change),
            ]
        )
    return _grid(rows, [_WIDTH * 0.43, _WIDTH * 0.19, _WIDTH * 0.19, _WIDTH * 0.19], 1)


def _table(table: tables.Table, styles) -> list:
    title = Paragraph(markup_text(table.title), styles["heading"])
    if not table.rows:
        return [KeepTogether([title, Paragraph(markup_text(_("Nothing yet.")), styles["body"])])]
    rows = [_head([column.label for column in table.columns], styles)]
    for index, row in enumerate(table.rows[:MAX_TABLE_ROWS]):
        rows.append(
            [
                Paragraph(markup_text(value), styles["cell"])
                if table.kind_of(index, column) == tables.TEXT
                else figure_value(value, table.kind_of(index, column))
                for column, value in enumerate(row)
            ]
        )
    first = _WIDTH - (len(table.columns) - 1) * 32 * mm
    widths = [first] + [32 * mm] * (len(table.columns) - 1)
    flowables = [title, _grid(rows, widths, 1)]
    if table.key == "categories":
        flowables.append(
            _bars(
                [row[0] for row in table.rows[:MAX_BARS]], [row[1] for row in table.rows[:MAX_BARS]]
            )
        )
    left_out = len(table.rows) - MAX_TABLE_ROWS
    if left_out > 0:
        flowables.append(
            Paragraph(
                markup_text(_("%(count)s more rows in the dashboard's download.", count=left_out)),
                styles["muted"],
            )
        )
    return [KeepTogether(flowables)]


def _bars(labels: list[str], values: list[int]) -> Drawing:
    """A horizontal bar chart: one bar a row, the label on the left, the value at its end."""
    row_height = 5.5 * mm
    height = row_height * len(values) + 8 * mm
    drawing = Drawing(_WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 48 * mm, 4 * mm
    chart.width, chart.height = _WIDTH - 80 * mm, row_height * len(values)
    # Top to bottom in the given order: reportlab draws the first category at the bottom.
    chart.data = [list(reversed(values))]
    chart.categoryAxis.categoryNames = [plain_text(label, 30) for label in reversed(labels)]
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -2
    chart.valueAxis.visible = False
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(max(values), 1)
    chart.bars[0].fillColor = GREEN
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = lambda value: figure_value(value, "count")
    chart.barLabels.fontName = REGULAR
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 2
    drawing.add(chart)
    return drawing


def _months_chart(board: services.Dashboard, styles) -> list:
    """Paid transactions over the twelve months (products by category follow their table)."""
    months = board.table("months")
    chart = _bars([row[0] for row in months.rows], [row[2] for row in months.rows])
    title = Paragraph(markup_text(_("Transactions paid, month by month")), styles["heading"])
    return [KeepTogether([title, chart])]


def _definitions(board: services.Dashboard, styles) -> list:
    heading = Paragraph(markup_text(_("What each figure counts")), styles["heading"])
    story = []
    for index, figure in enumerate(reworded(board.figures, REPORT_DEFINITIONS)):
        entry = [
            Paragraph(markup_text(figure.label), styles["term"]),
            Paragraph(markup_text(figure.definition), styles["body"]),
        ]
        # The heading never ends a page alone: it keeps to the first definition.
        story.append(KeepTogether([heading, *entry] if index == 0 else entry))
    return story


class _PageNumbers:
    """The report's title and "page n" at the foot of every page."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.page_word = _("Page %(number)s", number="{}")

    def __call__(self, canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(REGULAR, 7)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(_MARGIN, 9 * mm, self.title[:110])
        canvas.drawRightString(A4[0] - _MARGIN, 9 * mm, self.page_word.format(document.page))
        canvas.restoreState()
