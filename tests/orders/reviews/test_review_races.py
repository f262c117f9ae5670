"""On PostgreSQL, each on its own connection: a double (or tenfold) submit of the same review
writes one; many buyers reviewing one product at once all count (no lost update); an edit
and a hide racing leave the ratings equal to the visible reviews."""

import threading

import pytest
from sqlalchemy import func, select

from app.auth.roles import Role
from app.extensions import db
from farms.models import Farm
from orders.models import OrderLine
from orders.reviews import services
from orders.reviews.models import Review
from products.models import Product
from tests.app.factories import make_user
from tests.conftest import make_test_app
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere
from tests.orders.reviews.factories import delivered_line
from tests.products.factories import make_product
from tests.support.database import upgrade_schema
from tests.support.ledger import ledger_mismatches_in

THREADS = 8


@pytest.fixture
def shop(database_factory, tmp_path, request):
    """A database of its own with committed data: each thread has its own connection."""
    name = "review_races_" + request.node.name.removeprefix("test_")[:30]
    app = make_test_app(
        database_factory("postgresql", name),
        str(tmp_path),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": THREADS + 2, "max_overflow": 5},
    )
    upgrade_schema(app)
    with app.app_context():
        product = make_product(deliver_everywhere(make_farm()), name="Vải thiều")
        lines = [delivered_line(product, quantity=1) for _ in range(THREADS)]
        db.session.commit()
        ids = (product.id, product.farm_id, [line.id for line in lines])
    yield app, *ids
    with app.app_context():
        db.engine.dispose()


def run_together(app, work) -> list[str]:
    """`work(n)` in THREADS threads started at once; what each ended with."""
    start = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def one(n: int):
        with app.app_context():
            start.wait()
            try:
                work(n)
                db.session.commit()
                outcome = "ok"
            except Exception as error:  # noqa: BLE001  (each refusal is looked at below)
                db.session.rollback()
                outcome = type(error).__name__
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def figures(product_id, farm_id):
    product = db.session.execute(
        select(Product.rating_count, Product.rating_sum).where(Product.id == product_id)
    ).one()
    farm = db.session.execute(
        select(Farm.rating_count, Farm.rating_sum).where(Farm.id == farm_id)
    ).one()
    return tuple(product), tuple(farm)


def test_the_same_review_sent_eight_times_at_once_is_written_once(shop):
    app, product_id, farm_id, line_ids = shop

    def submit(n):
        line = db.session.get(OrderLine, line_ids[0])
        services.write_review(line, line.order.checkout.buyer, stars=4, text="Ngon")

    outcomes = run_together(app, submit)

    assert outcomes.count("ok") == 1 and outcomes.count("DomainError") == THREADS - 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Review)) == 1
        assert figures(product_id, farm_id) == ((1, 4), (1, 4))
    assert ledger_mismatches_in(app) == []


def test_eight_buyers_reviewing_at_once_all_count(shop):
    app, product_id, farm_id, line_ids = shop

    def submit(n):
        line = db.session.get(OrderLine, line_ids[n])
        services.write_review(line, line.order.checkout.buyer, stars=1 + n % 5, text="")

    outcomes = run_together(app, submit)

    assert outcomes == ["ok"] * THREADS
    stars = sum(1 + n % 5 for n in range(THREADS))
    with app.app_context():
        assert figures(product_id, farm_id) == ((THREADS, stars), (THREADS, stars))
    assert ledger_mismatches_in(app) == []


def test_edits_and_a_hide_racing_leave_the_ratings_equal_to_the_visible_reviews(shop):
    app, product_id, farm_id, line_ids = shop
    with app.app_context():
        line = db.session.get(OrderLine, line_ids[0])
        review = services.write_review(line, line.order.checkout.buyer, stars=5, text="")
        operator = make_user(Role.OPERATOR)
        db.session.commit()
        review_id, operator_id = review.id, operator.id

    def act(n):
        from app.auth.models import User

        review = db.session.get(Review, review_id)
        if n == 0:
            services.hide(review, db.session.get(User, operator_id), "Quảng cáo")
        else:
            services.edit_review(review, review.author, stars=1 + n % 5, text=f"lần {n}")

    run_together(app, act)

    with app.app_context():
        review = db.session.get(Review, review_id)
        assert review.hidden_at is not None
        assert figures(product_id, farm_id) == ((0, 0), (0, 0))
    assert ledger_mismatches_in(app) == []
