"""Issue 11, tests that bite: every field of an event's hashed content is covered by the
chain. Each test changes one stored column directly in the database (no service, no ORM
hashing) and checks that `chain.verify` and `nongsan trace-verify` both find the history
altered at that very event; deletion in the middle, reordering and a moved correction too.
The pinned hashes below fail the moment a key leaves (or joins) the canonical form."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, update

from app.extensions import db
from tests.farms.factories import make_farm
from tests.traceability.factories import harvest, make_batch, record, spray
from traceability import chain, services
from traceability.models import BatchEvent

EVENTS = BatchEvent.__table__


@dataclass
class Diary:
    batch: object
    other_batch: object
    stranger_id: int
    events: dict  # seq -> BatchEvent as committed


@pytest.fixture
def diary(app):
    """A committed lychee batch of five entries: a spraying, a diary note, a correction of
    the spraying, the harvest and a closing note."""
    batch = make_batch(code="VT2606-T")
    other_batch = make_batch(batch.farm, code="VT2606-U")
    # An entry of the other batch first, so that row ids and positions differ
    spray(other_batch, 40)
    first = spray(batch, 30, phi_days=14)
    record(batch, "note", 20, note="Trời mưa to, hoãn thu hái")
    spray(batch, 30, phi_days=21, corrects_id=first.id)
    harvest(batch, 6, quantity="850")
    record(batch, "note", 2, note="Đóng thùng xong")
    stranger = make_farm(name="Vườn bên cạnh").members[0].user
    db.session.commit()
    events = {event.seq: event for event in services.history(batch)}
    assert [events[seq].kind for seq in sorted(events)] == [
        "spraying",
        "note",
        "spraying",
        "harvest",
        "note",
    ]
    assert events[3].corrects_id == events[1].id != 1
    return Diary(batch, other_batch, stranger.id, events)


def _tamper(event_id: int, **values) -> None:
    """Change columns of one stored event as someone with database access would."""
    db.session.execute(update(EVENTS).where(EVENTS.c.id == event_id).values(**values))
    db.session.commit()
    db.session.expire_all()


def _trace_verify(app, batch):
    return app.test_cli_runner().invoke(args=["trace-verify", f"{batch.farm.slug}/{batch.code}"])


def _assert_broken_at(app, diary, seq: int, reason: str) -> None:
    check = services.verify_batch(diary.batch)
    assert not check.ok
    assert (check.part, check.broken_at, check.reason) == (chain.HISTORY, seq, reason)
    result = _trace_verify(app, diary.batch)
    assert result.exit_code == 1
    assert f"HISTORY ALTERED at event {seq} of " in result.output
    assert reason in result.output


def test_the_untouched_diary_holds(app, diary):
    assert services.verify_batch(diary.batch).ok
    result = _trace_verify(app, diary.batch)
    assert result.exit_code == 0, result.output
    assert "5 event(s), the hash chain holds" in result.output


MISMATCH = "content does not match its hash"

#: One change per hashed field of the note at seq 2 (the middle of the history): the new
#: column values, from the stored event and the diary.
FIELD_TAMPERING = {
    "kind": lambda e, d: {"kind": "inspection"},
    "occurred_at": lambda e, d: {"occurred_at": e.occurred_at - timedelta(days=1)},
    "recorded_at": lambda e, d: {"recorded_at": e.recorded_at + timedelta(seconds=1)},
    "recorded_by": lambda e, d: {"recorded_by_id": d.stranger_id},
    "recorded_by_name": lambda e, d: {"recorded_by_name": "Người khác"},
    "place": lambda e, d: {"place": "Lô số 9"},
    "details": lambda e, d: {"details": {"weather": "nắng"}},
    "note": lambda e, d: {"note": "Trời nắng, thu hái bình thường"},
    "photos": lambda e, d: {"photo_keys": ["batches/ab/forged.jpg"]},
}


@pytest.mark.parametrize("field", sorted(FIELD_TAMPERING))
def test_a_hashed_field_changed_in_the_database_breaks_the_chain_at_that_event(app, diary, field):
    # Given a committed five-entry history that holds
    event = diary.events[2]
    # When one hashed column of the middle entry is changed in the database
    _tamper(event.id, **FIELD_TAMPERING[field](event, diary))
    # Then the chain is broken at that entry, not before and not only at the end
    _assert_broken_at(app, diary, 2, MISMATCH)


def test_an_event_moved_back_in_time_breaks_the_chain_even_by_one_minute(app, diary):
    """The pre-harvest interval rests on the spraying's time: moving it is never silent."""
    event = diary.events[1]
    _tamper(event.id, occurred_at=event.occurred_at - timedelta(minutes=1))
    _assert_broken_at(app, diary, 1, MISMATCH)


def test_a_rewritten_previous_hash_breaks_the_chain_at_that_event(app, diary):
    _tamper(diary.events[3].id, prev_hash=diary.events[1].hash)
    _assert_broken_at(app, diary, 3, "previous hash does not match")


def test_an_event_rehashed_after_its_change_still_breaks_the_chain_at_the_next_one(app, diary):
    # Given a forger who changes the note and recomputes that entry's own hash
    event = diary.events[2]
    event.note = "Trời nắng, thu hái bình thường"
    forged = chain.event_hash(event, None)
    db.session.expire_all()
    _tamper(event.id, note="Trời nắng, thu hái bình thường", hash=forged)
    # Then the entry after it no longer points at it
    _assert_broken_at(app, diary, 3, "previous hash does not match")


def test_a_changed_position_breaks_the_chain_where_the_entry_was(app, diary):
    _tamper(diary.events[2].id, seq=9)
    _assert_broken_at(app, diary, 2, "an event is missing")


def test_an_event_moved_to_another_batch_breaks_both_batches(app, diary):
    _tamper(diary.events[2].id, batch_id=diary.other_batch.id)
    _assert_broken_at(app, diary, 2, "an event is missing")
    assert not services.verify_batch(diary.other_batch).ok


def test_an_event_deleted_in_the_middle_breaks_the_chain_where_it_was(app, diary):
    db.session.execute(delete(EVENTS).where(EVENTS.c.id == diary.events[2].id))
    db.session.commit()
    db.session.expire_all()
    assert len(services.history(diary.batch)) == 4
    _assert_broken_at(app, diary, 2, "an event is missing")


def test_two_events_swapped_break_the_chain_at_the_first_of_them(app, diary):
    # When the note (seq 2) and the correction (seq 3) change places
    second, third = diary.events[2], diary.events[3]
    _tamper(second.id, seq=99)
    _tamper(third.id, seq=2)
    _tamper(second.id, seq=3)
    assert [e.id for e in services.history(diary.batch)][1:3] == [third.id, second.id]
    # Then the chain breaks at position 2
    _assert_broken_at(app, diary, 2, "previous hash does not match")


def test_two_events_swapped_with_their_positions_kept_break_the_chain(app, diary):
    # When the two entries' content swap while each keeps its position and chain hashes
    second, fourth = diary.events[2], diary.events[4]
    _tamper(second.id, kind="harvest", details=fourth.details, note="")
    _tamper(fourth.id, kind="note", details=second.details, note=second.note)
    _assert_broken_at(app, diary, 2, MISMATCH)


def test_a_correction_pointed_at_another_entry_breaks_the_chain_at_the_correction(app, diary):
    # Given the correction at seq 3 corrects the spraying at seq 1
    # When its pointer is moved to the note at seq 2 in the database
    _tamper(diary.events[3].id, corrects_id=diary.events[2].id)
    # Then the correction no longer matches its hash
    _assert_broken_at(app, diary, 3, MISMATCH)


def test_a_correction_pointer_removed_breaks_the_chain_at_the_correction(app, diary):
    _tamper(diary.events[3].id, corrects_id=None)
    _assert_broken_at(app, diary, 3, MISMATCH)


def test_a_correction_pointer_added_to_a_plain_entry_breaks_the_chain(app, diary):
    _tamper(diary.events[4].id, corrects_id=diary.events[1].id)
    _assert_broken_at(app, diary, 4, MISMATCH)


# The canonical form, pinned ---------------------------------------------------------------


def _correction_with_photos() -> BatchEvent:
    """A correction with photos and a note: every hashed field set to a non-empty value."""
    return BatchEvent(
        batch_id=7,
        seq=4,
        kind="spraying",
        occurred_at=datetime(2026, 6, 1, 23, 15, tzinfo=UTC),
        recorded_at=datetime(2026, 6, 2, 2, 0, 9, tzinfo=UTC),
        recorded_by_id=3,
        recorded_by_name="Nguyễn Thị Lan",
        place="Lô 3, thôn Thúy Lâm",
        details={"active_ingredient": "Fipronil", "phi_days": 21, "product": "Regent 800WG"},
        note="Ghi nhầm thời gian cách ly",
        photo_keys=["batches/ab/one.jpg", "batches/cd/two.jpg"],
        corrects_id=41,
        prev_hash="9" * 64,
    )


PINNED_CORRECTION_CONTENT = (
    '{"batch":7,"corrects":2,'
    '"details":{"active_ingredient":"Fipronil","phi_days":21,"product":"Regent 800WG"},'
    '"kind":"spraying","note":"Ghi nhầm thời gian cách ly",'
    '"occurred_at":"2026-06-01T23:15:00Z",'
    '"photos":["batches/ab/one.jpg","batches/cd/two.jpg"],'
    '"place":"Lô 3, thôn Thúy Lâm",'
    '"prev":"9999999999999999999999999999999999999999999999999999999999999999",'
    '"recorded_at":"2026-06-02T02:00:09Z","recorded_by":3,'
    '"recorded_by_name":"Nguyễn Thị Lan","seq":4}'
).encode()
PINNED_CORRECTION_HASH = "92d8a1b4f3481600f94463d09b1b42a39415773bc5419ec3e4e046473d46a871"


def test_a_correction_with_photos_and_a_note_is_pinned_to_its_canonical_form():
    event = _correction_with_photos()
    assert chain.canonical_content(event, 2) == PINNED_CORRECTION_CONTENT
    assert chain.event_hash(event, 2) == PINNED_CORRECTION_HASH


#: One change per key of the canonical form, made on the event object (or the corrected
#: entry's position, which the chain hashes in place of the row id).
EVERY_HASHED_KEY = {
    "batch": ("batch_id", 8),
    "seq": ("seq", 5),
    "kind": ("kind", "fertilising"),
    "occurred_at": ("occurred_at", datetime(2026, 6, 1, 23, 16, tzinfo=UTC)),
    "recorded_at": ("recorded_at", datetime(2026, 6, 2, 2, 0, 10, tzinfo=UTC)),
    "recorded_by": ("recorded_by_id", 4),
    "recorded_by_name": ("recorded_by_name", "Nguyễn Văn Nam"),
    "place": ("place", "Lô 4, thôn Thúy Lâm"),
    "details": ("details", {"active_ingredient": "Fipronil", "phi_days": 7}),
    "note": ("note", ""),
    "photos": ("photo_keys", ["batches/ab/one.jpg"]),
    "prev": ("prev_hash", "8" * 64),
}


@pytest.mark.parametrize("key", sorted([*EVERY_HASHED_KEY, "corrects"]))
def test_each_key_of_the_canonical_form_changes_the_pinned_hash(key):
    # Given the pinned correction
    event = _correction_with_photos()
    corrects_seq = 2
    # When exactly one hashed value differs
    if key == "corrects":
        corrects_seq = 1
    else:
        attribute, value = EVERY_HASHED_KEY[key]
        setattr(event, attribute, value)
    # Then the key is in the canonical form and the hash differs from the pinned one
    content = chain.canonical_content(event, corrects_seq)
    assert f'"{key}":'.encode() in content
    assert content != PINNED_CORRECTION_CONTENT
    assert chain.event_hash(event, corrects_seq) != PINNED_CORRECTION_HASH


def test_the_canonical_form_hashes_exactly_the_documented_keys():
    content = json.loads(chain.canonical_content(_correction_with_photos(), 2))
    assert set(content) == {*EVERY_HASHED_KEY, "corrects"}


def test_a_correction_pointed_at_another_batchs_entry_is_found_as_unknown(app, diary):
    # Given an entry in the farm's other batch
    elsewhere = spray(diary.other_batch, 10)
    db.session.commit()
    # When the correction at seq 3 is made to point at it in the database
    _tamper(diary.events[3].id, corrects_id=elsewhere.id)
    # Then the chain says it corrects an entry this history does not hold
    _assert_broken_at(app, diary, 3, "corrects an unknown event")
