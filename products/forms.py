"""Product forms: input shape and messages. The rules live in products.services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf

from app.form_fields import (
    Form,
    choice_field,
    date_field,
    long_text_field,
    text_field,
    vnd_field,
)
from products.models import CATEGORY_LABELS, Category, Unit
from products.units import UNIT_LABELS


def category_choices(blank_label=None):
    blank = [("", blank_label)] if blank_label else []
    return blank + [(c.value, CATEGORY_LABELS[c]) for c in Category]


class ProductForm(Form):
    name = text_field(_l("Product name"), 160)
    english_name = text_field(_l("English name (optional)"), 160, required=False)
    category = choice_field(_l("Category"), category_choices())
    description = long_text_field(_l("Description"), 10000)
    growing_area_id = choice_field(_l("Growing area"), [("", _l("None"))], required=False)
    gtin = text_field(_l("GTIN / barcode number (optional)"), 20, required=False)
    season_start = text_field(_l("Season starts (day/month)"), 10, required=False)
    season_end = text_field(_l("Season ends (day/month)"), 10, required=False)
    preorder_enabled = BooleanField(_l("Take pre-orders before the season"))
    preorder_ships_on = date_field(_l("Pre-orders ship on"), required=False)
    preorder_capacity = text_field(_l("How many units can be pre-ordered"), 10, required=False)

    def set_growing_areas(self, farm) -> None:
        """Offer the farm's own growing areas; the service checks the choice again."""
        choices = [("", _l("None"))] + [(str(a.id), a.name) for a in farm.growing_areas]
        self.growing_area_id.choices = [SelectChoice(value, text) for value, text in choices]
        self.growing_area_id.validators = [
            AnyOf([value for value, _ in choices], message=_l("Choose one of the options."))
        ]


class VariantForm(Form):
    unit = choice_field(_l("Unit"), [(u.value, UNIT_LABELS[u]) for u in Unit])
    pack_kg = text_field(_l("Kilograms in one box, bag or jar"), 10, required=False)
    custom_unit = text_field(_l("Your unit's name (if other)"), 40, required=False)
    # Not required: sold by weight, the price per kg sets it (products.weighed).
    price_vnd = vnd_field(_l("Price (đồng)"), required=False)
    weight_grams = text_field(_l("Shipping weight (grams)"), 10)
    sold_by_weight = BooleanField(_l("Sold by weight: charged by the actual weight packed"))
    price_per_kg_vnd = vnd_field(_l("Price per kg (đồng), if sold by weight"), required=False)
    stock = text_field(_l("In stock"), 10)
    min_order_qty = text_field(_l("Minimum per order"), 10)


class OcopForm(Form):
    stars = choice_field(
        _l("OCOP stars"),
        [
            ("3", _l("3 stars (province)")),
            ("4", _l("4 stars (province)")),
            ("5", _l("5 stars (ministry)")),
        ],
    )
    decision_number = text_field(_l("Decision number"), 80)
    decision_date = date_field(_l("Decision date"))
    expires_on = date_field(_l("Valid until (leave empty for 36 months)"), required=False)
