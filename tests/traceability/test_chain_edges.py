"""The chain's pure parts at their edges: the digest sealing a run's serials, which entries
of a history stand after corrections, and the harvest facts read from them."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal

from traceability import chain
from traceability.models import BatchEvent


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
