"""The review pages: a buyer writes or edits the review of a delivered line, anyone signed in
reports one, the product's reviews page by page, the farm's reviews with its replies, and
the operators' list of reported and hidden reviews."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.auth.roles import Role, role_required
from app.extensions import db
from app.form_fields import ActionForm
from app.http_cache import public_page
from app.validation import read_whole_number
from app.web import form_status, submit
from farms.services import get_farm_for
from orders.reviews import queries, services
from orders.reviews.forms import ReasonForm, ReplyForm, ReviewForm
from products.models import Product

bp = Blueprint("reviews", __name__, template_folder="templates")


def _me():
    return current_user._get_current_object()


def _page() -> int | None:
    return read_whole_number(request.args.get("page"))


def _photos(form: ReviewForm) -> list[bytes]:
    """The files chosen (a browser sends an empty part when none was)."""
    return [f.read() for f in form.photos.data or [] if getattr(f, "filename", "")]


@bp.route("/orders/lines/<int:line_id>/review", methods=["GET", "POST"])
@login_required
def write(line_id: int):
    line = services.line_for_review(line_id, _me())
    review = services.review_of_line(line.id)
    shown = {"stars": review.stars, "text": review.text} if review else {}
    form = ReviewForm(data=shown)
    if review is None:
        action = lambda: services.write_review(  # noqa: E731
            line, _me(), stars=form.stars.data, text=form.text.data, photos=_photos(form)
        )
    else:
        action = lambda: services.edit_review(  # noqa: E731
            review, _me(), stars=form.stars.data, text=form.text.data, photos=_photos(form)
        )
    if form.is_submitted() and submit(form, action):
        flash(
            _("Your review is saved.") if review else _("Thank you! Your review is published."),
            "success",
        )
        return redirect(url_for("orders.checkout_page", token=line.order.checkout.access_token))
    return render_template(
        "reviews/write.html",
        form=form,
        line=line,
        review=review,
        can_edit=review is None or services.can_edit(review, _me()),
        delivered=line.order.status in services.REVIEWABLE,
    ), form_status(form)


@bp.get("/reviews/mine")
@login_required
def mine():
    return render_template(
        "reviews/mine.html",
        page=queries.reviews_of_author(_me(), _page()),
        can_edit=services.can_edit,
    )


@bp.route("/reviews/<int:review_id>/report", methods=["GET", "POST"])
@login_required
def report(review_id: int):
    review = services.get_visible_review(review_id)
    form = ReasonForm()
    if form.is_submitted() and submit(
        form, lambda: services.report(review, _me(), form.reason.data)
    ):
        flash(_("Thank you: an operator will look at this review."), "success")
        return redirect(url_for("reviews.product_reviews", slug=_slug(review)))
    return render_template("reviews/report.html", form=form, review=review), form_status(form)


def _slug(review) -> str:
    return db.session.scalar(select(Product.slug).where(Product.id == review.product_id))


@bp.get("/products/<slug>/reviews")
@public_page
def product_reviews(slug: str):
    product = db.session.scalar(select(Product).where(Product.slug == slug))
    if product is None or not product.is_published or product.farm.is_suspended:
        abort(404)
    return render_template(
        "reviews/product_reviews.html",
        product=product,
        page=queries.product_reviews(product.id, _page()),
    )


@bp.get("/dashboard/farms/<int:farm_id>/reviews")
@login_required
def farm_reviews(farm_id: int):
    farm = get_farm_for(_me(), farm_id)
    return render_template(
        "reviews/farm_reviews.html",
        farm=farm,
        page=queries.farm_reviews(farm, _page()),
        reply_form=ReplyForm(formdata=None),
    )


@bp.post("/dashboard/reviews/<int:review_id>/reply")
@login_required
def reply(review_id: int):
    review = services.get_review(review_id)
    form = ReplyForm()
    if submit(form, lambda: services.reply(review, _me(), form.reply.data)):
        flash(_("Your reply is published."), "success")
    else:
        _flash_errors(form)
    return redirect(url_for("reviews.farm_reviews", farm_id=review.farm_id))


def _flash_errors(form) -> None:
    for message in (str(e) for errors in form.errors.values() for e in errors):
        flash(message, "error")


@bp.get("/admin/reviews")
@role_required(Role.OPERATOR)
def admin_reviews():
    return render_template(
        "reviews/admin_reviews.html",
        page=queries.reviews_for_operator(_me(), _page()),
        hide_form=ReasonForm(formdata=None),
        action_form=ActionForm(),
    )


@bp.post("/admin/reviews/<int:review_id>/hide")
@role_required(Role.OPERATOR)
def hide(review_id: int):
    review = services.get_review(review_id)
    form = ReasonForm()
    if submit(form, lambda: services.hide(review, _me(), form.reason.data)):
        flash(_("The review is hidden and its author is told why."), "success")
    else:
        _flash_errors(form)
    return redirect(url_for("reviews.admin_reviews"))


@bp.post("/admin/reviews/<int:review_id>/unhide")
@role_required(Role.OPERATOR)
def unhide(review_id: int):
    review = services.get_review(review_id)
    form = ActionForm()
    if submit(form, lambda: services.unhide(review, _me())):
        flash(_("The review shows again."), "success")
    else:
        _flash_errors(form)
    return redirect(url_for("reviews.admin_reviews"))
