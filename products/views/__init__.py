"""Pages of the products domain, one blueprint in three modules: the storefront (home,
catalog, product and farm pages), the seller dashboard's product pages, and the operators'
OCOP checks."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from app.i18n import current_language

bp = Blueprint("products", __name__, template_folder="../templates")


@bp.app_template_global()
def unit_label(variant):
    from products.units import unit_label as label

    return label(variant)


@bp.app_template_global()
def line_unit_label(line) -> str:
    """An order line's unit, kept as it was bought, in the reader's language."""
    from products.units import translate_unit_label

    return translate_unit_label(line.unit_label)


@bp.app_template_global()
def product_name(product) -> str:
    """The product's English name on English pages when the farm gave one, else its name."""
    if product.english_name and current_language() == "en":
        return product.english_name
    return product.name


@bp.app_template_global()
def product_status_label(status: str) -> str:
    labels = {"draft": _l("Draft"), "published": _l("On sale"), "hidden": _l("Hidden")}
    return labels.get(status, status)


@bp.app_template_global()
def product_hints() -> dict:
    return {
        "name": _l("As buyers say it, e.g. Vải thiều Thanh Hà loại 1."),
        "english_name": _l("Shown on English pages, e.g. Thanh Ha lychee, grade 1."),
        "season_start": _l("Leave both season dates empty if it is sold all year."),
        "gtin": _l("The 13 digits under the barcode, if the product has one."),
        "preorder_capacity": _l("Only for pre-orders."),
    }


@bp.app_template_global()
def variant_hints() -> dict:
    return {
        "pack_kg": _l("For a box of 2 kg, choose Box and write 2."),
        "price_vnd": _l("In đồng, e.g. 250000."),
        "weight_grams": _l("With the packaging, for the delivery fee."),
        "price_per_kg_vnd": _l(
            "Sold by weight, the shipping weight is the estimated weight of one piece (e.g. "
            "1200 for a pomelo of about 1.2 kg), and the price is worked out from the price "
            "per kg; the buyer pays the actual weight you record when packing."
        ),
    }


from products.views import admin, csv_views, dashboard, storefront  # noqa: E402, F401
