"""/admin/operators: country-wide operators make accounts operators and set each one's scope
(the whole country or one province); the header of every operator page names the scope."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import operator_scope, services
from app.auth.forms import OperatorScopeForm, PromoteOperatorForm
from app.auth.models import User
from app.auth.roles import Role, role_required
from app.errors import get_or_not_found
from app.web import UNPROCESSABLE, submit

bp = Blueprint("admin_operators", __name__)


def init_admin_operators(app: Flask) -> None:
    app.register_blueprint(bp)
    # The operators' navigation (admin/_nav.html) says what the operator sees.
    app.add_template_global(operator_scope.scope_label, "operator_scope_label")
    app.add_template_global(operator_scope.is_country_wide, "operator_is_country_wide")
    app.add_template_global(operator_scope.scope_name, "operator_scope_name")


def _operator() -> User:
    return current_user._get_current_object()


def _page(promote_form: PromoteOperatorForm | None = None, status: int = 200):
    actor = _operator()
    operators = operator_scope.operators(actor)
    scope_forms = {}
    for person in operators:
        form = OperatorScopeForm(prefix=f"op{person.id}", formdata=None)
        form.scope.data = person.operator_province_code or ""
        scope_forms[person.id] = form
    return render_template(
        "admin/operators.html",
        operators=operators,
        scope_forms=scope_forms,
        promote_form=promote_form or PromoteOperatorForm(formdata=None),
        history=operator_scope.scope_history(actor),
    ), status


@bp.get("/admin/operators")
@role_required(Role.OPERATOR)
def operators():
    return _page()


@bp.post("/admin/operators")
@role_required(Role.OPERATOR)
def promote():
    form = PromoteOperatorForm()
    outcome = submit(
        form,
        lambda: services.promote_to_operator(
            form.identifier.data, _operator(), operator_scope.read_scope(form.scope.data)
        ),
    )
    if not outcome.ok:
        return _page(form, UNPROCESSABLE)
    flash(
        _(
            "%(name)s is now an operator (%(scope)s).",
            name=outcome.value.full_name,
            scope=operator_scope.scope_label(outcome.value),
        ),
        "success",
    )
    return redirect(url_for("admin_operators.operators"))


@bp.post("/admin/operators/<int:user_id>/scope")
@role_required(Role.OPERATOR)
def change_scope(user_id: int):
    person = get_or_not_found(User, user_id)
    form = OperatorScopeForm(prefix=f"op{user_id}")
    outcome = submit(
        form,
        lambda: operator_scope.change_scope(
            person, _operator(), operator_scope.read_scope(form.scope.data)
        ),
    )
    if outcome.ok:
        flash(
            _(
                "%(name)s now sees: %(scope)s.",
                name=person.full_name,
                scope=operator_scope.scope_label(person),
            ),
            "success",
        )
    else:
        for message in (str(e) for errors in form.errors.values() for e in errors):
            flash(message, "error")
    return redirect(url_for("admin_operators.operators"))
