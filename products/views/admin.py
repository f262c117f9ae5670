"""Operators check OCOP decisions before the stars show on public pages."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.roles import Role, role_required
from app.clock import local_today
from app.extensions import db
from app.form_fields import ActionForm
from products import services
from products.models import OcopCertificate, Product
from products.views import bp


@bp.get("/admin/ocop")
@role_required(Role.OPERATOR)
def admin_ocop():
    certificates = db.session.scalars(
        select(OcopCertificate)
        .options(selectinload(OcopCertificate.product).selectinload(Product.farm))
        .order_by(OcopCertificate.verified_at.is_not(None), OcopCertificate.decision_date.desc())
    ).all()
    return render_template(
        "products/admin_ocop.html",
        certificates=certificates,
        action_form=ActionForm(),
        today=local_today(),
    )


@bp.post("/admin/ocop/<int:certificate_id>/verify")
@role_required(Role.OPERATOR)
def verify_ocop(certificate_id: int):
    certificate = db.get_or_404(OcopCertificate, certificate_id)
    services.verify_ocop(certificate, current_user._get_current_object())
    db.session.commit()
    flash(_("OCOP certificate verified."), "success")
    return redirect(url_for("products.admin_ocop"))
