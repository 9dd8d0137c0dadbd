"""The coordination reports: overlaps (room, parallel, clash) and collaboration.

Reads through the store, finds through the pure functions of `overlaps`, and returns plain
dicts in the shape the JSON output promises. Nothing here prints.
"""

from __future__ import annotations

import functools
from collections import Counter
from hashlib import sha1
from dataclasses import dataclass
from itertools import combinations
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only a type: reading commands never load sqlite-utils
    from sqlite_utils import Database

from . import rules, store, vocab
from .errors import BadInput
from .i18n import _, ngettext
from .overlaps import ActivityFacts, Audience, Days, detect, gather, remembered, shared_audience

KINDS = ("room", "clash", "parallel")  # most pressing first
KIND_WORDS = {"room": ("room conflict", "room conflicts"), "parallel": ("parallel effort", "parallel efforts"), "clash": ("clash", "clashes")}


@dataclass
class Scope:
    first: str | None = None
    last: str | None = None
    centre_id: int | None = None
    area: str | None = None  # the area's name as typed (matched case-insensitively)


def _area_key(row: dict[str, Any]) -> str:
    area = (row.get("area") or "").strip()
    return f"area:{store.name_key(area)}" if area else f"centre:{row['centre_id'] if 'centre_id' in row else row['id']}"


def finding_key(kind: str, *parts: Any) -> str:
    """A key from the ids a finding is about (`room_key`, `pair_key`), never from titles or
    times: the same finding keeps its key in every run, when an activity is renamed, and when a
    new date of the same pair comes along. Keys belong to one database (its ids)."""
    text = "\x1f".join((kind, *map(str, parts)))
    return f"{kind}-{sha1(text.encode('utf-8')).hexdigest()[:10]}"


def room_key(room_id: int, sides: Sequence[tuple[str, int]]) -> str:
    """Two series in one room: each side is ("activity", id) or ("booking", id) of a one-off."""
    return finding_key("room", room_id, *sorted(f"{kind}:{ref}" for kind, ref in sides))


def pair_key(kind: str, a: int, b: int) -> str:
    """Two activities (a clash or a parallel effort)."""
    return finding_key(kind, min(a, b), max(a, b))


def parse_key(key: str) -> str:
    value = (key or "").strip().lower()
    kind, _dash, digest = value.partition("-")
    if kind not in KINDS or len(digest) != 10 or any(c not in "0123456789abcdef" for c in digest):
        raise BadInput(_("'{key}' is not a finding key; keys look like room-3f9a0c12d4 (see `medborger overlaps`)").format(key=key),
                       field="keys", value=key)
    return value


# ---------------------------------------------------------------------------------------------
# Who an activity is for, in data and in words


def audience_of(row: dict[str, Any]) -> Audience:
    """The audience of a stored activity row (age_min, age_max, gender, target groups)."""
    groups = row.get("targets", row.get("target_groups")) or []
    low, high = row.get("age_min"), row.get("age_max")
    if not low and high is None:
        low = None  # from 0 with no upper limit: all ages
    return Audience(low if low is not None or high is None else 0, high, row.get("gender") or "all", frozenset(groups))


def audience_data(audience: Audience, internal: bool = False) -> dict[str, Any]:
    """An audience as JSON and files show it: `age` as --age takes it (`6-12`, `65-`, None for
    all ages), `gender` (all, female, male), `target_groups` (life situations; `everyone` when an
    offer is open to all; nothing for an internal meeting that names nobody)."""
    return {
        "age": rules.age_text(audience.age_min, audience.age_max),
        "gender": audience.gender,
        "target_groups": sorted(audience.groups) or ([vocab.EVERYONE] if audience.open and not internal else []),
    }


def ages_words(low: int | None, high: int | None) -> str | None:
    if low is None and high is None:
        return None
    if high is None:
        return _("aged {low}+").format(low=low)
    if not low:
        return _("aged up to {high}").format(high=high)
    if low == high:
        return _("aged {age}").format(age=low)
    return _("aged {low}–{high}").format(low=low, high=high)


def _people(audience: Audience) -> str:
    """The noun for an audience's people: its life situations, else by gender and age."""
    low, high, gender = audience.age_min or 0, audience.age_max, audience.gender
    young, adult = high is not None and high <= 17, low >= 18
    if audience.groups:
        if audience.groups == {"parents"} and gender != "all":
            return _("mothers") if gender == "female" else _("fathers")
        people = _(" or ").join(vocab.label(vocab.TARGET_GROUPS, g) for g in sorted(audience.groups))
        if gender == "female":
            return _("female {people}").format(people=people)
        if gender == "male":
            return _("male {people}").format(people=people)
        return people
    if gender == "female":
        return _("girls") if young else _("women") if adult else _("girls and women")
    if gender == "male":
        return _("boys") if young else _("men") if adult else _("boys and men")
    if high is not None and high <= 12:
        return _("children")
    if high is not None and high <= 29:
        return _("young people") if low >= 13 else _("children and young people")
    return _("people")


def audience_label(facts: dict[str, Any] | None) -> str:
    """Who an activity is for in a few words of the reader's language, for the printed pages and
    the report's groups: `børn`, `piger/kvinder, 13–17 år`, `forældre` (`children (6–12)`,
    `female, 13–17 years`, `parents`); empty for an internal meeting or a one-off."""
    if not facts or facts.get("internal"):
        return ""
    audience = audience_of(facts)
    if audience.open:
        return _("everyone")
    parts = []
    if audience.age_min is not None or audience.age_max is not None:
        low, high = audience.age_min or 0, audience.age_max
        band = next((b for b in vocab.AGE_BANDS.values() if (b.low, b.high) == (low, high)), None)
        parts.append(vocab.label(vocab.AGE_BANDS, band.code) if band else
                     _("{low}–{high} years").format(low=low, high=high) if high is not None else _("{low}+ years").format(low=low))
    if audience.gender != "all":
        parts.insert(0, vocab.label(vocab.GENDERS, audience.gender))
    parts += [vocab.label(vocab.TARGET_GROUPS, g) for g in sorted(audience.groups)]
    return ", ".join(parts)


def audience_words(audience: Audience) -> str:
    """Who an audience is, in words: `everyone`, `girls aged 13–17`, `mothers`, `job seekers aged 18–29`
    (in the reader's language: remembered per language)."""
    from .i18n import language

    return _audience_words(audience, language())


@functools.lru_cache(maxsize=4096)
def _audience_words(audience: Audience, language: str) -> str:
    if audience.open:
        return _("everyone")
    ages = ages_words(audience.age_min, audience.age_max)
    people = _people(audience)
    return _("{people} {ages}").format(people=people, ages=ages) if ages else people


def _day(value: str) -> str:
    return f"{value[8:10]}.{value[5:7]}.{value[:4]}"


# ---------------------------------------------------------------------------------------------
# The overlaps report


def overlaps(db: Database, kinds: list[str], scope: Scope, include_acknowledged: bool = False) -> list[dict[str, Any]]:
    """The findings of `kinds` in the scope, most pressing first, each with its key, what it is
    about (`shared`) and why it is reported (`why`, in words)."""
    centres = {c["id"]: c for c in store.centres(db)}
    for centre in centres.values():
        centre["area_key"] = _area_key(centre)
    wanted_areas = None
    if scope.centre_id is not None:
        wanted_areas = {centres[scope.centre_id]["area_key"]}
    if scope.area is not None:
        key = f"area:{store.name_key(scope.area)}"
        if not any(c["area_key"] == key for c in centres.values()):
            known = sorted({c["area"] for c in centres.values() if c["area"]})
            raise BadInput(_("no centre is in area '{area}'; known areas: {known}").format(area=scope.area, known=", ".join(known) or _("(none)")),
                           field="area", value=scope.area)
        wanted_areas = {key} if wanted_areas is None else wanted_areas & {key}
    room_centre = store.room_centres(db)
    room_ids = None
    if wanted_areas is not None:
        room_ids = [r for r, c in room_centre.items() if centres[c]["area_key"] in wanted_areas]

    facts_rows = store.activity_facts(db)
    by_id = {r["id"]: r for r in facts_rows}
    audiences: dict[Audience, Audience] = {}  # one object per audience: the detection remembers by identity

    def audience(row: dict[str, Any]) -> Audience:
        found = audience_of(row)
        return audiences.setdefault(found, found)

    facts = {
        r["id"]: ActivityFacts(
            id=r["id"],
            centre_id=r["centre_id"],
            area=centres[r["centre_id"]]["area_key"],
            category=r["category"],
            audience=audience(r),
            actors=frozenset(r["actor_ids"]),
            type=r["type"],
            internal=bool(r["internal"]),
        )
        for r in facts_rows
        if wanted_areas is None or centres[r["centre_id"]]["area_key"] in wanted_areas
    }
    findings: list[dict[str, Any]] = []
    epoch = store.first_active_day(db, scope.first)
    if epoch is not None:
        import datetime as dt

        calendar = Days(dt.date.fromisoformat(epoch))
        rows, spanning = store.occurrence_groups(db, scope.first, scope.last, room_ids)
        groups, loose = gather(rows, spanning, calendar)
        del rows
        found = detect(groups, loose, facts, calendar, kinds)
        del groups, loose
        findings = _findings(db, found, facts, by_id, centres, room_centre, scope, kinds)

    acks = store.acknowledgements(db)
    for finding in findings:
        ack = acks.get(finding["key"])
        finding["acknowledged"] = ack is not None
        finding["note"] = ack["note"] if ack else None
    if not include_acknowledged:
        findings = [f for f in findings if not f["acknowledged"]]
    order = {kind: i for i, kind in enumerate(KINDS)}

    def sort_key(f: dict[str, Any]) -> tuple:
        if f["kind"] == "parallel":
            return (order["parallel"], f["area"] or f["activities"][0]["centre"], f["category"], f["type"] or "", f["key"])
        return (order[f["kind"]], f["first"], f["centre"], f.get("room") or "", f["key"])

    findings.sort(key=sort_key)
    return findings


def _findings(db, found, facts, by_id, centres, room_centre, scope, kinds) -> list[dict[str, Any]]:
    actors = store.actor_names(db)
    shared_audience = remembered()
    described: dict[int, dict[str, Any]] = {}

    def activity(activity_id: int) -> dict[str, Any]:
        """An activity as findings show it; one dict per activity, shared between findings."""
        if activity_id not in described:
            row, f = by_id[activity_id], facts[activity_id]
            described[activity_id] = {
                "id": activity_id,
                "title": row["title"],
                "centre": row["centre"],
                "actors": [actors[a]["name"] for a in row["actor_ids"]],
                "category": f.category,
                "type": f.type,
                **audience_data(f.audience),
            }
        return described[activity_id]

    def pair_of(a: int, b: int) -> list[dict[str, Any]]:
        return [activity(a), activity(b)] if a < b else [activity(b), activity(a)]

    shared_seen: dict[tuple, dict[str, Any]] = {}

    def shared_data(a: int, b: int, common: Audience, place: str | None) -> dict[str, Any]:
        """What two activities share; one dict for each different answer, shared between findings."""
        fa, fb = facts[a], facts[b]
        kind = fa.type if fa.type is not None and fa.type == fb.type else None
        category = fa.category if fa.category == fb.category else None
        key = (kind, category, id(common), place)
        found = shared_seen.get(key)
        if found is None:
            found = shared_seen[key] = {
                "type": kind,
                "category": category,
                "ages": rules.age_text(common.age_min, common.age_max),
                "gender": common.gender,
                "groups": sorted(common.groups),
                "open": common.open,
                "area": place,
            }
        return found

    findings: list[dict[str, Any]] = []
    if "room" in kinds:
        one_offs = store.bookings_by_ids(db, sorted({ref for pair in found.rooms.values() for kind, ref in pair.sides if kind == "booking"}))
        firsts = store.bookings_by_ids(db, sorted({o[2 + i] for pair in found.rooms.values() for i in (0, 1) for o in pair.occurrences[:1]}))
        for (room, *sides), pair in found.rooms.items():
            centre_id = room_centre[room]
            if scope.centre_id is not None and centre_id != scope.centre_id:
                continue
            first, last = pair.occurrences[0], pair.occurrences[-1]
            series = []
            for i, (kind, ref) in enumerate(pair.sides):
                booking = firsts[first[2 + i]]
                if kind == "activity":
                    row = by_id[ref]
                    series.append({"activity_id": ref, "booking_id": None, "title": row["title"],
                                   "actor": actors[row["actor_ids"][0]]["name"], "start": booking["start"], "end": booking["end"]})
                else:
                    one = one_offs[ref]
                    series.append({"activity_id": None, "booking_id": ref, "title": one["title"], "actor": one["actor"],
                                   "start": one["start"], "end": one["end"]})
            room_name, centre_name = firsts[first[2]]["room"], centres[centre_id]["name"]
            count = len(pair.occurrences)
            why = ngettext(
                "{room} in {centre} is booked for both at the same time on {count} date, {first}.",
                "{room} in {centre} is booked for both at the same time on {count} dates, from {first} to {last}.",
                count,
            ).format(room=room_name, centre=centre_name, count=count, first=_day(first[0]), last=_day(last[0]))
            findings.append(
                {
                    "kind": "room",
                    "key": room_key(room, pair.sides),
                    "centre": centre_name,
                    "room": room_name,
                    "count": count,
                    "first": first[0],
                    "last": last[0],
                    "start": first[0],
                    "end": first[1],
                    "series": series,
                    "occurrences": [{"start": s, "end": e, "bookings": [x, y]} for s, e, x, y in pair.occurrences],
                    "shared": {"room": room_name, "centre": centre_name, "area": centres[centre_id]["area"] or centre_name},
                    "why": why,
                }
            )
    if "clash" in kinds:
        for (a, b), tally in found.clashes.items():
            if scope.centre_id is not None and facts[a].centre_id != scope.centre_id:
                continue
            common = shared_audience(facts[a].audience, facts[b].audience)
            centre_name = by_id[a]["centre"]
            if facts[a].actors.isdisjoint(facts[b].actors):
                why = ngettext(
                    "Both are for {audience} and held at the same time in {centre} on {count} date; their actors share nobody.",
                    "Both are for {audience} and held at the same time in {centre} on {count} dates; their actors share nobody.",
                    tally.count)
            else:  # one actor pulls the same people two ways at once: a clash all the same
                why = ngettext(
                    "Both are for {audience} and held at the same time in {centre} on {count} date, by the same actor.",
                    "Both are for {audience} and held at the same time in {centre} on {count} dates, by the same actor.",
                    tally.count)
            why = why.format(audience=audience_words(common), centre=centre_name, count=tally.count)
            findings.append(
                {
                    "kind": "clash",
                    "key": pair_key("clash", a, b),
                    "centre": centre_name,
                    "count": tally.count,
                    "first": tally.first_start,
                    "last": tally.last_start,
                    "start": tally.first_start,
                    "end": tally.first_end,
                    "shared": shared_data(a, b, common, centres[facts[a].centre_id]["area"] or centre_name),
                    "why": why,
                    "activities": pair_of(a, b),
                }
            )
    if "parallel" in kinds:
        for (a, b), same_time in found.parallel.items():
            if scope.centre_id is not None and scope.centre_id not in (facts[a].centre_id, facts[b].centre_id):
                continue
            common = shared_audience(facts[a].audience, facts[b].audience)
            area = centres[facts[a].centre_id]["area"] or None
            place = area or by_id[a]["centre"]
            if facts[a].type is not None and facts[a].type == facts[b].type:
                why = _("Both are {type} for {audience} in {area}; their actors share nobody.").format(
                    type=facts[a].type, audience=audience_words(common), area=place)
            else:
                why = _("Both are {category} offers for {audience} in {area}; their actors share nobody.").format(
                    category=vocab.label(vocab.CATEGORIES, facts[a].category), audience=audience_words(common), area=place)
            if same_time:
                why += " " + _("They are also held at the same time.")
            findings.append(
                {
                    "kind": "parallel",
                    "key": pair_key("parallel", a, b),
                    "area": area,
                    "category": facts[a].category,
                    "type": facts[a].type if facts[a].type == facts[b].type else None,
                    "same_time": same_time,
                    "shared": shared_data(a, b, common, place),
                    "why": why,
                    "activities": pair_of(a, b),
                }
            )
    return findings


def summary(findings: list[dict[str, Any]], kinds: list[str]) -> str:
    counts = Counter(f["kind"] for f in findings)
    parts = []
    for kind in KINDS:
        if kind in kinds:
            n = counts[kind]
            parts.append({"room": lambda: ngettext("{count} room conflict", "{count} room conflicts", n),
                          "parallel": lambda: ngettext("{count} parallel effort", "{count} parallel efforts", n),
                          "clash": lambda: ngettext("{count} clash", "{count} clashes", n)}[kind]().format(count=n))
    return ", ".join(parts)


# ---------------------------------------------------------------------------------------------
# The week at a glance


@dataclass
class CentreWeek:
    centre: dict[str, Any]
    rooms: list[dict[str, Any]]
    days: list  # the dates to show: Monday to Friday, and a weekend day when something happens then
    bookings: list[dict[str, Any]]
    notes: dict  # date -> "lukket: Juleferie" or the public holiday's name


@dataclass
class Week:
    monday: "dt.date"
    bookings: list[dict[str, Any]]  # every booking shown, each with `conflict` and `target_groups`
    conflicting: set[int]  # ids of active bookings that share their room at the same time
    centres: list[CentreWeek]


def week_to_show(today: "dt.date") -> tuple["dt.date", bool]:
    """The Monday of the week `schedule` shows without --week, and whether it is the coming
    week: on a Sunday the week a coordinator is planning is the next one."""
    import datetime as dt

    monday = today - dt.timedelta(days=today.weekday())
    if today.weekday() == 6:
        return monday + dt.timedelta(days=7), True
    return monday, False


def week(db: Database, centre_id: int | None, monday: "dt.date", *, room_id: int | None = None,
         actor_id: int | None = None) -> Week:
    """The week from `monday`, per centre: its rooms down, its days across. With `room_id` only
    that room; with `actor_id` only that actor's bookings (as lead or partner) and the rooms they
    are in. A booking is marked as a conflict when another active booking of its room overlaps
    it, whether or not that one is shown."""
    import datetime as dt

    from . import schedule
    from .overlaps import Slot, overlapping_pairs

    sunday = monday + dt.timedelta(days=6)
    window = {"first": monday.isoformat(), "last": sunday.isoformat()}
    rows = store.bookings(db, centre_id=centre_id, room_id=room_id, **window)
    active = [b for b in rows if b["status"] == "active"]
    conflicting = {s.ref for pair in overlapping_pairs(Slot(b["room_id"], b["start"], b["end"], b["id"]) for b in active) for s in pair}
    if actor_id is not None:
        theirs = {b["id"] for b in store.bookings(db, centre_id=centre_id, room_id=room_id, actor_id=actor_id, **window)}
        rows = [b for b in rows if b["id"] in theirs]
        conflicting &= theirs
    ids = sorted({b["activity_id"] for b in rows if b["activity_id"] is not None})
    targets, audiences = store.activity_targets(db, ids), store.activity_audiences(db, ids)
    for b in rows:
        b["conflict"] = b["id"] in conflicting
        b["target_groups"] = targets.get(b["activity_id"], [])
        facts = audiences.get(b["activity_id"])
        b["audience"] = None if facts is None else {**facts, "targets": b["target_groups"]}
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    holidays = schedule.danish_holidays(monday, sunday)
    if room_id is not None:
        centre_ids = [store.room_centres(db)[room_id]]
    elif centre_id is not None:
        centre_ids = [centre_id]
    else:
        centre_ids = [c["id"] for c in store.centres(db)]
    centres = []
    for cid in centre_ids:
        c = store.centre(db, cid)
        rooms = store.rooms(db, cid)
        used = [b for b in rows if b["centre_id"] == cid]
        if room_id is not None:
            rooms = [r for r in rooms if r["id"] == room_id]
        elif actor_id is not None:
            rooms = [r for r in rooms if any(b["room_id"] == r["id"] for b in used)]
        if not rooms:
            continue
        closures = closures_by_centre(db, cid).get(cid, [])
        notes = {}
        for day in days:
            closed = next((cl for cl in closures if cl.covers(day)), None)
            if closed:
                notes[day] = f"lukket: {closed.reason}"
            elif day in holidays:
                notes[day] = holidays[day]
        busy = {b["start"][:10] for b in used} | {b["end"][:10] for b in used if b["end"][:10] <= sunday.isoformat()}
        quiet_notes = [d for d in days if d.weekday() >= 5 and d in notes and d.isoformat() not in busy]
        rules = [schedule.Recurrence.from_row(a) for a in store.activities(db, centre_id=cid)] if quiet_notes else []
        # a weekend day is shown when something happens on it, or when a holiday or closure took
        # away an activity that would have been held on it (so that the skipped date is seen)
        skipped = {d for d in quiet_notes if any(schedule.occurs_on(rule, d) for rule in rules)}
        shown = [d for d in days if d.weekday() < 5 or d.isoformat() in busy or d in skipped]
        centres.append(CentreWeek(c, rooms, shown, used, notes))
    return Week(monday, rows, conflicting, centres)


# ---------------------------------------------------------------------------------------------
# Free rooms


SEASON_LAST_WEEK = 26  # a season runs from week 33 to week 26 of the next year (DOMAIN.md)


def season_end(day: "dt.date") -> "dt.date":
    """The Sunday of week 26 that ends the season `day` is in (or, in the summer weeks 27 to
    32, the season that starts after it)."""
    import datetime as dt

    iso = day.isocalendar()
    year = iso.year + 1 if iso.week > SEASON_LAST_WEEK else iso.year
    return dt.date.fromisocalendar(year, SEASON_LAST_WEEK, 7)


def slot_dates(weekdays: Sequence[int], first: "dt.date", last: "dt.date", every: int = 1) -> list["dt.date"]:
    """The dates on `weekdays` (0 is Monday) from `first` to `last`, every `every` weeks counted
    from the week of `first`, as `add-activity --every` counts them."""
    import datetime as dt

    monday = first - dt.timedelta(days=first.weekday())
    found = []
    day = first
    while day <= last:
        if day.weekday() in weekdays and ((day - monday).days // 7) % every == 0:
            found.append(day)
        day += dt.timedelta(days=1)
    return found


def free_rooms(db: Database, dates: Sequence["dt.date"], start: "dt.time", end: "dt.time", *,
               centre_id: int | None = None, capacity: int | None = None) -> dict[str, Any]:
    """Which rooms are free at `start`–`end` on every one of `dates`.

    Returns `rooms`: one dict per room in scope (seating at least `capacity` when given), with
    `collisions` (every active booking overlapping the time on one of the dates: date, id, title,
    actor, start, end), `closed` (dates inside the centre's closures, with the reason),
    `holidays` (public holidays among the dates) and `free_dates` (dates with neither), sorted by
    the number of dates that collide, then centre and room; `no_capacity`: rooms left out by
    `capacity` because no seat count is recorded. A booking overlaps when it starts before the
    time ends and ends after it starts (one ending at 17:00 leaves 17:00 free)."""
    from . import schedule

    rooms = store.rooms(db, centre_id)
    no_capacity = []
    if capacity is not None:
        no_capacity = [r for r in rooms if r["capacity"] is None]
        rooms = [r for r in rooms if r["capacity"] is not None and r["capacity"] >= capacity]
    every_room = centre_id is None and capacity is None
    room_ids = None if every_room else [r["id"] for r in rooms]
    days = [d.isoformat() for d in dates]
    slots = [(d, f"{d}T{start:%H:%M}", f"{d}T{end:%H:%M}") for d in days]
    colliding: dict[int, list[dict[str, Any]]] = {}
    seen = set()
    for row in store.bookings_in_slots(db, slots, room_ids) if slots and rooms else []:
        seen.add((row["id"], row["day"]))
        colliding.setdefault(row["room_id"], []).append(row)
    if slots and rooms:
        for row in store.running_over_midnight(db, slots[0][1], slots[-1][2], room_ids):
            for day, begins, ends in slots:
                if row["start"] < ends and row["end"] > begins and (row["id"], day) not in seen:
                    colliding.setdefault(row["room_id"], []).append({**row, "day": day})
    holidays = {d: n for d, n in schedule.danish_holidays(dates[0], dates[-1]).items() if d in set(dates)} if dates else {}
    closures: dict[int, list[schedule.Closure]] = {}
    found = []
    for room in rooms:
        if room["centre_id"] not in closures:
            closures[room["centre_id"]] = closures_by_centre(db, room["centre_id"]).get(room["centre_id"], [])
        closed = []
        for day in dates:
            closure = next((c for c in closures[room["centre_id"]] if c.covers(day)), None)
            if closure:
                closed.append({"date": day.isoformat(), "reason": closure.reason})
        collisions = sorted(
            ({"date": c["day"], "id": c["id"], "title": c["title"], "actor": c["actor"], "start": c["start"], "end": c["end"]}
             for c in colliding.get(room["id"], [])),
            key=lambda c: (c["date"], c["start"], c["id"]),
        )
        taken = {c["date"] for c in collisions} | {c["date"] for c in closed}
        found.append({
            "centre": room["centre"], "centre_id": room["centre_id"], "room": room["name"], "room_id": room["id"],
            "capacity": room["capacity"], "dates": len(dates), "free_dates": len(dates) - len(taken),
            "collisions": collisions, "closed": closed,
            "holidays": [{"date": d.isoformat(), "name": n} for d, n in sorted(holidays.items())],
        })
    found.sort(key=lambda r: (len({c["date"] for c in r["collisions"]}), len(r["collisions"]), r["free_dates"] == 0,
                              store.name_key(r["centre"]), store.name_key(r["room"]), r["room_id"]))
    return {"rooms": found, "no_capacity": no_capacity}


# ---------------------------------------------------------------------------------------------
# Collaboration


def collaboration(db: Database, scope: Scope) -> list[dict[str, Any]]:
    """Per centre: actors by sector, joint activities, who works with whom, and interfaces
    worth a conversation: two actors who run nothing together but whose offers are for audiences
    that overlap (the audience test of the overlaps report), ranked by how many of their offers
    meet that way. Internal meetings are not offers: they are counted apart and left out of the
    rest; open offers (for everyone) make no interface."""
    actors = store.actor_names(db)
    rows = store.activities(db, centre_id=scope.centre_id, first=scope.first, last=scope.last)
    facts = {r["id"]: r for r in store.activity_facts(db)}

    def by_name(actor_id: int) -> tuple:
        return (store.name_key(actors[actor_id]["name"]), actors[actor_id]["name"])

    report = []
    for centre in store.centres(db):
        if scope.centre_id is not None and centre["id"] != scope.centre_id:
            continue
        mine = [r for r in rows if r["centre_id"] == centre["id"]]
        offers = [r for r in mine if not r["internal"]]
        if not mine:
            continue
        audiences = {r["id"]: audience_of(facts[r["id"]]) for r in offers}
        actor_activities: dict[int, list[dict]] = {}
        pair_joint: dict[tuple[int, int], list[str]] = {}
        joint = cross = 0
        for row in offers:
            ids = facts[row["id"]]["actor_ids"]
            for actor_id in ids:
                actor_activities.setdefault(actor_id, []).append(row)
            if len(ids) > 1:
                joint += 1
                if len({actors[a]["sector"] for a in ids}) > 1:
                    cross += 1
                for a, b in combinations(sorted(ids, key=by_name), 2):
                    pair_joint.setdefault((a, b), []).append(row["title"])
        actor_rows = []
        for a, acts in actor_activities.items():
            served = {audiences[r["id"]] for r in acts}
            actor_rows.append({
                "name": actors[a]["name"],
                "sector": actors[a]["sector"],
                "activities": len(acts),
                "joint": sum(1 for r in acts if len(facts[r["id"]]["actor_ids"]) > 1),
                "target_groups": sorted({g for x in served for g in x.groups} | ({vocab.EVERYONE} if any(x.open for x in served) else set())),
                "audiences": sorted({audience_words(x) for x in served}),
            })
        actor_rows.sort(key=lambda r: (r["sector"], store.name_key(r["name"]), r["name"]))
        pairs = [
            {
                "actors": [actors[a]["name"], actors[b]["name"]],
                "sectors": [actors[a]["sector"], actors[b]["sector"]],
                "count": len(titles),
                "activities": sorted(titles),
            }
            for (a, b), titles in pair_joint.items()
        ]
        pairs.sort(key=lambda p: (-p["count"], [store.name_key(a) for a in p["actors"]]))
        interfaces = []
        for a, b in combinations(sorted(actor_activities, key=by_name), 2):
            if (a, b) in pair_joint:
                continue
            meets = []
            for x in actor_activities[a]:
                for y in actor_activities[b]:
                    common = shared_audience(audiences[x["id"]], audiences[y["id"]])
                    if common is not None and not common.open:
                        meets.append((x, y, common))
            if meets:
                shared = sorted({audience_words(common) for *pair, common in meets})
                same_kind = sum(1 for x, y, common in meets if (x["type"] and x["type"] == y["type"]) or x["category"] == y["category"])
                interfaces.append(
                    {
                        "actors": [actors[a]["name"], actors[b]["name"]],
                        "sectors": [actors[a]["sector"], actors[b]["sector"]],
                        "count": len(meets),
                        "same_kind": same_kind,
                        "activities": sorted([x["title"], y["title"]] for x, y, common in meets),
                        "target_groups": sorted({g for *pair, common in meets for g in common.groups}),
                        "audiences": shared,
                        "why": ngettext(
                            "{count} of their offers are for the same people ({audiences}); they run nothing together.",
                            "{count} pairs of their offers are for the same people ({audiences}); they run nothing together.",
                            len(meets),
                        ).format(count=len(meets), audiences="; ".join(shared)),
                    }
                )
        interfaces.sort(key=lambda i: (-i["count"], -i["same_kind"], [store.name_key(a) for a in i["actors"]]))
        report.append(
            {
                "centre": centre["name"],
                "area": centre["area"],
                "sectors": dict(sorted(Counter(r["sector"] for r in actor_rows).items())),
                "activities": len(offers),
                "internal_meetings": len(mine) - len(offers),
                "joint_activities": joint,
                "cross_sector": cross,
                "actors": actor_rows,
                "pairs": pairs,
                "interfaces": interfaces,
            }
        )
    return report


# ---------------------------------------------------------------------------------------------
# Flat rows of the reports, for CSV


def overlap_rows(findings: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Findings flattened to one row each, for CSV files."""
    flat = []
    for f in findings:
        shared = f.get("shared") or {}
        row = {"kind": f["kind"], "key": f["key"], "centre": f.get("centre"), "area": f.get("area"),
               "room": f.get("room"), "category": shared.get("category", f.get("category")), "type": shared.get("type"),
               "ages": shared.get("ages"), "gender": shared.get("gender"), "target_groups": shared.get("groups"),
               "first": f.get("first"), "last": f.get("last"), "count": f.get("count"), "same_time": f.get("same_time"),
               "why": f["why"], "acknowledged": f["acknowledged"], "note": f["note"]}
        for side, item in zip("ab", f.get("series") or f["activities"]):
            row[f"{side}_title"] = item["title"]
            row[f"{side}_actors"] = item.get("actors") or [item.get("actor")]
            row[f"{side}_centre"] = item.get("centre") or f.get("centre")
        flat.append(row)
    return flat


OVERLAP_COLUMNS = [
    "kind", "key", "centre", "area", "room", "category", "type", "ages", "gender", "target_groups", "first", "last", "count",
    "same_time", "why", "a_title", "a_actors", "a_centre", "b_title", "b_actors", "b_centre", "acknowledged", "note",
]


def collaboration_rows(report: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for centre in report:
        for p in centre["pairs"]:
            rows.append({"centre": centre["centre"], "kind": "joint", "actor_a": p["actors"][0], "sector_a": p["sectors"][0],
                         "actor_b": p["actors"][1], "sector_b": p["sectors"][1], "joint_activities": p["count"],
                         "activities": p["activities"], "target_groups": []})
        for i in centre["interfaces"]:
            rows.append({"centre": centre["centre"], "kind": "interface", "actor_a": i["actors"][0], "sector_a": i["sectors"][0],
                         "actor_b": i["actors"][1], "sector_b": i["sectors"][1], "joint_activities": 0,
                         "activities": [" / ".join(pair) for pair in i["activities"]], "target_groups": i["target_groups"],
                         "audiences": i["audiences"]})
    return rows


COLLABORATION_COLUMNS = ["centre", "kind", "actor_a", "sector_a", "actor_b", "sector_b", "joint_activities", "activities", "target_groups",
                         "audiences"]


# ---------------------------------------------------------------------------------------------
# The report to the steering group: activities, sessions and attendance per group

REPORT_BY = ("focus", "category", "type", "actor", "centre", "target")
REPORT_FIELDS = [
    "group", "label", "internal", "activities", "sessions_held", "sessions_planned", "sessions_cancelled",
    "cancelled_closure", "cancelled_other", "skipped_holiday", "skipped_closure", "hours", "sessions_with_attendance",
    "attendance_total", "attendance_average", "new_participants", "female", "male", "age_bands", "capacity_use",
]
_SUMS = ("sessions_held", "sessions_planned", "sessions_cancelled", "cancelled_closure", "minutes",
         "sessions_with_attendance", "attendance_total", "new_participants", "female", "male", "capacity", "seated",
         "skipped_holiday", "skipped_closure")


@dataclass
class ReportScope:
    first: str
    last: str
    by: str = "focus"
    centre_id: int | None = None
    area: str | None = None
    today: Any = None  # dt.date: sessions up to and including it are held


def _group_keys(by: str, fact: dict[str, Any]) -> list[Any]:
    if by == "target":
        return _target_keys(fact)
    return [fact.get(by)]


def _target_keys(fact: dict[str, Any]) -> list[Any]:
    """Who an activity is for, as `--by target` groups it: each life situation it names
    (`parents`, `job-seekers`), `everyone` for an offer open to all, else its audience by age
    and gender (`13-17 female`, `6-12`, `female`); a one-off booking without an activity, None."""
    if "id" not in fact:
        return [None]
    audience = audience_of(fact)
    if audience.groups:
        return sorted(audience.groups)
    if audience.open:
        return [vocab.EVERYONE]
    age = rules.age_text(audience.age_min, audience.age_max)
    return [" ".join(part for part in (age, None if audience.gender == "all" else audience.gender) if part)]


def _target_label(code: str) -> str:
    if code in vocab.TARGET_GROUPS:
        return vocab.label(vocab.TARGET_GROUPS, code)
    age, _, gender = code.partition(" ")
    if age in vocab.GENDERS:
        age, gender = "", age
    low, high = rules.age_range(age) if age else (None, None)
    return audience_label({"age_min": low, "age_max": high, "gender": gender or "all", "targets": []})


def _group_label(by: str, code: Any, periods: set) -> str:
    from . import vocab

    if code is None:
        from .i18n import pgettext

        # one-off bookings have no activity; an activity may have no focus area
        return {"focus": pgettext("report group", "No focus area"), "category": pgettext("report group", "No activity"),
                "type": pgettext("report group", "No activity"), "target": pgettext("report group", "No target group")}.get(by, "–")
    if by == "focus":
        return vocab.focus_label(code, next(iter(periods)) if len(periods) == 1 else None)
    if by == "category":
        return vocab.label(vocab.CATEGORIES, code)
    if by == "target":
        return _target_label(code)
    if by == "type":
        types = getattr(vocab, "ACTIVITY_TYPES", None)  # comes with "Sharper findings"
        return vocab.label(types, code) if isinstance(types, dict) and code in types else vocab.label(vocab.CATEGORIES, code)
    return str(code)


def _group_order(by: str, code: Any) -> tuple:
    from . import vocab

    if code is None:
        return (2, "")
    vocabulary = {"focus": vocab.FOCUS_AREAS, "category": vocab.CATEGORIES, "target": vocab.TARGET_GROUPS}.get(by)
    if vocabulary and code in vocabulary:
        return (0, f"{list(vocabulary).index(code):04d}")
    if by == "target":  # audiences by age, youngest first, then by gender only
        age = str(code).split(" ")[0]
        return (1, f"{int(age.split('-')[0]):04d} {code}" if age[:1].isdigit() else f"9999 {code}")
    return (1, store.name_key(str(code)))


def report_window(first: str | None, last: str | None, season: str | None, quarter: str | None, today) -> tuple[str, str]:
    """The report's window: --from/--until, a season (2026/27), a quarter (2027Q1), or by
    default the season that holds today."""
    from . import schedule

    given = [name for name, value in (("from", first or last), ("season", season), ("quarter", quarter)) if value]
    if len(given) > 1:
        raise BadInput(_("give one of {field:from}/{field:until}, {field:season} and {field:quarter}"), field=given[1])
    if season:
        begin, end = schedule.season_window(season)
    elif quarter:
        begin, end = schedule.quarter_window(quarter)
    elif first or last:
        begin = schedule.parse_date(first, "from") if first else None
        end = schedule.parse_date(last, "until") if last else None
        if begin is None or end is None:
            s_begin, s_end = schedule.season_of(begin or end)
            begin, end = begin or s_begin, end or s_end
        if end < begin:
            raise BadInput(_("{until} is before {{field:from}} {first}").format(until=schedule.long_day(end), first=schedule.long_day(begin)), field="until", value=last)
    else:
        begin, end = schedule.season_of(today)
    return begin.isoformat(), end.isoformat()


def _skipped_dates(db: Database, facts: dict[int, dict[str, Any]], activity_ids: list[int], first: str, last: str,
                   closures: dict[int, list]) -> dict[int, dict[str, int]]:
    """Per activity, the dates of its rule in the window that were not booked because of a
    public holiday or a closure (those are no sessions, so not among the cancelled ones)."""
    import datetime as dt

    from . import schedule

    if not activity_ids:
        return {}
    begin, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    holidays = schedule.danish_holidays(begin, end)
    rules = {r["id"]: r for r in store.report_rules(db, activity_ids)}
    candidates: dict[dt.date, dict[int, str]] = {}
    for activity_id, row in rules.items():
        rule = schedule.Recurrence.from_row(row)
        centre_closures = closures.get(row["centre_id"], [])
        days = set() if row["include_holidays"] else set(holidays)
        for closure in centre_closures:
            day = max(closure.date_from, begin)
            while day <= min(closure.date_until, end):
                days.add(day)
                day += dt.timedelta(days=1)
        for day in days:
            if not begin <= day <= end or not schedule.occurs_on(rule, day):
                continue
            reason = "skipped_closure" if any(c.covers(day) for c in centre_closures) else "skipped_holiday"
            candidates.setdefault(day, {})[activity_id] = reason
    skipped: dict[int, dict[str, int]] = {}
    for day, wanted in candidates.items():
        booked = store.activity_dates_booked(db, list(wanted), day.isoformat())
        for activity_id, reason in wanted.items():
            if activity_id not in booked:
                counts = skipped.setdefault(activity_id, {})
                counts[reason] = counts.get(reason, 0) + 1
    return skipped


def attendance_report(db: Database, scope: ReportScope) -> dict[str, Any]:
    """The report to the steering group: per group (focus area, category, type, actor, centre
    or target group), the activities, the sessions held, planned and cancelled (and why), the
    hours, the attendance registered and whom it reached. Internal meetings are groups apart.

    Sessions on or before `scope.today` are held; later ones are planned. A booking without
    an activity counts as an activity of its own (no focus, category or target group)."""
    import datetime as dt

    if scope.by not in REPORT_BY:
        raise BadInput(_("'{by}' is not a grouping; use one of {groupings}").format(by=scope.by, groupings=", ".join(REPORT_BY)), field="by", value=scope.by)
    centres = {c["id"]: c for c in store.centres(db)}
    room_ids = None
    if scope.area is not None:
        key = store.name_key(scope.area)
        wanted = {i for i, c in centres.items() if c["area"] and store.name_key(c["area"]) == key}
        if not wanted:
            known = sorted({c["area"] for c in centres.values() if c["area"]})
            raise BadInput(_("no centre is in area '{area}'; known areas: {known}").format(area=scope.area, known=", ".join(known) or _("(none)")),
                           field="area", value=scope.area)
        if scope.centre_id is not None:
            wanted &= {scope.centre_id}
        room_ids = [r for r, c in store.room_centres(db).items() if c in wanted]
    elif scope.centre_id is not None:
        room_ids = [r for r, c in store.room_centres(db).items() if c == scope.centre_id]
    held_before = (scope.today + dt.timedelta(days=1)).isoformat()
    facts = store.report_facts(db)
    actors = store.actor_names(db)
    sessions = store.report_sessions(db, scope.first, scope.last, held_before, room_ids)
    bands: dict[tuple, dict[str, int]] = {}
    for activity_id, lone, band, count in store.report_age_bands(db, scope.first, scope.last, held_before, room_ids):
        bands.setdefault((activity_id, lone), {})[band] = count
    activity_ids = [row[0] for row in sessions if row[0] is not None]
    skipped = _skipped_dates(db, facts, activity_ids, scope.first, scope.last, closures_by_centre(db))

    groups: dict[tuple, dict[str, Any]] = {}
    total = _empty_group(None, "I alt", False)  # the offers to residents: internal meetings are counted apart
    internal_total = _empty_group(None, "Interne møder i alt", True)
    for row in sessions:
        activity_id, lone, lone_actor, lone_centre, lone_title = row[:5]
        numbers = dict(zip(("sessions_held", "sessions_planned", "sessions_cancelled", "cancelled_closure", "minutes",
                            "sessions_with_attendance", "attendance_total", "new_participants", "female", "male",
                            "capacity", "seated"), row[5:]))
        numbers.update(skipped.get(activity_id, {}) if activity_id is not None else {})
        if activity_id is not None:
            fact = facts[activity_id]
        else:
            fact = {"focus": None, "category": None, "type": None, "targets": [], "internal": False,
                    "actor": actors[lone_actor]["name"], "centre": centres[lone_centre]["name"], "funding_period": None}
        age = bands.get((activity_id, lone), {})
        _add(internal_total if fact["internal"] else total, numbers, age, fact)
        for code in _group_keys(scope.by, fact):
            key = (fact["internal"], code)
            if key not in groups:
                groups[key] = _empty_group(code, None, fact["internal"])
            _add(groups[key], numbers, age, fact)
    ordered = sorted(groups.items(), key=lambda item: (item[0][0], _group_order(scope.by, item[0][1])))
    result = [_finish(g, scope.by) for _, g in ordered]
    return {"first": scope.first, "last": scope.last, "held_until": min(scope.today.isoformat(), scope.last), "by": scope.by,
            "groups": result, "total": _finish(total, scope.by, label="I alt"),
            "internal_total": _finish(internal_total, scope.by, label="Interne møder i alt")}


def _empty_group(code: Any, label: str | None, internal: bool) -> dict[str, Any]:
    return {"group": code, "label": label, "internal": internal, "activities": 0, "age_bands": {}, "periods": set(),
            **{k: 0 for k in _SUMS}}


def _add(group: dict[str, Any], numbers: dict[str, Any], age: dict[str, int], fact: dict[str, Any]) -> None:
    group["activities"] += 1
    for key in _SUMS:
        group[key] += numbers.get(key) or 0
    for band, n in age.items():
        group["age_bands"][band] = group["age_bands"].get(band, 0) + n
    group["periods"].add(fact.get("funding_period"))


def _band_order(band: str) -> int:
    return int(band.split("-")[0]) if band.split("-")[0].isdigit() else 999


def _finish(group: dict[str, Any], by: str, label: str | None = None) -> dict[str, Any]:
    with_attendance = group["sessions_with_attendance"]
    out = {
        "group": group["group"],
        "label": label or _group_label(by, group["group"], group["periods"]),
        "internal": group["internal"],
        "activities": group["activities"],
        **{k: group[k] for k in ("sessions_held", "sessions_planned", "sessions_cancelled", "cancelled_closure")},
        "cancelled_other": group["sessions_cancelled"] - group["cancelled_closure"],
        "skipped_holiday": group["skipped_holiday"],
        "skipped_closure": group["skipped_closure"],
        "hours": round(group["minutes"] / 60, 2),
        "sessions_with_attendance": with_attendance,
        "attendance_total": group["attendance_total"],
        "attendance_average": round(group["attendance_total"] / with_attendance, 2) if with_attendance else None,
        "new_participants": group["new_participants"],
        "female": group["female"],
        "male": group["male"],
        "age_bands": dict(sorted(group["age_bands"].items(), key=lambda item: _band_order(item[0]))),
        "capacity_use": round(group["seated"] / group["capacity"], 3) if group["capacity"] else None,
    }
    return out


def report_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The groups as CSV rows: age bands as `0-5=3;6-12=10`."""
    return [{**g, "age_bands": ";".join(f"{b}={n}" for b, n in g["age_bands"].items())} for g in report["groups"]]


def closures_by_centre(db: Database, centre_id: int | None = None) -> dict[int, list[Any]]:
    """The stored closures, as rules take them (`schedule.Closure`), by centre."""
    from . import schedule

    found: dict[int, list[Any]] = {}
    for row in store.closures(db, centre_id):
        found.setdefault(row["centre_id"], []).append(schedule.Closure.from_row(row))
    return found
