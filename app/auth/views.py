"""Sign-up, log-in, log-out, profile and password reset pages."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import hooks, services
from app.auth.code_views import send_password_code
from app.auth.devices import COOKIE_NAME, is_known_device, remember_device
from app.auth.forms import (
    AddressForm,
    ChangePasswordForm,
    EndSessionsForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    SignupForm,
)
from app.auth.identifiers import InvalidIdentifier, parse_identifier
from app.auth.roles import Role
from app.auth.tokens import make_reset_token, user_for_reset_token
from app.commune_field import SHOW_COMMUNES
from app.errors import DomainError
from app.extensions import db, limiter
from app.i18n import current_language
from app.messaging import queue_mail
from app.web import UNPROCESSABLE, is_safe_next, safe_next_url, show_domain_error

bp = Blueprint("auth", __name__)


def _login_failure_limit() -> str:
    return current_app.config["LOGIN_FAILURE_LIMIT"]


def _login_failed(response) -> bool:
    return bool(g.get("login_failed"))


def _account_key() -> str:
    """Counts failures per account, whichever way its identifier was typed."""
    raw = request.form.get("identifier", "")
    try:
        return "account:" + parse_identifier(raw).value
    except InvalidIdentifier:
        return "account:" + raw.strip().lower()[:254]


def _address_key() -> str:
    return "address:" + (request.remote_addr or "unknown")


def _start_session(user, *, remember: bool) -> None:
    """Log in with a fresh CSRF token: one a page showed before log-in must not carry over."""
    session.pop("csrf_token", None)
    g.pop("csrf_token", None)
    login_user(user, remember=remember)


def _start_page(user) -> str:
    """A safe `next` the page asked for; else where the packages start this account (farms:
    its farm's dashboard); else the home page."""
    wanted = request.args.get("next")
    if is_safe_next(wanted):
        return wanted
    return hooks.landing_url(user) or url_for("main.index")


def _has_remember_cookie() -> bool:
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"], key_func=_address_key)
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = services.register_user(
                form.full_name.data,
                form.identifier.data,
                form.password.data,
                language=current_language(),
                role=Role(form.account_type.data),
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            hooks.session_started(session, user)
            db.session.commit()
            _start_session(user, remember=False)
            flash(_("Welcome to Nông Sản Số, %(name)s!", name=user.full_name), "success")
            response = redirect(_start_page(user))
            remember_device(request, response, user)
            return response
    status = UNPROCESSABLE if form.is_submitted() else 200
    return render_template("auth/signup.html", form=form), status


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_LIMIT"]


def _from_known_device() -> bool:
    """True when the account being logged into has logged in from this browser before:
    its owner then passes the per-account limit that an attacker elsewhere runs up."""
    if "known_device" not in g:
        has_cookie = COOKIE_NAME in request.cookies
        user = (
            services.find_user_by_identifier(request.form.get("identifier", ""))
            if has_cookie
            else None
        )
        g.known_device = user is not None and is_known_device(request, user)
    return g.known_device


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    _account_limit,
    methods=["POST"],
    key_func=_account_key,
    deduct_when=_login_failed,
    exempt_when=_from_known_device,
)
@limiter.limit(
    _login_failure_limit, methods=["POST"], key_func=_address_key, deduct_when=_login_failed
)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next_url(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.identifier.data, form.password.data)
        if user is not None:
            # What the packages add to a log-in (orders: the guest's cart joins the account's).
            hooks.session_started(session, user)
            db.session.commit()
            _start_session(user, remember=form.remember.data)
            response = redirect(_start_page(user))
            remember_device(request, response, user)
            return response
        g.login_failed = True
        form.form_errors.append(_("The phone number, e-mail or password is not right."))
    status = UNPROCESSABLE if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        # Copies of this session's cookies must stop working too: replace the token they name.
        services.end_all_sessions(current_user._get_current_object())
        db.session.commit()
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("main.index"))


def _render_profile(status: int = 200, **forms):
    user = current_user._get_current_object()
    address = user.default_address
    forms.setdefault(
        "profile_form",
        ProfileForm(
            formdata=None,
            full_name=user.full_name,
            phone=user.display_phone,
            email=user.email,
            preferred_language=user.preferred_language,
        ),
    )
    forms.setdefault(
        "address_form",
        AddressForm(
            formdata=None,
            recipient_name=address.recipient_name if address else user.full_name,
            address_phone=(address.phone if address else user.display_phone) or "",
            province_code=address.province_code if address else "",
            # An address never matched to the official list shows no commune: one is chosen.
            commune=address.commune_code if address else "",
            street=address.street if address else "",
        ),
    )
    forms.setdefault("password_form", ChangePasswordForm(formdata=None))
    forms.setdefault("sessions_form", EndSessionsForm(formdata=None))
    # What waits for the account's answer elsewhere (farms: a cooperative's invitations).
    notices = hooks.profile_notices(user)
    return render_template("auth/profile.html", notices=notices, **forms), status


@bp.get("/profile")
@login_required
def profile():
    return _render_profile()


@bp.post("/profile")
@login_required
def update_profile():
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            user = current_user._get_current_object()
            services.update_profile(
                user,
                user,
                full_name=form.full_name.data,
                phone=form.phone.data,
                email=form.email.data,
                language=form.preferred_language.data,
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Your profile has been saved."), "success")
            return redirect(url_for("auth.profile"))
    return _render_profile(UNPROCESSABLE, profile_form=form)


@bp.post("/profile/address")
@login_required
def update_address():
    form = AddressForm()
    if request.form.get(SHOW_COMMUNES):  # a new province: list its communes, save nothing
        return _render_profile(address_form=form)
    if form.validate_on_submit():
        try:
            user = current_user._get_current_object()
            services.save_default_address(
                user,
                user,
                recipient_name=form.recipient_name.data,
                phone=form.address_phone.data,
                province_code=form.province_code.data,
                commune=form.commune.data,
                street=form.street.data,
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Your delivery address has been saved."), "success")
            return redirect(url_for("auth.profile"))
    return _render_profile(UNPROCESSABLE, address_form=form)


@bp.post("/profile/password")
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user._get_current_object(), form.current_password.data, form.password.data
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            # The session token changed: log in again under the new one, here only.
            user = current_user._get_current_object()
            login_user(user, remember=_has_remember_cookie())
            flash(_("Your password has been changed."), "success")
            response = redirect(url_for("auth.profile"))
            # Browsers known before are forgotten with the old password; this one stays known.
            remember_device(request, response, user)
            return response
    return _render_profile(UNPROCESSABLE, password_form=form)


@bp.post("/profile/sessions/end")
@login_required
def end_other_sessions():
    form = EndSessionsForm()
    if not form.validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    services.end_all_sessions(user)
    db.session.commit()
    # Every other browser is signed out; this one logs in again under the new token.
    login_user(user, remember=_has_remember_cookie())
    flash(_("You have been signed out on every other device."), "success")
    return redirect(url_for("auth.profile"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"], key_func=_address_key)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        phone = _typed_phone(form.identifier.data)
        if phone is not None:  # a code by Zalo or SMS instead of a mailed link
            return send_password_code(phone, form.channel.data)
        user = services.account_for_password_reset(form.identifier.data)
        if user is not None:
            _send_reset_mail(user)
            db.session.commit()  # the mail is in the outbox; the worker sends it
        # The same answer whether or not the account exists, so nobody can probe for accounts.
        flash(
            _(
                "If an account with an e-mail address matches, we have sent it a link to "
                "choose a new password. The link works for one hour."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    status = UNPROCESSABLE if form.is_submitted() else 200
    return render_template("auth/forgot_password.html", form=form), status


def _typed_phone(text: str) -> str | None:
    try:
        identifier = parse_identifier(text)
    except InvalidIdentifier:
        return None
    return identifier.value if identifier.kind == "phone" else None


def _send_reset_mail(user) -> None:
    link = current_app.config["BASE_URL"] + url_for(
        "auth.reset_password", token=make_reset_token(user)
    )
    with force_locale(user.preferred_language):
        subject = _("Choose a new password for Nông Sản Số")
        body = render_template("mail/reset_password.txt", user=user, link=link)
    queue_mail(user.email, subject, body, kind="password_reset", user_id=user.id)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    if user_for_reset_token(token) is None:
        flash(_("This reset link is invalid or has expired. Ask for a new one."), "error")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(token, form.password.data)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Your password has been changed. You can log in now."), "success")
            # The mailed link proves the owner is at this browser: wrong passwords others
            # keep sending do not hold up this log-in.
            response = redirect(url_for("auth.login"))
            remember_device(request, response, user)
            return response
    status = UNPROCESSABLE if form.is_submitted() else 200
    return render_template("auth/reset_password.html", form=form), status
