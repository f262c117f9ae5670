"""Batches and their diary: append-only, hash-chained, checked for pre-harvest intervals."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text

from app.auth.roles import Role
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from tests.app.factories import make_user
from tests.farms.factories import make_farm, make_growing_area
from tests.products.factories import make_product
from tests.support.snapshots import database_snapshot
from tests.traceability.factories import NOW, harvest, make_batch, record, spray
from traceability import services
from traceability.models import BatchStatus


def test_a_batch_code_is_suggested_from_the_product_and_month_and_never_repeats(app):
    farm = make_farm()
    lychee = make_product(farm, name="Vải thiều Thanh Hà")
    first = services.suggest_code(farm, lychee, date(2026, 6, 20))
    make_batch(farm, lychee, code=first)

    assert first == "VT2606-A"
    assert services.suggest_code(farm, lychee, date(2026, 6, 21)) == "VT2606-B"


@pytest.mark.parametrize("code", ["vt2606 a", "VẢI-01", "", "A" * 21, "VT/01"])
def test_a_batch_code_outside_the_lot_characters_is_refused(app, code):
    farm = make_farm()
    product = make_product(farm)
    owner = farm.members[0].user

    if code == "vt2606 a":  # spaces go, letters go upper-case: that one is fine
        assert services.create_batch(farm, owner, product_id=product.id, code=code).code == (
            "VT2606A"
        )
        return
    before = database_snapshot()
    with pytest.raises(DomainError) as refused:
        services.create_batch(farm, owner, product_id=product.id, code=code)
    assert refused.value.field == "code"
    assert database_snapshot() == before


def test_a_batch_code_is_unique_in_its_farm_only(app):
    farm, other = make_farm(), make_farm()
    first = make_batch(farm, code="VT2606-A")
    area = make_growing_area(farm)
    before = database_snapshot()

    with pytest.raises(DomainError):
        make_batch(farm, first.product, code="VT2606-A", growing_area=area)
    assert database_snapshot() == before
    assert make_batch(other, code="VT2606-A").code == "VT2606-A"


def test_a_farmer_cannot_touch_another_farms_batch(app):
    batch = make_batch()
    stranger = make_farm().members[0].user
    before = database_snapshot()

    with pytest.raises(PermissionDenied):
        record(batch, "note", 1, actor=stranger, note="không phải của tôi")
    with pytest.raises(PermissionDenied):
        services.recall_batch(batch, stranger, "giả mạo lô hàng của vườn khác")
    with pytest.raises(PermissionDenied):
        services.create_batch(batch.farm, stranger, product_id=batch.product_id, code="X1")
    assert database_snapshot() == before


def test_events_form_a_chain_that_verifies(app):
    batch = make_batch()
    first = spray(batch, 30)
    second = record(batch, "fertilising", 20, input="Phân hữu cơ", amount="2 kg/gốc")
    third = harvest(batch, 5)

    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert batch.head_hash == third.hash and batch.event_count == 3
    assert services.verify_batch(batch).ok


def test_a_harvest_sets_the_batch_date_quantity_and_status(app):
    batch = make_batch()
    harvest(batch, 2, quantity="1250,5")
    record(batch, "packing", 1, packages="40", package_unit="thùng 5 kg")

    assert batch.harvested_on == date(2026, 6, 23)
    assert batch.quantity == Decimal("1250.5") and batch.unit == "kg"
    assert batch.status == BatchStatus.PACKED


def test_an_event_changed_in_the_database_is_detected(app):
    batch = make_batch()
    spray(batch, 30, phi_days=14)
    harvest(batch, 5)
    db.session.flush()

    # Someone edits the stored spraying to hide a short interval: the hash no longer matches.
    db.session.execute(
        text("UPDATE batch_event SET details = :details WHERE batch_id = :id AND seq = 1"),
        {"details": '{"product": "Nước sạch", "phi_days": 0}', "id": batch.id},
    )
    db.session.expire_all()

    check = services.verify_batch(batch)
    assert not check.ok and check.broken_at == 1


def test_a_deleted_last_event_is_detected(app):
    batch = make_batch()
    spray(batch, 30)
    harvest(batch, 5)
    db.session.flush()

    db.session.execute(
        text("DELETE FROM batch_event WHERE batch_id = :id AND seq = 2"), {"id": batch.id}
    )
    db.session.expire_all()

    check = services.verify_batch(batch)
    assert not check.ok and check.reason == "the history was shortened"


def test_the_orm_refuses_to_edit_or_delete_an_event(app):
    batch = make_batch()
    event = record(batch, "note", 1, note="Trời mưa to")

    event.note = "Trời nắng"
    with pytest.raises(RuntimeError):
        db.session.flush()
    db.session.rollback()


def test_a_harvest_inside_the_pre_harvest_interval_is_refused_with_an_explanation(app):
    batch = make_batch()
    spray(batch, 10, phi_days=14)
    before = database_snapshot()

    with pytest.raises(DomainError) as refused:
        harvest(batch, 1)

    message = str(refused.value.message)
    assert "Regent 800WG" in message and "14" in message
    assert database_snapshot() == before  # no event, not harvested, no batch field changed


def test_a_harvest_after_the_interval_is_accepted(app):
    batch = make_batch()
    spray(batch, 20, phi_days=14)

    assert harvest(batch, 5).seq == 2


def test_only_an_operator_may_override_the_interval_and_the_override_is_recorded(app):
    batch = make_batch()
    spray(batch, 10, phi_days=14)
    before = database_snapshot()
    with pytest.raises(DomainError):
        harvest(batch, 1, phi_override_reason="Khách cần gấp")
    assert database_snapshot() == before

    operator = make_user(Role.OPERATOR)
    event = harvest(batch, 1, actor=operator, phi_override_reason="Kết quả xét nghiệm đạt")

    assert event.details["phi_override"] == "Kết quả xét nghiệm đạt"
    assert services.verify_batch(batch).ok


def test_a_correction_is_a_new_event_and_both_stay(app):
    batch = make_batch()
    wrong = spray(batch, 10, phi_days=14)

    # The farmer typed the wrong date: it was 20 days ago. The correction stands instead.
    fixed = spray(batch, 20, phi_days=14, corrects_id=wrong.id)
    events = services.history(batch)

    assert [e.seq for e in events] == [1, 2]
    assert fixed.corrects_id == wrong.id and fixed.kind == "spraying"
    assert services.effective_events(events) == [fixed]
    assert harvest(batch, 5).seq == 3  # the corrected date allows the harvest
    assert services.verify_batch(batch).ok


def test_a_recalled_batch_cannot_be_shipped_but_keeps_its_history(app):
    batch = make_batch()
    harvest(batch, 3)
    services.recall_batch(batch, batch.farm.members[0].user, "Phát hiện dư lượng vượt mức", NOW)

    assert batch.status == BatchStatus.RECALLED and batch.recalled_at == NOW
    # The recall itself is the history's second entry, sealed in the chain.
    assert [e.kind for e in services.history(batch)] == ["harvest", "recall"]
    before = database_snapshot()
    with pytest.raises(DomainError):
        record(batch, "shipping", 1, to_whom="Siêu thị")
    assert database_snapshot() == before
    assert record(batch, "note", 1, note="Đã thu hồi 40 thùng").seq == 3


@pytest.mark.parametrize(
    ("kind", "fields", "field"),
    [
        (
            "spraying",
            {"product": "Regent", "active_ingredient": "Fipronil", "dose": "1g"},
            "phi_days",
        ),
        (
            "spraying",
            {"product": "R", "active_ingredient": "F", "dose": "1", "phi_days": "-3"},
            "phi_days",
        ),
        ("harvest", {"quantity": "nhiều", "unit": "kg"}, "quantity"),
        ("packing", {"packages": "0", "package_unit": "thùng"}, "packages"),
        ("fertilising", {"input": "", "amount": "1"}, "input"),
        ("note", {}, "note"),
        ("dancing", {}, "kind"),
    ],
)
def test_a_wrong_entry_is_refused_and_records_nothing(app, kind, fields, field):
    batch = make_batch()
    before = database_snapshot()

    with pytest.raises(DomainError) as refused:
        record(batch, kind, 1, **fields)

    assert refused.value.field == field
    assert database_snapshot() == before  # no event, the batch's count and head unchanged


def test_an_event_in_the_future_is_refused(app):
    batch = make_batch()
    before = database_snapshot()

    with pytest.raises(DomainError) as refused:
        record(batch, "note", -1, note="ngày mai")

    assert refused.value.field == "occurred_at"
    assert database_snapshot() == before


def test_only_the_latest_version_of_an_entry_can_be_corrected(app):
    batch = make_batch()
    original = spray(batch, 10, phi_days=14)
    first_fix = spray(batch, 12, phi_days=14, corrects_id=original.id)
    before = database_snapshot()

    with pytest.raises(DomainError) as refused:
        spray(batch, 20, phi_days=14, corrects_id=original.id)
    assert database_snapshot() == before
    second_fix = spray(batch, 20, phi_days=14, corrects_id=first_fix.id)

    assert refused.value.field == "corrects_id"
    assert services.effective_events(services.history(batch)) == [second_fix]


def test_a_spraying_recorded_after_the_harvest_must_respect_its_interval(app):
    batch = make_batch()
    harvest(batch, 2)
    before = database_snapshot()

    with pytest.raises(DomainError):
        spray(batch, 5, phi_days=14)  # 3 days before the recorded harvest
    assert database_snapshot() == before
    assert spray(batch, 30, phi_days=14).seq == 2


def test_correcting_a_spraying_into_the_interval_is_refused(app):
    batch = make_batch()
    sprayed = spray(batch, 30, phi_days=14)
    harvest(batch, 2)
    before = database_snapshot()

    with pytest.raises(DomainError):
        spray(batch, 5, phi_days=14, corrects_id=sprayed.id)
    assert database_snapshot() == before
    assert services.verify_batch(batch).ok


@pytest.mark.parametrize(
    ("kind", "fields", "field"),
    [
        ("note", {"note": "x", "when": "0001-01-01T00:00"}, "occurred_at"),
        ("harvest", {"quantity": "1e30", "unit": "kg"}, "quantity"),
        ("harvest", {"quantity": "99999999999", "unit": "kg"}, "quantity"),
    ],
)
def test_absurd_dates_and_quantities_are_refused_with_a_message(app, kind, fields, field):
    batch = make_batch()
    fields = dict(fields)  # the parameters are shared by both databases' runs
    when = fields.pop("when", None)
    entry = services.EventInput(
        kind=kind,
        occurred_at=when or "2026-06-20T07:30",
        fields=fields,
        note=fields.get("note", ""),
    )
    before = database_snapshot()

    with pytest.raises(DomainError) as refused:
        services.record_event(batch, batch.farm.members[0].user, entry, now=NOW)

    assert refused.value.field == field
    assert database_snapshot() == before


def test_a_status_written_over_a_recall_does_not_undo_it(app):
    batch = make_batch()
    harvest(batch, 3)
    services.recall_batch(batch, batch.farm.members[0].user, "Dư lượng vượt mức", NOW)

    batch.status = BatchStatus.SOLD_OUT.value  # as a concurrent "sold out" would write it

    assert batch.is_recalled
