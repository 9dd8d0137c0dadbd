"""Overlap detection: pure functions over plain data; no SQL, no printing.

Intervals are half-open: a booking from 16:00 to 18:00 and one from 18:00 to 20:00 do not
overlap. Times are `YYYY-MM-DDTHH:MM` strings, which sort like the moments they name.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Slot:
    """One booking, stored or proposed, of one room."""

    room: Hashable
    start: str
    end: str
    ref: Any = None  # the booking's id, or whatever the caller needs to find it again
    proposed: bool = False


def overlapping_pairs(slots: Iterable[Slot]) -> Iterator[tuple[Slot, Slot]]:
    """Every pair of slots in the same room whose intervals overlap, by sort and sweep.

    Slots are sorted by room and start; a sweep keeps the slots still open at the current
    start, so the work is O(n log n + pairs) rather than O(n²).
    """
    ordered = sorted(slots, key=lambda s: (str(type(s.room)), s.room, s.start, s.end))
    room: object = object()
    open_slots: list[Slot] = []
    for slot in ordered:
        if slot.room != room:
            room, open_slots = slot.room, []
        open_slots = [o for o in open_slots if o.end > slot.start]
        for other in open_slots:
            yield other, slot
        open_slots.append(slot)


def conflicts_of(proposed: Iterable[Slot], existing: Iterable[Slot]) -> list[tuple[Slot, Slot]]:
    """Pairs (proposed, other) where a proposed slot overlaps an existing or another proposed one.

    Pairs of two existing slots are not the proposal's business and are left out.
    """
    tagged = [Slot(s.room, s.start, s.end, s.ref, True) for s in proposed]
    tagged += [Slot(s.room, s.start, s.end, s.ref, False) for s in existing]
    found: list[tuple[Slot, Slot]] = []
    for a, b in overlapping_pairs(tagged):
        if b.proposed:
            found.append((b, a))
        elif a.proposed:
            found.append((a, b))
    found.sort(key=lambda pair: (pair[0].start, pair[1].start))
    return found
