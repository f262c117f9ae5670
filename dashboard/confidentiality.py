"""Statistical confidentiality of what anyone may read (the public /figures page and open
data): where fewer than MIN_SELLERS_SHOWN households and cooperatives sell, a place's orders
and money would be one business's own (a single cooperative's monthly income, published
under an open licence). There they are shown as unknown. Operators, who answer for the
figures, see them whole on /admin/dashboard."""

from __future__ import annotations

MIN_SELLERS_SHOWN = 3


def too_few_sellers(households: float | None, cooperatives: float | None) -> bool:
    return (households or 0) + (cooperatives or 0) < MIN_SELLERS_SHOWN
