"""Overlap detection: pure functions over plain data; no SQL, no printing.

Intervals are half-open: a booking from 16:00 to 18:00 and one from 18:00 to 20:00 do not
overlap. Times are `YYYY-MM-DDTHH:MM` strings, which sort like the moments they name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
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
# Who an activity is for: the one audience test of parallel efforts, clashes and interfaces


@dataclass(frozen=True)
class Audience:
    """Who an activity is for: ages `age_min`–`age_max` in whole years (None: no limit), a
    gender (`all`, `female`, `male`) and life situations (`groups`: parents, job-seekers, ...).
    An audience with no age, no gender and no group is *open*: everyone is welcome."""

    age_min: int | None = None
    age_max: int | None = None
    gender: str = "all"
    groups: frozenset = frozenset()

    @property
    def open(self) -> bool:
        return self.age_min is None and self.age_max is None and self.gender == "all" and not self.groups


def shared_audience(a: Audience, b: Audience) -> Audience | None:
    """What two audiences have in common, or None when they do not overlap.

    They overlap when their age ranges overlap, their genders are compatible (equal, or one of
    them is `all`), and they share a life situation or neither has one. An open audience meets
    only another open one: an offer for everyone is not comparable to one for girls 13–17."""
    if a.open or b.open:
        return a if a.open and b.open else None
    low = max(a.age_min or 0, b.age_min or 0)
    high = b.age_max if a.age_max is None else a.age_max if b.age_max is None else min(a.age_max, b.age_max)
    if high is not None and low > high:
        return None
    if a.gender != b.gender and "all" not in (a.gender, b.gender):
        return None
    groups = a.groups & b.groups
    if (a.groups or b.groups) and not groups:
        return None
    aged = a.age_min is not None or a.age_max is not None or b.age_min is not None or b.age_max is not None
    return Audience(low if aged else None, high, a.gender if a.gender != "all" else b.gender, groups)


_UNKNOWN = object()


def remembered() -> Callable[[Audience, Audience], Audience | None]:
    """`shared_audience`, remembered by the identity of the two audiences: a report asks about
    the same few audiences (one object each, as the caller keeps them) again and again. Use it
    while the audiences live."""
    known: dict[tuple[int, int], Any] = {}

    def shared(a: Audience, b: Audience) -> Audience | None:
        key = (id(a), id(b))
        found = known.get(key, _UNKNOWN)
        if found is _UNKNOWN:
            found = known[key] = shared_audience(a, b)
        return found

    return shared


def comparable(a: "ActivityFacts", b: "ActivityFacts") -> bool:
    """The same kind of offer: the same type where both have one, else the same category."""
    if a.type is not None and b.type is not None:
        return a.type == b.type
    return a.category == b.category


def meet(a: "ActivityFacts", b: "ActivityFacts", shared: Callable[[Audience, Audience], Audience | None] = shared_audience) -> Audience | None:
    """The audience two offers have in common, or None: the audience test, where two offers
    open to everyone meet only when they are of the same type (or, where one has no type, the
    same category): two open offers of different kinds pull nobody two ways."""
    common = shared(a.audience, b.audience)
    if common is not None and common.open and not comparable(a, b):
        return None
    return common


# ---------------------------------------------------------------------------------------------
# The coordination report: room conflicts, parallel efforts, clashes


@dataclass(frozen=True)
class ActivityFacts:
    """What the report needs to know of an activity."""

    id: int
    centre_id: int
    area: str  # the centre's area, or a key of the centre alone when it has none
    category: str
    audience: Audience
    actors: frozenset  # lead and partners
    type: str | None = None
    internal: bool = False  # a meeting of the actors themselves: books rooms, is no offer


class Days:
    """Dates as bits of an int: bit n is `epoch` + n days. Sets of dates are intersected with
    `&` and counted with `bit_count()`, with no set or dict per occurrence."""

    def __init__(self, epoch: dt.date):
        self.epoch = epoch
        self._index: dict[str, int] = {}  # a date, or a start on that date, -> its bit

    def index(self, when: str) -> int:
        """The bit of a date (`YYYY-MM-DD`) or of the day of a start (`YYYY-MM-DDTHH:MM`)."""
        found = self._index.get(when)
        if found is None:
            found = self._index[when] = dt.date.fromisoformat(when[:10]).toordinal() - self.epoch.toordinal()
        return found

    def mask(self, days: Iterable[str]) -> int:
        get, index = self._index.get, self.index
        bits = 0
        for day in days:
            n = get(day)
            bits |= 1 << (index(day) if n is None else n)
        return bits

    def date(self, n: int) -> str:
        return (self.epoch + dt.timedelta(days=n)).isoformat()

    @staticmethod
    def first(bits: int) -> int:
        return (bits & -bits).bit_length() - 1

    @staticmethod
    def last(bits: int) -> int:
        return bits.bit_length() - 1

    @staticmethod
    def each(bits: int) -> Iterator[int]:
        while bits:
            low = bits & -bits
            yield low.bit_length() - 1
            bits ^= low


class Group:
    """The active occurrences of one activity (or the one-off bookings) in one room at one time
    of day on one weekday, each on a date of its own: `days`, a bit set of their dates, and
    `starts` and `ids` as the store read them (comma-separated, in the same order), turned into
    a date → booking map only when a room finding needs it."""

    __slots__ = ("room", "activity", "begins", "ends", "weekday", "days", "starts", "ids", "_bookings")

    def __init__(self, room: int, activity: int | None, begins: str, ends: str, weekday: Any, days: int, starts: str, ids: str):
        self.room, self.activity, self.begins, self.ends, self.weekday = room, activity, begins, ends, weekday
        self.days, self.starts, self.ids = days, starts, ids
        self._bookings: dict[int, int] | None = None

    def booking(self, calendar: Days, n: int) -> int:
        """The booking's id on day `n`."""
        if self._bookings is None:
            self._bookings = dict(zip(map(calendar.index, self.starts.split(",")), map(int, self.ids.split(","))))
        return self._bookings[n]


class Row(NamedTuple):
    """A single occurrence."""

    id: int  # the booking's
    room: int
    activity: int | None
    start: str
    end: str


def gather(rows: Iterable[tuple], spanning: Iterable[tuple], calendar: Days) -> tuple[list[Group], list[Row]]:
    """Groups from the store's rows (room, activity, begins, ends, weekday, starts, ids, count),
    and the occurrences that are checked one by one (`loose`): those that end on a later day than
    they start (`spanning`: the group's key, then id, start, end), and a second occurrence on a
    date its group has already."""
    across: dict[tuple, dict[int, tuple[str, str]]] = {}
    for *key, booking, start, end in spanning:
        across.setdefault(tuple(key), {})[booking] = (start, end)
    groups: list[Group] = []
    loose: list[Row] = []
    for room, activity, begins, ends, weekday, starts, ids, count in rows:
        key = (room, activity, begins, ends, weekday)
        if key not in across:
            days = calendar.mask(starts.split(","))
            if days.bit_count() == count:
                groups.append(Group(room, activity, begins, ends, weekday, days, starts, ids))
                continue
        apart = across.get(key, {})
        kept: dict[str, int] = {}
        for booking, start in zip(map(int, ids.split(",")), starts.split(",")):
            if booking in apart:
                loose.append(Row(booking, room, activity, *apart[booking]))
            elif start[:10] in kept:
                loose.append(Row(booking, room, activity, start, f"{start[:10]}T{ends}"))
            else:
                kept[start[:10]] = booking
        if kept:
            starts = ",".join(f"{day}T{begins}" for day in kept)
            groups.append(Group(room, activity, begins, ends, weekday, calendar.mask(kept), starts, ",".join(map(str, kept.values()))))
    return groups, loose


@dataclass
class Tally:
    """How often a pair met: `count` times, first at `first_start`–`first_end`, last at `last_start`."""

    count: int = 0
    first_start: str = ""
    first_end: str = ""
    last_start: str = ""
    last_end: str = ""

    def add(self, count: int, first: tuple[str, str], last: tuple[str, str]) -> None:
        self.count += count
        if not self.first_start or first[0] < self.first_start:
            self.first_start, self.first_end = first
        if last[0] > self.last_start:
            self.last_start, self.last_end = last


@dataclass
class RoomPair:
    """Two series in one room that overlap: each side is ("activity", id) or ("booking", id) for
    a one-off booking. `occurrences` holds (start, end, booking id, booking id) of the overlaps,
    the first booking id from the first side."""

    room: int
    sides: tuple
    occurrences: list = field(default_factory=list)


@dataclass
class Detection:
    rooms: dict  # (room, side, side) -> RoomPair
    parallel: dict  # (activity id, activity id) -> same_time (bool)
    clashes: dict  # (activity id, activity id) -> Tally
    seen: set  # activities with an active occurrence in the window


def parallel_candidates(
    activities: Iterable[ActivityFacts], shared: Callable[[Audience, Audience], Audience | None] = shared_audience
) -> dict[tuple[int, int], Audience]:
    """Pairs of offers (not internal) in the same area, of the same type (or, where one has no
    type, the same category), whose audiences overlap and whose actors share nobody; time aside.
    Maps each pair to the audience they share."""
    buckets: dict[tuple, dict[str | None, list[ActivityFacts]]] = {}
    for facts in activities:
        if not facts.internal:
            buckets.setdefault((facts.area, facts.category, facts.audience.open), {}).setdefault(facts.type, []).append(facts)
    found: dict[tuple[int, int], Audience] = {}

    def consider(a: ActivityFacts, b: ActivityFacts) -> None:
        if a.actors.isdisjoint(b.actors):
            common = shared(a.audience, b.audience)
            if common is not None:
                found[(a.id, b.id) if a.id < b.id else (b.id, a.id)] = common

    for by_type in buckets.values():
        untyped = by_type.get(None, [])
        for kind, members in by_type.items():
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    consider(a, b)
                if kind is not None:
                    for b in untyped:
                        consider(a, b)
    return found


def _meeting(items: list) -> Iterator[tuple]:
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
    day, last = dt.date.fromisoformat(start[:10]), dt.date.fromisoformat(end[:10])
    days = []
    while day <= last:
        days.append(day.isoformat())
        day += dt.timedelta(days=1)
    return days


def _overlap(a_start: str, a_end: str, b_start: str, b_end: str) -> tuple[str, str] | None:
    start, end = max(a_start, b_start), min(a_end, b_end)
    return (start, end) if start < end else None


def detect(
    groups: Iterable[Group],
    loose: Iterable[Row],
    activities: dict[int, ActivityFacts],
    calendar: Days,
    kinds: Iterable[str] = ("room", "parallel", "clash"),
) -> Detection:
    """All three kinds from the occurrences gathered by room, activity, time of day and weekday.

    Two groups meet when their times of day overlap (a sweep over start times within one room,
    centre or area and weekday) and they share a date (an `&` of their bit sets). A weekly
    activity is one group a weekday, so the work grows with the activities and the findings, not
    with the occurrences. A room finding is one per pair of series in a room (an activity, or a
    one-off booking), with every date they overlap. Whether two activities clash or run in
    parallel is asked only of offers (not internal meetings) whose audiences overlap (and, for
    parallel efforts, whose actors share nobody); the sweep only tells where and whether they meet. `loose` occurrences
    (across midnight, or a second one at a group's date and time) are checked one by one.
    """
    kinds = set(kinds)
    groups = list(groups)
    loose = [Row(*r) for r in loose]
    shared = remembered()
    seen = {g.activity for g in groups if g.activity is not None} | {r.activity for r in loose if r.activity is not None}

    def side(activity: int | None, booking: int) -> tuple[str, int]:
        return ("activity", activity) if activity is not None else ("booking", booking)

    rooms: dict[tuple, RoomPair] = {}

    def room_overlap(room: int, a: Row, b: Row) -> None:
        met = _overlap(a.start, a.end, b.start, b.end)
        if met is None:
            return
        first, second = side(a.activity, a.id), side(b.activity, b.id)
        if second < first:
            first, second, a, b = second, first, b, a
        pair = rooms.get((room, first, second))
        if pair is None:
            pair = rooms[(room, first, second)] = RoomPair(room, (first, second))
        pair.occurrences.append((met[0], met[1], a.id, b.id))

    if "room" in kinds:
        by_room: dict[tuple, list] = {}
        for g in groups:
            by_room.setdefault((g.room, g.weekday), []).append((g.begins, g.ends, g))
        for items in by_room.values():
            for (_, _, a), (_, _, b) in _meeting(items):
                common = a.days & b.days
                for n in calendar.each(common):
                    day = calendar.date(n)
                    room_overlap(a.room,
                                 Row(a.booking(calendar, n), a.room, a.activity, f"{day}T{a.begins}", f"{day}T{a.ends}"),
                                 Row(b.booking(calendar, n), b.room, b.activity, f"{day}T{b.begins}", f"{day}T{b.ends}"))
        for i, row in enumerate(loose):
            for begins, ends, g in (item for key, items in by_room.items() if key[0] == row.room for item in items):
                bits = g.days
                for day in _days(row.start, row.end):
                    n = calendar.index(day)
                    if n >= 0 and bits >> n & 1:
                        room_overlap(row.room, Row(g.booking(calendar, n), g.room, g.activity, f"{day}T{begins}", f"{day}T{ends}"), row)
            for other in loose[i + 1 :]:
                if other.room == row.room:
                    room_overlap(row.room, row, other)
        for pair in rooms.values():
            pair.occurrences.sort()

    # Clashes: per centre, groups of two offers that meet; whether the pair qualifies (audiences
    # that overlap; the actors do not matter: one actor can pull the same people two ways too)
    # is asked once per pair, only of pairs that meet.
    tallies: dict[tuple[int, int], Tally] = {}
    if "clash" in kinds:
        qualifies: dict[tuple[int, int], bool] = {}

        def clash_pair(a: int, b: int) -> tuple[int, int] | None:
            pair = (a, b) if a < b else (b, a)
            ok = qualifies.get(pair)
            if ok is None:
                fa, fb = activities[a], activities[b]
                ok = qualifies[pair] = meet(fa, fb, shared) is not None
            return pair if ok else None

        def tally(pair: tuple[int, int], count: int, first: tuple[str, str], last: tuple[str, str]) -> None:
            found = tallies.get(pair)
            if found is None:
                found = tallies[pair] = Tally()
            found.add(count, first, last)

        by_centre: dict[tuple, list] = {}
        for g in groups:
            if g.activity is not None and not activities[g.activity].internal:
                by_centre.setdefault((activities[g.activity].centre_id, g.weekday), []).append((g.begins, g.ends, g))
        for items in by_centre.values():
            for (_, _, a), (_, _, b) in _meeting(items):
                if a.activity == b.activity:
                    continue
                pair = clash_pair(a.activity, b.activity)
                if pair:
                    common = a.days & b.days
                    if common:
                        begins, ends = max(a.begins, b.begins), min(a.ends, b.ends)
                        first, last = calendar.date(calendar.first(common)), calendar.date(calendar.last(common))
                        tally(pair, common.bit_count(), (f"{first}T{begins}", f"{first}T{ends}"), (f"{last}T{begins}", f"{last}T{ends}"))
        loose_offers = [r for r in loose if r.activity is not None and not activities[r.activity].internal]
        for i, row in enumerate(loose_offers):
            centre = activities[row.activity].centre_id
            for begins, ends, g in (item for key, items in by_centre.items() if key[0] == centre for item in items):
                if g.activity == row.activity or not clash_pair(row.activity, g.activity):
                    continue
                bits = g.days
                for day in _days(row.start, row.end):
                    n = calendar.index(day)
                    if n >= 0 and bits >> n & 1:
                        met = _overlap(row.start, row.end, f"{day}T{begins}", f"{day}T{ends}")
                        if met:
                            tally(clash_pair(row.activity, g.activity), 1, met, met)
            for other in loose_offers[i + 1 :]:
                if other.activity != row.activity and activities[other.activity].centre_id == centre:
                    met = _overlap(row.start, row.end, other.start, other.end)
                    pair = met and clash_pair(row.activity, other.activity)
                    if pair:
                        tally(pair, 1, met, met)

    # Parallel efforts: the candidate pairs, and per area whether any of their occurrences meet.
    parallel = parallel_candidates((a for a in activities.values() if a.id in seen), shared) if "parallel" in kinds else {}
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
            for (_, _, a), (_, _, b) in _meeting(items):
                if b.activity in pending[a.activity] and a.days & b.days:
                    met_in_time(a.activity, b.activity)
        mine_loose = [r for r in loose if r.activity in pending]
        for i, row in enumerate(mine_loose):
            area = activities[row.activity].area
            for begins, ends, g in (item for key, items in by_area.items() if key[0] == area for item in items):
                if g.activity in pending[row.activity] and any(
                    calendar.index(day) >= 0 and g.days >> calendar.index(day) & 1
                    and _overlap(row.start, row.end, f"{day}T{begins}", f"{day}T{ends}")
                    for day in _days(row.start, row.end)
                ):
                    met_in_time(row.activity, g.activity)
            for other in mine_loose[i + 1 :]:
                if other.activity in pending[row.activity] and _overlap(row.start, row.end, other.start, other.end):
                    met_in_time(row.activity, other.activity)

    return Detection(
        rooms=rooms,
        parallel={pair: pair in same_time for pair in parallel},
        clashes=tallies,
        seen=seen,
    )
