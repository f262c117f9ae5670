"""Farm pages of the seller dashboard (profile, members, growing areas, certificates, bank
account) and the operators' verification pages. The public farm page and the dashboard
overview list products, so the products blueprint serves them."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.hooks import ProfileNotice
from app.auth.identifiers import display_phone
from app.auth.models import User
from app.auth.roles import Role, role_required
from app.clock import local_today
from app.extensions import db
from app.storage import get_storage
from app.web import form_status, submit, uploaded_bytes
from farms import services
from farms.banks import bank_by_bin
from farms.forms import (
    KIND_CHOICES,
    BankAccountForm,
    CertificationForm,
    FarmProfileForm,
    GrowingAreaForm,
    InvitationAnswerForm,
    MemberHouseholdForm,
    PhotoForm,
    SuspendForm,
)
from farms.models import Certification, Farm, FarmPhoto, GrowingArea, MemberInvitation
from farms.permissions import managed_farms, own_farm_ids
from farms.readiness import checklists

bp = Blueprint("farms", __name__, template_folder="templates")

FARM_KIND_LABELS = dict(KIND_CHOICES)


@bp.app_template_global()
def farm_kind_label(kind: str) -> str:
    return FARM_KIND_LABELS.get(kind, kind)


def _me():
    return current_user._get_current_object()


def invitations_notice(user: User) -> ProfileNotice | None:
    """The profile page's line when a cooperative's invitation waits for the account's answer."""
    if not services.pending_invitations(user):
        return None
    return ProfileNotice(
        _("A cooperative invites you to run a member household; it waits for your answer."),
        _("See the invitations"),
        url_for("farms.dashboard"),
    )


def start_page(user: User) -> str | None:
    """Where a seller starts after log-in or sign-up: the farm they run, the list when they
    run several, the "open your shop" page when none yet. Buyers and operators: no say."""
    if user.role not in (Role.FARMER, Role.COOP_MANAGER):
        return None
    own = own_farm_ids(user)
    if len(own) == 1:
        return url_for("products.farm_overview", farm_id=own[0])
    return url_for("farms.dashboard")


# Dashboard ------------------------------------------------------------------------------


@bp.get("/dashboard")
@login_required
def dashboard():
    farms = managed_farms(_me())
    invitations = services.pending_invitations(_me())
    if len(farms) == 1 and not invitations:
        return redirect(url_for("products.farm_overview", farm_id=farms[0].id))
    return render_template(
        "farms/dashboard.html",
        farms=farms,
        invitations=invitations,
        # The setup checklist of every farm listed, each step asked once for all of them.
        checklists=checklists(farms),
    )


@bp.post("/dashboard/invitations/<int:invitation_id>/<any(accept, decline):answer>")
@login_required
def answer_invitation(invitation_id: int, answer: str):
    """The invited account, and only it, accepts or declines running a member household."""
    invitation = db.get_or_404(MemberInvitation, invitation_id)
    answer_with = services.accept_invitation if answer == "accept" else services.decline_invitation
    if submit(InvitationAnswerForm(), lambda: answer_with(invitation, _me())):
        if answer == "accept":
            flash(_("You now run %(farm)s.", farm=invitation.household.name), "success")
        else:
            flash(_("Invitation declined."), "info")
    else:
        flash(_("This invitation has already been answered."), "error")
    return redirect(url_for("farms.dashboard"))


@bp.route("/dashboard/farms/new", methods=["GET", "POST"])
@login_required
def open_farm():
    form = FarmProfileForm()
    if opened := submit(form, lambda: services.open_farm(_me(), **_profile(form))):
        flash(_("Your shop is open. Add a growing area and your first product."), "success")
        return redirect(url_for("products.farm_overview", farm_id=opened.value.id))
    return render_template("farms/farm_form.html", form=form, farm=None), form_status(form)


def _profile(form: FarmProfileForm) -> dict:
    return {
        "name": form.name.data,
        "kind": form.kind.data,
        "province_code": form.province_code.data,
        "commune": form.commune.data,
        "story": form.story.data,
        "contact_phone": form.contact_phone.data,
    }


@bp.route("/dashboard/farms/<int:farm_id>/profile", methods=["GET", "POST"])
@login_required
def edit_farm(farm_id: int):
    farm = services.get_farm_for(_me(), farm_id)
    form = FarmProfileForm(obj=farm) if request.method == "GET" else FarmProfileForm()
    if request.method == "GET" and farm.contact_phone:
        form.contact_phone.data = display_phone(farm.contact_phone)
    if submit(form, lambda: services.update_farm(farm, _me(), **_profile(form))):
        flash(_("Saved."), "success")
        return redirect(url_for("products.farm_overview", farm_id=farm.id))
    return render_template(
        "farms/farm_form.html", form=form, farm=farm, photo_form=PhotoForm()
    ), form_status(form)


@bp.post("/dashboard/farms/<int:farm_id>/photos")
@login_required
def add_photo(farm_id: int):
    farm = services.get_farm_for(_me(), farm_id)
    form = PhotoForm()
    if submit(
        form, lambda: services.add_farm_photo(farm, _me(), uploaded_bytes(form.photo) or b"")
    ):
        flash(_("Photo added."), "success")
        return redirect(url_for("farms.edit_farm", farm_id=farm.id))
    profile = FarmProfileForm(formdata=None, obj=farm)
    return render_template(
        "farms/farm_form.html", form=profile, farm=farm, photo_form=form
    ), form_status(form)


@bp.post("/dashboard/farm-photos/<int:photo_id>/delete")
@login_required
def delete_photo(photo_id: int):
    photo = db.get_or_404(FarmPhoto, photo_id)
    farm_id = photo.farm_id
    services.remove_farm_photo(photo, _me())
    db.session.commit()
    flash(_("Photo removed."), "info")
    return redirect(url_for("farms.edit_farm", farm_id=farm_id))


@bp.route("/dashboard/farms/<int:farm_id>/members/new", methods=["GET", "POST"])
@login_required
def add_member(farm_id: int):
    cooperative = services.get_farm_for(_me(), farm_id)
    form = MemberHouseholdForm()
    action = lambda: services.add_member_household(  # noqa: E731
        cooperative,
        _me(),
        name=form.name.data,
        commune=form.commune.data,
        contact_phone=form.contact_phone.data,
    )
    if submit(form, action):
        # The same words whether or not the phone belongs to an account: nobody can use
        # this form to find out who has one.
        flash(
            _(
                "Member household added. If its mobile number belongs to an account, that "
                "person is invited to run it and can accept from their own dashboard."
            ),
            "success",
        )
        return redirect(url_for("products.farm_overview", farm_id=cooperative.id))
    return render_template(
        "farms/simple_form.html",
        form=form,
        farm=cooperative,
        title=_("Add a member household"),
        submit_label=_("Add the household"),
    ), form_status(form)


@bp.route("/dashboard/farms/<int:farm_id>/areas/new", methods=["GET", "POST"])
@bp.route("/dashboard/farms/<int:farm_id>/areas/<int:area_id>", methods=["GET", "POST"])
@login_required
def growing_area(farm_id: int, area_id: int | None = None):
    farm = services.get_farm_for(_me(), farm_id)
    area = db.get_or_404(GrowingArea, area_id) if area_id else None
    if area is not None and area.farm_id != farm.id:
        abort(404)
    form = GrowingAreaForm(obj=area) if request.method == "GET" else GrowingAreaForm()

    def save():
        fields = {name: form[name].data for name in GrowingAreaForm.FIELDS}
        if area is not None:
            return services.update_growing_area(area, _me(), **fields)
        return services.add_growing_area(farm, _me(), **fields)

    if submit(form, save):
        flash(_("Growing area saved."), "success")
        return redirect(url_for("products.farm_overview", farm_id=farm.id))
    return render_template(
        "farms/simple_form.html",
        form=form,
        farm=farm,
        title=_("Growing area"),
        submit_label=_("Save"),
        hint=_(
            "The planting-area code (mã số vùng trồng) is the code importers ask for, "
            "e.g. VN-HPTH-0123. Leave it empty if the area has none yet."
        ),
    ), form_status(form)


@bp.route("/dashboard/farms/<int:farm_id>/certifications/new", methods=["GET", "POST"])
@login_required
def add_certification(farm_id: int):
    farm = services.get_farm_for(_me(), farm_id)
    form = CertificationForm()
    action = lambda: services.add_certification(  # noqa: E731
        farm,
        _me(),
        scheme=form.scheme.data,
        other_scheme=form.other_scheme.data,
        number=form.number.data,
        issuer=form.issuer.data,
        issued_on=form.issued_on.data,
        expires_on=form.expires_on.data,
        scan=uploaded_bytes(form.scan),
        scan_filename=getattr(form.scan.data, "filename", "") or "",
    )
    if submit(form, action):
        flash(
            _(
                "Certificate saved. It will show on your page once the platform team has "
                "checked it."
            ),
            "success",
        )
        return redirect(url_for("products.farm_overview", farm_id=farm.id))
    return render_template(
        "farms/simple_form.html",
        form=form,
        farm=farm,
        multipart=True,
        title=_("Add a certificate"),
        submit_label=_("Save the certificate"),
    ), form_status(form)


@bp.get("/certifications/<int:certification_id>/scan")
@login_required
def certification_scan(certification_id: int):
    """A certificate's scan: private to the farm's people and the operators."""
    certification = db.get_or_404(Certification, certification_id)
    services.get_farm_for(_me(), certification.farm_id)
    if not certification.scan_key:
        abort(404)
    response = make_response(get_storage().open(certification.scan_key))
    response.headers["Content-Type"] = certification.scan_content_type or "application/pdf"
    response.headers["Cache-Control"] = "private, no-store"
    if response.headers["Content-Type"] == "application/pdf":
        # A PDF opens in the reader, never as a page of this site.
        response.headers["Content-Disposition"] = (
            f'attachment; filename="certificate-{certification.id}.pdf"'
        )
    return response


@bp.route("/dashboard/farms/<int:farm_id>/bank", methods=["GET", "POST"])
@login_required
def bank_account(farm_id: int):
    farm = services.get_farm_for(_me(), farm_id)
    account = farm.bank_account
    form = BankAccountForm(obj=account) if request.method == "GET" else BankAccountForm()
    action = lambda: services.set_bank_account(  # noqa: E731
        farm,
        _me(),
        bank_bin=form.bank_bin.data,
        account_number=form.account_number.data,
        holder_name=form.holder_name.data,
    )
    if submit(form, action):
        flash(_("Bank account saved."), "success")
        return redirect(url_for("products.farm_overview", farm_id=farm.id))
    return render_template(
        "farms/simple_form.html",
        form=form,
        farm=farm,
        title=_("Bank account"),
        submit_label=_("Save"),
        hint=_(
            "Buyers who pay by bank transfer scan a VietQR code for this account. "
            "Only your farm and the platform team can see it."
        ),
        bank=bank_by_bin(account.bank_bin) if account else None,
    ), form_status(form)


# Operators ------------------------------------------------------------------------------


@bp.get("/admin/farms")
@role_required(Role.OPERATOR)
def admin_farms():
    operator = _me()
    return render_template(
        "farms/admin_farms.html",
        farms=services.farms_for_operator(operator),
        pending=services.certifications_to_check(operator),
        suspend_form=SuspendForm(),
        today=local_today(),
    )


@bp.post("/admin/farms/<int:farm_id>/verify")
@role_required(Role.OPERATOR)
def verify_farm(farm_id: int):
    services.verify_farm(db.get_or_404(Farm, farm_id), _me())
    db.session.commit()
    flash(_("Farm verified."), "success")
    return redirect(url_for("farms.admin_farms"))


@bp.post("/admin/farms/<int:farm_id>/suspend")
@role_required(Role.OPERATOR)
def suspend_farm(farm_id: int):
    farm = db.get_or_404(Farm, farm_id)
    form = SuspendForm()
    if submit(form, lambda: services.suspend_farm(farm, _me(), form.reason.data)):
        flash(_("Farm suspended: its products are off the storefront."), "info")
    else:
        flash(_("Give a reason for the suspension."), "error")
    return redirect(url_for("farms.admin_farms"))


@bp.post("/admin/farms/<int:farm_id>/reinstate")
@role_required(Role.OPERATOR)
def reinstate_farm(farm_id: int):
    services.reinstate_farm(db.get_or_404(Farm, farm_id), _me())
    db.session.commit()
    flash(_("Farm reinstated."), "success")
    return redirect(url_for("farms.admin_farms"))


@bp.post("/admin/certifications/<int:certification_id>/verify")
@role_required(Role.OPERATOR)
def verify_certification(certification_id: int):
    services.verify_certification(db.get_or_404(Certification, certification_id), _me())
    db.session.commit()
    flash(_("Certificate verified."), "success")
    return redirect(url_for("farms.admin_farms"))
