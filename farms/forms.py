"""Farm forms: input shape and messages. The rules live in farms.services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField

from app.form_fields import (
    Form,
    choice_field,
    date_field,
    long_text_field,
    province_choices,
    text_field,
)
from farms.banks import BANKS

KIND_CHOICES = [
    ("household", _l("Farm household")),
    ("cooperative", _l("Cooperative (hợp tác xã)")),
    ("company", _l("Company")),
]
SCHEME_CHOICES = [
    ("vietgap", "VietGAP"),
    ("globalgap", "GlobalGAP"),
    ("organic", _l("Organic")),
    ("other", _l("Other certificate")),
]


class FarmProfileForm(Form):
    name = text_field(_l("Name of the farm or cooperative"), 160)
    kind = choice_field(_l("Kind"), KIND_CHOICES)
    province_code = choice_field(_l("Province or city"), province_choices())
    commune = text_field(_l("Commune or ward"), 120)
    contact_phone = text_field(_l("Contact phone"), 30, required=False)
    story = long_text_field(_l("Your story"), 5000)


class MemberHouseholdForm(Form):
    name = text_field(_l("Household name"), 160)
    commune = text_field(_l("Commune or ward"), 120)
    contact_phone = text_field(_l("Household's mobile number"), 30, required=False)


class InvitationAnswerForm(Form):
    """Accepting or declining an invitation to run a member household: its CSRF token only."""


class PhotoForm(Form):
    photo = FileField(_l("Photo"))


class GrowingAreaForm(Form):
    FIELDS = ("name", "code", "crop", "area_ha", "commune", "latitude", "longitude")

    name = text_field(_l("Name of the area"), 120)
    code = text_field(_l("Planting-area code"), 40, required=False)
    crop = text_field(_l("Crop"), 120)
    area_ha = text_field(_l("Area (hectares)"), 20)
    commune = text_field(_l("Commune or ward"), 120)
    latitude = text_field(_l("Latitude"), 20, required=False)
    longitude = text_field(_l("Longitude"), 20, required=False)


class CertificationForm(Form):
    scheme = choice_field(_l("Certificate"), SCHEME_CHOICES)
    other_scheme = text_field(_l("Name of the certificate (if other)"), 120, required=False)
    number = text_field(_l("Certificate number"), 80)
    issuer = text_field(_l("Issued by"), 200)
    issued_on = date_field(_l("Issue date"))
    expires_on = date_field(_l("Expiry date"))
    scan = FileField(_l("Scan or photo of the certificate"))


class BankAccountForm(Form):
    bank_bin = choice_field(
        _l("Bank"), [("", _l("Choose a bank"))] + [(b.bin, b.short_name) for b in BANKS]
    )
    account_number = text_field(_l("Account number"), 30)
    holder_name = text_field(_l("Account holder's name"), 120)


class SuspendForm(Form):
    reason = text_field(_l("Reason"), 500)
