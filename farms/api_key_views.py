"""A farm's API keys page in its settings: list (every manager sees every key), make, revoke."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.api_scopes import FARM_SCOPES
from app.auth.token_forms import ApiTokenForm
from app.extensions import db
from app.form_fields import ActionForm
from app.web import form_status, submit
from farms import api_keys
from farms.services import get_farm_for

bp = Blueprint("farm_api_keys", __name__, template_folder="templates")


def _me():
    return current_user._get_current_object()


def _page(farm, form: ApiTokenForm, status: int = 200, *, new_key=None, secret=None):
    response = make_response(
        render_template(
            "farms/api_keys.html",
            farm=farm,
            form=form,
            keys=api_keys.farm_keys(farm, _me()),
            new_key=new_key,
            secret=secret,
            revoke_form=ActionForm(formdata=None),
        ),
        status,
    )
    # The page may hold a secret: no cache (nor the back button's copy) keeps it.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/dashboard/farms/<int:farm_id>/api-keys")
@login_required
def farm_keys(farm_id: int):
    farm = get_farm_for(_me(), farm_id)
    return _page(farm, ApiTokenForm(formdata=None, offered=FARM_SCOPES))


@bp.post("/dashboard/farms/<int:farm_id>/api-keys")
@login_required
def create_farm_key(farm_id: int):
    farm = get_farm_for(_me(), farm_id)
    form = ApiTokenForm(offered=FARM_SCOPES)
    outcome = submit(
        form,
        lambda: api_keys.create_farm_key(
            farm,
            _me(),
            name=form.name.data,
            scopes=form.chosen_scopes,
            lifetime_days=form.lifetime_days,
        ),
    )
    if not outcome:
        return _page(farm, form, form_status(form))
    key, secret = outcome.value
    # Shown in this answer only: never in a redirect's URL, a flash or a log.
    return _page(farm, ApiTokenForm(formdata=None, offered=FARM_SCOPES), new_key=key, secret=secret)


@bp.post("/dashboard/farms/<int:farm_id>/api-keys/<int:token_id>/revoke")
@login_required
def revoke_farm_key(farm_id: int, token_id: int):
    farm = get_farm_for(_me(), farm_id)
    if ActionForm().validate_on_submit():
        key = api_keys.revoke_key(farm, _me(), token_id)
        db.session.commit()
        flash(_("The key “%(name)s” no longer works.", name=key.name), "success")
    return redirect(url_for("farm_api_keys.farm_keys", farm_id=farm.id))
