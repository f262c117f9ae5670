"""Pages of one-time codes: a new password with a code sent to the phone, and confirming the
profile's phone number or e-mail address."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth import verification
from app.auth.code_forms import ContactCodeForm, PasswordCodeForm, SendCodeForm
from app.auth.devices import remember_device
from app.auth.identifiers import display_phone
from app.auth.one_time_codes import CodeRefused
from app.errors import DomainError
from app.extensions import client_address, db, limiter
from app.web import form_status, show_domain_error

bp = Blueprint("codes", __name__)

#: The number a new-password code was asked for, between the two pages.
RESET_PHONE = "password_code_phone"
#: Code checks one client address may send (each code also dies after 5 wrong tries).
CHECK_LIMIT = "30 per hour"


def send_password_code(phone: str, channel: str):
    """From "forgot your password": a code to the phone, then the page to type it in."""
    verification.request_password_code(phone, channel)
    db.session.commit()  # the message is in the outbox; the worker sends it
    session[RESET_PHONE] = phone
    # The same answer whether or not the account exists, so nobody can probe for accounts.
    flash(
        _(
            "If an account has the number %(phone)s, we have sent it a code by %(channel)s. "
            "The code works for 10 minutes; at most 3 codes are sent in 15 minutes.",
            phone=display_phone(phone),
            channel="Zalo" if channel == "zalo" else "SMS",
        ),
        "info",
    )
    return redirect(url_for("codes.password_code"))


def _keep_wrong_try(form, error: DomainError) -> None:
    """A refused code: its wrong try is counted (committed), anything else is undone."""
    if isinstance(error, CodeRefused):
        db.session.commit()
    else:
        db.session.rollback()
    show_domain_error(form, error)


@bp.route("/password/code", methods=["GET", "POST"])
@limiter.limit(CHECK_LIMIT, methods=["POST"], key_func=client_address)
def password_code():
    phone = session.get(RESET_PHONE)
    if not phone:
        flash(_("Ask for a code first."), "info")
        return redirect(url_for("auth.forgot_password"))
    form = PasswordCodeForm()
    if form.validate_on_submit():
        try:
            user, notes = verification.reset_password_with_code(
                phone, form.code.data, form.password.data
            )
        except DomainError as error:
            _keep_wrong_try(form, error)
        else:
            db.session.commit()
            session.pop(RESET_PHONE, None)
            flash(_("Your password has been changed. You can log in now."), "success")
            for note in notes:
                flash(note, "info")
            # The code proves the owner is at this browser, as a mailed link does.
            response = redirect(url_for("auth.login"))
            remember_device(request, response, user)
            return response
    page = render_template("auth/password_code.html", form=form, phone=display_phone(phone))
    return page, form_status(form)


def _kind_or_404(kind: str) -> str:
    if kind not in verification.CONTACTS:
        abort(404)
    return kind


def _render_verify(kind: str, status: int = 200, **forms):
    forms.setdefault("send_form", SendCodeForm(formdata=None))
    forms.setdefault("code_form", ContactCodeForm(formdata=None))
    return render_template("auth/verify_contact.html", kind=kind, **forms), status


@bp.get("/profile/confirm/<kind>")
@login_required
def confirm_contact(kind: str):
    # After a code was sent, the channel it went by stays chosen for "send again".
    channel = request.args.get("channel")
    if channel not in verification.PHONE_CHANNELS:
        channel = "zalo"
    return _render_verify(
        _kind_or_404(kind), send_form=SendCodeForm(formdata=None, channel=channel)
    )


@bp.post("/profile/confirm/<kind>/send")
@login_required
@limiter.limit("10 per hour", key_func=client_address)
def send_contact_code(kind: str):
    kind = _kind_or_404(kind)
    form = SendCodeForm()
    if form.validate_on_submit():
        try:
            verification.request_contact_code(
                current_user._get_current_object(), kind, form.channel.data
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("We have sent you a code. It works for 10 minutes."), "success")
            channel = form.channel.data if kind == "phone" else None
            return redirect(url_for("codes.confirm_contact", kind=kind, channel=channel))
    return _render_verify(kind, form_status(form), send_form=form)


@bp.post("/profile/confirm/<kind>")
@login_required
@limiter.limit(CHECK_LIMIT, key_func=client_address)
def check_contact_code(kind: str):
    kind = _kind_or_404(kind)
    form = ContactCodeForm()
    if form.validate_on_submit():
        try:
            notes = verification.verify_contact(
                current_user._get_current_object(), kind, form.code.data
            )
        except DomainError as error:
            _keep_wrong_try(form, error)
        else:
            db.session.commit()
            if kind == "phone":
                flash(_("Your phone number is confirmed."), "success")
            else:
                flash(_("Your e-mail address is confirmed."), "success")
            for note in notes:
                flash(note, "info")
            return redirect(url_for("auth.profile"))
    return _render_verify(kind, form_status(form), code_form=form)
