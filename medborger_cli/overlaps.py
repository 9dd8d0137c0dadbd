"""Overlap detection: pure functions over plain data; no SQL, no printing.

Intervals are half-open: a booking from 16:00 to 18:00 and one from 18:00 to 20:00 do not
overlap. Times are `YYYY-MM-DDTHH:MM` strings, which sort like the moments they name.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple


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


@dataclass
class Group:
    """The occurrences of one activity (or the one-off bookings) in one room at one time of day:
    `dates` maps each date to the booking's id."""

    room: int
    activity: int | None
    begins: str  # HH:MM
    ends: str  # HH:MM, on the same day
    dates: dict
    weekday: object = None  # the same for every date; only groups of one weekday can share a date


class Row(NamedTuple):
    """A single occurrence."""

    id: int  # the booking's
    room: int
    activity: int | None
    start: str
    end: str


@dataclass
class PairTally:
    count: int = 0
    first_start: str = ""
    first_end: str = ""


@dataclass
class Detection:
    rooms: list  # (row, row) pairs of bookings that overlap in one room
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


def _meeting_groups(items: list) -> Iterator[tuple]:
    """Pairs of (begins, ends, ...) items whose times of day overlap: a sweep over start times."""
    items.sort(key=lambda item: (item[0], item[1]))
    for i, first in enumerate(items):
        ends = first[1]
        for j in range(i + 1, len(items)):
            second = items[j]
            if second[0] >= ends:
                break
            yield first, second


def _days(start: str, end: str) -> list[str]:
    """The dates an occurrence touches."""
    from datetime import date, timedelta

    day, last = date.fromisoformat(start[:10]), date.fromisoformat(end[:10])
    days = []
    while day <= last:
        days.append(day.isoformat())
        day += timedelta(days=1)
    return days


def _overlap(a_start: str, a_end: str, b_start: str, b_end: str) -> tuple[str, str] | None:
    start, end = max(a_start, b_start), min(a_end, b_end)
    return (start, end) if start < end else None


def detect(
    groups: Iterable[Group],
    loose: Iterable[Row],
    activities: dict[int, ActivityFacts],
    kinds: Iterable[str] = ("room", "parallel", "clash"),
) -> Detection:
    """All three kinds from the occurrences gathered by room, activity, time of day and weekday.

    Two groups meet when their times of day overlap (a sweep over start times within one room,
    centre or area and weekday) and they share a date (a set intersection). A weekly activity is
    one group a weekday, so the work grows with the activities and the findings, not with the
    pairs of occurrences. Whether two activities clash (a shared target group, no shared actor)
    is asked only of pairs that meet; parallel efforts are the candidate pairs of their area,
    and the sweep only tells whether they ever meet. `loose` occurrences (across midnight, or a
    second one at a group's date and time) are checked one by one.
    """
    kinds = set(kinds)
    groups = list(groups)
    loose = [Row(*r) for r in loose]
    seen = {g.activity for g in groups if g.activity is not None} | {r.activity for r in loose if r.activity is not None}

    room_pairs: list[tuple[Row, Row]] = []
    if "room" in kinds:
        by_room: dict[tuple, list] = {}
        for g in groups:
            by_room.setdefault((g.room, g.weekday), []).append((g.begins, g.ends, g))
        for items in by_room.values():
            for (_, _, a), (_, _, b) in _meeting_groups(items):
                for day in a.dates.keys() & b.dates.keys():
                    room_pairs.append(
                        (Row(a.dates[day], a.room, a.activity, f"{day}T{a.begins}", f"{day}T{a.ends}"),
                         Row(b.dates[day], b.room, b.activity, f"{day}T{b.begins}", f"{day}T{b.ends}"))
                    )
        for i, row in enumerate(loose):
            for begins, ends, g in (item for key, items in by_room.items() if key[0] == row.room for item in items):
                for day in _days(row.start, row.end):
                    booking = g.dates.get(day)
                    if booking is not None and _overlap(row.start, row.end, f"{day}T{begins}", f"{day}T{ends}"):
                        room_pairs.append((Row(booking, g.room, g.activity, f"{day}T{begins}", f"{day}T{ends}"), row))
            for other in loose[i + 1 :]:
                if other.room == row.room and _overlap(row.start, row.end, other.start, other.end):
                    room_pairs.append((row, other))

    # Clashes: per centre, groups of two activities that meet; whether the pair qualifies
    # (a shared target group, no shared actor) is asked only of pairs that meet.
    tallies: dict[tuple[int, int], PairTally] = {}
    if "clash" in kinds:
        qualifies: dict[tuple[int, int], bool] = {}

        def clash_pair(a: int, b: int) -> tuple[int, int] | None:
            pair = (a, b) if a < b else (b, a)
            ok = qualifies.get(pair)
            if ok is None:
                fa, fb = activities[a], activities[b]
                ok = qualifies[pair] = not fa.targets.isdisjoint(fb.targets) and fa.actors.isdisjoint(fb.actors)
            return pair if ok else None

        def tally(pair: tuple[int, int], count: int, start: str, end: str) -> None:
            found = tallies.get(pair)
            if found is None:
                found = tallies[pair] = PairTally()
            found.count += count
            if not found.first_start or start < found.first_start:
                found.first_start, found.first_end = start, end

        by_centre: dict[tuple, list] = {}
        for g in groups:
            if g.activity is not None:
                by_centre.setdefault((activities[g.activity].centre_id, g.weekday), []).append((g.begins, g.ends, g))
        for items in by_centre.values():
            for (_, _, a), (_, _, b) in _meeting_groups(items):
                if a.activity == b.activity:
                    continue
                shared = a.dates.keys() & b.dates.keys()
                if shared:
                    pair = clash_pair(a.activity, b.activity)
                    if pair:
                        day = min(shared)
                        tally(pair, len(shared), f"{day}T{max(a.begins, b.begins)}", f"{day}T{min(a.ends, b.ends)}")
        loose_activities = [r for r in loose if r.activity is not None]
        for i, row in enumerate(loose_activities):
            centre = activities[row.activity].centre_id
            for begins, ends, g in (item for key, items in by_centre.items() if key[0] == centre for item in items):
                if g.activity == row.activity:
                    continue
                for day in _days(row.start, row.end):
                    if day in g.dates:
                        met = _overlap(row.start, row.end, f"{day}T{begins}", f"{day}T{ends}")
                        pair = met and clash_pair(row.activity, g.activity)
                        if pair:
                            tally(pair, 1, *met)
            for other in loose_activities[i + 1 :]:
                if other.activity != row.activity and activities[other.activity].centre_id == centre:
                    met = _overlap(row.start, row.end, other.start, other.end)
                    pair = met and clash_pair(row.activity, other.activity)
                    if pair:
                        tally(pair, 1, *met)

    # Parallel efforts: the candidate pairs, and per area whether any of their occurrences meet.
    parallel = parallel_candidates(activities.values()) if "parallel" in kinds else set()
    same_time: set[tuple[int, int]] = set()
    if parallel:
        pending: dict[int, set[int]] = {}
        for a, b in parallel:
            pending.setdefault(a, set()).add(b)
            pending.setdefault(b, set()).add(a)

        def met_in_time(a: int, b: int) -> None:
            same_time.add((a, b) if a < b else (b, a))
            pending[a].discard(b)
            pending[b].discard(a)

        by_area: dict[tuple, list] = {}
        for g in groups:
            if g.activity in pending:
                by_area.setdefault((activities[g.activity].area, g.weekday), []).append((g.begins, g.ends, g))
        for items in by_area.values():
            for (_, _, a), (_, _, b) in _meeting_groups(items):
                if b.activity in pending[a.activity] and not a.dates.keys().isdisjoint(b.dates.keys()):
                    met_in_time(a.activity, b.activity)
        mine_loose = [r for r in loose if r.activity in pending]
        for i, row in enumerate(mine_loose):
            area = activities[row.activity].area
            for begins, ends, g in (item for key, items in by_area.items() if key[0] == area for item in items):
                if g.activity in pending[row.activity] and any(
                    day in g.dates and _overlap(row.start, row.end, f"{day}T{begins}", f"{day}T{ends}")
                    for day in _days(row.start, row.end)
                ):
                    met_in_time(row.activity, g.activity)
            for other in mine_loose[i + 1 :]:
                if other.activity in pending[row.activity] and _overlap(row.start, row.end, other.start, other.end):
                    met_in_time(row.activity, other.activity)

    return Detection(
        rooms=room_pairs,
        parallel={pair: pair in same_time for pair in parallel if pair[0] in seen and pair[1] in seen},
        clashes=tallies,
        seen=seen,
    )
