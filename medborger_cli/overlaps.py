"""Overlap detection: pure functions over plain data; no SQL, no printing.

Intervals are half-open: a booking from 16:00 to 18:00 and one from 18:00 to 20:00 do not
overlap. Times are `YYYY-MM-DDTHH:MM` strings, which sort like the moments they name.
"""

from __future__ import annotations

from bisect import bisect_right
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


# ---------------------------------------------------------------------------------------------
# The coordination report: room conflicts, parallel efforts, target-group clashes


@dataclass(frozen=True)
class ActivityFacts:
    """What the report needs to know of an activity."""

    id: int
    centre_id: int
    area: str  # the centre's area, or a key of the centre alone when it has none
    category: str
    targets: frozenset
    actors: frozenset  # lead and partners


# An occurrence as the store streams it: (booking id, room id, activity id or None, start, end).
Row = tuple


@dataclass
class PairTally:
    count: int = 0
    first_start: str = ""
    first_end: str = ""

    def add(self, start: str, end: str) -> None:
        self.count += 1
        if not self.first_start or start < self.first_start:
            self.first_start, self.first_end = start, end


@dataclass
class Detection:
    rooms: list  # (row, row) pairs, the earlier-starting first
    parallel: dict  # (activity id, activity id) -> same_time (bool)
    clashes: dict  # (activity id, activity id) -> PairTally
    seen: set  # activities with an active occurrence in the window


def _pairs_sharing(group: list[ActivityFacts]) -> Iterator[tuple[int, int]]:
    """Pairs in `group` with a target group in common and no actor in common."""
    by_target: dict[str, list[ActivityFacts]] = {}
    for facts in group:
        for target in facts.targets:
            by_target.setdefault(target, []).append(facts)
    done: set[tuple[int, int]] = set()
    for members in by_target.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                pair = (a.id, b.id) if a.id < b.id else (b.id, a.id)
                if pair in done:
                    continue
                done.add(pair)
                if a.actors.isdisjoint(b.actors):
                    yield pair


def parallel_candidates(activities: Iterable[ActivityFacts]) -> set[tuple[int, int]]:
    """Same area, same category, a shared target group, no shared actor; time aside."""
    groups: dict[tuple[str, str], list[ActivityFacts]] = {}
    for facts in activities:
        groups.setdefault((facts.area, facts.category), []).append(facts)
    return {pair for group in groups.values() for pair in _pairs_sharing(group)}


def clash_candidates(activities: Iterable[ActivityFacts]) -> set[tuple[int, int]]:
    """Same centre, a shared target group, no shared actor; whether they meet in time is for the sweep."""
    groups: dict[int, list[ActivityFacts]] = {}
    for facts in activities:
        groups.setdefault(facts.centre_id, []).append(facts)
    return {pair for group in groups.values() for pair in _pairs_sharing(group)}


def detect(
    rows: Iterable[Row],
    activities: dict[int, ActivityFacts],
    kinds: Iterable[str] = ("room", "parallel", "clash"),
) -> Detection:
    """One sweep over active occurrences sorted by start finds all three kinds.

    Room conflicts: per room, the occurrences still open at each start. Clashes and the
    `same_time` of parallel efforts: per area, the open occurrences of activities that are in a
    candidate pair at all, kept sorted by end so that closing the finished ones is a bisect.
    The work is O(n log n + overlaps); nothing is compared pairwise over all bookings.
    """
    kinds = set(kinds)
    want_rooms = "room" in kinds
    facts = list(activities.values())
    parallel = parallel_candidates(facts) if "parallel" in kinds else set()
    clash = clash_candidates(facts) if "clash" in kinds else set()
    clash_with: dict[int, set[int]] = {}
    pending: dict[int, set[int]] = {}  # parallel partners not yet seen at the same time
    for a, b in clash:
        clash_with.setdefault(a, set()).add(b)
        clash_with.setdefault(b, set()).add(a)
    for a, b in parallel:
        pending.setdefault(a, set()).add(b)
        pending.setdefault(b, set()).add(a)
    area_of = {a: activities[a].area for a in clash_with.keys() | pending.keys()}
    nobody: set[int] = set()

    room_open: dict[int, list[Row]] = {}
    # per area: ends sorted, rows in the same order, the open rows of each activity
    areas: dict[str, tuple[list[str], list[Row], dict[int, list[Row]]]] = {}
    room_pairs: list[tuple[Row, Row]] = []
    same_time: set[tuple[int, int]] = set()
    tallies: dict[tuple[int, int], PairTally] = {}
    seen: set[int] = set()

    for row in rows:
        _, room, activity, start, end = row
        if want_rooms:
            open_here = room_open.get(room)
            if open_here is None:
                room_open[room] = [row]
            else:
                if open_here:
                    open_here = [o for o in open_here if o[4] > start]
                    room_open[room] = open_here
                for other in open_here:
                    room_pairs.append((other, row))
                open_here.append(row)
        if activity is None:
            continue
        seen.add(activity)
        area = area_of.get(activity)
        if area is None:
            continue
        state = areas.get(area)
        if state is None:
            state = areas[area] = ([], [], {})
        ends, open_rows, by_activity = state
        done = bisect_right(ends, start)
        if done:
            for closed in open_rows[:done]:
                still = by_activity[closed[2]]
                if len(still) == 1:
                    del by_activity[closed[2]]
                else:
                    still.remove(closed)
            del ends[:done], open_rows[:done]
        if by_activity:
            waiting = pending.get(activity, nobody)
            if waiting:
                for other_activity in by_activity.keys() & waiting:
                    same_time.add((other_activity, activity) if other_activity < activity else (activity, other_activity))
                    waiting.discard(other_activity)
                    pending[other_activity].discard(activity)
            for other_activity in by_activity.keys() & clash_with.get(activity, nobody):
                pair = (other_activity, activity) if other_activity < activity else (activity, other_activity)
                tally = tallies.get(pair)
                if tally is None:
                    tally = tallies[pair] = PairTally()
                for other in by_activity[other_activity]:
                    tally.add(start if start > other[3] else other[3], end if end < other[4] else other[4])
        at = bisect_right(ends, end)
        ends.insert(at, end)
        open_rows.insert(at, row)
        mine = by_activity.get(activity)
        if mine is None:
            by_activity[activity] = [row]
        else:
            mine.append(row)

    return Detection(
        rooms=room_pairs,
        parallel={pair: pair in same_time for pair in parallel if pair[0] in seen and pair[1] in seen},
        clashes=tallies,
        seen=seen,
    )
