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
from .errors import Ambiguous, BadInput, NotFound, Refused

SINGULAR = {"rooms": "room", "activities": "activity", "closures": "closure", "bookings": "booking", "partnerships": "partnership"}
PLURAL = {"centre": "centres", "room": "rooms", "actor": "actors", "activity": "activities", "booking": "bookings"}


# ---------------------------------------------------------------------------------------------
# Names


def resolve(db: Database, kind: str, text: str | None, field: str, centre_id: int | None = None) -> dict[str, Any]:
    """Find one centre, room, actor, activity or booking by id or by name (case-insensitive)."""
    value = (text or "").strip()
    if not value:
        raise BadInput(f"must not be empty; give a {kind} name or id", field=field, value=text)
    rows = store.find_named(db, kind, value, centre_id)
    if len(rows) == 1:
        return rows[0]
    if len(rows) > 1:
        options = "; ".join(f"{r['name']} (id {r['id']}{', ' + r['centre'] if r.get('centre') else ''})" for r in rows[:8])
        raise Ambiguous(f"'{value}' matches {len(rows)} {PLURAL[kind]}: {options}; give the full name or the id",
                        field=field, value=text)
    where = ""
    if centre_id is not None and kind in ("room", "activity"):
        where = f" in {store.centre(db, centre_id)['name']}"
    known = store.names_of(db, kind, centre_id) if kind != "booking" else []
    close = difflib.get_close_matches(value, known, n=3, cutoff=0.5)
    if not close:
        close = [n for n in known if store.name_key(value) in store.name_key(n)][:3]
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    if not hint and known:
        hint = f"; known: {', '.join(known[:6])}{', …' if len(known) > 6 else ''}"
    elif not known and kind not in ("booking", "activity"):
        hint = f"; there are no {PLURAL[kind]}{where} yet (add one with medborger add-{kind})"
    raise NotFound(f"no {kind} '{value}'{where}{hint}", field=field, value=text)


def _ensure_unique(db: Database, kind: str, name: str, field: str, centre_id: int | None = None) -> None:
    existing = [r for r in store.find_named(db, kind, name, centre_id) if store.name_key(r["name"]) == store.name_key(name)]
    if existing:
        place = f" in {existing[0]['centre']}" if existing[0].get("centre") else ""
        raise BadInput(f"a {kind} named '{existing[0]['name']}' exists already{place} (id {existing[0]['id']}); choose another name",
                       field=field, value=name)


# ---------------------------------------------------------------------------------------------
# Centres, rooms, actors, closures


def add_centre(db: Database, values: dict[str, Any]) -> int:
    """Values: name, type, municipality, area, address, owner, operator."""
    record = rules.centre_record(values)
    with store.write(db):
        _ensure_unique(db, "centre", record["name"], "name")
        return store.insert_centre(db, record)


def add_room(db: Database, centre: str, values: dict[str, Any]) -> int:
    """Values: name, capacity."""
    record = rules.room_record(values)
    with store.write(db):
        centre_row = resolve(db, "centre", centre, "centre")
        _ensure_unique(db, "room", record["name"], "name", centre_row["id"])
        return store.insert_room(db, {"centre_id": centre_row["id"], **record})


def add_actor(db: Database, values: dict[str, Any]) -> int:
    """Values: name, sector, contact, email, phone."""
    record = rules.actor_record(values)
    with store.write(db):
        _ensure_unique(db, "actor", record["name"], "name")
        return store.insert_actor(db, record)


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
    return ClosureResult(closure_id, centre_row["name"], record["date_from"], record["date_until"], record["reason"], cancelled)


def store_closure(db: Database, centre_id: int, record: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
    """Store a checked closure and cancel the bookings inside it (inside the caller's transaction)."""
    first, last = record["date_from"].isoformat(), record["date_until"].isoformat()
    closure_id = store.insert_closure(
        db, {"centre_id": centre_id, "date_from": first, "date_until": last, "reason": record["reason"]}
    )
    cancelled = store.cancel_bookings_between(db, centre_id, first, last, f"lukket: {record['reason']}")
    return closure_id, cancelled


def closures_by_centre(db: Database, centre_id: int | None = None) -> dict[int, list[schedule.Closure]]:
    """The stored closures, as rules take them, by centre."""
    found: dict[int, list[schedule.Closure]] = {}
    for row in store.closures(db, centre_id):
        found.setdefault(row["centre_id"], []).append(schedule.Closure.from_row(row))
    return found


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
    return rules.apply_policy(proposed, conflicts, policy, allow_empty=allow_empty, stored_word=stored_word), conflicts


def store_activity(
    db: Database, centre_id: int, room_id: int, actor_id: int, partner_ids: list[int], fields: rules.ActivityFields
) -> int:
    """Store a checked activity row (its bookings are stored apart)."""
    return store.insert_activity(
        db,
        {
            "title": fields.title,
            "centre_id": centre_id,
            "room_id": room_id,
            "actor_id": actor_id,
            "category": fields.category,
            "focus": fields.focus,
            **fields.rule.to_row(),
            "include_holidays": int(fields.include_holidays),
        },
        partner_ids,
        fields.targets,
    )


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
    return BookingResult(activity_id=None, stored=[p.start for p in to_store], booking_ids=ids, conflicts=conflicts, policy=policy)


def cancel(db: Database, booking_id: str, reason: str | None) -> tuple[dict[str, Any], bool]:
    """Cancel one booking; returns it and whether it was active before."""
    note = rules.note(reason, "reason")
    with store.write(db):
        found = resolve(db, "booking", booking_id, "booking")
        row = store.booking(db, found["id"])
        if row["status"] == "cancelled":
            return row, False
        store.set_booking_status(db, row["id"], "cancelled", note or "aflyst")
        return {**row, "status": "cancelled"}, True


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
        return store.delete(db, kind, row_id, cascade)


def describe_dependants(kind: str, blocking: dict[str, list[str]]) -> str:
    parts = []
    for table, names in blocking.items():
        shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
        noun = SINGULAR.get(table, table) if len(names) == 1 else table
        parts.append(f"{len(names)} {noun} ({shown})")
    return f"the {kind} still has {'; '.join(parts)}; remove those first or pass {{field:cascade}} to remove them too"


# ---------------------------------------------------------------------------------------------
# Acknowledging findings of the overlaps report


def acknowledge(db: Database, keys: list[str], note: str) -> list[tuple[dict[str, Any], bool]]:
    """Record that findings are known and intended, all or none; returns each finding and
    whether its acknowledgement is new (else its note was updated)."""
    from . import coordination

    text = rules.note(note, "note")
    if not text:
        raise BadInput("must not be empty; say why the findings are fine", field="note")
    wanted = [coordination.parse_key(k) for k in keys]
    if not wanted:
        raise BadInput("give the key of at least one finding (see `medborger overlaps`)", field="keys")
    kinds = sorted({k.split("-")[0] for k in wanted})
    with store.write(db):
        found = {f["key"]: f for f in coordination.overlaps(db, kinds, coordination.Scope(), include_acknowledged=True)}
        missing = [k for k in wanted if k not in found]
        if missing:
            raise BadInput(
                f"there is no finding {', '.join(missing)}; `medborger overlaps` lists the keys of the findings",
                field="keys", value=missing,
            )
        return [(found[k], store.acknowledge(db, k, found[k]["kind"], text)) for k in dict.fromkeys(wanted)]


def withdraw_acknowledgement(db: Database, key: str) -> bool:
    from . import coordination

    wanted = coordination.parse_key(key)
    with store.write(db):
        return store.unacknowledge(db, wanted)


# ---------------------------------------------------------------------------------------------
# Keeping the data: backup and personal data


def backup(db: Database, source: Path, target_text: str, overwrite: bool = False) -> Path:
    target = Path(target_text).expanduser()
    if target.is_dir():
        target = target / f"medborger-{dt.date.today().isoformat()}.db"
    if not target.parent.is_dir():
        raise BadInput(f"PATH: folder {target.parent} does not exist; create it or choose another path")
    if target.resolve() == source.resolve():
        raise BadInput("PATH: that is the database itself; choose another file")
    if target.exists() and not overwrite:
        raise BadInput(f"PATH: {target} exists already; choose another name or pass --overwrite")
    store.backup_to(db, target)
    return target


def _person(needle: str) -> str:
    text = rules.text(needle, "name")
    if len(text) < 3:
        raise BadInput("give at least three letters of the person's name, e-mail or phone number", field="name", value=needle)
    return text


def privacy_show(db: Database, needle: str) -> list[dict[str, Any]]:
    return store.person_mentions(db, _person(needle))


def privacy_erase(db: Database, needle: str) -> list[dict[str, Any]]:
    text = _person(needle)
    with store.write(db):
        changed = store.erase_person(db, text, "[slettet]")
    if changed:
        store.scrub(db)
    return changed
