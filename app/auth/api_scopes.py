"""What an API token may do: one scope per kind of work, named `<area>:<read|write>`.

A token carries the scopes its owner chose; an operation names the one it needs (api.auth).
A per-farm key can hold only the farm scopes: it stands for the farm, not for a person.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: Scope name -> what it lets a program do, in the words the profile page shows.
SCOPES = {
    "products:read": _l("See the farm's products, variants, stock and prices"),
    "products:write": _l("Change the farm's products, variants, stock and prices"),
    "orders:read": _l("See the farm's orders"),
    "orders:write": _l("Move the farm's orders along: confirm, ship, deliver, cancel"),
    "batches:read": _l("See the farm's batches, their diaries and label runs"),
    "batches:write": _l("Record diary events (also as EPCIS documents) and print labels"),
    "farm:read": _l("See the farm's delivery settings and webhook endpoints"),
    "farm:write": _l("Change the farm's delivery settings and webhook endpoints"),
    "purchases:read": _l("See your own orders as a buyer, with their timelines"),
    "operator:read": _l("Operators: see farms, certificates, payouts and the figures"),
    "operator:write": _l("Operators: verify farms and certificates, record payouts"),
}

#: The scopes a per-farm key may hold.
FARM_SCOPES = frozenset(
    name for name in SCOPES if name.split(":")[0] in {"products", "orders", "batches", "farm"}
)
