"""What a review's author is told when an operator hides it: the mail and the short text,
in the author's language, queued with the change and sent after commit (app.messaging)."""

from __future__ import annotations

from flask_babel import gettext as _

from app.messaging.notices import Notice, one_line, queue_notices, short_text
from app.messaging.recipients import user_recipients
from orders.reviews.models import Review

NAME_LIMIT = 30


def hidden_notice(review: Review, product_name: str) -> Notice:
    product = one_line(product_name, NAME_LIMIT)
    reason = review.hidden_reason or ""
    text = _(
        "Nông Sản Số: your review of %(product)s was hidden. Reason: %(reason)s",
        product=product,
        reason=one_line(reason, 60),
    )
    body = "\n\n".join(
        [
            _("Your review of %(product)s is no longer shown.", product=product_name),
            _("Reason: %(reason)s", reason=reason),
            _("If you think this is a mistake, reply to this message."),
        ]
    )
    return Notice(
        kind="review_hidden",
        subject=_("Your review of %(product)s was hidden", product=product),
        mail_body=body + "\n",
        text=short_text(text),
        params={"product_name": product, "reason": one_line(reason, 100)},
    )


def queue_hidden_notice(review: Review, product_name: str) -> None:
    queue_notices(user_recipients(review.author), lambda: hidden_notice(review, product_name))
