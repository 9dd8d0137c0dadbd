"""The use cases: each validates plain values, runs in one write transaction and returns a result.

The CLI parses and asks; this module decides; the store reads and writes. Nothing here prints
or prompts, so every rule is tested without a terminal.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only a type: reading commands never load sqlite-utils
    from sqlite_utils import Database

from . import rules, schedule, store
from .i18n import N_, _, ngettext
from .errors import Ambiguous, BadInput, NotFound, Refused

SINGULAR = {"rooms": "room", "activities": "activity", "closures": "closure", "bookings": "booking", "partnerships": "partnership"}
PLURAL = {"centre": "centres", "room": "rooms", "actor": "actors", "activity": "activities", "booking": "bookings"}
STILL_HAS = {
    "centre": N_("the centre still has {what}; remove those first or pass {{field:cascade}} to remove them too"),
    "room": N_("the room still has {what}; remove those first or pass {{field:cascade}} to remove them too"),
    "actor": N_("the actor still has {what}; remove those first or pass {{field:cascade}} to remove them too"),
    "activity": N_("the activity still has {what}; remove those first or pass {{field:cascade}} to remove them too"),
}
# Whole sentences per kind of record, so that each reads right in every language ("an actor").
EMPTY_NAME = {
    "centre": N_("must not be empty; give a centre's name or id"), "room": N_("must not be empty; give a room's name or id"),
    "actor": N_("must not be empty; give an actor's name or id"), "activity": N_("must not be empty; give an activity's name or id"),
    "booking": N_("must not be empty; give a booking's id"),
}
AMBIGUOUS = {
    "centre": N_("'{value}' matches {count} centres: {options}; give the full name or the id"),
    "room": N_("'{value}' matches {count} rooms: {options}; give the full name or the id"),
    "actor": N_("'{value}' matches {count} actors: {options}; give the full name or the id"),
    "activity": N_("'{value}' matches {count} activities: {options}; give the full name or the id"),
    "booking": N_("'{value}' matches {count} bookings: {options}; give the id"),
}
NOT_FOUND = {
    "centre": N_("no centre '{value}'"), "room": N_("no room '{value}'"), "actor": N_("no actor '{value}'"),
    "activity": N_("no activity '{value}'"), "booking": N_("no booking '{value}'"),
}
NOT_FOUND_IN = {"room": N_("no room '{value}' in {centre}"), "activity": N_("no activity '{value}' in {centre}")}
NONE_YET = {
    "centre": N_("{message}; there are no centres yet (add one with medborger add-centre)"),
    "room": N_("{message}; there are no rooms yet (add one with medborger add-room)"),
    "actor": N_("{message}; there are no actors yet (add one with medborger add-actor)"),
}
NONE_YET_IN = {"room": N_("{message}; there are no rooms in {centre} yet (add one with medborger add-room)")}
EXISTS = {
    "centre": N_("a centre named '{name}' exists already (id {id}); choose another name"),
    "room": N_("a room named '{name}' exists already (id {id}); choose another name"),
    "actor": N_("an actor named '{name}' exists already (id {id}); choose another name"),
    "activity": N_("an activity named '{name}' exists already (id {id}); choose another name"),
}
EXISTS_IN = {
    "room": N_("a room named '{name}' exists already in {centre} (id {id}); choose another name"),
    "activity": N_("an activity named '{name}' exists already in {centre} (id {id}); choose another name"),
}


# ---------------------------------------------------------------------------------------------
# The change log: every change, who made it, with which command, old and new values


@dataclass
class Who:
    user: str = ""
    command: str = ""


WHO = Who()  # the command line sets the command; the user is the OS user


def log(db: Database, action: str, kind: str, row_id: Any, summary: str,
        old: dict[str, Any] | None = None, new: dict[str, Any] | None = None, command: str | None = None) -> None:
    """Record one change inside the caller's transaction (`command`: the command line as it may
    be kept, when it must not be kept as typed)."""
    import getpass
    import json

    if not WHO.user:
        try:
            WHO.user = getpass.getuser()
        except Exception:  # noqa: BLE001 - no user name in this environment
            WHO.user = "?"
    store.log_change(db, {
        "at": dt.datetime.now().isoformat(timespec="seconds"), "user": WHO.user, "command": command or WHO.command or "medborger",
        "action": action, "kind": kind, "row_id": row_id, "summary": summary,
        "old": json.dumps(old, ensure_ascii=False, default=str) if old else None,
        "new": json.dumps(new, ensure_ascii=False, default=str) if new else None,
    })


def changes_since(db: Database, since: dt.date | None = None) -> list[dict[str, Any]]:
    import json

    rows = store.changes(db, since.isoformat() if since else None)
    for row in rows:
        row["old"] = json.loads(row["old"]) if row["old"] else None
        row["new"] = json.loads(row["new"]) if row["new"] else None
    return rows


# ---------------------------------------------------------------------------------------------
# Names


def resolve(db: Database, kind: str, text: str | None, field: str, centre_id: int | None = None) -> dict[str, Any]:
    """Find one centre, room, actor, activity or booking by id or by name (case-insensitive)."""
    value = (text or "").strip()
    if not value:
        raise BadInput(_(EMPTY_NAME[kind]), field=field, value=text)
    rules.text(value, field, limit=rules.MAX_TEXT)  # bytes that are not UTF-8, control characters: a clear refusal
    rows = store.find_named(db, kind, value, centre_id, row_id=rules.record_id(value))
    if len(rows) == 1:
        return rows[0]
    if len(rows) > 1:
        options = "; ".join(f"{r['name']} (id {r['id']}{', ' + r['centre'] if r.get('centre') else ''})" for r in rows[:8])
        raise Ambiguous(_(AMBIGUOUS[kind]).format(value=value, count=len(rows), options=options), field=field, value=text)
    where = ""
    if centre_id is not None and kind in ("room", "activity"):
        where = store.centre(db, centre_id)['name']
    known = store.names_of(db, kind, centre_id) if kind != "booking" else []
    close = difflib.get_close_matches(value, known, n=3, cutoff=0.5)
    if not close:
        close = [n for n in known if store.name_key(value) in store.name_key(n)][:3]
    text_ = (_(NOT_FOUND_IN[kind]) if where else _(NOT_FOUND[kind])).format(value=value, centre=where)
    if close:
        text_ = _("{message}; did you mean {names}?").format(message=text_, names=", ".join(repr(c) for c in close))
    elif known:
        text_ = _("{message}; known: {names}").format(message=text_, names=", ".join(known[:6]) + (", …" if len(known) > 6 else ""))
    elif kind not in ("booking", "activity"):
        text_ = (_(NONE_YET_IN[kind]) if where else _(NONE_YET[kind])).format(message=text_, centre=where)
    raise NotFound(text_, field=field, value=text)


def ensure_unique(db: Database, kind: str, name: str, field: str, centre_id: int | None = None) -> None:
    existing = [r for r in store.find_named(db, kind, name, centre_id) if store.name_key(r["name"]) == store.name_key(name)]
    if existing:
        found = existing[0]
        text = _(EXISTS_IN[kind]) if found.get("centre") else _(EXISTS[kind])
        raise BadInput(text.format(name=found["name"], centre=found.get("centre"), id=found["id"]), field=field, value=name)


# ---------------------------------------------------------------------------------------------
# Centres, rooms, actors, closures


def add_centre(db: Database, values: dict[str, Any]) -> int:
    """Values: name, type, municipality, area, address, owner, operator."""
    record = rules.centre_record(values)
    with store.write(db):
        ensure_unique(db, "centre", record["name"], "name")
        centre_id = store.insert_centre(db, record)
        log(db, "add", "centre", centre_id, _("Added centre {name}").format(name=record["name"]), new=record)
        return centre_id


def add_room(db: Database, centre: str, values: dict[str, Any]) -> int:
    """Values: name, capacity."""
    record = rules.room_record(values)
    with store.write(db):
        centre_row = resolve(db, "centre", centre, "centre")
        ensure_unique(db, "room", record["name"], "name", centre_row["id"])
        room_id = store.insert_room(db, {"centre_id": centre_row["id"], **record})
        log(db, "add", "room", room_id, _("Added room {name} in {centre}").format(name=record["name"], centre=centre_row["name"]),
            new=record)
        return room_id


def add_actor(db: Database, values: dict[str, Any]) -> int:
    """Values: name, sector, contact, email, phone."""
    record = rules.actor_record(values)
    with store.write(db):
        ensure_unique(db, "actor", record["name"], "name")
        actor_id = store.insert_actor(db, record)
        log(db, "add", "actor", actor_id, _("Added actor {name}").format(name=record["name"]), new=record)
        return actor_id


@dataclass
class ClosureResult:
    closure_id: int
    centre: str
    date_from: dt.date
    date_until: dt.date
    reason: str
    cancelled: list[dict[str, Any]]


def add_closure(db: Database, centre: str, values: dict[str, Any]) -> ClosureResult:
    """Values: from, until, reason. The centre's active bookings inside the closure are cancelled."""
    record = rules.closure_record(values)
    with store.write(db):
        centre_row = resolve(db, "centre", centre, "centre")
        closure_id, cancelled = store_closure(db, centre_row["id"], record)
        log(db, "add", "closure", closure_id, ngettext(
            "Closed {centre} {first}–{last} ({reason}); {count} booking cancelled",
            "Closed {centre} {first}–{last} ({reason}); {count} bookings cancelled", len(cancelled)).format(
                centre=centre_row["name"], first=record["date_from"], last=record["date_until"], reason=record["reason"],
                count=len(cancelled)), new={**record, "cancelled": [b["id"] for b in cancelled]})
    return ClosureResult(closure_id, centre_row["name"], record["date_from"], record["date_until"], record["reason"], cancelled)


def store_closure(db: Database, centre_id: int, record: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
    """Store a checked closure and cancel the bookings inside it (inside the caller's transaction)."""
    first, last = record["date_from"].isoformat(), record["date_until"].isoformat()
    closure_id = store.insert_closure(
        db, {"centre_id": centre_id, "date_from": first, "date_until": last, "reason": record["reason"]}
    )
    cancelled = store.cancel_bookings_between(db, centre_id, first, last, closure_note(record["reason"]), closure_id,
                                              CANCEL_SEPARATOR)
    return closure_id, cancelled


def closure_note(reason: str) -> str:
    """The note a closure leaves on the bookings it cancels (Danish: what the calendar shows)."""
    return f"lukket: {reason}"


def closures_by_centre(db: Database, centre_id: int | None = None) -> dict[int, list[schedule.Closure]]:
    """The stored closures, as rules take them, by centre (one reading, in coordination)."""
    from .coordination import closures_by_centre as read

    return read(db, centre_id)


def closures_for(db: Database, centre_id: int) -> list[schedule.Closure]:
    return closures_by_centre(db, centre_id).get(centre_id, [])


# ---------------------------------------------------------------------------------------------
# Activities and bookings


@dataclass
class ActivitySpec:
    fields: rules.ActivityFields
    centre: dict[str, Any]
    room: dict[str, Any]
    actor: dict[str, Any]
    partners: list[dict[str, Any]]

    @property
    def title(self) -> str:
        return self.fields.title


@dataclass
class BookingResult:
    activity_id: int | None
    stored: list[str] = field(default_factory=list)  # start times of the stored occurrences
    booking_ids: list[int] = field(default_factory=list)
    skipped: list[schedule.Occurrence] = field(default_factory=list)  # holidays and closures
    conflicts: list[rules.ConflictRow] = field(default_factory=list)  # skipped or allowed, per policy
    policy: str = "refuse"


def build_activity(db: Database, values: dict[str, Any]) -> ActivitySpec:
    """Check every value and resolve every name; raises on the first problem.

    Values: title, centre, room, actor, partners (list), and what `rules.activity_fields` takes.
    """
    fields = rules.activity_fields(values)
    centre_row = resolve(db, "centre", values.get("centre"), "centre")
    rules.check_focus_period(fields.focus, store.centre(db, centre_row["id"]).get("funding_period"), centre_row["name"])
    room_row = resolve(db, "room", values.get("room"), "room", centre_row["id"])
    actor_row = resolve(db, "actor", values.get("actor"), "actor")
    partner_rows: list[dict[str, Any]] = []
    for row in _resolve_partners(db, values.get("partners") or []):
        if row["id"] != actor_row["id"] and row["id"] not in {p["id"] for p in partner_rows}:
            partner_rows.append(row)
    return ActivitySpec(fields, centre_row, room_row, actor_row, partner_rows)


def _resolve_partners(db: Database, partners: list[str]) -> list[dict[str, Any]]:
    """Each partner names one actor; a value with commas is a list unless an actor has that name."""
    rows = []
    for text in partners:
        if "," in text and not store.find_named(db, "actor", text):
            rows += [resolve(db, "actor", part, "partners") for part in text.split(",") if part.strip()]
        else:
            rows.append(resolve(db, "actor", text, "partners"))
    return rows


def booked_in(db: Database, proposed: list[rules.Proposed]) -> list[rules.Booked]:
    """The stored active bookings the proposed ones could collide with: one indexed query."""
    span = rules.span(proposed)
    if span is None:
        return []
    rooms, first, last = span
    return [rules.Booked(*row) for row in store.active_slots(db, rooms, first, last)]


def check_rooms(
    db: Database, proposed: list[rules.Proposed], policy: str, *, allow_empty: bool = False, stored_word: str = "stored"
) -> tuple[list[rules.Proposed], list[rules.ConflictRow]]:
    """The room-conflict check of every change: what to store under `policy`, and the conflicts."""
    conflicts = rules.room_conflicts(proposed, booked_in(db, proposed))
    return apply_policy(db, proposed, conflicts, policy, allow_empty=allow_empty, stored_word=stored_word), conflicts


def apply_policy(db: Database, proposed: list[rules.Proposed], conflicts: list[rules.ConflictRow], policy: str,
                 **options: Any) -> list[rules.Proposed]:
    """`rules.apply_policy`, and when conflicts are stored on purpose, the store is told so: a
    database that refuses double bookings itself (PostgreSQL) then lets these be."""
    kept = rules.apply_policy(proposed, conflicts, policy, **options)
    if conflicts and policy == "allow":
        db.allow_conflicts()
    return kept


def store_activity(
    db: Database, centre_id: int, room_id: int, actor_id: int, partner_ids: list[int], fields: rules.ActivityFields
) -> int:
    """Store a checked activity row (its bookings are stored apart)."""
    return store.insert_activity(db, {"centre_id": centre_id, **activity_row(fields, room_id, actor_id)}, partner_ids,
                                 fields.targets)


def activity_row(fields: rules.ActivityFields, room_id: int, actor_id: int) -> dict[str, Any]:
    """The columns of an activity row, from its checked fields: one serialisation for add,
    import and edit."""
    return {
        "title": fields.title,
        "room_id": room_id,
        "actor_id": actor_id,
        "category": fields.category,
        "type": fields.type,
        "age_min": fields.age_min,
        "age_max": fields.age_max,
        "gender": fields.gender,
        "internal": int(fields.internal),
        "focus": fields.focus,
        **fields.rule.to_row(),
        "include_holidays": int(fields.include_holidays),
    }


def add_activity(db: Database, spec: ActivitySpec, policy: str = "refuse") -> BookingResult:
    """Store the activity and one booking per held occurrence, checked against the room's bookings."""
    with store.write(db):
        expansion = rules.held_occurrences(spec.fields.rule, closures_for(db, spec.centre["id"]), spec.fields.include_holidays)
        proposed = [
            rules.Proposed(spec.room["id"], o.start, o.end, spec.title, spec.actor["id"], spec.actor["name"])
            for o in expansion.held
        ]
        to_store, conflicts = check_rooms(db, proposed, policy)
        activity_id = store_activity(
            db, spec.centre["id"], spec.room["id"], spec.actor["id"], [p["id"] for p in spec.partners], spec.fields
        )
        ids = store.insert_bookings(
            db,
            [{"room_id": p.room_id, "actor_id": p.actor_id, "activity_id": activity_id, "title": p.title,
              "start": p.start, "end": p.end} for p in to_store],
        )
        log(db, "add", "activity", activity_id, ngettext(
            "Added activity {title} in {room}, {centre}: {count} date booked",
            "Added activity {title} in {room}, {centre}: {count} dates booked", len(ids)).format(
                title=spec.title, room=spec.room["name"], centre=spec.centre["name"], count=len(ids)),
            new={"title": spec.title, "room": spec.room["name"], "actor": spec.actor["name"],
                 "rule": spec.fields.rule.describe(), "bookings": len(ids)})
    return BookingResult(
        activity_id=activity_id,
        stored=[p.start for p in to_store],
        booking_ids=ids,
        skipped=expansion.skipped,
        conflicts=conflicts,
        policy=policy,
    )


@dataclass
class OneOff:
    fields: rules.BookingFields
    centre: dict[str, Any]
    room: dict[str, Any]
    actor: dict[str, Any]

    @property
    def title(self) -> str:
        return self.fields.title

    @property
    def start(self) -> str:
        return self.fields.start

    @property
    def end(self) -> str:
        return self.fields.end


def build_booking(db: Database, values: dict[str, Any]) -> OneOff:
    """Values: centre, room, actor, and what `rules.booking_fields` takes (title, start, end)."""
    fields = rules.booking_fields(values)
    centre_row = resolve(db, "centre", values.get("centre"), "centre")
    room_row = resolve(db, "room", values.get("room"), "room", centre_row["id"])
    actor_row = resolve(db, "actor", values.get("actor"), "actor")
    return OneOff(fields, centre_row, room_row, actor_row)


def book(db: Database, booking: OneOff, policy: str = "refuse") -> BookingResult:
    """Store a one-off booking: refused inside a closure, checked against the room's bookings
    (one date: skipping it would store nothing, so only refuse or allow)."""
    with store.write(db):
        rules.check_open(closures_for(db, booking.centre["id"]), booking.start, booking.end, booking.centre["name"])
        proposed = [rules.Proposed(booking.room["id"], booking.start, booking.end, booking.title, booking.actor["id"],
                                   booking.actor["name"], note=booking.fields.note)]
        to_store, conflicts = check_rooms(db, proposed, "refuse" if policy == "skip" else policy)
        ids = store.insert_bookings(
            db,
            [{"room_id": p.room_id, "actor_id": p.actor_id, "activity_id": None, "title": p.title,
              "start": p.start, "end": p.end, "note": p.note} for p in to_store],
        )
        log(db, "add", "booking", ids[0], _("Booked {room}, {centre} for {title}: {start}–{end}").format(
            room=booking.room["name"], centre=booking.centre["name"], title=booking.title, start=booking.start,
            end=booking.end[11:]), new={"room": booking.room["name"], "title": booking.title, "start": booking.start,
                                        "end": booking.end, "actor": booking.actor["name"]})
    return BookingResult(activity_id=None, stored=[p.start for p in to_store], booking_ids=ids, conflicts=conflicts, policy=policy)


def cancel(db: Database, refs: list[str], reason: str | None) -> list[tuple[dict[str, Any], bool]]:
    """Cancel bookings, all or none; returns each and whether it was active before."""
    note = rules.note(reason, "reason")
    if not refs:
        raise BadInput(_("give at least one booking id (see `medborger list bookings`)"), field="bookings")
    with store.write(db):
        rows = [store.booking(db, resolve(db, "booking", ref, "bookings")["id"]) for ref in dict.fromkeys(refs)]
        done = []
        for row in rows:
            if row["status"] == "cancelled":
                closed_by = store.row(db, "bookings", row["id"])["closure_id"]
                if closed_by is not None and note:  # cancelled by a closure, now also by hand: it stays cancelled
                    store.update_row(db, "bookings", row["id"], {"closure_id": None, "note": note})
                    log(db, "cancel", "booking", row["id"], _("Cancelled {title}, {room}, {start} (it was inside a closure)").format(
                        title=row["title"], room=row["room"], start=row["start"]), old={"note": row["note"]}, new={"note": note})
                    done.append(({**row, "note": note}, True))
                else:
                    done.append((row, False))
                continue
            rules.check_keeps_attendance(row, store.attendance_of(db, row["id"]) is not None, schedule.today(), cancelling=True,
                                         field="bookings")
            store.set_booking_status(db, row["id"], "cancelled", cancel_note(note, row["note"]))
            log(db, "cancel", "booking", row["id"], _("Cancelled {title}, {room}, {start}").format(
                title=row["title"], room=row["room"], start=row["start"]), old={"status": "active", "note": row["note"]},
                new={"status": "cancelled", "note": cancel_note(note, row["note"])})
            done.append(({**row, "status": "cancelled"}, True))
        return done


CANCEL_SEPARATOR = " · "  # a cancellation's reason, then the note the booking had before


def cancel_note(reason: str | None, before: str | None) -> str:
    reason = reason or "aflyst"
    return f"{reason}{CANCEL_SEPARATOR}{before}" if before and before != reason else reason


def note_before_cancel(note: str | None) -> str | None:
    """The note a booking had before it was cancelled (restore gives it back)."""
    return note.split(CANCEL_SEPARATOR, 1)[1] if note and CANCEL_SEPARATOR in note else None


def occurrence_on(db: Database, activity: str, day: dt.date, centre_id: int | None = None) -> dict[str, Any]:
    """The booking of an activity on a date."""
    found = resolve(db, "activity", activity, "activity", centre_id)
    rows = [b for b in store.activity_bookings(db, found["id"], day.isoformat()) if b["start"][:10] == day.isoformat()]
    if not rows:
        raise BadInput(_("{name} has no booking on {day}").format(name=found['name'], day=schedule.long_day(day)), field="on", value=day.isoformat())
    return rows[0]


def cancel_bookings(db: Database, booking_ids: list[int], reason: str | None) -> int:
    """Cancel several bookings in one transaction (all or none); returns how many were active."""
    from .i18n import _

    note = rules.note(reason, "reason")
    changed = 0
    with store.write(db):
        for booking_id in booking_ids:
            row = store.booking(db, booking_id)
            if row is None:
                raise BadInput(_("there is no booking {id}").format(id=booking_id), field="booking", value=booking_id)
            if row["status"] == "active":
                store.set_booking_status(db, booking_id, "cancelled", note or "aflyst")
                changed += 1
    return changed


# ---------------------------------------------------------------------------------------------
# Removing


def removal_plan(db: Database, kind: str, name: str) -> tuple[dict[str, Any], dict[str, list[str]]]:
    row = resolve(db, kind, name, "name")
    return row, store.dependants(db, kind, row["id"])


def remove(db: Database, kind: str, row_id: int, cascade: bool) -> dict[str, int]:
    with store.write(db):
        blocking = store.dependants(db, kind, row_id)
        if blocking and not cascade:
            raise Refused(describe_dependants(kind, blocking), field=None)
        table = {"centre": "centres", "room": "rooms", "actor": "actors", "activity": "activities", "booking": "bookings"}[kind]
        old = store.row(db, table, row_id)
        removed = store.delete(db, kind, row_id, cascade)
        from . import vocab

        log(db, "remove", kind, row_id, _("Removed {kind} {name} ({detail})").format(
            kind=vocab.kind_word(kind), name=(old or {}).get("name") or (old or {}).get("title") or row_id,
            detail=", ".join(vocab.counted(t, n) for t, n in removed.items())), old=old)
        return removed


def describe_dependants(kind: str, blocking: dict[str, list[str]]) -> str:
    from . import vocab

    parts = []
    for table, names in blocking.items():
        shown = ", ".join(names[:4])
        if len(names) > 4:
            shown = _("{names} and {count} more").format(names=shown, count=len(names) - 4)
        parts.append(f"{vocab.counted(table, len(names))} ({shown})")
    return _(STILL_HAS[kind] if kind in STILL_HAS else STILL_HAS["centre"]).format(what="; ".join(parts))


# ---------------------------------------------------------------------------------------------
# Acknowledging findings of the overlaps report


def acknowledge(db: Database, keys: list[str], note: str) -> list[tuple[dict[str, Any], bool]]:
    """Record that findings are known and intended, all or none; returns each finding and
    whether its acknowledgement is new (else its note was updated)."""
    from . import coordination

    text = rules.note(note, "note")
    if not text:
        raise BadInput(_("must not be empty; say why the findings are fine"), field="note")
    wanted = [coordination.parse_key(k) for k in keys]
    if not wanted:
        raise BadInput(_("give the key of at least one finding (see `medborger overlaps`)"), field="keys")
    kinds = sorted({k.split("-")[0] for k in wanted})
    with store.write(db):
        found = {f["key"]: f for f in coordination.overlaps(db, kinds, coordination.Scope(), include_acknowledged=True)}
        missing = [k for k in wanted if k not in found]
        if missing:
            raise BadInput(
                f"there is no finding {', '.join(missing)}; `medborger overlaps` lists the keys of the findings",
                field="keys", value=missing,
            )
        known = store.acknowledgements(db)
        done = []
        for k in dict.fromkeys(wanted):
            before = known.get(k)
            is_new = store.acknowledge(db, k, found[k]["kind"], text)
            if is_new or (before or {}).get("note") != text:
                log(db, "acknowledge", "finding", None, (
                    _("Acknowledged finding {key}: {note}") if is_new else
                    _("Changed the note of acknowledged finding {key}: {note}")).format(key=k, note=text),
                    old=None if is_new else {"key": k, "note": (before or {}).get("note")}, new={"key": k, "note": text})
            done.append((found[k], is_new))
        return done


def withdraw_acknowledgement(db: Database, key: str) -> bool:
    from . import coordination

    wanted = coordination.parse_key(key)
    with store.write(db):
        before = store.acknowledgements(db).get(wanted)
        withdrawn = store.unacknowledge(db, wanted)
        if withdrawn:
            log(db, "unacknowledge", "finding", None, _("Withdrew the acknowledgement of finding {key}").format(key=wanted),
                old={"key": wanted, "note": (before or {}).get("note")})
        return withdrawn


# ---------------------------------------------------------------------------------------------
# Keeping the data: health and backup


def health(db: Database, path: Path) -> dict[str, Any]:
    """What `check` reports: SQLite's integrity and references, the schema, rows with dates
    outside the years medborger plans for, and storage that SQLite cannot share safely."""
    from . import files

    import sqlite3

    result = {**store.check(db), "path": str(path)}
    on_server = not isinstance(path, Path)
    try:
        outside = store.dates_outside(db, f"{schedule.FIRST_YEAR}-01-01", f"{schedule.LAST_YEAR}-12-31")
    except sqlite3.DatabaseError:  # damaged: integrity says so
        outside = {}
    result["dates_outside"] = {t: n for t, n in outside.items() if n}
    try:
        result["invalid_values"] = {t: n for t, n in invalid_values(db).items() if n}
    except sqlite3.DatabaseError:  # damaged: integrity says so
        result["invalid_values"] = {}
    result["storage"] = None if on_server else files.shared_storage(path)
    sound = result["integrity"] == ["ok"] or (result.get("integrity_by_server") and not result["integrity"])
    result["ok"] = (bool(sound) and not result["foreign_keys"] and not result["dates_outside"]
                    and not result["invalid_values"] and result.get("constraint", True))
    return result


def invalid_values(db: Database) -> dict[str, int]:
    """Rows per table whose stored dates, times or activity rules cannot be read (edited by hand,
    or written by another program): the commands that meet them cannot plan with them."""
    from . import vocab

    return store.invalid_values(db, list(vocab.WEEKDAYS), list(vocab.MONTHLY_NTH))


def damaged(db: Database) -> list[str]:
    """SQLite's quick check: empty when the file is sound (about 0.7 s for a million bookings).
    A server keeps its own pages sound: nothing to check there."""
    if db.dialect != "sqlite":
        return []
    found = store.quick_check(db)
    return [] if found == ["ok"] else found


def backup(db: Database, source: Path, target_text: str, overwrite: bool = False) -> Path:
    """A copy of the database at PATH (a file, or a folder for a dated file), written by the rules
    of files.py: never over the database or its -wal/-shm/-journal files, never through a link,
    an existing file only with `overwrite`, a device or pipe written in place, mode 0600."""
    import shutil
    import tempfile

    from . import files

    target = files.user_path(target_text, field="path")
    if target.is_dir():
        target = target / f"medborger-{dt.date.today().isoformat()}.db"
    checked = files.check_target(target, field="path", overwrite=overwrite, protected=files.database_files(source))
    # store.backup_to writes beside its target under a predictable name; give it a fresh private
    # folder (random name, mode 0700) on the target's file system, then put the copy in place.
    folder = source.parent if checked.direct and isinstance(source, Path) else target.parent
    try:
        scratch = Path(tempfile.mkdtemp(dir=folder, prefix=".medborger-backup-"))
    except OSError as exc:
        raise BadInput(_("cannot write in {folder}: {reason}").format(folder=folder, reason=exc.strerror), field="path") from None
    try:
        store.backup_to(db, scratch / "copy.db")
        files.install(checked, scratch / "copy.db")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


# ---------------------------------------------------------------------------------------------
# Attendance: counts per held session


@dataclass
class Attended:
    booking: dict[str, Any]
    old: dict[str, Any] | None  # what was registered before (a correction), as stored
    new: dict[str, Any] | None  # what is registered now; None: cleared


def _attendance_booking(db: Database, ref: Any, field: str, today: dt.date) -> dict[str, Any]:
    found = resolve(db, "booking", str(ref) if ref is not None else None, field)
    booking_row = store.booking(db, found["id"])
    rules.check_attendable(booking_row, today, field)
    return booking_row


def _register(db: Database, booking_row: dict[str, Any], fields: rules.AttendanceFields) -> Attended:
    """Store one session's counts inside the caller's transaction, and log it."""
    old = store.attendance_of(db, booking_row["id"])
    new = fields.to_row()
    store.set_attendance(db, booking_row["id"], new)
    if old is None:
        summary = ngettext("Registered {count} participant at {title}, {room}, {start}",
                           "Registered {count} participants at {title}, {room}, {start}", fields.count)
    else:
        summary = ngettext("Corrected the attendance at {title}, {room}, {start} to {count} participant",
                           "Corrected the attendance at {title}, {room}, {start} to {count} participants", fields.count)
    log(db, "attend", "booking", booking_row["id"], summary.format(
        count=fields.count, title=booking_row["title"], room=booking_row["room"], start=booking_row["start"]),
        old={k: old[k] for k in store.ATTENDANCE_COLUMNS} if old else None, new=new)
    return Attended(booking_row, old, new)


def attend(db: Database, ref: Any, values: dict[str, Any], today: dt.date | None = None) -> Attended:
    """Register (or correct: the new counts replace the old) the attendance of one held session.
    Values: count, new, female, male, age_bands, note. Refused for a cancelled or future session."""
    fields = rules.attendance_fields(values)
    with store.write(db):
        booking_row = _attendance_booking(db, ref, "booking", today or schedule.today())
        return _register(db, booking_row, fields)


def clear_attendance(db: Database, ref: Any) -> Attended:
    """Remove what was registered for a session (it then counts as not registered)."""
    with store.write(db):
        found = resolve(db, "booking", str(ref) if ref is not None else None, "booking")
        booking_row = store.booking(db, found["id"])
        old = store.attendance_of(db, booking_row["id"])
        if old is None:
            raise BadInput(_("no attendance is registered for booking {id}; nothing to clear").format(id=booking_row['id']),
                           field="booking", value=ref)
        store.delete_attendance(db, booking_row["id"])
        log(db, "attend", "booking", booking_row["id"], _("Cleared the attendance at {title}, {room}, {start}").format(
            title=booking_row["title"], room=booking_row["room"], start=booking_row["start"]),
            old={k: old[k] for k in store.ATTENDANCE_COLUMNS})
        return Attended(booking_row, old, None)


def attend_many(db: Database, entries: list[tuple[str, str, str]], *, day: dt.date | None = None,
                centre_id: int | None = None, today: dt.date | None = None) -> list[Attended]:
    """Register several sessions' counts from `BOOKING,COUNT` lines, all or none: entries are
    (where, booking, count), `where` naming the line for errors. With `day` (and `centre_id`)
    each booking must be a session of that day (in that centre)."""
    from .errors import ImportErrors, RowError

    today = today or schedule.today()
    errors: list[RowError] = []
    checked: list[tuple[str, dict[str, Any], rules.AttendanceFields]] = []
    with store.write(db):
        seen: dict[int, str] = {}
        for where, ref, count in entries:
            source, _sep, line = where.rpartition(":")
            try:
                fields = rules.attendance_fields({"count": count})
                booking_row = _attendance_booking(db, ref, "booking", today)
                if day is not None and booking_row["start"][:10] != day.isoformat():
                    raise BadInput(_("booking {id} is on {day}, not {given}").format(
                        id=booking_row['id'], day=schedule.long_day(booking_row['start'][:10]), given=schedule.long_day(day)),
                                   field="booking", value=ref)
                if centre_id is not None and booking_row["centre_id"] != centre_id:
                    raise BadInput(_("booking {id} is in {centre}").format(id=booking_row['id'], centre=booking_row['centre']),
                                   field="booking", value=ref)
                if booking_row["id"] in seen:
                    raise BadInput(_("booking {id} is given twice (also {other})").format(id=booking_row['id'], other=seen[booking_row['id']]),
                                   field="booking", value=ref)
                seen[booking_row["id"]] = where
            except BadInput as exc:
                errors.append(RowError(source, int(line), exc.field, exc.render(with_field=False)))
                continue
            except Refused as exc:
                errors.append(RowError(source, int(line), exc.field, exc.render(with_field=False)))
                continue
            checked.append((where, booking_row, fields))
        if errors:
            raise ImportErrors(errors)
        return [_register(db, booking_row, fields) for _, booking_row, fields in checked]


def sessions_of_day(db: Database, day: dt.date, centre: str | None = None) -> list[dict[str, Any]]:
    """The sessions of a day, each with the attendance registered (None when not yet)."""
    centre_id = resolve(db, "centre", centre, "centre")["id"] if centre else None
    return store.day_sessions(db, day.isoformat(), centre_id)


# ---------------------------------------------------------------------------------------------
# Copying the whole database to another engine


@dataclass
class Copied:
    target: str  # as it may be shown (no password)
    rows: dict[str, int]


def copy_to(db: Database, source: Any, target_text: str) -> Copied:
    """Copy everything into an empty PostgreSQL database (a URL) or a new SQLite file (a path)."""
    import tempfile

    from . import files
    from .errors import Refused
    from .store.engine import is_url, parse_target

    if not target_text or not target_text.strip():
        raise BadInput(_("give a postgresql:// address or the path of a new database file"), field="to")
    if is_url(target_text):
        target = parse_target(target_text)
        if not isinstance(source, Path) and (source.host, source.port, source.dbname) == (target.host, target.port, target.dbname):
            raise BadInput(_("is the database itself; give another one"), field="to")
        other = store.connect(target, "to")
        try:
            counts = store.copy_row_counts(other)
            if any(counts.values()):
                raise Refused(_("database {database} on {host}:{port} is not empty; copy writes only into an empty "
                                "database").format(database=target.dbname, host=target.host, port=target.port))
            rows = store.copy_all(db, other)
        finally:
            other.conn.close()
        return Copied(target.display, rows)
    path = files.user_path(target_text, field="to")
    if path.exists() or path.is_symlink():
        raise Refused(_("{path} exists; copy writes a new file, so choose a name that is not taken").format(path=path))
    if isinstance(source, Path) and path.resolve() == source.resolve():
        raise BadInput(_("is the database itself; give another one"), field="to")
    if not path.parent.is_dir():
        raise BadInput(_("the folder {folder} does not exist").format(folder=path.parent), field="to")
    scratch = Path(tempfile.mkdtemp(dir=path.parent, prefix=".medborger-copy-"))
    try:
        partial = scratch / "copy.db"
        rows = store.copy_into_file(db, partial)
        try:
            files.place_new(partial, path)  # never over a file that appeared meanwhile
        except FileExistsError:
            raise Refused(_("{path} exists; copy writes a new file, so choose a name that is not taken").format(
                path=path)) from None
    finally:
        import shutil

        shutil.rmtree(scratch, ignore_errors=True)
    return Copied(str(path), rows)
