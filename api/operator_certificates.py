"""Operators: farm certificates (VietGAP, GlobalGAP…) and products' OCOP decisions that wait
for a check or expire soon, and their verification through the admin pages' services."""

from __future__ import annotations

from datetime import timedelta

import marshmallow as ma
from flask.views import MethodView
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from api.auth import authorized
from api.blueprint import api_blueprint
from api.operator_checks import verify_once
from api.operator_farms import scoped_to_province
from api.operator_schemas import (
    PROVINCE_CODE,
    OperatorCertificationSchema,
    OperatorOcopSchema,
    OperatorVerificationSchema,
)
from api.paging import PageArgs, keyset_page, next_link, page_body, page_schema
from api.reach import operator_caller
from api.schemas import ROW_ID
from app.clock import local_today
from app.errors import get_or_not_found
from app.extensions import db
from dashboard.readings import EXPIRY_WINDOW_DAYS
from farms import services as farms
from farms.models import Certification
from products import services as products
from products.models import OcopCertificate, Product

blp = api_blueprint(
    "operator-certificates",
    "/operator",
    "Operators: farm certificates and OCOP decisions to check or expiring soon",
)


class CertificateListArgs(PageArgs):
    state = ma.fields.String(
        load_default="pending",
        validate=ma.validate.OneOf(["pending", "expiring"]),
        metadata={
            "description": "pending: no operator verified it yet; expiring: verified and "
            f"expiring within {EXPIRY_WINDOW_DAYS} days (as the dashboard counts them)"
        },
    )
    province = ma.fields.String(load_default=None, validate=PROVINCE_CODE)


def _in_state(statement, model, state: str):
    if state == "pending":
        return statement.where(model.verified_at.is_(None))
    today = local_today()
    return statement.where(
        model.verified_at.is_not(None),
        model.expires_on.between(today, today + timedelta(days=EXPIRY_WINDOW_DAYS)),
    )


@blp.route("/certifications")
class OperatorCertifications(MethodView):
    @authorized(blp, "operator:read")
    @blp.arguments(CertificateListArgs, location="query")
    @blp.response(200, page_schema(OperatorCertificationSchema, "OperatorCertificationPage"))
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, args):
        """Farm certificates of the operator's scope, pending or expiring, newest first."""
        operator = operator_caller()
        statement = scoped_to_province(
            select(Certification)
            .join(Certification.farm)
            .options(contains_eager(Certification.farm)),
            operator,
            args["province"],
        )
        statement = _in_state(statement, Certification, args["state"])
        rows, cursor = keyset_page(statement, Certification.id, args)
        return page_body(rows, cursor), 200, next_link(cursor)


@blp.route(f"/certifications/<{ROW_ID}:certification_id>/verification")
class OperatorCertificationVerification(MethodView):
    @authorized(blp, "operator:write")
    @blp.arguments(OperatorVerificationSchema)
    @blp.response(200, OperatorCertificationSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, decision, certification_id: int):
        """Verify a farm certificate, once: it then counts on public pages until it expires."""
        operator = operator_caller()
        certification = get_or_not_found(Certification, certification_id)
        verify_once(certification, certification.farm, operator, farms.verify_certification)
        db.session.commit()
        return certification


@blp.route("/ocop-certificates")
class OperatorOcopCertificates(MethodView):
    @authorized(blp, "operator:read")
    @blp.arguments(CertificateListArgs, location="query")
    @blp.response(200, page_schema(OperatorOcopSchema, "OperatorOcopPage"))
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, args):
        """Products' OCOP decisions of the operator's scope, pending or expiring, newest first."""
        operator = operator_caller()
        statement = scoped_to_province(
            select(OcopCertificate)
            .join(OcopCertificate.product)
            .join(Product.farm)
            .options(contains_eager(OcopCertificate.product).contains_eager(Product.farm)),
            operator,
            args["province"],
        )
        statement = _in_state(statement, OcopCertificate, args["state"])
        rows, cursor = keyset_page(statement, OcopCertificate.id, args)
        return page_body(rows, cursor), 200, next_link(cursor)


@blp.route(f"/ocop-certificates/<{ROW_ID}:certificate_id>/verification")
class OperatorOcopVerification(MethodView):
    @authorized(blp, "operator:write")
    @blp.arguments(OperatorVerificationSchema)
    @blp.response(200, OperatorOcopSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, decision, certificate_id: int):
        """Verify an OCOP decision, once: its stars then show until it expires."""
        operator = operator_caller()
        certificate = get_or_not_found(OcopCertificate, certificate_id)
        verify_once(certificate, certificate.product.farm, operator, products.verify_ocop)
        db.session.commit()
        return certificate
