"""A new farm's setup checklist (farms.readiness): profile, delivery, a way to be paid, first
product, first batch, each linking to the page that does it, shown until all are done. The
product and batch steps come from products and traceability through their init_app."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.extensions import db
from farms import services as farm_services
from farms.readiness import checklists, missing_to_sell
from tests.app.factories import log_in
from tests.farms.factories import make_farm
from tests.orders.factories import deliver_everywhere
from tests.products.factories import make_product, make_ready_to_sell
from tests.support.queries import count_queries
from tests.traceability.factories import make_batch

STEPS = ["profile", "delivery", "bank_account", "first_product", "first_batch"]


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 120, 60)).save(buffer, format="JPEG")
    return buffer.getvalue()


def _done(farm) -> dict[str, bool]:
    return {step.name: done for step, done in checklists([farm])[farm.id].steps}


def _checklist_html(client, farm) -> str:
    page = client.get(f"/dashboard/farms/{farm.id}").get_data(as_text=True)
    if 'data-testid="setup-checklist"' not in page:
        return ""
    return page.split('data-testid="setup-checklist"')[1].split("</section>")[0]


def _complete_profile(farm) -> None:
    owner = farm.members[0].user
    farm_services.update_farm(
        farm,
        owner,
        name=farm.name,
        kind=farm.kind,
        province_code=farm.province_code,
        commune=farm.commune,
        story="Ba đời trồng vải ở Thanh Hà.",
        contact_phone="",
    )
    farm_services.add_farm_photo(farm, owner, _jpeg())


def test_a_new_farm_sees_five_steps_each_linking_to_its_page(app, client):
    farm = make_farm()
    db.session.commit()
    log_in(client, farm.members[0].user.phone)

    checklist = _checklist_html(client, farm)

    assert [s.split('"')[0] for s in checklist.split('data-testid="step-')[1:]] == STEPS
    assert "Đã xong 0 trên 5 bước" in checklist
    for address in (
        f"/dashboard/farms/{farm.id}/profile",
        f"/dashboard/farms/{farm.id}/delivery",
        f"/dashboard/farms/{farm.id}/bank",
        f"/dashboard/farms/{farm.id}/products/new",
        f"/dashboard/farms/{farm.id}/batches",
    ):
        assert f'href="{address}"' in checklist
    assert "Trước khi bán hàng" in checklist


def test_each_step_done_is_ticked_and_the_progress_grows(app):
    farm = make_farm()
    assert _done(farm) == dict.fromkeys(STEPS, False)

    _complete_profile(farm)
    assert _done(farm)["profile"]

    deliver_everywhere(farm)
    make_ready_to_sell(farm)
    assert [_done(farm)[name] for name in STEPS] == [True, True, True, False, False]
    assert checklists([farm])[farm.id].can_sell and missing_to_sell(farm) == []

    product = make_product(farm)
    assert _done(farm)["first_product"]

    make_batch(farm, product)
    checklist = checklists([farm])[farm.id]
    assert checklist.complete and checklist.done_count == 5


def test_a_draft_product_or_a_story_without_photo_does_not_tick_the_step(app):
    farm = deliver_everywhere(make_farm(story="Vải thiều ngon."))
    make_product(farm, publish=False)

    assert not _done(farm)["profile"] and not _done(farm)["first_product"]


def test_a_farm_that_can_sell_sees_the_remaining_steps_without_the_warning(app, client):
    farm = make_ready_to_sell(deliver_everywhere(make_farm()))
    db.session.commit()
    log_in(client, farm.members[0].user.phone)

    checklist = _checklist_html(client, farm)

    assert "Hoàn tất thiết lập gian hàng" in checklist and "Trước khi bán hàng" not in checklist
    assert "Đã xong 2 trên 5 bước" in checklist
    assert 'data-testid="step-delivery" data-done="yes"' in checklist
    assert f'href="/dashboard/farms/{farm.id}/delivery"' not in checklist


def test_a_farm_with_every_step_done_sees_no_checklist(app, client):
    farm = deliver_everywhere(make_farm())
    _complete_profile(farm)
    make_batch(farm, make_product(farm))
    db.session.commit()
    log_in(client, farm.members[0].user.phone)

    assert _checklist_html(client, farm) == ""
    assert "Gian hàng" in client.get(f"/dashboard/farms/{farm.id}").get_data(as_text=True)


@pytest.mark.parametrize("count", [1, 6])
def test_the_checklists_of_many_farms_ask_each_step_once(app, count):
    farms = [make_farm() for _ in range(count)]
    for farm in farms:
        db.session.refresh(farm)

    with count_queries() as statements:
        found = checklists(farms)

    assert len(found) == count
    assert len(statements) == len(STEPS)
