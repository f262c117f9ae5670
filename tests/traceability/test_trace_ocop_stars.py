"""The trace page's OCOP stars: a screen reader hears "OCOP 3 sao" as text (an aria-label on
a plain span is ignored), and the star glyphs are hidden from it."""

from __future__ import annotations

from datetime import timedelta

from app.auth.roles import Role
from app.clock import local_today
from app.extensions import db
from products import services
from tests.app.factories import make_user
from tests.farms.factories import make_farm
from tests.products.factories import make_product
from tests.support.web import page_text
from tests.traceability.factories import harvest, make_batch


def test_the_ocop_stars_are_read_as_text_and_their_glyphs_are_hidden(client):
    farm = make_farm(name="Vườn vải Cô Lan")
    product = make_product(farm, name="Vải thiều Thanh Hà")
    certificate = services.set_ocop(
        product,
        farm.members[0].user,
        stars="3",
        decision_number="2087/QĐ-UBND",
        decision_date=local_today() - timedelta(days=30),
    )
    services.verify_ocop(certificate, make_user(role=Role.OPERATOR))
    batch = make_batch(farm, product)
    harvest(batch, 2)
    db.session.commit()

    page = client.get(f"/trace/{farm.slug}/{batch.code}", headers={"Accept-Language": "vi"})
    html = page.get_data(as_text=True)

    assert '<span aria-hidden="true">★★★</span>' in html
    assert '<span class="visually-hidden">3 sao</span>' in html
    assert "OCOP 3 sao" in page_text(page).replace("★", "").replace("  ", " ")
    assert 'aria-label="3 sao"' not in html
