"""The versioned JSON API (/api/v1) for partners' programs, on the same services as the pages.

The top layer: it imports every domain and no domain imports it. Events reach webhooks
through app.webhooks, which the domains call.
"""

from __future__ import annotations

from flask import Flask

from api.spec import ProblemApi

#: Every operation's blueprint, in the order the document lists them.
BLUEPRINT_MODULES = (
    "api.account",
    "api.my_farms",
    "api.public_catalog",
    "api.public_trace",
    "api.buyer",
    "api.farm_products",
    "api.farm_variants",
    "api.farm_delivery",
    "api.farm_orders",
    "api.farm_batches",
    "api.farm_labels",
    "api.epcis",
    "api.webhooks",
    "api.operator_farms",
    "api.operator_certificates",
    "api.operator_payouts",
    "api.operator_figures",
)


def init_app(app: Flask) -> None:
    import importlib

    from api import spec
    from api.problems import register_problem_handlers
    from app.extensions import csrf

    app.config.setdefault("API_PREFIX", "/api/v1")
    spec.configure(app)
    api = ProblemApi(app)
    for name in BLUEPRINT_MODULES:
        module = importlib.import_module(name)
        # The API authenticates by bearer token only, never by cookie: no CSRF to forge.
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp)
    app.extensions["nongsan_api"] = api
    register_problem_handlers(app)
    from api import docs

    docs.init_app(app)
