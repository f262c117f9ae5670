"""The hash chain over a batch's history, and what it seals about the batch itself.

Each event's hash is SHA-256 of its canonical JSON content, which includes the previous
event's hash. Changing, removing or re-ordering any stored event, or shortening the
history, breaks the chain from that point: `verify()` finds where.

The chain also covers the batch's own facts, so that a change made directly in the
database to what the trace page states is found too:

- Its identity (farm, product, growing area, code): their digest, `facts_anchor()`, is the
  chain's start, the "previous hash" of the first event (and the batch's head while it
  has none). Batches whose first event was recorded before this (its previous hash is 64
  zeros) are *legacy*: their identity is not covered, and `ChainCheck.legacy` says so.
- Its harvest facts (harvest date, quantity, unit): they are derived from the standing
  harvest entries, and are checked against them.
- Its labels: each issue of labels is a "labels" event recording the run, its count and
  the digest of its serials (`serials_digest()`); every label of the batch must belong to
  such a run, and every run must still have exactly its serials. (Runs of a legacy batch
  issued before this are only checked to belong to the batch.)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from app.clock import VIETNAM
from traceability.models import Batch, BatchEvent, EventKind

GENESIS = "0" * 64
#: Names the canonical form of the facts anchor: a new form would get a new name.
FACTS_FORM = "batch-facts/1"


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _canonical(content: dict) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def canonical_content(event: BatchEvent, corrects_seq: int | None) -> bytes:
    """The event as hashed: sorted keys, no spaces, UTF-8; times in UTC to the second."""
    return _canonical(
        {
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
    )


def event_hash(event: BatchEvent, corrects_seq: int | None) -> str:
    return hashlib.sha256(canonical_content(event, corrects_seq)).hexdigest()


def canonical_facts(batch: Batch) -> bytes:
    """What a batch is, as sealed at its creation (migrations/versions/5c404f55efb2_* seals
    the batches that existed before with the same form)."""
    return _canonical(
        {
            "form": FACTS_FORM,
            "batch": batch.id,
            "farm": batch.farm_id,
            "product": batch.product_id,
            "growing_area": batch.growing_area_id,
            "code": batch.code,
        }
    )


def facts_anchor(batch: Batch) -> str:
    return hashlib.sha256(canonical_facts(batch)).hexdigest()


def serials_digest(serials: Iterable[str]) -> str:
    """One digest for a run's serials, whatever their order."""
    return hashlib.sha256("\n".join(sorted(serials)).encode()).hexdigest()


def effective_events(events: Sequence[BatchEvent]) -> list[BatchEvent]:
    """The events that stand: each corrected event replaced by its latest correction (an
    earlier correction of the same event stands no more than the event itself)."""
    latest: dict[int, BatchEvent] = {}
    for event in sorted(events, key=lambda e: e.seq):
        if event.corrects_id:
            latest[event.corrects_id] = event
    superseded = set(latest) | {
        e.id for e in events if e.corrects_id and latest[e.corrects_id] is not e
    }
    return [event for event in events if event.id not in superseded]


@dataclass(frozen=True)
class HarvestFacts:
    harvested_on: object
    quantity: Decimal | None
    unit: str | None


def harvest_facts(events: Sequence[BatchEvent]) -> tuple[HarvestFacts, BatchEvent | None]:
    """The batch's harvest date, quantity and unit as its standing history says (the latest
    harvest), with that harvest entry; all None before any harvest."""
    harvests = [e for e in effective_events(events) if e.kind == EventKind.HARVEST]
    if not harvests:
        return HarvestFacts(None, None, None), None
    harvest = max(harvests, key=lambda e: e.occurred_at)
    unit = harvest.details.get("unit")
    return HarvestFacts(
        harvest.occurred_at.astimezone(VIETNAM).date(),
        Decimal(str(harvest.details["quantity"])),
        str(unit)[:20] if unit is not None else None,
    ), harvest


#: What a ChainCheck found wrong: the history itself, or one of the batch's sealed facts.
HISTORY, IDENTITY, HARVEST, LABELS, RECALL = "history", "identity", "harvest", "labels", "recall"


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    events: int
    #: The first event (its seq) where the chain does not hold, when it does not.
    broken_at: int | None = None
    reason: str = ""
    #: HISTORY, or the sealed facts that no longer match (IDENTITY, HARVEST, LABELS, RECALL).
    part: str = HISTORY
    #: A batch from before its identity and labels were sealed (see the module's note).
    legacy: bool = False


@dataclass(frozen=True)
class IssuedLabel:
    """A label stored for the batch: its run, the batch that run was for, and its serial."""

    run_id: int
    run_batch_id: int
    serial: str


def _walk(batch: Batch, events: Sequence[BatchEvent], start: str) -> ChainCheck | None:
    """Recompute every hash in order; compare with what is stored and with the batch's own
    record of its last hash and count. None when it all holds."""
    seq_by_id = {event.id: event.seq for event in events}
    previous = start
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
    return None


def _check_harvest(batch: Batch, events: Sequence[BatchEvent]) -> str | None:
    facts, harvest = harvest_facts(events)
    stored = batch.quantity.quantize(Decimal("0.01")) if batch.quantity is not None else None
    recorded = facts.quantity.quantize(Decimal("0.01")) if facts.quantity is not None else None
    if batch.harvested_on != facts.harvested_on:
        return "the harvest date does not match the harvest recorded"
    if stored != recorded:
        return "the quantity does not match the harvest recorded"
    if harvest is not None and facts.unit is not None and batch.unit != facts.unit:
        return "the unit does not match the harvest recorded"
    return None


def _check_labels(
    batch: Batch, events: Sequence[BatchEvent], labels: Iterable[IssuedLabel], legacy: bool
) -> tuple[int, str] | None:
    by_run: dict[int, list[IssuedLabel]] = {}
    for label in labels:
        by_run.setdefault(label.run_id, []).append(label)
    for event in events:
        if event.kind != EventKind.LABELS:
            continue
        found = by_run.pop(event.details.get("run"), [])
        if len(found) != event.details.get("count") or serials_digest(
            label.serial for label in found
        ) != event.details.get("serials"):
            return event.seq, "a run's labels do not match the labels issued"
    for found in by_run.values():
        if not legacy or any(label.run_batch_id != batch.id for label in found):
            return len(events), "a label was not issued for this batch"
    return None


def recall_entry(events: Sequence[BatchEvent]) -> BatchEvent | None:
    """The recall recorded in the history, if any (a recall is never corrected)."""
    return next((event for event in events if event.kind == EventKind.RECALL), None)


def verify(
    batch: Batch, events: Sequence[BatchEvent], labels: Iterable[IssuedLabel] | None = None
) -> ChainCheck:
    """Check the history, then the batch's identity, harvest facts and (when given) labels
    against it."""
    count = len(events)
    start = events[0].prev_hash if events else batch.head_hash
    legacy = bool(events) and start == GENESIS
    broken = _walk(batch, events, start or GENESIS)
    if broken is not None:
        return broken
    if not legacy and start != facts_anchor(batch):
        return ChainCheck(
            False, count, 1 if events else 0, "the batch's product, area or code changed", IDENTITY
        )
    harvest = _check_harvest(batch, events)
    if harvest is not None:
        _, entry = harvest_facts(events)
        return ChainCheck(False, count, entry.seq if entry else count, harvest, HARVEST, legacy)
    if labels is not None:
        found = _check_labels(batch, events, labels, legacy)
        if found is not None:
            return ChainCheck(False, count, found[0], found[1], LABELS, legacy)
    recall = recall_entry(events)
    if recall is not None and not batch.is_recalled:
        return ChainCheck(False, count, recall.seq, "the recall was removed", RECALL, legacy)
    return ChainCheck(True, count, legacy=legacy)
