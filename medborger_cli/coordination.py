"""The coordination reports: overlaps (room, parallel, clash) and collaboration.

Reads through the store, finds through the pure functions of `overlaps`, and returns plain
dicts in the shape the JSON output promises. Nothing here prints.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import combinations
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only a type: reading commands never load sqlite-utils
    from sqlite_utils import Database

from . import store
from .errors import BadInput
from .overlaps import ActivityFacts, detect

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


def finding_key(kind: str, first: str, second: str) -> str:
    """A key from what the finding is about (two tokens that describe its two sides), not from
    row ids: the same finding gets the same key in every run, and in a copy of the database made
    by export and import."""
    import hashlib

    if second < first:
        first, second = second, first
    text = "\x1f".join((kind, first, second))
    return f"{kind}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:10]}"


def _token(*parts: Any) -> str:
    return "\x1e".join(str(p) for p in parts)


def parse_key(key: str) -> str:
    value = (key or "").strip().lower()
    kind, _, digest = value.partition("-")
    if kind not in KINDS or len(digest) != 10 or any(c not in "0123456789abcdef" for c in digest):
        raise BadInput(f"'{key}' is not a finding key; keys look like room-3f9a0c12d4 (see `medborger overlaps`)",
                       field="keys", value=key)
    return value


def overlaps(db: Database, kinds: list[str], scope: Scope, include_acknowledged: bool = False) -> list[dict[str, Any]]:
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
            raise BadInput(f"no centre is in area '{scope.area}'; known areas: {', '.join(known) or '(none)'}",
                           field="area", value=scope.area)
        wanted_areas = {key} if wanted_areas is None else wanted_areas & {key}
    room_centre = store.room_centres(db)
    room_ids = None
    if wanted_areas is not None:
        room_ids = [r for r, c in room_centre.items() if centres[c]["area_key"] in wanted_areas]

    facts_rows = store.activity_facts(db)
    facts = {
        r["id"]: ActivityFacts(
            id=r["id"],
            centre_id=r["centre_id"],
            area=centres[r["centre_id"]]["area_key"],
            category=r["category"],
            targets=frozenset(r["targets"]),
            actors=frozenset(r["actor_ids"]),
        )
        for r in facts_rows
        if wanted_areas is None or centres[r["centre_id"]]["area_key"] in wanted_areas
    }
    groups, loose = store.occurrence_groups(db, scope.first, scope.last, room_ids)
    found = detect(groups, loose, facts, kinds)

    acks = store.acknowledgements(db)
    actors = store.actor_names(db)
    refs = store.activity_refs(db)
    by_id = {r["id"]: r for r in facts_rows}

    described: dict[int, dict[str, Any]] = {}

    def activity(activity_id: int) -> dict[str, Any]:
        if activity_id not in described:
            row = by_id[activity_id]
            described[activity_id] = {
                "id": activity_id,
                "title": row["title"],
                "centre": row["centre"],
                "actors": [actors[a]["name"] for a in row["actor_ids"]],
            }
        return described[activity_id]  # shared between findings; nothing changes it

    tokens: dict[int, str] = {}

    def token(activity_id: int) -> str:
        if activity_id not in tokens:
            tokens[activity_id] = _token(by_id[activity_id]["centre"], refs[activity_id])
        return tokens[activity_id]

    def pair_of(a: int, b: int) -> list[dict[str, Any]]:
        """The two activities in an order that does not depend on row ids."""
        return sorted((activity(a), activity(b)), key=lambda x: (x["centre"], refs[x["id"]], x["id"]))

    findings: list[dict[str, Any]] = []
    if "room" in kinds:
        details = store.bookings_by_ids(db, sorted({r.id for pair in found.rooms for r in pair}))
        for first, second in found.rooms:
            centre_id = room_centre[first.room]
            if scope.centre_id is not None and centre_id != scope.centre_id:
                continue
            a, b = details[first.id], details[second.id]
            findings.append(
                {
                    "kind": "room",
                    "key": finding_key("room", *[_token(x["centre"], x["room"], x["start"], x["end"], x["title"], x["actor"]) for x in (a, b)]),
                    "centre": a["centre"],
                    "room": a["room"],
                    "start": max(a["start"], b["start"]),
                    "end": min(a["end"], b["end"]),
                    "bookings": [
                        {k: x[k] for k in ("id", "title", "actor", "activity_id", "start", "end")}
                        for x in sorted((a, b), key=lambda x: (x["start"], x["end"], x["title"], x["actor"], x["id"]))
                    ],
                }
            )
    if "clash" in kinds:
        for (a, b), tally in found.clashes.items():
            if scope.centre_id is not None and facts[a].centre_id != scope.centre_id:
                continue
            findings.append(
                {
                    "kind": "clash",
                    "key": finding_key("clash", token(a), token(b)),
                    "centre": by_id[a]["centre"],
                    "target_groups": sorted(facts[a].targets & facts[b].targets),
                    "count": tally.count,
                    "first": tally.first_start,
                    "activities": pair_of(a, b),
                }
            )
    if "parallel" in kinds:
        for (a, b), same_time in found.parallel.items():
            if scope.centre_id is not None and scope.centre_id not in (facts[a].centre_id, facts[b].centre_id):
                continue
            findings.append(
                {
                    "kind": "parallel",
                    "key": finding_key("parallel", token(a), token(b)),
                    "area": centres[facts[a].centre_id]["area"] or None,
                    "category": facts[a].category,
                    "target_groups": sorted(facts[a].targets & facts[b].targets),
                    "same_time": same_time,
                    "activities": pair_of(a, b),
                }
            )
    taken: dict[str, int] = {}
    for finding in findings:  # two findings about identical rows: number the later ones
        key = finding["key"]
        taken[key] = taken.get(key, 0) + 1
        if taken[key] > 1:
            finding["key"] = f"{key}-{taken[key]}"
    for finding in findings:
        ack = acks.get(finding["key"])
        finding["acknowledged"] = ack is not None
        finding["note"] = ack["note"] if ack else None
    if not include_acknowledged:
        findings = [f for f in findings if not f["acknowledged"]]
    order = {kind: i for i, kind in enumerate(KINDS)}

    def sort_key(f: dict[str, Any]) -> tuple:
        if f["kind"] == "room":
            return (order["room"], f["start"], f["centre"], f["room"], f["key"])
        if f["kind"] == "clash":
            return (order["clash"], f["first"], f["centre"], f["key"])
        return (order["parallel"], f["area"] or f["activities"][0]["centre"], f["category"], f["key"])

    findings.sort(key=sort_key)
    return findings


def summary(findings: list[dict[str, Any]], kinds: list[str]) -> str:
    counts = Counter(f["kind"] for f in findings)
    parts = []
    for kind in KINDS:
        if kind in kinds:
            one, many = KIND_WORDS[kind]
            parts.append(f"{counts[kind]} {one if counts[kind] == 1 else many}")
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
    targets = store.activity_targets(db, sorted({b["activity_id"] for b in rows if b["activity_id"] is not None}))
    for b in rows:
        b["conflict"] = b["id"] in conflicting
        b["target_groups"] = targets.get(b["activity_id"], [])
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
        closures = [schedule.Closure.from_row(row) for row in store.closures(db, cid)]
        notes = {}
        for day in days:
            closed = next((cl for cl in closures if cl.covers(day)), None)
            if closed:
                notes[day] = f"lukket: {closed.reason}"
            elif day in holidays:
                notes[day] = holidays[day]
        busy = {b["start"][:10] for b in used}
        shown = [d for d in days if d.weekday() < 5 or d.isoformat() in busy]
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
            closures[room["centre_id"]] = [schedule.Closure.from_row(c) for c in store.closures(db, room["centre_id"])]
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
    worth a conversation (actors serving a shared target group who run nothing together)."""
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
        if not mine:
            continue
        actor_activities: dict[int, list[dict]] = {}
        serves: dict[int, set[str]] = {}
        pair_joint: dict[tuple[int, int], list[str]] = {}
        joint = cross = 0
        for row in mine:
            ids = facts[row["id"]]["actor_ids"]
            for actor_id in ids:
                actor_activities.setdefault(actor_id, []).append(row)
                serves.setdefault(actor_id, set()).update(row["target_groups"])
            if len(ids) > 1:
                joint += 1
                if len({actors[a]["sector"] for a in ids}) > 1:
                    cross += 1
                for a, b in combinations(sorted(ids, key=by_name), 2):
                    pair_joint.setdefault((a, b), []).append(row["title"])
        actor_rows = [
            {
                "name": actors[a]["name"],
                "sector": actors[a]["sector"],
                "activities": len(acts),
                "joint": sum(1 for r in acts if len(facts[r["id"]]["actor_ids"]) > 1),
                "target_groups": sorted(serves[a]),
            }
            for a, acts in actor_activities.items()
        ]
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
            shared = serves[a] & serves[b]
            if shared:
                interfaces.append(
                    {
                        "actors": [actors[a]["name"], actors[b]["name"]],
                        "sectors": [actors[a]["sector"], actors[b]["sector"]],
                        "target_groups": sorted(shared),
                    }
                )
        interfaces.sort(key=lambda i: (-len(i["target_groups"]), [store.name_key(a) for a in i["actors"]]))
        report.append(
            {
                "centre": centre["name"],
                "area": centre["area"],
                "sectors": dict(sorted(Counter(r["sector"] for r in actor_rows).items())),
                "activities": len(mine),
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
        row = {"kind": f["kind"], "key": f["key"], "centre": f.get("centre"), "area": f.get("area"),
               "room": f.get("room"), "category": f.get("category"), "target_groups": f.get("target_groups"),
               "start": f.get("start") or f.get("first"), "end": f.get("end"), "count": f.get("count"),
               "same_time": f.get("same_time"), "acknowledged": f["acknowledged"], "note": f["note"]}
        pair = f.get("bookings") or f.get("activities")
        for side, item in zip("ab", pair):
            row[f"{side}_title"] = item["title"]
            row[f"{side}_start"] = item.get("start")
            row[f"{side}_end"] = item.get("end")
            row[f"{side}_actors"] = item.get("actors") or [item.get("actor")]
            row[f"{side}_centre"] = item.get("centre") or f.get("centre")
        flat.append(row)
    return flat


OVERLAP_COLUMNS = [
    "kind", "key", "centre", "area", "room", "category", "target_groups", "start", "end", "count", "same_time",
    "a_title", "a_start", "a_end", "a_actors", "a_centre", "b_title", "b_start", "b_end", "b_actors", "b_centre",
    "acknowledged", "note",
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
                         "activities": [], "target_groups": i["target_groups"]})
    return rows


COLLABORATION_COLUMNS = ["centre", "kind", "actor_a", "sector_a", "actor_b", "sector_b", "joint_activities", "activities", "target_groups"]
