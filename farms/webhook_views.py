"""A farm's webhook endpoints, at /dashboard/farms/<id>/webhooks: the pages of app.webhooks,
for whoever may manage the farm."""

from __future__ import annotations

from flask import url_for
from flask_login import current_user

from app.webhooks.pages import webhook_pages
from app.webhooks.services import farm_scope
from farms.services import get_farm_for


def _scope(farm_id: int):
    farm = get_farm_for(current_user._get_current_object(), farm_id)
    return farm_scope(current_user._get_current_object(), farm.id)


bp = webhook_pages(
    "farm_webhooks",
    "/dashboard/farms/<int:farm_id>/webhooks",
    _scope,
    lambda farm_id: url_for("products.farm_overview", farm_id=farm_id),
)
