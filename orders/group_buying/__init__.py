"""Group buying (mua chung): a farm offers a variant at a group price if enough buyers (or
boxes) join before a deadline; the closing job then confirms every order or cancels them.

- models: the GroupOffer (open → succeeded | failed, once, by compare-and-set).
- joining: what orders.services.place_order and move_order ask of an offer (its price under
  a row lock, one live order per buyer, no packing before the group succeeded).
- services: opening offers, their progress, closing them at the deadline.
- views, forms, notices, jobs: the offer page, the farm's page, the messages, the job.

The money rule (the ledger holds only card money the platform collected): a group order is
an ordinary order at the group price. A card-paid order counts a SALE (and COMMISSION) when
Stripe says it is paid, as any order; if its offer fails, the order is cancelled through
orders.services (stock back once, payment "refund needed") and its ledger is brought back to
zero with a REFUND entry, so every order's ledger sums to what the platform owes its farm
for it: its total less commission while it stands, nothing once cancelled. Transfers and
cash never enter the ledger; a failed offer marks paid transfers "refund needed".
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The offer pages, the farm's group-offers page, the closing job, the order pages'
    "waiting for the group" lines, and the guard keeping an offered variant."""
    from orders.group_buying import jobs, progress, variant_guard, views  # noqa: F401

    app.register_blueprint(views.bp)
    app.add_template_global(progress.group_waits)
    variant_guard.register()
