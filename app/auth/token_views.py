"""The profile's page of personal access tokens: list, make (the secret shown once), revoke."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.api_tokens import (
    create_personal_token,
    personal_tokens_of,
    revoke_token,
    scopes_for,
)
from app.auth.token_forms import ApiTokenForm
from app.extensions import db
from app.form_fields import ActionForm
from app.web import form_status, submit

bp = Blueprint("api_tokens", __name__)


def _me():
    return current_user._get_current_object()


def _page(form: ApiTokenForm, status: int = 200, *, new_token=None, secret: str | None = None):
    me = _me()
    response = make_response(
        render_template(
            "auth/api_tokens.html",
            form=form,
            tokens=personal_tokens_of(me),
            new_token=new_token,
            secret=secret,
            revoke_form=ActionForm(formdata=None),
        ),
        status,
    )
    # The page may hold a secret: no cache (nor the back button's copy) keeps it.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/profile/api-tokens")
@login_required
def api_tokens():
    return _page(ApiTokenForm(formdata=None, offered=scopes_for(_me())))


@bp.post("/profile/api-tokens")
@login_required
def create_api_token():
    me = _me()
    form = ApiTokenForm(offered=scopes_for(me))
    outcome = submit(
        form,
        lambda: create_personal_token(
            me, name=form.name.data, scopes=form.chosen_scopes, lifetime_days=form.lifetime_days
        ),
    )
    if not outcome:
        return _page(form, form_status(form))
    token, secret = outcome.value
    # Shown in this answer only: never in a redirect's URL, a flash or a log.
    return _page(
        ApiTokenForm(formdata=None, offered=scopes_for(me)), new_token=token, secret=secret
    )


@bp.post("/profile/api-tokens/<int:token_id>/revoke")
@login_required
def revoke_api_token(token_id: int):
    form = ActionForm()
    if form.validate_on_submit():
        token = revoke_token(_me(), token_id)
        db.session.commit()
        flash(_("The token “%(name)s” no longer works.", name=token.name), "success")
    return redirect(url_for("api_tokens.api_tokens"))
