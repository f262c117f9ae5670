"""The OpenAPI 3.1 document, built by flask-smorest from the operations' schemas."""

from __future__ import annotations

import http

from flask import Flask
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from api.auth import BEARER
from api.problems import PROBLEM_TYPE, ProblemSchema

API_VERSION = "1.0.0"


class ProblemApi(Api):
    """flask-smorest's Api, but errors are documented as problem details and left to
    api.problems: its own handler would answer every HTTP error of the site in JSON."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        pass

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "A problem (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, PROBLEM_TYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, default, lazy=True)


def configure(app: Flask) -> None:
    prefix = app.config["API_PREFIX"]
    app.config.setdefault("API_TITLE", "Nông Sản Số API")
    app.config.setdefault("API_VERSION", API_VERSION)
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", prefix)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {
                "description": (
                    "The marketplace's data for partners' programs: the catalog and traces "
                    "in public; a farm's products, orders, batches and labels; a buyer's "
                    "orders; the operators' farms, certificates, payouts and figures. "
                    "Money is in integer đồng (VND), times are RFC 3339 in UTC, lists are "
                    "paged by cursor, errors are RFC 9457 problems in the language of "
                    "Accept-Language."
                ),
                "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
            },
            "servers": [{"url": "/"}],
            "components": {
                "securitySchemes": {
                    BEARER: {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "A personal access token or a farm key (nss_…), "
                        "made on the profile page.",
                    }
                }
            },
        },
    )
