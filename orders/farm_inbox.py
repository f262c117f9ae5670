"""Where the header's "Orders" goes for the people who run farms: the farm's order list,
or a short choice of farms with what waits in each when they run several."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required

from farms.permissions import managed_farms
from orders.farm_counts import order_counts
from orders.views import bp


@bp.get("/dashboard/orders")
@login_required
def farm_inbox():
    farms = managed_farms(current_user._get_current_object())
    if not farms:
        return redirect(url_for("orders.my_orders"))
    if len(farms) == 1:
        return redirect(url_for("orders.farm_orders", farm_id=farms[0].id))
    return render_template("orders/farm_inbox.html", farms=farms, counts=order_counts(farms))
