"""certificate.expiring: once per certificate, 30 days before it expires, a webhook event to
the farm's endpoints and its province operators'. The worker looks once a day; a key per
certificate and expiry date remembers it was announced (a renewed certificate, with a new
expiry date, is announced again when its time comes)."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.clock import local_today
from app.extensions import db
from app.jobs import crontab, periodic_job
from app.webhooks import EventType, publish_once
from farms.models import Certification

log = logging.getLogger(__name__)

NOTICE_DAYS = 30


def announce_expiring_certificates(today: date) -> int:
    """Publish certificate.expiring for every certificate expiring within NOTICE_DAYS (and
    not yet expired) that was not announced for this expiry date. Returns how many were."""
    certificates = db.session.scalars(
        select(Certification)
        .where(
            Certification.expires_on >= today,
            Certification.expires_on <= today + timedelta(days=NOTICE_DAYS),
        )
        .options(joinedload(Certification.farm))
        .order_by(Certification.id)
    )
    announced = 0
    for certificate in certificates:
        data = {
            "certificate": {
                "id": certificate.id,
                "farm_id": certificate.farm_id,
                "scheme": certificate.scheme,
                "number": certificate.number,
                "issuer": certificate.issuer,
                "expires_on": certificate.expires_on.isoformat(),
                "days_left": (certificate.expires_on - today).days,
                "verified": certificate.verified_at is not None,
            }
        }
        key = f"certificate.expiring:{certificate.id}:{certificate.expires_on.isoformat()}"
        scope = {"farm_id": certificate.farm_id, "province_code": certificate.farm.province_code}
        if publish_once(key, EventType.CERTIFICATE_EXPIRING, data, **scope):
            announced += 1
    return announced


@periodic_job(crontab(hour="1", minute="10"))
def announce_expiring_certificates_daily() -> int:
    announced = announce_expiring_certificates(local_today())
    db.session.commit()
    if announced:
        log.info("%s certificate(s) announced as expiring", announced)
    return announced
