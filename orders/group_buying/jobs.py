"""The worker closes group offers whose deadline passed, every minute."""

from __future__ import annotations

import logging

from app.db import utcnow
from app.extensions import db
from app.jobs import crontab, periodic_job
from orders.group_buying.services import close_offer, due_offer_ids

log = logging.getLogger(__name__)


@periodic_job(crontab(minute="*"))
def close_due_group_offers() -> int:
    """Close each due offer in its own transaction (the buyers' messages go out with its
    commit); an offer another worker closed first is left alone. How many this run closed."""
    now = utcnow()
    closed = 0
    for offer_id in due_offer_ids(now):
        try:
            offer = close_offer(offer_id, now)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("group offer %s could not be closed; the next run tries again", offer_id)
            continue
        if offer is not None:
            closed += 1
            log.info("group offer %s closed: %s", offer_id, offer.status)
    return closed
