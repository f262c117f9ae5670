"""A variant on an open group offer stays until the offer closes.

products.services.remove_variant knows nothing of group offers (products sits below
orders); this guard, registered by orders.group_buying.init_app as an ORM hook on the
variant's delete, refuses it in the same flush, so the farm sees the reason and nothing is
removed. Without it the offer would go with its variant and its orders would quietly become
ordinary orders at the group price, their buyers never told how the group ended.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select

from app.errors import DomainError
from app.i18n import format_local_datetime
from orders.group_buying.models import GroupOffer, GroupOfferStatus
from products.models import Variant


def refuse_removing_an_offered_variant(mapper, connection, variant: Variant) -> None:
    deadline = connection.scalar(
        select(GroupOffer.deadline).where(
            GroupOffer.variant_id == variant.id, GroupOffer.status == GroupOfferStatus.OPEN
        )
    )
    if deadline is not None:
        raise DomainError(
            _l(
                "This variant is on a group offer until %(time)s: remove it once the offer "
                "has closed.",
                time=format_local_datetime(deadline, "HH:mm dd/MM/yyyy"),
            )
        )


def register() -> None:
    if not event.contains(Variant, "before_delete", refuse_removing_an_offered_variant):
        event.listen(Variant, "before_delete", refuse_removing_an_offered_variant)
