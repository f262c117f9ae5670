"""Operators check OCOP decisions before the stars show on public pages."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.roles import Role, role_required
from app.clock import local_today
from app.extensions import db
from app.form_fields import ActionForm
from products import services
from products.models import OcopCertificate
from products.views import bp


@bp.get("/admin/ocop")
@role_required(Role.OPERATOR)
def admin_ocop():
    return render_template(
        "products/admin_ocop.html",
        certificates=services.ocop_certificates_for_operator(current_user._get_current_object()),
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
