"""The hash chain covers the batch's own facts and its labels: a change made directly in the
database to a growing area, harvest date, quantity or label's batch is found by
`nongsan trace-verify` and shown on the trace page."""

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, text

from app.errors import DomainError
from app.extensions import db
from tests.farms.factories import make_farm, make_growing_area
from tests.products.factories import make_product
from tests.support.snapshots import database_snapshot
from tests.support.web import page_text
from tests.traceability.factories import harvest, make_batch, record, spray
from traceability import chain, labels, services
from traceability.models import Batch, BatchEvent

PHONE = "Mozilla/5.0 (Linux; Android 12; SM-A135F) Mobile Safari/537.36"


@pytest.fixture
def sealed(app):
    """A harvested lychee batch with a run of labels, and a second batch of the farm."""
    farm = make_farm(name="Vườn vải Cô Lan")
    batch = make_batch(farm, make_product(farm, name="Vải thiều Thanh Hà"), code="VT2606-A")
    other = make_batch(farm, make_product(farm, name="Nhãn lồng"), code="NL2607-A")
    spray(batch, 30, phi_days=14)
    harvest(batch, 6, quantity="850")
    harvest(other, 2, quantity="100")
    owner = farm.members[0].user
    run = labels.issue_labels(batch, owner, "a4-65", 3)
    labels.issue_labels(other, owner, "a4-65", 2)
    db.session.commit()
    return batch, other, labels.run_labels(run)


def _verify(app, batch):
    return app.test_cli_runner().invoke(args=["trace-verify", f"{batch.farm.slug}/{batch.code}"])


def test_an_intact_batch_with_labels_holds(app, client, sealed):
    batch, _other, issued = sealed
    result = _verify(app, batch)
    assert result.exit_code == 0, result.output
    assert "3 event(s), the hash chain holds" in result.output
    page = client.get(urlsplit(labels.label_address(batch, issued[0].serial)).path)
    assert 'data-testid="chain-ok"' in page.get_data(as_text=True)
    assert "Phát hành tem" in page_text(page) and "Số tem" in page_text(page)


def _move_growing_area(batch, other):
    area = make_growing_area(batch.farm, name="Vườn khác", code="VN-HPTH-0999")
    db.session.commit()
    return "UPDATE batch SET growing_area_id = :area WHERE id = :id", {"area": area.id}


TAMPERING = {
    "growing area": (
        _move_growing_area,
        "BATCH IDENTITY ALTERED",
        "sản phẩm, vùng trồng hoặc mã lô không còn khớp",
    ),
    "harvest date": (
        lambda batch, other: ("UPDATE batch SET harvested_on = '2026-06-01' WHERE id = :id", {}),
        "BATCH HARVEST ALTERED",
        "ngày thu hoạch hoặc sản lượng không còn khớp",
    ),
    "quantity": (
        lambda batch, other: ("UPDATE batch SET quantity = 8500 WHERE id = :id", {}),
        "BATCH HARVEST ALTERED",
        "ngày thu hoạch hoặc sản lượng không còn khớp",
    ),
    "unit": (
        lambda batch, other: ("UPDATE batch SET unit = 'tấn' WHERE id = :id", {}),
        "BATCH HARVEST ALTERED",
        "ngày thu hoạch hoặc sản lượng không còn khớp",
    ),
    "label moved to another batch": (
        lambda batch, other: (
            "UPDATE label SET batch_id = :id WHERE id = "
            "(SELECT min(id) FROM label WHERE batch_id = :other)",
            {"other": other.id},
        ),
        "BATCH LABELS ALTERED",
        "các tem của lô này không còn khớp",
    ),
}


@pytest.mark.parametrize("tampering", list(TAMPERING))
def test_a_fact_changed_in_the_database_is_found_and_shown(app, client, sealed, tampering):
    # Given a sealed batch whose chain holds
    batch, other, _issued = sealed
    change, verdict, shown = TAMPERING[tampering]
    statement, extra = change(batch, other)
    # When one of its facts is changed directly in the database
    db.session.execute(text(statement), {"id": batch.id, **extra})
    db.session.commit()
    db.session.expire_all()
    # Then trace-verify fails, naming what changed
    result = _verify(app, batch)
    assert result.exit_code == 1 and verdict in result.output, result.output
    # And the trace page says so instead of "intact"
    page = client.get(f"/trace/{batch.farm.slug}/{batch.code}")
    html = page.get_data(as_text=True)
    assert 'data-testid="chain-broken"' in html and 'data-testid="chain-ok"' not in html
    assert shown in page_text(page)


def test_a_recall_cleared_in_the_database_is_found_and_the_page_still_warns(app, client, sealed):
    # Given a recalled batch
    batch, _other, issued = sealed
    services.recall_batch(batch, batch.farm.members[0].user, "Phát hiện dư lượng thuốc vượt mức")
    db.session.commit()
    assert _verify(app, batch).exit_code == 0
    # When its recall is cleared directly in the database
    db.session.execute(
        text(
            "UPDATE batch SET status = 'harvested', recalled_at = NULL, recall_reason = NULL, "
            "recalled_by_id = NULL WHERE id = :id"
        ),
        {"id": batch.id},
    )
    db.session.commit()
    db.session.expire_all()
    # Then trace-verify fails, and a scan still shows the recall from the sealed entry
    result = _verify(app, batch)
    assert result.exit_code == 1 and "BATCH RECALL ALTERED" in result.output, result.output
    page = client.get(f"/T/{issued[0].serial}", headers={"User-Agent": PHONE})
    text_ = page_text(page)
    assert 'data-testid="recall-banner"' in page.get_data(as_text=True)
    assert "Phát hiện dư lượng thuốc vượt mức" in text_
    assert "lệnh thu hồi đã ghi cho lô này bị xóa" in text_


def test_a_label_moved_away_breaks_the_batch_it_left_too(app, client, sealed):
    batch, other, issued = sealed
    db.session.execute(
        text("UPDATE label SET batch_id = :other WHERE id = :label"),
        {"other": other.id, "label": issued[0].id},
    )
    db.session.commit()
    db.session.expire_all()
    assert "BATCH LABELS ALTERED" in _verify(app, batch).output
    # Scanning the moved label opens the other batch's page, which says its labels changed.
    scanned = client.get(f"/T/{issued[0].serial}", headers={"User-Agent": PHONE})
    assert "các tem của lô này không còn khớp" in page_text(scanned)


def test_an_event_hash_is_pinned_to_its_canonical_form():
    """Issue 11: the canonical form and its SHA-256 must never drift (every stored hash
    would break)."""
    event = BatchEvent(
        batch_id=7,
        seq=1,
        kind="harvest",
        occurred_at=datetime(2026, 6, 19, 0, 30, tzinfo=UTC),
        recorded_at=datetime(2026, 6, 19, 1, 0, 5, tzinfo=UTC),
        recorded_by_id=3,
        recorded_by_name="Nguyễn Thị Lan",
        place="Vườn thôn Thúy Lâm",
        details={"quantity": "850", "unit": "kg"},
        note="",
        photo_keys=[],
        corrects_id=None,
        prev_hash=chain.GENESIS,
    )
    assert (
        chain.canonical_content(event, None)
        == (
            '{"batch":7,"corrects":null,"details":{"quantity":"850","unit":"kg"},"kind":"harvest",'
            '"note":"","occurred_at":"2026-06-19T00:30:00Z","photos":[],'
            '"place":"Vườn thôn Thúy Lâm",'
            '"prev":"0000000000000000000000000000000000000000000000000000000000000000",'
            '"recorded_at":"2026-06-19T01:00:05Z","recorded_by":3,'
            '"recorded_by_name":"Nguyễn Thị Lan","seq":1}'
        ).encode()
    )
    assert chain.event_hash(event, None) == PINNED_EVENT_HASH
    facts = Batch(id=7, farm_id=2, product_id=5, growing_area_id=4, code="VT2606-A")
    assert chain.canonical_facts(facts) == (
        b'{"batch":7,"code":"VT2606-A","farm":2,"form":"batch-facts/1",'
        b'"growing_area":4,"product":5}'
    )
    assert chain.facts_anchor(facts) == PINNED_FACTS_ANCHOR


PINNED_EVENT_HASH = "59f24591705768bb3263e50621d027af62af6990e29d943cd31822b4fe002682"
PINNED_FACTS_ANCHOR = "846b3a64eb8cb10a8837dad43916bfec13392b42a0fbb82d0e22b341b521c2e8"


def test_a_new_batch_starts_its_chain_from_its_facts(app):
    batch = make_batch()
    assert batch.head_hash == chain.facts_anchor(batch) and batch.event_count == 0
    first = spray(batch, 3)
    assert first.prev_hash == chain.facts_anchor(batch)
    assert services.verify_batch(batch).ok and not services.verify_batch(batch).legacy


def test_a_batch_whose_chain_began_before_the_seal_is_legacy_and_still_checked(app):
    # Given a batch whose first entry was chained from 64 zeros (recorded before the seal)
    batch = make_batch()
    batch.head_hash = None
    db.session.flush()
    spray(batch, 30)
    harvest(batch, 1, quantity="10")
    # Then its history holds, flagged as legacy; its harvest facts are still checked
    check = services.verify_batch(batch)
    assert check.ok and check.legacy
    db.session.execute(text("UPDATE batch SET quantity = 99 WHERE id = :id"), {"id": batch.id})
    db.session.expire_all()
    assert services.verify_batch(batch).part == chain.HARVEST


def test_labels_events_are_recorded_by_the_application_only(app):
    batch = make_batch()
    harvest(batch, 1)
    owner = batch.farm.members[0].user
    run = labels.issue_labels(batch, owner, "a4-65", 2)
    issued = db.session.scalar(
        select(BatchEvent).where(BatchEvent.batch_id == batch.id, BatchEvent.kind == "labels")
    )
    before = database_snapshot()
    with pytest.raises(DomainError):
        record(batch, "labels", 0, count="5")
    with pytest.raises(DomainError):
        record(batch, "labels", 0, corrects_id=issued.id, count="5")
    assert database_snapshot() == before
    assert issued.details["run"] == run.id and issued.details["count"] == 2


def test_the_migration_seals_batches_without_entries_as_new_batches_are(app):
    # Given a batch from before the seal: no entry, no head hash
    import importlib.util
    from pathlib import Path

    path = next(Path("migrations/versions").glob("5c404f55efb2_*.py"))
    spec = importlib.util.spec_from_file_location("seal_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    batch = make_batch()
    db.session.execute(text("UPDATE batch SET head_hash = NULL WHERE id = :id"), {"id": batch.id})
    db.session.expire_all()
    assert services.verify_batch(batch).part == chain.IDENTITY  # an unsealed empty batch
    # When the migration's data step runs
    migration.seal_batches_without_events(db.session.connection())
    db.session.expire_all()
    # Then its chain starts from its facts, exactly as a new batch's does
    assert batch.head_hash == chain.facts_anchor(batch)
    check = services.verify_batch(batch)
    assert check.ok and not check.legacy


def test_the_last_entry_removed_with_the_count_lowered_to_match_is_found(app, sealed):
    # Given a sealed batch with a diary note after its labels
    batch, _other, _issued = sealed
    record(batch, "note", 0, note="Trời mưa to")
    db.session.commit()
    assert _verify(app, batch).exit_code == 0

    # When the note is deleted in the database and the batch's count lowered to match
    db.session.execute(
        text(
            "DELETE FROM batch_event WHERE batch_id = :id AND seq = "
            "(SELECT max(seq) FROM batch_event WHERE batch_id = :id)"
        ),
        {"id": batch.id},
    )
    db.session.execute(
        text("UPDATE batch SET event_count = event_count - 1 WHERE id = :id"), {"id": batch.id}
    )
    db.session.commit()
    db.session.expire_all()

    # Then the batch's last recorded hash still tells that the history was shortened
    assert _verify(app, batch).exit_code == 1


def test_a_label_moved_onto_a_legacy_batch_is_found(app, sealed):
    # Given a batch whose chain began before the seal (its old labels carry no labels entry)
    _batch, other, _issued = sealed
    legacy = make_batch(other.farm, other.product, code="NL2607-B")
    legacy.head_hash = None
    db.session.flush()
    spray(legacy, 30)
    assert services.verify_batch(legacy).ok and services.verify_batch(legacy).legacy

    # When a label of another batch is moved onto it in the database
    db.session.execute(
        text(
            "UPDATE label SET batch_id = :id WHERE id = "
            "(SELECT min(id) FROM label WHERE batch_id = :other)"
        ),
        {"id": legacy.id, "other": other.id},
    )
    db.session.expire_all()

    # Then the check finds a label this batch never issued
    assert services.verify_batch(legacy).part == chain.LABELS
