"""Operators: what the platform owes each farm from card payments, the payouts recorded, and
recording a bank transfer to a farm (orders.payouts, as the payouts page does)."""

from __future__ import annotations

from datetime import timedelta

import marshmallow as ma
from flask.views import MethodView
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from api.auth import authorized
from api.blueprint import api_blueprint
from api.operator_farms import bank_account_of, scoped_to_province
from api.operator_schemas import (
    PROVINCE_CODE,
    OperatorBankAccountSchema,
    OperatorPayoutSchema,
)
from api.paging import PageArgs, keyset_page, next_link, page_body, page_schema
from api.reach import operator_caller
from api.schemas import ROW_ID, Vnd, row_id, storable
from app.db import utcnow
from app.errors import get_or_not_found
from app.extensions import db
from app.validation import MAX_VND
from farms.models import Farm
from orders import payouts
from orders.models import LedgerEntry, LedgerKind

blp = api_blueprint(
    "operator-payouts",
    "/operator",
    "Operators: farms owed money from card payments, and the payouts to them",
)


class PayoutListArgs(PageArgs):
    farm_id = row_id(load_default=None)
    province = ma.fields.String(load_default=None, validate=PROVINCE_CODE)


class OperatorNewPayoutSchema(ma.Schema):
    amount_vnd = Vnd(required=True, validate=ma.validate.Range(min=1, max=MAX_VND))
    reference = ma.fields.String(
        required=True,
        validate=[ma.validate.Length(min=1, max=100), storable],
        metadata={"description": "The bank transfer's reference"},
    )


class OperatorFarmOwedSchema(ma.Schema):
    farm_id = ma.fields.Integer(required=True)
    farm_name = ma.fields.String(required=True)
    province_code = ma.fields.String(required=True)
    balance_vnd = Vnd(required=True)
    bank_account = ma.fields.Nested(OperatorBankAccountSchema, required=True, allow_none=True)


OwedList = ma.Schema.from_dict(
    {"items": ma.fields.List(ma.fields.Nested(OperatorFarmOwedSchema), required=True)},
    name="OperatorFarmsOwed",
)


def _payout(entry: LedgerEntry) -> dict:
    return {
        "id": entry.id,
        "farm_id": entry.farm_id,
        "farm": entry.farm,
        "amount_vnd": -entry.amount_vnd,
        "note": entry.note,
        "recorded_by_id": entry.recorded_by_id,
        "created_at": entry.created_at,
    }


@blp.route("/payouts/owed")
class OperatorFarmsOwed(MethodView):
    @authorized(blp, "operator:read")
    @blp.response(200, OwedList)
    def get(self):
        """Farms of the operator's scope the platform owes money to, largest balance first."""
        owed = payouts.farms_owed(operator_caller())
        return {
            "items": [
                {
                    "farm_id": row.farm.id,
                    "farm_name": row.farm.name,
                    "province_code": row.farm.province_code,
                    "balance_vnd": row.balance_vnd,
                    "bank_account": bank_account_of(row.farm),
                }
                for row in owed
            ]
        }


@blp.route("/payouts")
class OperatorPayouts(MethodView):
    @authorized(blp, "operator:read")
    @blp.arguments(PayoutListArgs, location="query")
    @blp.response(200, page_schema(OperatorPayoutSchema, "OperatorPayoutPage"))
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, args):
        """Payouts recorded for farms of the operator's scope, newest first."""
        operator = operator_caller()
        statement = scoped_to_province(
            select(LedgerEntry).join(LedgerEntry.farm).options(contains_eager(LedgerEntry.farm)),
            operator,
            args["province"],
        ).where(LedgerEntry.kind == LedgerKind.PAYOUT.value)
        if args["farm_id"] is not None:
            statement = statement.where(LedgerEntry.farm_id == args["farm_id"])
        entries, cursor = keyset_page(statement, LedgerEntry.id, args)
        return page_body([_payout(entry) for entry in entries], cursor), 200, next_link(cursor)


#: How long after a payout the same reference and amount are taken for a retried call. Later,
#: a reference used again is refused (422), never answered with an old payout as if recorded.
RETRY_WINDOW = timedelta(days=1)


def _is_retry(earlier: LedgerEntry, amount_vnd: int) -> bool:
    return -earlier.amount_vnd == amount_vnd and utcnow() - earlier.created_at < RETRY_WINDOW


@blp.route(f"/farms/<{ROW_ID}:farm_id>/payouts")
class OperatorFarmPayouts(MethodView):
    @authorized(blp, "operator:write")
    @blp.arguments(OperatorNewPayoutSchema)
    @blp.response(201, OperatorPayoutSchema)
    @blp.alt_response(
        200,
        schema=OperatorPayoutSchema,
        success=True,
        description="Already recorded with this reference and amount (a retried request): "
        "the payout recorded first, nothing new",
    )
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, payout, farm_id: int):
        """Record a bank transfer to the farm; refused above what it is owed (422). The
        reference names the transfer: sent again with the same amount within a day, the first
        payout is answered with 200 and nothing is recorded; otherwise a reference the farm's
        payouts already carry (letter case aside) is refused with 422."""
        operator = operator_caller()
        farm = get_or_not_found(Farm, farm_id)
        try:
            entry = payouts.record_payout(
                farm, operator, str(payout["amount_vnd"]), payout["reference"]
            )
        except payouts.PayoutAlreadyRecorded as recorded:
            db.session.rollback()
            if not _is_retry(recorded.earlier, payout["amount_vnd"]):
                raise
            return _payout(recorded.earlier), 200
        db.session.commit()
        return _payout(entry)
