"""The seller dashboard's product pages: a farm's overview, products, variants, photos,
OCOP certificate, publishing, and the bulk stock and price editor."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.clock import local_today
from app.errors import DomainError
from app.extensions import db
from app.form_fields import ActionForm, ConfirmForm
from app.web import form_status, show_domain_error, submit, uploaded_bytes
from farms.forms import PhotoForm
from farms.permissions import managed_farms
from farms.readiness import checklists
from farms.services import get_farm_for
from products import services
from products.forms import OcopForm, ProductForm, VariantForm
from products.models import Product, ProductPhoto, Variant
from products.seasons import availability, month_day_text
from products.views import bp


def _me():
    return current_user._get_current_object()


def products_of(farm) -> list[Product]:
    return list(
        db.session.scalars(
            select(Product)
            .where(Product.farm_id == farm.id)
            .options(selectinload(Product.variants), selectinload(Product.photos))
            .order_by(Product.created_at.desc())
        )
    )


@bp.get("/dashboard/farms/<int:farm_id>")
@login_required
def farm_overview(farm_id: int):
    farm = get_farm_for(_me(), farm_id)
    return render_template(
        "products/dashboard/overview.html",
        farm=farm,
        checklists=checklists([farm]),
        products=products_of(farm),
        managed=managed_farms(_me()),
        today=local_today(),
    )


def _details(form: ProductForm) -> dict:
    return {
        name: form[name].data
        for name in (
            "name",
            "english_name",
            "category",
            "description",
            "gtin",
            "growing_area_id",
            "season_start",
            "season_end",
            "preorder_enabled",
            "preorder_ships_on",
            "preorder_capacity",
        )
    }


@bp.route("/dashboard/farms/<int:farm_id>/products/new", methods=["GET", "POST"])
@login_required
def new_product(farm_id: int):
    farm = get_farm_for(_me(), farm_id)
    form = ProductForm()
    form.set_growing_areas(farm)
    if created := submit(form, lambda: services.create_product(farm, _me(), **_details(form))):
        flash(_("Product saved as a draft. Now add how it is sold: unit and price."), "success")
        return redirect(url_for("products.edit_product", product_id=created.value.id))
    return render_template(
        "products/dashboard/product_form.html", form=form, farm=farm, product=None
    ), form_status(form)


def _product_page(product: Product, status: int = 200, **forms):
    forms.setdefault("variant_form", VariantForm(formdata=None, min_order_qty="1", stock="0"))
    forms.setdefault("photo_form", PhotoForm(formdata=None))
    ocop = product.ocop
    forms.setdefault(
        "ocop_form",
        OcopForm(formdata=None, obj=ocop, stars=str(ocop.stars))
        if ocop
        else OcopForm(formdata=None),
    )
    if "form" not in forms:
        form = ProductForm(formdata=None, obj=product)
        form.growing_area_id.data = str(product.growing_area_id or "")
        form.season_start.data = month_day_text(product.season_start)
        form.season_end.data = month_day_text(product.season_end)
        form.preorder_capacity.data = str(product.preorder_capacity or "")
        forms["form"] = form
    forms["form"].set_growing_areas(product.farm)
    return render_template(
        "products/dashboard/product_edit.html",
        product=product,
        farm=product.farm,
        action_form=ActionForm(),
        available=availability(product, local_today()),
        today=local_today(),
        **forms,
    ), status


@bp.route("/dashboard/products/<int:product_id>", methods=["GET", "POST"])
@login_required
def edit_product(product_id: int):
    product = services.get_product_for(_me(), product_id)
    if request.method == "GET":
        return _product_page(product)
    form = ProductForm()
    form.set_growing_areas(product.farm)
    if submit(form, lambda: services.update_product(product, _me(), **_details(form))):
        flash(_("Saved."), "success")
        return redirect(url_for("products.edit_product", product_id=product.id))
    return _product_page(product, form_status(form), form=form)


def _variant_fields(form: VariantForm) -> dict:
    return {
        name: form[name].data
        for name in (
            "unit",
            "pack_kg",
            "custom_unit",
            "price_vnd",
            "weight_grams",
            "stock",
            "min_order_qty",
            "sold_by_weight",
            "price_per_kg_vnd",
        )
    }


@bp.post("/dashboard/products/<int:product_id>/variants")
@login_required
def add_variant(product_id: int):
    product = services.get_product_for(_me(), product_id)
    form = VariantForm()
    if submit(form, lambda: services.add_variant(product, _me(), **_variant_fields(form))):
        flash(_("Variant added."), "success")
        return redirect(url_for("products.edit_product", product_id=product.id) + "#variants")
    return _product_page(product, form_status(form), variant_form=form)


@bp.route("/dashboard/variants/<int:variant_id>", methods=["GET", "POST"])
@login_required
def edit_variant(variant_id: int):
    variant = db.get_or_404(Variant, variant_id)
    product = services.get_product_for(_me(), variant.product_id)
    form = VariantForm(obj=variant) if request.method == "GET" else VariantForm()
    if submit(form, lambda: services.update_variant(variant, _me(), **_variant_fields(form))):
        flash(_("Variant saved."), "success")
        return redirect(url_for("products.edit_product", product_id=product.id) + "#variants")
    return render_template(
        "products/dashboard/variant_form.html", form=form, product=product, variant=variant
    ), form_status(form)


@bp.post("/dashboard/variants/<int:variant_id>/delete")
@login_required
def delete_variant(variant_id: int):
    variant = db.get_or_404(Variant, variant_id)
    product = services.get_product_for(_me(), variant.product_id)
    form = ConfirmForm()
    if submit(form, lambda: services.remove_variant(variant, _me())):
        flash(_("Variant removed."), "info")
        return redirect(url_for("products.edit_product", product_id=product.id) + "#variants")
    for message in [*form.form_errors, *form.confirm.errors]:
        flash(message, "error")
    # No "#variants" here: the refusal is flashed at the top of the page, where it is read.
    return redirect(url_for("products.edit_product", product_id=product.id))


@bp.post("/dashboard/products/<int:product_id>/photos")
@login_required
def add_photo(product_id: int):
    product = services.get_product_for(_me(), product_id)
    form = PhotoForm()
    data = uploaded_bytes(form.photo)
    if data is None and form.validate_on_submit():
        form.photo.errors = [_("Choose a photo first.")]
        return _product_page(product, 422, photo_form=form)
    if submit(form, lambda: services.add_product_photo(product, _me(), data)):
        flash(_("Photo added."), "success")
        return redirect(url_for("products.edit_product", product_id=product.id) + "#photos")
    return _product_page(product, form_status(form), photo_form=form)


@bp.post("/dashboard/product-photos/<int:photo_id>/delete")
@login_required
def delete_photo(photo_id: int):
    photo = db.get_or_404(ProductPhoto, photo_id)
    product_id = photo.product_id
    form = ConfirmForm()
    if submit(form, lambda: services.remove_product_photo(photo, _me())):
        flash(_("Photo removed."), "info")
    else:
        for message in [*form.form_errors, *form.confirm.errors]:
            flash(message, "error")
    return redirect(url_for("products.edit_product", product_id=product_id) + "#photos")


@bp.post("/dashboard/products/<int:product_id>/ocop")
@login_required
def set_ocop(product_id: int):
    product = services.get_product_for(_me(), product_id)
    form = OcopForm()
    action = lambda: services.set_ocop(  # noqa: E731
        product,
        _me(),
        stars=form.stars.data,
        decision_number=form.decision_number.data,
        decision_date=form.decision_date.data,
        expires_on=form.expires_on.data,
    )
    if submit(form, action):
        flash(
            _(
                "OCOP certificate saved. The stars show once the platform team has checked "
                "the decision."
            ),
            "success",
        )
        return redirect(url_for("products.edit_product", product_id=product.id) + "#ocop")
    return _product_page(product, form_status(form), ocop_form=form)


@bp.post("/dashboard/products/<int:product_id>/publish")
@login_required
def publish(product_id: int):
    product = services.get_product_for(_me(), product_id)
    form = ActionForm()
    if submit(form, lambda: services.publish_product(product, _me())):
        flash(_("Published: buyers can find it now."), "success")
        return redirect(url_for("products.edit_product", product_id=product.id))
    for message in form.form_errors:
        flash(message, "error")
    return redirect(url_for("products.edit_product", product_id=product.id))


@bp.post("/dashboard/products/<int:product_id>/hide")
@login_required
def hide(product_id: int):
    product = services.get_product_for(_me(), product_id)
    services.hide_product(product, _me())
    db.session.commit()
    flash(_("Hidden from the storefront."), "info")
    return redirect(url_for("products.edit_product", product_id=product.id))


@bp.route("/dashboard/farms/<int:farm_id>/stock", methods=["GET", "POST"])
@login_required
def bulk_stock(farm_id: int):
    """One page to change stock and prices of every variant, all or nothing."""
    farm = get_farm_for(_me(), farm_id)
    products = products_of(farm)
    form = ActionForm()
    errors: dict[int, str] = {}
    if form.validate_on_submit():
        for product in products:
            for variant in product.variants:
                try:
                    services.set_stock_and_price(
                        variant,
                        _me(),
                        stock=request.form.get(f"stock-{variant.id}", variant.stock),
                        price_vnd=request.form.get(f"price-{variant.id}", variant.price_vnd),
                    )
                except DomainError as error:
                    errors[variant.id] = str(error.message)  # a lazy message is trusted as markup
        if not errors:
            db.session.commit()
            flash(_("Stock and prices saved."), "success")
            return redirect(url_for("products.bulk_stock", farm_id=farm.id))
        db.session.rollback()
        show_domain_error(form, DomainError(_("Nothing was saved: correct the marked rows.")))
        products = products_of(farm)
    return render_template(
        "products/dashboard/bulk_stock.html",
        farm=farm,
        products=products,
        form=form,
        errors=errors,
        submitted=request.form,
    ), (422 if errors else 200)
