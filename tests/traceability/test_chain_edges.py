"""The chain's pure parts at their edges: the digest sealing a run's serials, which entries
of a history stand after corrections, and the harvest facts read from them."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal

from traceability import chain
from traceability.models import Batch, BatchEvent


def test_a_runs_serials_digest_is_sha256_of_them_sorted_one_per_line():
    expected = hashlib.sha256(b"NS-0001\nNS-0002\nNS-0010").hexdigest()

    assert chain.serials_digest(["NS-0010", "NS-0001", "NS-0002"]) == expected
    assert chain.serials_digest(iter(["NS-0002", "NS-0010", "NS-0001"])) == expected


def _entry(id_, seq, kind="note", corrects_id=None, day=1, **details) -> BatchEvent:
    return BatchEvent(
        id=id_,
        seq=seq,
        kind=kind,
        occurred_at=datetime(2026, 6, day, 3, 0, tzinfo=UTC),
        corrects_id=corrects_id,
        details=details,
    )


def test_a_corrected_entry_is_replaced_by_its_latest_correction():
    # Given an entry corrected twice, and an entry never corrected
    original, plain = _entry(10, 1), _entry(11, 2)
    first_fix, second_fix = _entry(12, 3, corrects_id=10), _entry(13, 4, corrects_id=10)

    # When the standing entries are read, in any stored order
    standing = chain.effective_events([second_fix, original, plain, first_fix])

    # Then only the plain entry and the latest correction stand, in the order given
    assert standing == [second_fix, plain]


def test_a_history_without_corrections_stands_whole():
    entries = [_entry(10, 1), _entry(11, 2), _entry(12, 3)]

    assert chain.effective_events(entries) == entries


def test_the_harvest_facts_are_the_latest_standing_harvests():
    # Given two harvests, the later one corrected to 90.5 kg of a unit named at length
    early = _entry(1, 1, "harvest", day=2, quantity="40", unit="kg")
    late = _entry(2, 2, "harvest", day=20, quantity="80", unit="kg")
    fix = _entry(3, 3, "harvest", corrects_id=2, day=19, quantity=90.5, unit="thùng " * 5)

    facts, entry = chain.harvest_facts([early, late, fix])

    assert entry is fix
    assert facts == chain.HarvestFacts(date(2026, 6, 19), Decimal("90.5"), ("thùng " * 5)[:20])


def test_the_harvest_date_is_the_day_in_vietnam():
    # 20:00 UTC on 1 June is 03:00 on 2 June in Vietnam
    harvest = _entry(1, 1, "harvest", quantity="5")
    harvest.occurred_at = datetime(2026, 6, 1, 20, 0, tzinfo=UTC)

    facts, _ = chain.harvest_facts([harvest])

    assert facts == chain.HarvestFacts(date(2026, 6, 2), Decimal("5"), None)


def test_before_any_harvest_there_are_no_harvest_facts():
    assert chain.harvest_facts([_entry(1, 1)]) == (chain.HarvestFacts(None, None, None), None)


# verify() on a history held in memory: each finding, exactly ------------------------------


def _sealed(events_spec, *, legacy=False, **batch_fields):
    """A batch and its history chained as the services chain them: (kind, details) pairs."""
    batch = Batch(
        id=7,
        farm_id=2,
        product_id=5,
        growing_area_id=4,
        code="VT2606-A",
        status="harvested",
        harvested_on=None,
        quantity=None,
        unit="kg",
    )
    previous = chain.GENESIS if legacy else chain.facts_anchor(batch)
    events = []
    for seq, (kind, details) in enumerate(events_spec, start=1):
        event = BatchEvent(
            id=100 + seq,
            batch_id=7,
            seq=seq,
            kind=kind,
            occurred_at=datetime(2026, 6, seq, 3, 0, tzinfo=UTC),
            recorded_at=datetime(2026, 6, seq, 4, 0, tzinfo=UTC),
            recorded_by_id=3,
            recorded_by_name="Nguyễn Thị Lan",
            place="",
            details=details,
            note="",
            photo_keys=[],
            corrects_id=None,
            prev_hash=previous,
        )
        event.hash = previous = chain.event_hash(event, None)
        events.append(event)
    batch.head_hash, batch.event_count = previous, len(events)
    for field, value in batch_fields.items():
        setattr(batch, field, value)
    return batch, events


def _rehash_from(events, index):
    """Re-chain the history from `index` on, as someone covering their tracks would."""
    previous = events[index - 1].hash if index else events[0].prev_hash
    for event in events[index:]:
        event.prev_hash = previous
        event.hash = previous = chain.event_hash(event, None)
    return previous


DIARY = [("note", {}), ("spraying", {"phi_days": 14}), ("note", {})]
HARVESTED = dict(harvested_on=date(2026, 6, 2), quantity=Decimal("850"), unit="kg")
WITH_HARVEST = [("note", {}), ("harvest", {"quantity": "850", "unit": "kg"}), ("note", {})]


def test_an_untouched_history_holds():
    batch, events = _sealed(DIARY)

    assert chain.verify(batch, events) == chain.ChainCheck(True, 3)


def test_an_entry_missing_in_the_middle_is_found_where_it_was():
    batch, events = _sealed(DIARY)

    found = chain.verify(batch, [events[0], events[2]])

    assert found == chain.ChainCheck(False, 2, 2, "an event is missing")


def test_a_changed_previous_hash_is_found_at_its_entry():
    batch, events = _sealed(DIARY)
    events[1].prev_hash = "f" * 64

    assert chain.verify(batch, events) == chain.ChainCheck(
        False, 3, 2, "previous hash does not match"
    )


def test_a_correction_of_an_entry_not_in_the_history_is_found():
    batch, events = _sealed(DIARY)
    events[2].corrects_id = 999

    assert chain.verify(batch, events) == chain.ChainCheck(False, 3, 3, "corrects an unknown event")


def test_a_history_cut_short_is_found_at_its_new_end():
    batch, events = _sealed(DIARY)

    assert chain.verify(batch, events[:2]) == chain.ChainCheck(
        False, 2, 2, "the history was shortened"
    )


def test_a_harvest_fact_changed_on_the_batch_is_named():
    cases = {
        "harvested_on": (date(2026, 6, 3), "the harvest date does not match the harvest recorded"),
        "quantity": (Decimal("851"), "the quantity does not match the harvest recorded"),
        "unit": ("tấn", "the unit does not match the harvest recorded"),
    }
    for field, (value, reason) in cases.items():
        batch, events = _sealed(WITH_HARVEST, **HARVESTED)
        assert chain.verify(batch, events).ok
        setattr(batch, field, value)

        assert chain.verify(batch, events) == chain.ChainCheck(
            False, 3, 2, reason, chain.HARVEST
        ), field


def _labelled(serials=("NS-1", "NS-2"), legacy=False):
    run = {"run": 41, "count": len(serials), "serials": chain.serials_digest(serials)}
    return _sealed([("note", {}), ("labels", run)], legacy=legacy)


def _labels(*serials, run=41, run_batch=7):
    return [chain.IssuedLabel(run, run_batch, serial) for serial in serials]


def test_labels_matching_their_run_hold():
    batch, events = _labelled()

    assert chain.verify(batch, events, _labels("NS-2", "NS-1")).ok


def test_a_run_whose_labels_are_gone_is_found():
    batch, events = _labelled()

    assert chain.verify(batch, events, []) == chain.ChainCheck(
        False, 2, 2, "a run's labels do not match the labels issued", chain.LABELS
    )


def test_a_label_with_another_serial_in_a_run_of_the_right_size_is_found():
    batch, events = _labelled()

    found = chain.verify(batch, events, _labels("NS-1", "NS-9"))

    assert (found.ok, found.part, found.broken_at) == (False, chain.LABELS, 2)


def test_a_label_of_a_run_the_history_does_not_know_is_found():
    batch, events = _labelled()

    found = chain.verify(batch, events, _labels("NS-1", "NS-2") + _labels("NS-3", run=42))

    assert found == chain.ChainCheck(
        False, 2, 2, "a label was not issued for this batch", chain.LABELS
    )


def test_a_legacy_batch_keeps_its_older_runs_but_not_another_batchs():
    batch, events = _labelled(legacy=True)
    older_run = _labels("NS-0", run=12)

    assert chain.verify(batch, events, _labels("NS-1", "NS-2") + older_run).ok
    found = chain.verify(batch, events, _labels("NS-1", "NS-2") + _labels("X", run=12, run_batch=8))
    assert (found.ok, found.part, found.legacy) == (False, chain.LABELS, True)


def test_a_history_rechained_after_a_change_still_fails_on_the_batchs_last_hash():
    batch, events = _sealed(DIARY)
    events[1].details = {"phi_days": 1}
    _rehash_from(events, 1)

    assert chain.verify(batch, events) == chain.ChainCheck(False, 3, 3, "the history was shortened")


def test_an_entry_changed_in_place_is_found_at_that_entry():
    batch, events = _sealed(DIARY)
    events[1].details = {"phi_days": 1}

    assert chain.verify(batch, events) == chain.ChainCheck(
        False, 3, 2, "content does not match its hash"
    )


def test_a_changed_code_breaks_the_identity_from_the_first_entry_or_of_an_empty_batch():
    batch, events = _sealed(DIARY)
    empty, _ = _sealed([])
    batch.code = empty.code = "VT2606-Z"
    reason = "the batch's product, area or code changed"

    assert chain.verify(batch, events) == chain.ChainCheck(False, 3, 1, reason, chain.IDENTITY)
    assert chain.verify(empty, []) == chain.ChainCheck(False, 0, 0, reason, chain.IDENTITY)


def test_a_harvest_date_without_a_harvest_entry_is_found_at_the_end_of_the_history():
    batch, events = _sealed(DIARY, harvested_on=date(2026, 6, 2))

    assert chain.verify(batch, events) == chain.ChainCheck(
        False, 3, 3, "the harvest date does not match the harvest recorded", chain.HARVEST
    )


def test_a_legacy_batchs_findings_say_it_is_legacy():
    batch, events = _sealed(WITH_HARVEST, legacy=True, **HARVESTED)
    batch.quantity = Decimal("1")

    assert chain.verify(batch, events) == chain.ChainCheck(
        False, 3, 2, "the quantity does not match the harvest recorded", chain.HARVEST, True
    )


def test_a_recall_in_the_history_must_still_stand_on_the_batch():
    for legacy in (False, True):
        batch, events = _sealed(
            [("note", {}), ("recall", {"reason": "dư lượng"}), ("note", {})], legacy=legacy
        )
        batch.recalled_at = datetime(2026, 6, 2, tzinfo=UTC)
        assert chain.verify(batch, events).ok

        batch.recalled_at, batch.status = None, "harvested"

        assert chain.verify(batch, events) == chain.ChainCheck(
            False, 3, 2, "the recall was removed", chain.RECALL, legacy
        )


def test_hashed_times_are_utc_whatever_the_servers_time_zone(monkeypatch):
    import time

    _, events = _sealed(DIARY)
    event = events[0]
    event.occurred_at = datetime(2026, 6, 1, 23, 15, tzinfo=UTC)
    event.recorded_at = datetime(2026, 6, 2, 2, 0, 9, tzinfo=UTC)
    monkeypatch.setenv("TZ", "Asia/Ho_Chi_Minh")
    time.tzset()
    try:
        content = chain.canonical_content(event, None)
    finally:
        monkeypatch.undo()
        time.tzset()

    assert b'"occurred_at":"2026-06-01T23:15:00Z"' in content
    assert b'"recorded_at":"2026-06-02T02:00:09Z"' in content
