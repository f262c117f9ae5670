"""Operators: the dashboard's figures for a month, quarter, year or range of days, of their
province (or, country-wide, any province or the whole country), read by the dashboard's own
service; the parameters are the dashboard page's, refused with a 422 where the page would
explain and ignore them."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from api.auth import authorized
from api.blueprint import api_blueprint
from api.operator_schemas import PROVINCE_CODE
from api.reach import operator_caller
from api.schemas import UtcTime, storable
from app.clock import local_today
from app.errors import DomainError
from dashboard import services
from dashboard.figures import COUNT, DAYS, PERCENT, VND
from dashboard.periods import PERIOD_KINDS

blp = api_blueprint(
    "operator-figures",
    "/operator/figures",
    "Operators: the dashboard's figures for a period, of their province or the country",
)


class FigureArgs(ma.Schema):
    period = ma.fields.String(load_default="month", validate=ma.validate.OneOf(list(PERIOD_KINDS)))
    on = ma.fields.Date(
        load_default=None,
        metadata={"description": "A day of the month, quarter or year (today by default)"},
    )
    first_day = ma.fields.Date(
        load_default=None, data_key="from", metadata={"description": "A range's first day"}
    )
    last_day = ma.fields.Date(
        load_default=None, data_key="to", metadata={"description": "A range's last day"}
    )
    province = ma.fields.String(
        load_default=None,
        validate=PROVINCE_CODE,
        metadata={"description": "The operator's own province by default; whole country: none"},
    )
    commune = ma.fields.String(
        load_default=None, validate=[ma.validate.Length(min=1, max=120), storable]
    )


class FigureNumber(ma.fields.Number):
    """Counts and đồng as integers, shares (0 to 1) and days as they are."""

    num_type = float

    def _format_num(self, value):
        return int(value) if float(value).is_integer() else float(value)


class OperatorFigureSchema(ma.Schema):
    key = ma.fields.String(required=True)
    label = ma.fields.String(required=True)
    definition = ma.fields.String(required=True)
    kind = ma.fields.String(
        required=True,
        metadata={
            "enum": [COUNT, VND, PERCENT, DAYS],
            "description": "vnd: integer đồng; percent: a share from 0 to 1",
        },
    )
    current = FigureNumber(required=True, allow_none=True)
    previous = FigureNumber(
        required=True,
        allow_none=True,
        metadata={"description": "The previous period's; null where nothing compares"},
    )


class OperatorPeriodSchema(ma.Schema):
    kind = ma.fields.String(required=True, metadata={"enum": list(PERIOD_KINDS)})
    first = ma.fields.Date(required=True)
    last = ma.fields.Date(required=True)


class OperatorFiguresSchema(ma.Schema):
    province = ma.fields.String(
        required=True, allow_none=True, metadata={"description": "null: the whole country"}
    )
    commune = ma.fields.String(required=True, allow_none=True)
    period = ma.fields.Nested(OperatorPeriodSchema, required=True)
    previous_period = ma.fields.Nested(OperatorPeriodSchema, required=True)
    refreshed_at = UtcTime(
        required=True, allow_none=True, metadata={"description": "When the figures were built"}
    )
    figures = ma.fields.List(ma.fields.Nested(OperatorFigureSchema), required=True)


def _page_arguments(args: dict) -> dict[str, str]:
    """The query as the dashboard page reads it (dashboard.services.read_filters)."""
    named = {
        "period": args["period"],
        "on": args["on"],
        "from": args["first_day"],
        "to": args["last_day"],
        "province": args["province"],
        "commune": args["commune"],
    }
    return {name: str(value) for name, value in named.items() if value is not None}


@blp.route("")
class OperatorFigures(MethodView):
    @authorized(blp, "operator:read")
    @blp.arguments(FigureArgs, location="query")
    @blp.response(200, OperatorFiguresSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, args):
        """The figures of the period beside the previous period's, as the dashboard shows."""
        operator = operator_caller()
        today = local_today()
        filters = services.read_filters(_page_arguments(args), operator, today)
        if not filters.problems:
            board = services.dashboard(operator, filters, today)
        if filters.problems:
            # The page shows something else and says why; a program asked for this exactly.
            raise DomainError(" ".join(filters.problems))
        return {
            "province": filters.province,
            "commune": filters.commune,
            "period": filters.period,
            "previous_period": filters.period.previous(),
            "refreshed_at": board.refreshed_at,
            "figures": [
                {
                    "key": figure.key,
                    "label": figure.label,
                    "definition": figure.definition,
                    "kind": figure.kind,
                    "current": figure.current,
                    "previous": figure.previous if figure.compared else None,
                }
                for figure in board.figures
            ],
        }
