"""The orders' background jobs: the worker expires unpaid orders every minute (no cron)."""

from __future__ import annotations

import logging

from app.db import utcnow
from app.extensions import db
from app.jobs import crontab, periodic_job
from orders.services import expire_unpaid_orders

log = logging.getLogger(__name__)


@periodic_job(crontab(minute="*"))
def expire_overdue_orders() -> int:
    """Cancel the orders whose time to pay ran out; their stock goes back on sale and each
    buyer's message goes out with the commit."""
    expired = expire_unpaid_orders(utcnow())
    db.session.commit()
    if expired:
        log.info("%s unpaid order(s) expired", len(expired))
    return len(expired)
