"""The trace page of a batch shows the reviews of what was packed from it: their count,
average and the newest few; hidden ones and other batches' do not count; none under a
recall. Its statements do not grow with the reviews."""

import pytest
from sqlalchemy import select

from app.auth.roles import Role
from app.extensions import db
from orders import services as order_services
from orders.reviews import services
from tests.app.factories import make_user
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere
from tests.orders.reviews.factories import delivered_line, write
from tests.products.factories import make_product
from tests.support.queries import count_queries
from tests.support.web import page_text
from tests.traceability.factories import NOW, harvest, make_batch
from traceability import services as trace_services
from traceability.allocation import pack_with_batches
from traceability.models import Batch


@pytest.fixture
def orchard(app):
    farm = deliver_everywhere(make_farm(name="Vườn vải Bác Tư"))
    product = make_product(farm, name="Vải thiều Thanh Hà", prices=(180000,))
    first, second = make_batch(farm, product, code="VT-A"), make_batch(farm, product, code="VT-B")
    harvest(first, 3)
    harvest(second, 2)
    return product, first, second


def reviewed_from(batch: Batch, product, stars: int, text: str = ""):
    """A buyer's line packed from `batch`, delivered, and reviewed."""
    line = delivered_line(product, delivered=False)
    owner = product.farm.members[0].user
    pack_with_batches(line.order, owner, {line.id: [(str(batch.id), "1")]})
    order_services.ship_order(line.order, owner, carrier="ghtk", tracking_number="S")
    order_services.mark_delivered(line.order, owner)
    return write(line, stars=stars, text=text)


def trace_page(client, batch):
    return client.get(f"/trace/{batch.farm.slug}/{batch.code}")


def test_the_trace_page_shows_the_reviews_of_its_own_batch(client, orchard):
    product, first, second = orchard
    reviewed_from(first, product, 5, "Lô này ngọt")
    reviewed_from(first, product, 4, "Quả đều")
    hidden = reviewed_from(first, product, 1, "Chửi bới")
    reviewed_from(second, product, 2, "Lô khác")
    services.hide(hidden, make_user(Role.OPERATOR), "Lăng mạ")
    db.session.commit()

    page = page_text(trace_page(client, first))

    assert "Đánh giá của lô hàng này" in page
    assert "4,5 trên 5 sao, 2 đánh giá" in page
    assert "Lô này ngọt" in page and "Quả đều" in page
    assert "Chửi bới" not in page and "Lô khác" not in page


def test_a_batch_nobody_reviewed_says_so(client, orchard):
    _, first, _ = orchard
    db.session.commit()

    assert "Chưa có người mua nào đánh giá lô hàng này." in page_text(trace_page(client, first))


def test_a_recalled_batch_shows_no_stars(client, orchard):
    product, first, _ = orchard
    reviewed_from(first, product, 5, "Lô này ngọt")
    trace_services.recall_batch(first, product.farm.members[0].user, "Dư lượng thuốc", NOW)
    db.session.commit()

    page = page_text(trace_page(client, first))

    assert "Lô này ngọt" not in page and "trên 5 sao" not in page


def test_the_trace_page_runs_the_same_statements_for_one_review_or_many(client, orchard):
    # One statement more than before reviews (their count and average), and one more once
    # there are reviews to list: never one per review.
    product, first, _ = orchard
    reviewed_from(first, product, 5)
    address = f"/trace/{first.farm.slug}/{first.code}"
    db.session.commit()
    client.get(address)
    with count_queries() as one:
        client.get(address)

    for stars in (3, 4, 5, 2):
        reviewed_from(first, product, stars)
    db.session.commit()
    with count_queries() as many:
        response = client.get(address)

    assert "5 đánh giá" in page_text(response)
    assert len(many) == len(one), "\n".join(" ".join(s.split())[:120] for s in one + ["--"] + many)


def test_the_batch_is_kept_on_the_review_when_its_batch_is_known(app, orchard):
    product, first, _ = orchard
    review = reviewed_from(first, product, 5)

    assert review.batch_id == first.id
    assert db.session.scalar(select(Batch.code).where(Batch.id == review.batch_id)) == "VT-A"
