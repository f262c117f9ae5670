"""The sale stop a recall puts on a product, and the notice its page shows.

Only `traceability` knows batches: its recall sets the stop when nothing is left that did not
come from a recalled batch, and the harvest of a new batch lifts it. The cart, checkout and
catalog read the product's own columns, so no sale path has to know about batches (orders
never imports traceability).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.errors import DomainError
from products.models import Product


def ensure_on_sale(product: Product) -> None:
    """Refuse to sell a product whose every batch was recalled."""
    if product.is_sale_stopped:
        raise DomainError(
            _l(
                "%(name)s was recalled by the farm and is not for sale until the farm "
                "harvests a new batch.",
                name=product.name,
            )
        )


def record_recall(
    product: Product, *, batch_code: str, reason: str, when: datetime, stop_sale: bool
) -> None:
    """Called by the batch recall: the page's notice, and the stop when nothing else is left."""
    product.recalled_at = when
    product.recalled_batch_code = batch_code
    product.recall_reason = reason
    if stop_sale:
        product.sale_stopped_at = when


def resume_sale(product: Product) -> None:
    """A new harvest: what is sold from now on can come from it."""
    product.sale_stopped_at = None
