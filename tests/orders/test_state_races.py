"""Two actors on one order at once: the second one's stale view of it moves nothing."""

import pytest
from sqlalchemy import select, update

from app.clock import local_today
from app.errors import DomainError
from app.extensions import db
from orders import services
from orders.models import Order, OrderEvent
from products.models import Variant
from tests.app.factories import make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere, hanoi_contact
from tests.products.factories import make_product


@pytest.fixture
def order(app):
    farm = deliver_everywhere(make_farm(name="Vườn cam"))
    variant = make_product(farm, name="Cam sành", prices=(60000,)).variants[0]
    checkout = services.place_order(
        {variant.id: 3},
        buyer=make_user(identifier="0912000556"),
        contact=hanoi_contact(),
        payment_method="bank_transfer",
        shown_prices={variant.id: 60000},
        today=local_today(),
    )
    db.session.flush()
    return checkout.orders[0]


def _changed_behind_the_session(order: Order, **values) -> None:
    """Another request committed this meanwhile; the loaded `order` still shows the old row."""
    db.session.execute(
        update(Order)
        .where(Order.id == order.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _history(order: Order) -> list[tuple[str, str]]:
    return db.session.execute(
        select(OrderEvent.kind, OrderEvent.to_state)
        .where(OrderEvent.order_id == order.id)
        .order_by(OrderEvent.id)
    ).all()


def _stock(order: Order) -> int:
    return db.session.scalar(select(Variant.stock).where(Variant.id == order.lines[0].variant_id))


def test_packing_an_order_the_buyer_cancelled_meanwhile_is_refused(order):
    services.move_order(order, "confirmed", actor=None)
    _changed_behind_the_session(order, status="cancelled")
    history, stock = _history(order), _stock(order)

    with pytest.raises(DomainError):
        services.move_order(order, "packed", actor=None)

    assert db.session.scalar(select(Order.status).where(Order.id == order.id)) == "cancelled"
    assert order.status == "cancelled"
    assert (_history(order), _stock(order)) == (history, stock)


def test_a_cancellation_racing_a_cancellation_gives_the_stock_back_once(order):
    stock_before = _stock(order)
    _changed_behind_the_session(order, status="cancelled")

    with pytest.raises(DomainError):
        services.move_order(order, "cancelled", actor=None)

    assert _stock(order) == stock_before


def test_a_payment_recorded_meanwhile_is_not_recorded_again(order):
    _changed_behind_the_session(order, payment_status="paid")
    history = _history(order)

    with pytest.raises(DomainError):
        services.set_payment_status(order, "paid", actor=None, note="second notice")

    assert _history(order) == history
    assert order.payment_status == "paid"
