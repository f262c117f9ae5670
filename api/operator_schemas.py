"""What the operators' operations answer: farms, certificates and payouts as an operator's
pages show them (names prefixed "Operator" so they never meet another part's schemas)."""

from __future__ import annotations

import marshmallow as ma

from api.schemas import UtcTime, Vnd

#: A province-level unit's two-digit code (app.geo).
PROVINCE_CODE = ma.validate.Regexp(r"^[0-9]{2}$")


class OperatorCertificationSchema(ma.Schema):
    """A farm's VietGAP, GlobalGAP, organic or other certificate."""

    id = ma.fields.Integer(required=True)
    farm_id = ma.fields.Integer(required=True)
    farm_name = ma.fields.String(required=True, attribute="farm.name")
    scheme = ma.fields.String(
        required=True, metadata={"enum": ["vietgap", "globalgap", "organic", "other"]}
    )
    scheme_name = ma.fields.String(required=True)
    number = ma.fields.String(required=True)
    issuer = ma.fields.String(required=True)
    issued_on = ma.fields.Date(required=True)
    expires_on = ma.fields.Date(required=True)
    has_scan = ma.fields.Function(
        lambda c: c.scan_key is not None,
        required=True,
        metadata={"type": "boolean", "description": "A scan was uploaded (see the admin page)"},
    )
    verified_at = UtcTime(required=True, allow_none=True)
    created_at = UtcTime(required=True)


class OperatorOcopSchema(ma.Schema):
    """A product's OCOP decision (3 to 5 stars)."""

    id = ma.fields.Integer(required=True)
    product_id = ma.fields.Integer(required=True)
    product_name = ma.fields.String(required=True, attribute="product.name")
    farm_id = ma.fields.Integer(required=True, attribute="product.farm_id")
    farm_name = ma.fields.String(required=True, attribute="product.farm.name")
    stars = ma.fields.Integer(required=True)
    level = ma.fields.String(required=True, metadata={"enum": ["province", "ministry"]})
    decision_number = ma.fields.String(required=True)
    decision_date = ma.fields.Date(required=True)
    expires_on = ma.fields.Date(required=True)
    verified_at = UtcTime(required=True, allow_none=True)


class OperatorFarmSummarySchema(ma.Schema):
    """A farm as the operators' list shows it."""

    id = ma.fields.Integer(required=True)
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    kind = ma.fields.String(
        required=True, metadata={"enum": ["household", "cooperative", "company"]}
    )
    province_code = ma.fields.String(required=True)
    province_name = ma.fields.String(required=True)
    commune = ma.fields.String(required=True)
    cooperative_id = ma.fields.Integer(required=True, allow_none=True)
    verified_at = UtcTime(required=True, allow_none=True)
    suspended_at = UtcTime(required=True, allow_none=True)
    created_at = UtcTime(required=True)


class OperatorBankAccountSchema(ma.Schema):
    bank_bin = ma.fields.String(required=True)
    bank_name = ma.fields.String(required=True, allow_none=True)
    account_number = ma.fields.String(required=True)
    holder_name = ma.fields.String(required=True)


class OperatorFarmSchema(OperatorFarmSummarySchema):
    """A farm with what an operator checks: who verified it, why it is suspended, its
    certificates, its bank account and what the platform owes it."""

    contact_phone = ma.fields.String(required=True, allow_none=True)
    verified_by_name = ma.fields.String(required=True, allow_none=True)
    suspension_reason = ma.fields.String(required=True, allow_none=True)
    certifications = ma.fields.List(ma.fields.Nested(OperatorCertificationSchema), required=True)
    bank_account = ma.fields.Nested(OperatorBankAccountSchema, required=True, allow_none=True)
    balance_vnd = Vnd(
        required=True,
        metadata={"description": "What the platform owes the farm from card payments (đồng)"},
    )


class OperatorPayoutSchema(ma.Schema):
    """A bank transfer to a farm, as an operator recorded it."""

    id = ma.fields.Integer(required=True)
    farm_id = ma.fields.Integer(required=True)
    farm_name = ma.fields.String(required=True, attribute="farm.name")
    amount_vnd = Vnd(required=True, metadata={"description": "What was paid (đồng, positive)"})
    reference = ma.fields.String(required=True, attribute="note")
    recorded_by_id = ma.fields.Integer(required=True, allow_none=True)
    created_at = UtcTime(required=True)


class OperatorVerificationSchema(ma.Schema):
    """An operator's decision on a farm or a certificate. Only "verify" exists: the services
    know no refusal state (a farm stays waiting, or is suspended with a reason)."""

    decision = ma.fields.String(
        required=True, validate=ma.validate.OneOf(["verify"]), metadata={"enum": ["verify"]}
    )
