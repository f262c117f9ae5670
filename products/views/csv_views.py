"""The seller dashboard's spreadsheet pages: download a farm's products as CSV, and upload
the changed file to create and update products and variants in one go."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.file import FileField, FileRequired

from app.errors import DomainError, PermissionDenied
from app.extensions import db
from app.form_fields import Form
from app.web import form_status, show_domain_error, uploaded_bytes
from farms.services import get_farm_for
from products import csv_io
from products.models import CATEGORY_LABELS
from products.units import UNIT_LABELS
from products.views import bp


class CsvImportForm(Form):
    file = FileField(_l("CSV file"), [FileRequired(_l("Choose a CSV file first."))])


def _me():
    return current_user._get_current_object()


@bp.get("/dashboard/farms/<int:farm_id>/products.csv")
@login_required
def export_products(farm_id: int):
    farm = get_farm_for(_me(), farm_id)
    return Response(
        csv_io.export_products_csv(farm, _me()),
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{farm.slug}-products.csv"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.route("/dashboard/farms/<int:farm_id>/products/import", methods=["GET", "POST"])
@login_required
def import_products(farm_id: int):
    """All or nothing: when a line is refused, every refused line is listed and nothing changes."""
    farm = get_farm_for(_me(), farm_id)
    form = CsvImportForm()
    row_errors: list[csv_io.RowError] = []
    if form.validate_on_submit():
        try:
            text = csv_io.decode_upload(uploaded_bytes(form.file) or b"")
            result = csv_io.import_products_csv(farm, _me(), text)
        except PermissionDenied:
            raise
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
            row_errors = getattr(error, "errors", [])
        else:
            db.session.commit()
            flash(
                _(
                    "Import done. New products: %(pc)d, updated products: %(pu)d, "
                    "new variants: %(vc)d, updated variants: %(vu)d.",
                    pc=result.products_created,
                    pu=result.products_updated,
                    vc=result.variants_created,
                    vu=result.variants_updated,
                ),
                "success",
            )
            return redirect(url_for("products.farm_overview", farm_id=farm.id))
    return render_template(
        "products/dashboard/csv_import.html",
        farm=farm,
        form=form,
        row_errors=row_errors,
        categories=CATEGORY_LABELS,
        units=UNIT_LABELS,
    ), form_status(form)
