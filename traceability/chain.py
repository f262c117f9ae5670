"""The hash chain over a batch's history.

Each event's hash is SHA-256 of its canonical JSON content, which includes the previous
event's hash (64 zeros for the first). Changing, removing or re-ordering any stored event,
or shortening the history, breaks the chain from that point: `verify()` finds where.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from traceability.models import Batch, BatchEvent

GENESIS = "0" * 64


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def canonical_content(event: BatchEvent, corrects_seq: int | None) -> bytes:
    """The event as hashed: sorted keys, no spaces, UTF-8; times in UTC to the second."""
    content = {
        "batch": event.batch_id,
        "seq": event.seq,
        "kind": event.kind,
        "occurred_at": _utc(event.occurred_at),
        "recorded_at": _utc(event.recorded_at),
        "recorded_by": event.recorded_by_id,
        "recorded_by_name": event.recorded_by_name,
        "place": event.place,
        "details": event.details,
        "note": event.note,
        "photos": list(event.photo_keys),
        "corrects": corrects_seq,
        "prev": event.prev_hash,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(event: BatchEvent, corrects_seq: int | None) -> str:
    return hashlib.sha256(canonical_content(event, corrects_seq)).hexdigest()


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    events: int
    #: The first event (its seq) where the chain does not hold, when it does not.
    broken_at: int | None = None
    reason: str = ""


def verify(batch: Batch, events: Sequence[BatchEvent]) -> ChainCheck:
    """Recompute every hash in order and compare with what is stored, and with the batch's
    own record of its last hash and count."""
    seq_by_id = {event.id: event.seq for event in events}
    previous = GENESIS
    for position, event in enumerate(events, start=1):
        if event.seq != position:
            return ChainCheck(False, len(events), position, "an event is missing")
        if event.prev_hash != previous:
            return ChainCheck(False, len(events), event.seq, "previous hash does not match")
        corrects_seq = seq_by_id.get(event.corrects_id) if event.corrects_id else None
        if event.corrects_id and corrects_seq is None:
            return ChainCheck(False, len(events), event.seq, "corrects an unknown event")
        if event_hash(event, corrects_seq) != event.hash:
            return ChainCheck(False, len(events), event.seq, "content does not match its hash")
        previous = event.hash
    if batch.event_count != len(events) or (batch.head_hash or GENESIS) != previous:
        return ChainCheck(False, len(events), len(events), "the history was shortened")
    return ChainCheck(True, len(events))
