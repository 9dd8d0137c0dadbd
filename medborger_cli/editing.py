"""Changing what exists: edit a centre, room, actor or activity ("this and following"), move one
booking, restore a cancelled one, edit or remove a closure (restoring what it cancelled).

Every change goes through the same rules as adding (rules.py) and the same room-conflict check,
runs in one transaction, and is written to the change log. Nothing here prints or prompts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from . import actions, rules, schedule, store, vocab
from .errors import BadInput
from .i18n import _, ngettext

RECORD_FIELDS = {
    "centre": ("name", "type", "municipality", "area", "address", "owner", "operator", "funding_period"),
    "room": ("name", "capacity"),
    "actor": ("name", "sector", "contact", "email", "phone"),
}
TABLES = {"centre": "centres", "room": "rooms", "actor": "actors"}


class _DryRun(Exception):
    def __init__(self, result: Any):
        super().__init__()
        self.result = result


def _given(changes: dict[str, Any]) -> dict[str, Any]:
    """The fields a person changed: None means not given; an empty text means clear it."""
    return {k: v for k, v in changes.items() if v is not None}


# ---------------------------------------------------------------------------------------------
# Centres, rooms, actors


@dataclass
class RecordEdit:
    kind: str
    id: int
    name: str
    old: dict[str, Any]
    new: dict[str, Any]


def edit_record(db: Database, kind: str, name: str, changes: dict[str, Any], centre: str | None = None) -> RecordEdit:
    """Change or clear fields of a centre, room or actor; a rename keeps its id and history."""
    wanted = _given(changes)
    with store.write(db):
        centre_id = actions.resolve(db, "centre", centre, "centre")["id"] if centre and kind == "room" else None
        found = actions.resolve(db, kind, name, "name", centre_id)
        current = store.row(db, TABLES[kind], found["id"])
        fields = RECORD_FIELDS[kind]
        merged = {f: current[f] for f in fields}
        merged.update({("name" if k == "new_name" else k): v for k, v in wanted.items()})
        check = {"centre": rules.centre_record, "room": rules.room_record, "actor": rules.actor_record}[kind]
        try:
            record = check({k: ("" if v is None else v) for k, v in merged.items()} if kind != "room" else merged)
        except BadInput as exc:  # a bad new name came from --name, not from the NAME that finds the record
            if exc.field == "name":
                exc.field = "new_name"
            raise
        old = {f: current[f] for f in fields if current[f] != record[f]}
        new = {f: record[f] for f in fields if current[f] != record[f]}
        if "name" in new and store.name_key(new["name"]) != store.name_key(current["name"]):
            actions.ensure_unique(db, kind, new["name"], "new_name", current.get("centre_id"))
        if new:
            store.update_row(db, TABLES[kind], found["id"], new)
            actions.log(db, "edit", kind, found["id"], _("Changed {kind} {name}: {fields}").format(
                kind=kind, name=record["name"], fields=", ".join(new)), old=old, new=new)
    return RecordEdit(kind, found["id"], record["name"], old, new)


# ---------------------------------------------------------------------------------------------
# Activities: this and following


@dataclass
class ActivityEdit:
    activity_id: int
    title: str
    effective: dt.date
    removed: list[dict[str, Any]] = field(default_factory=list)  # future bookings the new rule does not hold
    added: list[rules.Proposed] = field(default_factory=list)
    changed: list[tuple[dict[str, Any], rules.Proposed]] = field(default_factory=list)  # moved to the new rule
    kept_cancelled: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[schedule.Occurrence] = field(default_factory=list)  # holidays and closures of the new rule
    conflicts: list[rules.ConflictRow] = field(default_factory=list)
    left_out: list[rules.Proposed] = field(default_factory=list)  # dates skipped for conflicts
    updated: list[tuple[dict[str, Any], rules.Proposed]] = field(default_factory=list)  # same slot, new title/actor
    reset: list[dict[str, Any]] = field(default_factory=list)  # bookings moved by hand that a new pattern resets
    fields_changed: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def nothing(self) -> bool:
        return not (self.removed or self.added or self.changed or self.fields_changed or self.left_out or self.updated)


def _current_values(activity: dict[str, Any]) -> dict[str, Any]:
    """An activity's stored values in the fields `add-activity` takes."""
    rule = schedule.Recurrence.from_row(activity)
    single = rule.on is not None
    return {
        "title": activity["title"], "room": str(activity["room_id"]), "actor": str(activity["actor_id"]),
        "partners": list(activity["partners"]), "category": activity["category"],
        "target_groups": list(activity["target_groups"]), "focus": activity["focus"],
        "weekdays": [] if single else activity["weekdays"].split(","),
        "start": activity["start_time"], "end": activity["end_time"],
        "from": None if single else activity["date_from"], "until": None if single else activity["date_until"],
        "on": activity["date_from"] if single else None, "every": activity["interval"], "monthly": activity["monthly"],
        "include_holidays": bool(activity["include_holidays"]), "type": activity["type"],
        "age": None if activity["age_min"] is None and activity["age_max"] is None else
        f"{activity['age_min'] or 0}-{'' if activity['age_max'] is None else activity['age_max']}",
        "gender": activity["gender"], "internal": bool(activity["internal"]),
    }


def _merge(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The activity's values with the changes laid over them. `--on` makes it one date; new
    weekdays make a one-date activity recurring (it then needs an until); `weekly` drops a
    monthly position; partners and target groups are added to and taken from."""
    merged = dict(current)
    for key in ("title", "room", "actor", "category", "focus", "start", "end", "until", "every", "monthly",
                "include_holidays", "type", "age", "gender", "internal"):
        if changes.get(key) is not None:
            merged[key] = changes[key]
    if changes.get("on"):
        merged.update({"on": changes["on"], "weekdays": [], "from": None, "until": None, "monthly": None})
    elif changes.get("weekdays"):
        merged["weekdays"] = list(changes["weekdays"])
        if merged["on"]:
            merged["from"], merged["on"] = merged["on"], None
    if changes.get("weekly"):
        merged["monthly"] = None
    merged["partners"] = list(merged["partners"]) + list(changes.get("partners") or [])
    merged["target_groups"] = list(merged["target_groups"]) + list(changes.get("target_groups") or [])
    merged["_no_partners"] = list(changes.get("no_partners") or [])
    merged["_no_target_groups"] = list(changes.get("no_target_groups") or [])
    return merged


def _audience_values(activity: dict[str, Any], changes: dict[str, Any], internal: bool) -> dict[str, Any]:
    """Who the activity is for after the edit, in the values `add-activity` takes. An age,
    gender or old target code (youth, women) typed on the edit replaces the stored age or
    gender, mapped exactly as when adding; target groups are added to and taken from; an open
    activity (everyone) stays open unless `--no-target everyone` or another group says otherwise."""
    words = vocab.parse_many(vocab.TARGET_WORDS, [str(v) for v in changes.get("target_groups") or []], "target_groups")
    age_min, age_max, gender, groups = rules.audience(
        {"age": changes.get("age"), "gender": changes.get("gender"), "target_groups": words}, required=False)
    if changes.get("age") is None and not any(w in vocab.AGE_BANDS for w in words):
        age_min, age_max = activity["age_min"], activity["age_max"]
    if changes.get("gender") is None and not any(w in ("women", "men") for w in words):
        gender = activity["gender"] or "all"
    stored = list(activity["target_groups"])
    was_open = not stored and activity["age_min"] is None and activity["age_max"] is None and \
        (activity["gender"] or "all") == "all" and not activity["internal"]
    drop = vocab.parse_many(vocab.TARGET_WORDS, [str(v) for v in changes.get("no_target_groups") or []], "no_target_groups")
    unknown = [d for d in drop if d not in stored and not (d == vocab.EVERYONE and was_open)]
    if unknown:
        raise BadInput(ngettext("{groups} is not a target group of {activity}", "{groups} are not target groups of {activity}",
                                len(unknown)).format(groups=", ".join(vocab.label(vocab.TARGET_WORDS, u) for u in unknown),
                                                     activity=activity["title"]), field="no_target", value=unknown[0])
    targets = [t for t in dict.fromkeys(stored + groups) if t not in drop]
    if vocab.EVERYONE in words or (was_open and vocab.EVERYONE not in drop):
        targets.append(vocab.EVERYONE)
    return {"age": rules.age_text(age_min, age_max) or "", "gender": None if gender == "all" else gender, "target_groups": targets,
            "internal": internal}


def edit_activity(
    db: Database, name: str, changes: dict[str, Any], effective: dt.date, *, policy: str = "refuse",
    centre: str | None = None, dry_run: bool = False,
) -> ActivityEdit:
    """Change an activity from `effective` on ("this and following").

    A change of what the activity is (title, actor, partners, who it is for, category, type,
    internal, focus) or of its room or end date keeps every date: the bookings from `effective`
    on take the new title, actor and room in place (a booking moved by hand keeps its own room),
    a new until removes the dates after it or adds the new ones. A change of the pattern
    (weekdays, times, every, monthly, on, holidays) replaces the dates from `effective` on with
    the new rule's, holidays and closures skipped; bookings moved by hand are reset to the rule
    (listed in `reset`). Only dates whose room, time or day change, and new dates, are
    conflict-checked under `policy`. A cancelled date the new rule still holds stays cancelled.
    A session with attendance registered is never removed or moved: such an edit is refused.
    Bookings before `effective` stay as they were. Bookings keep their ids where their day stays."""
    try:
        with store.write(db):
            result = _edit_activity(db, name, changes, effective, policy, centre, dry_run)
            if dry_run:
                raise _DryRun(result)
            return result
    except _DryRun as undone:
        return undone.result


def _edit_activity(db, name, changes, effective, policy, centre, dry_run) -> ActivityEdit:
    centre_id = actions.resolve(db, "centre", centre, "centre")["id"] if centre else None
    found = actions.resolve(db, "activity", name, "name", centre_id)
    activity = store.activities(db, activity_id=found["id"])[0]
    current = _current_values(activity)
    merged = _merge(current, changes)
    rule_now = schedule.Recurrence.from_row(activity)
    start_day = effective if rule_now.on is None else min(effective, rule_now.on)
    existing = store.activity_bookings(db, found["id"], start_day.isoformat())
    rule_from = changes.get("from")  # the season's first date, as an import file's from cell holds it
    pattern = not _same_pattern(current, merged) or bool(merged["include_holidays"]) != current["include_holidays"] or (
        bool(rule_from) and rule_from != current["from"])
    values = {**merged, **_audience_values(activity, changes, bool(merged["internal"])), "centre": str(activity["centre_id"])}
    if merged["on"] is None:
        first = dt.date.fromisoformat(merged["from"]) if merged["from"] else effective
        if rule_from:
            values["from"] = rule_from
        elif pattern:  # a new pattern runs from the edit's date (or the season's first booking)
            season = min([first] + [dt.date.fromisoformat(b["start"][:10]) for b in existing[:1]])
            values["from"] = max(effective, season).isoformat()
        else:  # the same pattern keeps its first date, and with it the rhythm of every-N-weeks
            values["from"] = first.isoformat()
        until = schedule.parse_date(str(merged["until"]), "until") if merged["until"] else None
        if until is not None and until < effective:
            raise BadInput(_("{until} is before {{field:from}} {first}; to end the activity sooner, give a {{field:from}} on "
                             "or before the new last date").format(until=schedule.long_day(until), first=schedule.long_day(effective)),
                           field="until", value=merged["until"])
    try:
        spec = actions.build_activity(db, values)
    except BadInput as exc:
        if exc.field == "target_groups" and changes.get("no_target_groups") and not changes.get("target_groups"):
            exc.field = "no_target"  # the group taken away left it saying nothing about who it is for
        raise
    partner_ids = {p["id"] for p in spec.partners}
    drop_partners = set()
    for partner in merged["_no_partners"]:
        actor = actions.resolve(db, "actor", partner, "no_partners")
        if actor["id"] not in partner_ids:
            raise BadInput(_("{actor} is not a partner of {activity}").format(actor=actor['name'], activity=activity['title']), field="no_partner", value=partner)
        drop_partners.add(actor["id"])
    spec.partners = [p for p in spec.partners if p["id"] not in drop_partners]
    fields = spec.fields
    targets = list(fields.targets)
    result = ActivityEdit(found["id"], fields.title, start_day, dry_run=dry_run)
    closures = actions.closures_for(db, spec.centre["id"])
    own = {b["id"] for b in existing}
    if pattern:
        proposed, origin = _replace_dates(db, activity, rule_now, fields, spec, existing, start_day, closures, result)
    else:
        proposed, origin = _keep_dates(activity, rule_now, fields, spec, existing, start_day, closures, result)
    _check_held(db, activity, [b for b in result.removed] + [b for b, p in zip(origin, proposed) if b is not None])
    booked = [b for b in actions.booked_in(db, proposed) if b.id not in own]
    result.conflicts = rules.room_conflicts(proposed, booked)
    kept = actions.apply_policy(db, proposed, result.conflicts, policy, allow_empty=True)
    kept_ids = {id(p) for p in kept}
    for p, booking in zip(proposed, origin):
        if id(p) not in kept_ids:
            result.left_out.append(p)
            if booking is not None and pattern:  # the new pattern leaves this date out
                result.removed.append(booking)
            elif booking is not None and (booking["title"], booking["actor_id"]) != (p.title, p.actor_id):
                result.updated.append((booking, dataclasses.replace(p, room_id=booking["room_id"], start=booking["start"],
                                                                    end=booking["end"])))
        elif booking is None:
            result.added.append(p)
        else:
            result.changed.append((booking, p))
    result.reset = [b for b in result.reset if b in result.removed or any(b is c for c, _p in result.changed) or any(
        b is c and (p.room_id, p.start, p.end) != (c["room_id"], c["start"], c["end"]) for c, p in result.updated)]

    store.delete_bookings(db, [b["id"] for b in result.removed])
    same_time: dict[tuple, list[int]] = {}  # a new title, actor or room for many bookings: one statement each
    for booking, p in result.changed + result.updated:
        if (p.start, p.end) == (booking["start"], booking["end"]):
            same_time.setdefault((p.room_id, p.actor_id, p.title), []).append(booking["id"])
        else:
            store.update_row(db, "bookings", booking["id"], _booking_values(p))
    for (room_id, actor_id, title), ids in same_time.items():
        store.update_row_many(db, "bookings", ids, {"room_id": room_id, "actor_id": actor_id, "title": title})
    store.insert_bookings(db, [{**_booking_values(p), "activity_id": found["id"]} for p in result.added])
    row = actions.activity_row(fields, spec.room["id"], spec.actor["id"])
    before = {k: activity[k] for k in row}
    result.fields_changed = {k: (before[k], v) for k, v in row.items() if before[k] != v}
    partners = [p["id"] for p in spec.partners]
    store.update_row(db, "activities", found["id"], row)
    store.set_activity_people(db, found["id"], partners, targets)
    if set(activity["partners"]) != {p["name"] for p in spec.partners}:
        result.fields_changed["partners"] = (activity["partners"], sorted(p["name"] for p in spec.partners))
    if set(activity["target_groups"]) != set(targets):
        result.fields_changed["target_groups"] = (activity["target_groups"], sorted(targets))
    if not result.nothing:
        actions.log(db, "edit", "activity", found["id"], _(
            "Changed activity {title} from {day}: {removed} dates removed, {added} added, {changed} moved").format(
                title=fields.title, day=start_day.isoformat(), removed=len(result.removed), added=len(result.added),
                changed=len(result.changed)),
            old={k: v[0] for k, v in result.fields_changed.items()} | {"removed": [b["start"] for b in result.removed]}
            | ({"reset": [f"{b['id']} {b['start']}" for b in result.reset]} if result.reset else {}),
            new={k: v[1] for k, v in result.fields_changed.items()} | {"added": [p.start for p in result.added]})
    return result


def _proposal(p_room: int, start: str, end: str, fields: rules.ActivityFields, spec: actions.ActivitySpec,
              activity_id: int, status: str = "active") -> rules.Proposed:
    return rules.Proposed(p_room, start, end, fields.title, spec.actor["id"], spec.actor["name"], activity_id, status)


def _keep_dates(activity, rule_now, fields, spec, existing, start_day, closures, result):
    """The same pattern: every booking keeps its day and time; the ones that follow the series
    take its new title, actor and room (a booking moved by hand to another room keeps it); a
    new until removes the dates after it, or adds the rule's dates after the old one. Only the
    ones whose room changes, and the new ones, are proposed for the conflict check."""
    proposed: list[rules.Proposed] = []
    origin: list[dict[str, Any] | None] = []
    new_until = fields.rule.date_until
    for booking in existing:
        day = dt.date.fromisoformat(booking["start"][:10])
        if new_until is not None and day > new_until:
            result.removed.append(booking)
            continue
        room = spec.room["id"] if booking["room_id"] == activity["room_id"] else booking["room_id"]
        title = fields.title if booking["title"] == activity["title"] else booking["title"]
        actor_id, actor_name = (spec.actor["id"], spec.actor["name"]) if booking["actor_id"] == activity["actor_id"] else \
            (booking["actor_id"], booking["actor"])
        p = rules.Proposed(room, booking["start"], booking["end"], title, actor_id, actor_name, activity["id"],
                           booking["status"], booking_id=booking["id"])
        if booking["status"] == "cancelled":
            result.kept_cancelled.append(booking)
        if room != booking["room_id"] and booking["status"] == "active":
            proposed.append(p)
            origin.append(booking)
        elif (room, title, actor_id) != (booking["room_id"], booking["title"], booking["actor_id"]):
            result.updated.append((booking, p))
    old_until = rule_now.date_until
    if new_until is not None and old_until is not None and new_until > old_until:
        booked_days = {b["start"][:10] for b in existing}
        occurrences = rules.held_occurrences(fields.rule, closures, fields.include_holidays).occurrences
        for o in occurrences:
            if o.day > old_until and o.day >= start_day and o.skipped is None and o.day.isoformat() not in booked_days:
                proposed.append(_proposal(spec.room["id"], o.start, o.end, fields, spec, activity["id"]))
                origin.append(None)
        result.skipped = [o for o in occurrences if o.skipped and o.day > old_until and o.day >= start_day]
    return proposed, origin


def _replace_dates(db, activity, rule_now, fields, spec, existing, start_day, closures, result):
    """A new pattern: the dates from `start_day` on become the new rule's. A booking whose day
    the new rule keeps keeps its id (and its cancelled status); the others are removed. A
    booking moved by hand (not where and when the old rule put it) is reset, and listed."""
    proposed: list[rules.Proposed] = []
    origin: list[dict[str, Any] | None] = []
    by_day: dict[str, dict[str, Any]] = {}
    for booking in existing:
        if booking["start"][:10] in by_day:  # a second booking of the series that day: the rule has one
            result.removed.append(booking)
        else:
            by_day[booking["start"][:10]] = booking
    result.reset = _moved_by_hand(activity, rule_now, closures, existing)
    occurrences = rules.held_occurrences(fields.rule, closures, fields.include_holidays).occurrences
    occurrences = [o for o in occurrences if o.day >= start_day]
    result.skipped = [o for o in occurrences if o.skipped]
    wanted_days = {o.day.isoformat() for o in occurrences}
    for o in occurrences:
        booking = by_day.get(o.day.isoformat())
        new = _proposal(spec.room["id"], o.start, o.end, fields, spec, activity["id"])
        if booking is None:
            if o.skipped is None:
                proposed.append(new)
                origin.append(None)
            continue
        same_slot = (booking["start"], booking["end"], booking["room_id"]) == (o.start, o.end, spec.room["id"])
        same = same_slot and (booking["title"], booking["actor_id"]) == (fields.title, spec.actor["id"])
        if booking["status"] == "cancelled":
            if not same:
                result.updated.append((booking, new))
            result.kept_cancelled.append(booking)
        elif o.skipped is not None:
            result.removed.append(booking)  # a closure or holiday of the new rule takes it
        elif same_slot:
            if not same:
                result.updated.append((booking, new))  # a new title or actor: in place, no conflict check
        else:
            proposed.append(dataclasses.replace(new, booking_id=booking["id"]))
            origin.append(booking)
    result.removed += [b for day, b in by_day.items() if day not in wanted_days]
    return proposed, origin


def _moved_by_hand(activity, rule_now, closures, existing) -> list[dict[str, Any]]:
    """The bookings (from the stored rule's first date on) that are not where and when the rule
    puts them: exceptions a coordinator made with `move`."""
    if rule_now.on is not None:
        return []
    try:
        days = {o.day.isoformat() for o in schedule.expand(rule_now, list(closures), bool(activity["include_holidays"])).occurrences}
    except BadInput:
        return []
    start, end = rule_now.start_time.strftime("%H:%M"), rule_now.end_time.strftime("%H:%M")
    return [b for b in existing if b["start"][:10] >= rule_now.date_from.isoformat() and (
        b["start"][:10] not in days or b["start"][11:] != start or b["end"][11:] != end or b["room_id"] != activity["room_id"])]


def _check_held(db: Database, activity: dict[str, Any], touched: list[dict[str, Any]]) -> None:
    """The sessions this edit would remove or move that have attendance registered (only those up
    to today can have any), checked by the one rule about held sessions."""
    today = schedule.today()
    held = [b for b in touched if b["start"][:10] <= today.isoformat() and store.attendance_of(db, b["id"]) is not None]
    rules.check_edit_keeps_held(activity["title"], held)


def _same_pattern(current: dict[str, Any], merged: dict[str, Any]) -> bool:
    if current["on"] is not None or merged["on"] is not None:
        return False
    try:
        return (rules.codes_of("weekdays", current["weekdays"], "weekdays") == rules.codes_of("weekdays", merged["weekdays"], "weekdays")
                and schedule.parse_time(current["start"], "start") == schedule.parse_time(merged["start"], "start")
                and schedule.parse_time(current["end"], "end") == schedule.parse_time(merged["end"], "end")
                and int(current["every"] or 1) == int(merged["every"] or 1) and (current["monthly"] or None) == (
                    rules.monthly_code(merged["monthly"]) if merged["monthly"] else None))
    except (BadInput, ValueError, TypeError):
        return False  # a bad value: the rules will say which when the new rule is checked


def _booking_values(p: rules.Proposed) -> dict[str, Any]:
    return {"room_id": p.room_id, "actor_id": p.actor_id, "title": p.title, "start": p.start, "end": p.end}


# ---------------------------------------------------------------------------------------------
# One booking: move, restore


@dataclass
class Moved:
    booking: dict[str, Any]
    start: str
    end: str
    room: str
    conflicts: list[rules.ConflictRow]


def move(db: Database, ref: str, *, room: str | None, start: str | None, end: str | None, policy: str = "refuse") -> Moved:
    """Move one booking (also one occurrence of a series: it stays linked to its activity)."""
    if not (room or start or end):
        raise BadInput(_("say where to: give {field:room}, {field:start} or {field:end}"), field="booking")
    with store.write(db):
        booking = store.booking(db, actions.resolve(db, "booking", ref, "booking")["id"])
        room_row = actions.resolve(db, "room", room, "room", booking["centre_id"]) if room else \
            {"id": booking["room_id"], "name": booking["room"]}
        old_start = dt.datetime.fromisoformat(booking["start"])
        old_end = dt.datetime.fromisoformat(booking["end"])
        if start and not end:
            new_start = schedule.parse_datetime(start, "start") if " " in start.strip() or "T" in start \
                else dt.datetime.combine(old_start.date(), schedule.parse_time(start, "start"))
            new_end = new_start + (old_end - old_start)  # the same length
        else:
            new_start = schedule.parse_datetime(start, "start") if start else old_start
            new_end = schedule.parse_end(end, new_start, "end") if end else old_end
        fields = rules.booking_fields({"title": booking["title"], "start": new_start, "end": new_end})
        rules.check_keeps_attendance(booking, store.attendance_of(db, booking["id"]) is not None, schedule.today(),
                                     new_start=fields.start, field="start")
        if booking["status"] == "active":
            rules.check_open(actions.closures_for(db, booking["centre_id"]), fields.start, fields.end, booking["centre"])
        proposed = [rules.Proposed(room_row["id"], fields.start, fields.end, booking["title"], booking["actor_id"],
                                   booking["actor"], booking["activity_id"], booking["status"])]
        booked = [b for b in actions.booked_in(db, proposed) if b.id != booking["id"]]
        conflicts = rules.room_conflicts(proposed, booked)
        actions.apply_policy(db, proposed, conflicts, "refuse" if policy == "skip" else policy)
        store.update_row(db, "bookings", booking["id"], {"room_id": room_row["id"], "start": fields.start, "end": fields.end})
        actions.log(db, "move", "booking", booking["id"], _("Moved {title} from {old} ({old_room}) to {new} ({new_room})").format(
            title=booking["title"], old=booking["start"], old_room=booking["room"], new=fields.start, new_room=room_row["name"]),
            old={"room": booking["room"], "start": booking["start"], "end": booking["end"]},
            new={"room": room_row["name"], "start": fields.start, "end": fields.end})
    return Moved(booking, fields.start, fields.end, room_row["name"], conflicts)


@dataclass
class Restored:
    restored: list[dict[str, Any]] = field(default_factory=list)
    already: list[dict[str, Any]] = field(default_factory=list)
    left_cancelled: list[dict[str, Any]] = field(default_factory=list)  # skipped for conflicts
    conflicts: list[rules.ConflictRow] = field(default_factory=list)
    taken_over: list[dict[str, Any]] = field(default_factory=list)  # inside another closure: stay cancelled


def _restore(db: Database, bookings: list[dict[str, Any]], policy: str, result: Restored, *, taken_over: bool = False) -> None:
    """Make cancelled bookings active again: refused inside a closure, conflict-checked under
    `policy` (skip leaves the colliding ones cancelled). With `taken_over`, a booking inside
    another closure is not refused: that closure takes it over and it stays cancelled."""
    closures = actions.closures_by_centre(db)
    if taken_over:
        inside = []
        for booking in bookings:
            other = rules.closure_over(closures.get(booking["centre_id"], []), booking["start"], booking["end"])
            if other is not None:
                store.update_row(db, "bookings", booking["id"], {"closure_id": other.id, "note": actions.closure_note(other.reason)})
                inside.append(booking)
        result.taken_over = inside
        bookings = [b for b in bookings if b not in inside]
    for booking in bookings:
        if rules.closure_over(closures.get(booking["centre_id"], []), booking["start"], booking["end"]):
            rules.check_open(closures[booking["centre_id"]], booking["start"], booking["end"], booking["centre"])
    proposed = [rules.Proposed(b["room_id"], b["start"], b["end"], b["title"], b["actor_id"], b["actor"], b["activity_id"],
                               booking_id=b["id"]) for b in bookings]
    result.conflicts = rules.room_conflicts(proposed, actions.booked_in(db, proposed))
    if taken_over:  # a closure gives back what it took: the double bookings among them were accepted before it
        result.conflicts = [c for c in result.conflicts if c.other_index is None]
    kept = actions.apply_policy(db, proposed, result.conflicts, policy, allow_empty=True, stored_word="restored")
    kept_ids = {id(p) for p in kept}
    for booking, p in zip(bookings, proposed):
        (result.restored if id(p) in kept_ids else result.left_cancelled).append(booking)
    store.set_bookings_active(db, [b["id"] for b in result.restored])
    for booking in result.restored:  # the note it had before it was cancelled comes back
        store.update_row(db, "bookings", booking["id"], {"note": actions.note_before_cancel(booking["note"])})
        actions.log(db, "restore", "booking", booking["id"], _("Restored {title}, {room}, {start}").format(
            title=booking["title"], room=booking["room"], start=booking["start"]),
            old={"status": "cancelled", "note": booking["note"]},
            new={"status": "active", "note": actions.note_before_cancel(booking["note"])})


def restore(db: Database, refs: list[str], policy: str = "refuse") -> Restored:
    """Make cancelled bookings active again, all or none (skip: the free ones)."""
    if not refs:
        raise BadInput(_("give at least one booking id (the cancelled ones are in `medborger list bookings`)"), field="bookings")
    result = Restored()
    with store.write(db):
        rows = [store.booking(db, actions.resolve(db, "booking", ref, "bookings")["id"]) for ref in dict.fromkeys(refs)]
        result.already = [b for b in rows if b["status"] == "active"]
        _restore(db, [b for b in rows if b["status"] == "cancelled"], policy, result)
    return result


# ---------------------------------------------------------------------------------------------
# Closures: they remember what they cancelled


@dataclass
class ClosureChange:
    closure_id: int
    centre: str
    date_from: dt.date
    date_until: dt.date
    reason: str
    cancelled: list[dict[str, Any]] = field(default_factory=list)
    restore: Restored = field(default_factory=Restored)
    kept_cancelled: list[dict[str, Any]] = field(default_factory=list)  # --keep-cancelled
    removed: bool = False
    dry_run: bool = False
    unchanged: bool = False
    booked: list[rules.Proposed] = field(default_factory=list)  # series dates it had kept out, booked now
    booked_conflicts: list[rules.ConflictRow] = field(default_factory=list)
    left_out: list[rules.Proposed] = field(default_factory=list)  # of those, taken rooms (skip)


def _closure(db: Database, ref: str) -> dict[str, Any]:
    text = (ref or "").strip()
    closure_id = rules.record_id(text)
    row = store.row(db, "closures", closure_id) if closure_id is not None else None
    if row is None:
        raise BadInput(_("no closure with id '{id}'; `medborger list closures` shows their ids").format(id=text), field="closure", value=ref)
    return row


def closure_preview(db: Database, centre: str, values: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """What `add-closure` would cancel, without changing anything."""
    record = rules.closure_record(values)
    centre_row = actions.resolve(db, "centre", centre, "centre")
    return centre_row, store.active_bookings_between(db, centre_row["id"], record["date_from"].isoformat(),
                                                     record["date_until"].isoformat())


def change_closure(
    db: Database, ref: str, values: dict[str, Any] | None, *, keep_cancelled: bool = False, policy: str = "refuse",
    dry_run: bool = False,
) -> ClosureChange:
    """Edit a closure's dates or reason (`values`: from, until, reason; None to remove it). Bookings
    it cancelled that fall outside it now are restored (conflict-checked; refused inside another
    closure), unless `keep_cancelled`; active bookings inside the new dates are cancelled. A
    booking cancelled by hand stays cancelled."""
    try:
        with store.write(db):
            result = _change_closure(db, ref, values, keep_cancelled, policy)
            result.dry_run = dry_run
            if dry_run:
                raise _DryRun(result)
            return result
    except _DryRun as undone:
        return undone.result


def _change_closure(db, ref, values, keep_cancelled, policy) -> ClosureChange:
    closure = _closure(db, ref)
    centre = store.centre(db, closure["centre_id"])
    if values is None:
        record = {"date_from": dt.date.fromisoformat(closure["date_from"]), "date_until": dt.date.fromisoformat(closure["date_until"]),
                  "reason": closure["reason"]}
    else:
        merged = {"from": closure["date_from"], "until": closure["date_until"], "reason": closure["reason"], **_given(values)}
        record = rules.closure_record(merged)
    result = ClosureChange(closure["id"], centre["name"], record["date_from"], record["date_until"], record["reason"],
                           removed=values is None)
    if values is not None and (record["date_from"].isoformat(), record["date_until"].isoformat(), record["reason"]) == (
            closure["date_from"], closure["date_until"], closure["reason"]):
        result.unchanged = True
        return result
    mine = store.bookings_cancelled_by(db, closure["id"])
    first, last = record["date_from"].isoformat(), record["date_until"].isoformat()
    outside = mine if values is None else [b for b in mine if not (first <= b["start"][:10] <= last)]
    store.update_row_many(db, "bookings", [b["id"] for b in outside], {"closure_id": None})  # no longer this closure's
    if values is None:
        store.delete(db, "closure", closure["id"], cascade=False)
    else:
        store.update_row(db, "closures", closure["id"], {"date_from": first, "date_until": last, "reason": record["reason"]})
    if keep_cancelled:
        result.kept_cancelled = outside
    else:
        _restore(db, outside, policy, result.restore, taken_over=True)
        old_first, old_last = dt.date.fromisoformat(closure["date_from"]), dt.date.fromisoformat(closure["date_until"])
        freed = {old_first + dt.timedelta(days=n) for n in range((old_last - old_first).days + 1)}
        if values is not None:
            freed = {d for d in freed if not record["date_from"] <= d <= record["date_until"]}
        if freed:
            _book_freed_dates(db, closure["centre_id"], freed, policy, result)
    if values is not None:
        note = actions.closure_note(record["reason"])
        result.cancelled = store.cancel_bookings_between(db, closure["centre_id"], first, last, note, closure["id"],
                                                         actions.CANCEL_SEPARATOR)
        if record["reason"] != closure["reason"]:
            for booking in store.bookings_cancelled_by(db, closure["id"]):
                store.update_row(db, "bookings", booking["id"], {"note": actions.cancel_note(note, actions.note_before_cancel(booking["note"]))})
    summary = (_("Removed the closure of {centre} {first}–{last} ({reason}): {restored} bookings restored") if values is None
               else _("Changed the closure of {centre} to {first}–{last} ({reason}): {restored} bookings restored, "
                      "{cancelled} cancelled")).format(
        centre=centre["name"], first=first, last=last, reason=record["reason"], restored=len(result.restore.restored),
        cancelled=len(result.cancelled))
    actions.log(db, "remove" if values is None else "edit", "closure", closure["id"], summary,
                old={"from": closure["date_from"], "until": closure["date_until"], "reason": closure["reason"]},
                new=None if values is None else {"from": first, "until": last, "reason": record["reason"],
                                                 "restored": [b["id"] for b in result.restore.restored],
                                                 "cancelled": [b["id"] for b in result.cancelled]}
                | ({"booked": [f"{p.title} {p.start}" for p in result.booked]} if result.booked else {}))
    if values is None and result.booked:
        actions.log(db, "add", "booking", None, _("Booked the series dates the closure had kept out: {dates}").format(
            dates=", ".join(f"{p.title} {p.start}" for p in result.booked)), new={"booked": [p.start for p in result.booked]})
    return result


def _book_freed_dates(db: Database, centre_id: int, freed: set[dt.date], policy: str, result: ClosureChange) -> None:
    """The dates a series skipped because of a closure (it was entered first) come back when
    the closure no longer covers them: each is conflict-checked under `policy`, as when adding.
    A date the series has a booking on (active or cancelled) is left as it is."""
    first, last = min(freed).isoformat(), max(freed).isoformat()
    closures = actions.closures_for(db, centre_id)  # without this closure's freed days
    taken = {(b["activity_id"], b["start"][:10]) for b in store.bookings(db, centre_id=centre_id, first=first, last=last)
             if b["activity_id"] is not None}
    proposed = []
    for activity in store.activities(db, centre_id=centre_id):
        rule = schedule.Recurrence.from_row(activity)
        if rule.on is None and (rule.date_until.isoformat() < first or rule.date_from.isoformat() > last):
            continue
        if rule.on is not None and rule.on not in freed:
            continue
        for o in schedule.expand(rule, closures, bool(activity["include_holidays"])).held:
            if o.day in freed and (activity["id"], o.day.isoformat()) not in taken:
                proposed.append(rules.Proposed(activity["room_id"], o.start, o.end, activity["title"], activity["actor_id"],
                                               activity["actor"], activity["id"]))
    if not proposed:
        return
    proposed.sort(key=lambda p: p.start)
    result.booked_conflicts = rules.room_conflicts(proposed, actions.booked_in(db, proposed))
    kept = actions.apply_policy(db, proposed, result.booked_conflicts, policy, allow_empty=True)
    kept_ids = {id(p) for p in kept}
    result.booked = [p for p in proposed if id(p) in kept_ids]
    result.left_out = [p for p in proposed if id(p) not in kept_ids]
    store.insert_bookings(db, [{**_booking_values(p), "activity_id": p.activity_id} for p in result.booked])


def describe_count(n: int) -> str:
    return ngettext("{count} booking", "{count} bookings", n).format(count=n)

