"""What a phone must show of the charts, measured in the browser: the tables of numbers under
the charts fit their box (no sideways scrolling hides a value), and the years under a monthly
chart's months are drawn apart."""

from __future__ import annotations


def chart_tables_cut_off(page) -> list[str]:
    """The captions of the chart tables wider than their box (their last column scrolls out
    of sight, though the page itself does not widen); needs at least one table on the page."""
    found = page.evaluate(
        "[...document.querySelectorAll('.chart-table-wrap')].map(w => "
        "[w.querySelector('caption').textContent, w.scrollWidth - w.clientWidth])"
    )
    assert found, "no chart table on the page"
    return [caption for caption, overflow in found if overflow > 0]


def years_running_together(page) -> list[str]:
    """Pairs of year labels ("2025", "2026") of one chart whose drawn boxes touch or overlap."""
    return page.evaluate(
        """[...document.querySelectorAll('svg.chart-svg')].flatMap(svg => {
            const years = [...svg.querySelectorAll('text')]
                .filter(t => /^\\d{4}$/.test(t.textContent))
                .map(t => [t.textContent, t.getBoundingClientRect()])
                .sort((a, b) => a[1].left - b[1].left);
            return years.slice(1).flatMap((pair, i) =>
                pair[1].left <= years[i][1].right + 2 ? [years[i][0] + pair[0]] : []);
        })"""
    )
