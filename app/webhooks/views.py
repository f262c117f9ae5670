"""An operator's own webhook endpoints, at /admin/webhooks: events of their scope (the
whole country, or their province)."""

from __future__ import annotations

from flask import url_for
from flask_login import current_user

from app.webhooks.pages import webhook_pages
from app.webhooks.services import operator_scope

bp = webhook_pages(
    "operator_webhooks",
    "/admin/webhooks",
    lambda: operator_scope(current_user._get_current_object()),
    lambda: url_for("dashboard.dashboard"),
)
