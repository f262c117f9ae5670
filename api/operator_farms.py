"""Operators: the farms of their scope (the whole country or one province), one farm as the
admin pages show it, and its verification. Another province's farm is 404."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from sqlalchemy import select

from api.auth import authorized
from api.blueprint import api_blueprint
from api.operator_checks import verify_once
from api.operator_schemas import (
    PROVINCE_CODE,
    OperatorFarmSchema,
    OperatorFarmSummarySchema,
    OperatorVerificationSchema,
)
from api.paging import PageArgs, keyset_page, next_link, page_body, page_schema
from api.reach import operator_caller
from api.schemas import ROW_ID
from app.auth.models import User
from app.auth.operator_scope import ensure_covers
from app.errors import get_or_not_found
from app.extensions import db
from farms import services
from farms.banks import bank_by_bin
from farms.models import Farm
from farms.permissions import ensure_operator_covers, in_operator_scope
from orders.stripe_payments import farm_balance

blp = api_blueprint(
    "operator-farms",
    "/operator/farms",
    "Operators: the farms of their province (or the country) and their verification",
)


class FarmListArgs(PageArgs):
    verified = ma.fields.Boolean(
        load_default=None, metadata={"description": "Only verified (true) or waiting (false)"}
    )
    suspended = ma.fields.Boolean(load_default=None)
    province = ma.fields.String(
        load_default=None,
        validate=PROVINCE_CODE,
        metadata={"description": "A province's code, within the operator's scope"},
    )


def scoped_to_province(statement, operator: User, province: str | None):
    """The operator's scope, narrowed to one province when asked; another province than a
    province operator's own is 404, as for the admin pages."""
    statement = statement.where(in_operator_scope(operator))
    if province is not None:
        ensure_covers(operator, province)
        statement = statement.where(Farm.province_code == province)
    return statement


def bank_account_of(farm: Farm) -> dict | None:
    """Where the farm is paid, with the bank's everyday name (Vietcombank, MB…)."""
    account = farm.bank_account
    if account is None:
        return None
    bank = bank_by_bin(account.bank_bin)
    return {
        "bank_bin": account.bank_bin,
        "bank_name": bank.short_name if bank else None,
        "account_number": account.account_number,
        "holder_name": account.holder_name,
    }


def farm_detail(farm: Farm) -> dict:
    """What the operator's farm page shows, with the balance the payouts page owes it."""
    return {
        **{name: getattr(farm, name) for name in OperatorFarmSummarySchema().fields},
        "contact_phone": farm.contact_phone,
        "verified_by_name": farm.verified_by.full_name if farm.verified_by else None,
        "suspension_reason": farm.suspension_reason,
        "certifications": farm.certifications,
        "bank_account": bank_account_of(farm),
        "balance_vnd": farm_balance(farm),
    }


@blp.route("")
class OperatorFarms(MethodView):
    @authorized(blp, "operator:read")
    @blp.arguments(FarmListArgs, location="query")
    @blp.response(200, page_schema(OperatorFarmSummarySchema, "OperatorFarmPage"))
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, args):
        """The farms of the operator's scope, newest first, by verification and province."""
        operator = operator_caller()
        statement = scoped_to_province(select(Farm), operator, args["province"])
        if args["verified"] is not None:
            statement = statement.where(
                Farm.verified_at.is_not(None) if args["verified"] else Farm.verified_at.is_(None)
            )
        if args["suspended"] is not None:
            statement = statement.where(
                Farm.suspended_at.is_not(None) if args["suspended"] else Farm.suspended_at.is_(None)
            )
        farms, cursor = keyset_page(statement, Farm.id, args)
        return page_body(farms, cursor), 200, next_link(cursor)


def _operator_farm(farm_id: int) -> tuple[User, Farm]:
    operator = operator_caller()
    farm = get_or_not_found(Farm, farm_id)
    ensure_operator_covers(operator, farm)
    return operator, farm


@blp.route(f"/<{ROW_ID}:farm_id>")
class OperatorFarm(MethodView):
    @authorized(blp, "operator:read")
    @blp.response(200, OperatorFarmSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, farm_id: int):
        """One farm of the operator's scope, as the admin pages show it."""
        _, farm = _operator_farm(farm_id)
        return farm_detail(farm)


@blp.route(f"/<{ROW_ID}:farm_id>/verification")
class OperatorFarmVerification(MethodView):
    @authorized(blp, "operator:write")
    @blp.arguments(OperatorVerificationSchema)
    @blp.response(200, OperatorFarmSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, decision, farm_id: int):
        """Verify the farm's identity (the verified badge), once; the admin page's service."""
        operator, farm = _operator_farm(farm_id)
        verify_once(farm, farm, operator, services.verify_farm)
        db.session.commit()
        return farm_detail(farm)
