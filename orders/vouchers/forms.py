"""The voucher form a farm or an operator fills in; the rules live in services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectMultipleField

from app.form_fields import Form, choice_field, date_field, text_field
from app.validation import read_id
from orders.vouchers.models import VoucherKind

KIND_LABELS = {
    VoucherKind.PERCENT: _l("Percentage off"),
    VoucherKind.FIXED: _l("Đồng off"),
}


class VoucherForm(Form):
    code = text_field(_l("Code buyers type, e.g. TET2027"), 30)
    kind = choice_field(_l("Discount"), [(k.value, label) for k, label in KIND_LABELS.items()])
    value = text_field(_l("Percentage (1–100) or đồng off"), 20)
    max_discount_vnd = text_field(
        _l("Largest discount in đồng (percentage only)"), 20, required=False
    )
    min_spend_vnd = text_field(_l("Minimum spend on its products (đồng)"), 20, required=False)
    starts_on = date_field(_l("First day"))
    ends_on = date_field(_l("Last day"))
    total_uses = text_field(_l("Number of uses"), 10)
    uses_per_buyer = text_field(_l("Uses per buyer"), 10, default="1")
    first_order_only = BooleanField(_l("First order only"))
    products = SelectMultipleField(_l("Only these products"), validate_choice=False)

    def product_ids(self) -> list[int]:
        """The ticked products; an unreadable id stays in as 0, which the service refuses."""
        return [read_id(value) or 0 for value in self.products.data or []]
