"""The use cases: each validates plain values, runs in one write transaction and returns a result.

The CLI parses and asks; this module decides; the store reads and writes. Nothing here prints
or prompts, so every rule is tested without a terminal.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from . import schedule, store, vocab
from .errors import Ambiguous, BadInput, Conflict, NotFound, Refused
from .overlaps import Slot, conflicts_of

MAX_NAME = 200
MAX_TEXT = 2000
POLICIES = ("refuse", "skip", "allow")
SINGULAR = {"rooms": "room", "activities": "activity", "closures": "closure", "bookings": "booking", "partnerships": "partnership"}

KIND_LABEL = {"centre": "centre", "room": "room", "actor": "actor", "activity": "activity", "booking": "booking"}
PLURAL = {"centre": "centres", "room": "rooms", "actor": "actors", "activity": "activities", "booking": "bookings"}


# ---------------------------------------------------------------------------------------------
# Values


def clean_text(value: str | None, field_name: str, *, required: bool = True, limit: int = MAX_NAME) -> str | None:
    """Trimmed text; empty is an error when required, None otherwise."""
    text = " ".join((value or "").split()) if value is not None else ""
    if not text:
        if required:
            raise BadInput(f"{field_name}: must not be empty")
        return None
    if len(text) > limit:
        raise BadInput(f"{field_name}: {len(text)} characters is too long; keep it under {limit}")
    if any(ord(ch) < 32 for ch in text):
        raise BadInput(f"{field_name}: contains control characters; use plain text")
    return text


def resolve(db: Database, kind: str, text: str, field_name: str, centre_id: int | None = None) -> dict[str, Any]:
    """Find one centre, room, actor, activity or booking by id or by name (case-insensitive)."""
    value = (text or "").strip()
    if not value:
        raise BadInput(f"{field_name}: must not be empty; give a {KIND_LABEL[kind]} name or id")
    rows = store.find_named(db, kind, value, centre_id)
    if len(rows) == 1:
        return rows[0]
    if len(rows) > 1:
        options = "; ".join(f"{r['name']} (id {r['id']}{', ' + r['centre'] if r.get('centre') else ''})" for r in rows[:8])
        raise Ambiguous(f"{field_name}: '{value}' matches {len(rows)} {PLURAL[kind]}: {options}; give the full name or the id")
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
    elif not known and kind != "booking":
        hint = f"; there are no {PLURAL[kind]}{where} yet (add one with medborger add-{kind})" if kind != "activity" else ""
    raise NotFound(f"{field_name}: no {KIND_LABEL[kind]} '{value}'{where}{hint}")


def _ensure_unique(db: Database, kind: str, name: str, field_name: str, centre_id: int | None = None) -> None:
    existing = [r for r in store.find_named(db, kind, name, centre_id) if store.name_key(r["name"]) == store.name_key(name)]
    if existing:
        place = f" in {existing[0]['centre']}" if existing[0].get("centre") else ""
        raise BadInput(f"{field_name}: a {kind} named '{existing[0]['name']}' exists already{place} (id {existing[0]['id']}); choose another name")


# ---------------------------------------------------------------------------------------------
# Centres, rooms, actors, closures


def _flag(fields: dict[str, str] | None, name: str) -> str:
    """How a field is named in messages: the flag on the command line, the column in a file."""
    if fields is not None:
        return fields.get(name, name)
    return "NAME" if name in ("name", "title") else f"--{name}"


def centre_record(values: dict[str, str | None], fields: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "name": clean_text(values.get("name"), _flag(fields, "name")),
        "type": vocab.parse(vocab.CENTRE_TYPES, values.get("type") or "", _flag(fields, "type")),
        "municipality": clean_text(values.get("municipality"), _flag(fields, "municipality")),
        **{k: clean_text(values.get(k), _flag(fields, k), required=False) for k in ("area", "address", "owner", "operator")},
    }


def actor_record(values: dict[str, str | None], fields: dict[str, str] | None = None) -> dict[str, Any]:
    record = {
        "name": clean_text(values.get("name"), _flag(fields, "name")),
        "sector": vocab.parse(vocab.SECTORS, values.get("sector") or "", _flag(fields, "sector")),
        **{k: clean_text(values.get(k), _flag(fields, k), required=False) for k in ("contact", "email", "phone")},
    }
    if record["email"] and ("@" not in record["email"] or " " in record["email"]):
        raise BadInput(f"{_flag(fields, 'email')}: '{record['email']}' is not an e-mail address; write it as name@example.dk")
    if record["phone"] and not all(ch.isdigit() or ch in " +-()./" for ch in record["phone"]):
        raise BadInput(f"{_flag(fields, 'phone')}: '{record['phone']}' is not a phone number; use digits, spaces and +")
    return record


def add_centre(
    db: Database,
    name: str,
    type_: str,
    municipality: str,
    area: str | None = None,
    address: str | None = None,
    owner: str | None = None,
    operator: str | None = None,
) -> int:
    record = centre_record(
        {"name": name, "type": type_, "municipality": municipality, "area": area, "address": address,
         "owner": owner, "operator": operator}
    )
    with store.write(db):
        _ensure_unique(db, "centre", record["name"], "NAME")
        return store.insert_centre(db, record)


def add_room(db: Database, centre: str, name: str, capacity: int | None = None) -> int:
    room_name = clean_text(name, "NAME")
    if capacity is not None and not 1 <= capacity <= 100000:
        raise BadInput(f"--capacity: {capacity} is not a number of people; give 1 or more")
    with store.write(db):
        centre_row = resolve(db, "centre", centre, "CENTRE")
        _ensure_unique(db, "room", room_name, "NAME", centre_row["id"])
        return store.insert_room(db, {"centre_id": centre_row["id"], "name": room_name, "capacity": capacity})


def add_actor(
    db: Database,
    name: str,
    sector: str,
    contact: str | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> int:
    record = actor_record({"name": name, "sector": sector, "contact": contact, "email": email, "phone": phone})
    with store.write(db):
        _ensure_unique(db, "actor", record["name"], "NAME")
        return store.insert_actor(db, record)


@dataclass
class ClosureResult:
    closure_id: int
    centre: str
    cancelled: list[dict[str, Any]]


def add_closure(db: Database, centre: str, date_from: dt.date, date_until: dt.date, reason: str) -> ClosureResult:
    text = clean_text(reason, "--reason")
    if date_until < date_from:
        raise BadInput(f"--until: {date_until} is before --from {date_from}")
    with store.write(db):
        centre_row = resolve(db, "centre", centre, "CENTRE")
        closure_id = store.insert_closure(
            db,
            {
                "centre_id": centre_row["id"],
                "date_from": date_from.isoformat(),
                "date_until": date_until.isoformat(),
                "reason": text,
            },
        )
        cancelled = store.cancel_bookings_between(
            db, centre_row["id"], date_from.isoformat(), date_until.isoformat(), f"lukket: {text}"
        )
    return ClosureResult(closure_id, centre_row["name"], cancelled)


def closures_for(db: Database, centre_id: int) -> list[schedule.Closure]:
    return [
        schedule.Closure(dt.date.fromisoformat(c["date_from"]), dt.date.fromisoformat(c["date_until"]), c["reason"])
        for c in store.closures(db, centre_id)
    ]


# ---------------------------------------------------------------------------------------------
# Activities and bookings


@dataclass(frozen=True)
class ConflictRow:
    """A proposed occurrence and the stored (or proposed) booking it collides with."""

    start: str
    end: str
    title: str
    other_id: int | None
    other_title: str
    other_actor: str
    other_start: str
    other_end: str


@dataclass
class ActivitySpec:
    title: str
    centre: dict[str, Any]
    room: dict[str, Any]
    actor: dict[str, Any]
    partners: list[dict[str, Any]]
    category: str
    targets: list[str]
    focus: str | None
    rule: schedule.Recurrence
    include_holidays: bool = False


@dataclass
class BookingResult:
    activity_id: int | None
    stored: list[str] = field(default_factory=list)  # start times of the stored occurrences
    booking_ids: list[int] = field(default_factory=list)
    skipped: list[schedule.Occurrence] = field(default_factory=list)  # holidays and closures
    conflicts: list[ConflictRow] = field(default_factory=list)  # skipped or allowed, per policy
    policy: str = "refuse"


def build_activity(
    db: Database,
    *,
    title: str,
    centre: str,
    room: str,
    actor: str,
    partners: list[str],
    category: str,
    targets: list[str],
    focus: str | None,
    rule: schedule.Recurrence,
    include_holidays: bool = False,
) -> ActivitySpec:
    """Validate every field and resolve every name; raises BadInput on the first problem."""
    clean_title = clean_text(title, "TITLE")
    category_code = vocab.parse(vocab.CATEGORIES, category, "--category")
    target_codes = vocab.parse_many(vocab.TARGET_GROUPS, targets, "--target")
    if not target_codes:
        raise BadInput("--target: give at least one target group, for example --target unge")
    focus_code = vocab.parse(vocab.FOCUS_AREAS, focus, "--focus") if focus else None
    rule.validate()
    centre_row = resolve(db, "centre", centre, "--centre")
    room_row = resolve(db, "room", room, "--room", centre_row["id"])
    actor_row = resolve(db, "actor", actor, "--actor")
    partner_rows: list[dict[str, Any]] = []
    for row in _resolve_partners(db, partners):
        if row["id"] != actor_row["id"] and row["id"] not in {p["id"] for p in partner_rows}:
            partner_rows.append(row)
    return ActivitySpec(
        title=clean_title,
        centre=centre_row,
        room=room_row,
        actor=actor_row,
        partners=partner_rows,
        category=category_code,
        targets=target_codes,
        focus=focus_code,
        rule=rule,
        include_holidays=include_holidays,
    )


def _resolve_partners(db: Database, partners: list[str]) -> list[dict[str, Any]]:
    """Each --partner names one actor; a value with commas is a list unless an actor has that name."""
    rows = []
    for text in partners:
        if "," in text and not store.find_named(db, "actor", text):
            rows += [resolve(db, "actor", part, "--partner") for part in text.split(",") if part.strip()]
        else:
            rows.append(resolve(db, "actor", text, "--partner"))
    return rows


def expand_activity(db: Database, spec: ActivitySpec) -> schedule.Expansion:
    expansion = schedule.expand(spec.rule, closures_for(db, spec.centre["id"]), spec.include_holidays)
    if not expansion.held:
        if expansion.occurrences:
            reasons = sorted({o.skipped for o in expansion.skipped})
            raise BadInput(f"--from/--until: every date of the rule is skipped ({'; '.join(reasons)}); nothing to book")
        raise BadInput(f"--weekday: no {spec.rule.describe()} date falls between --from and --until")
    return expansion


def find_conflicts(db: Database, room_id: int, title: str, proposed: list[tuple[str, str]]) -> list[ConflictRow]:
    """Conflicts of proposed (start, end) intervals in one room, with stored bookings and each other."""
    if not proposed:
        return []
    first = min(p[0] for p in proposed)
    last = max(p[1] for p in proposed)
    existing = store.active_bookings_in_rooms(db, [room_id], first, last)
    by_id = {b["id"]: b for b in existing}
    pairs = conflicts_of(
        [Slot(room_id, s, e, ("new", i)) for i, (s, e) in enumerate(proposed)],
        [Slot(room_id, b["start"], b["end"], b["id"]) for b in existing],
    )
    rows = []
    for mine, other in pairs:
        if other.proposed:
            rows.append(ConflictRow(mine.start, mine.end, title, None, title, "(this activity)", other.start, other.end))
        else:
            b = by_id[other.ref]
            rows.append(ConflictRow(mine.start, mine.end, title, b["id"], b["title"], b["actor"], b["start"], b["end"]))
    return rows


def _apply_policy(
    db: Database, room_id: int, title: str, occurrences: list[tuple[str, str]], policy: str
) -> tuple[list[tuple[str, str]], list[ConflictRow]]:
    if policy not in POLICIES:
        raise BadInput(f"conflict policy: use one of {', '.join(POLICIES)}")
    conflicts = find_conflicts(db, room_id, title, occurrences)
    if not conflicts or policy == "allow":
        return occurrences, conflicts
    if policy == "refuse":
        dates = len({c.start for c in conflicts})
        raise Conflict(
            f"room conflict: {dates} of {len(occurrences)} date{'s' if len(occurrences) != 1 else ''} "
            f"collide{'s' if dates == 1 else ''} with other bookings in the room; nothing was stored "
            + ("(pass --allow-conflicts to book it anyway)" if len(occurrences) == 1 else
               "(pass --skip-conflicts to book the free dates, or --allow-conflicts to book all)"),
            conflicts,
        )
    clashing = {c.start for c in conflicts}
    # Of two proposed occurrences that collide with each other, keep the first.
    free, kept = [], []
    for start, end in occurrences:
        if start in clashing and any(c.start == start and c.other_id is not None for c in conflicts):
            continue
        if any(not (e <= start or end <= s) for s, e in kept):
            continue
        free.append((start, end))
        kept.append((start, end))
    return free, conflicts


def add_activity(db: Database, spec: ActivitySpec, policy: str = "refuse") -> BookingResult:
    """Store the activity and one booking per held occurrence, checked against the room's bookings."""
    with store.write(db):
        expansion = expand_activity(db, spec)
        held = [(o.start, o.end) for o in expansion.held]
        to_store, conflicts = _apply_policy(db, spec.room["id"], spec.title, held, policy)
        if not to_store:
            raise Conflict("room conflict: every date collides with another booking; nothing was stored", conflicts)
        rule = spec.rule
        dates = [o.day for o in expansion.occurrences]
        activity_id = store.insert_activity(
            db,
            {
                "title": spec.title,
                "centre_id": spec.centre["id"],
                "room_id": spec.room["id"],
                "actor_id": spec.actor["id"],
                "category": spec.category,
                "focus": spec.focus,
                "weekdays": schedule.weekday_codes(list(rule.weekdays)) if rule.on is None else schedule.weekday_codes([rule.on.weekday()]),
                "start_time": rule.start_time.strftime("%H:%M"),
                "end_time": rule.end_time.strftime("%H:%M"),
                "date_from": (rule.date_from or dates[0]).isoformat(),
                "date_until": (rule.date_until or dates[-1]).isoformat(),
                "interval": rule.interval,
                "monthly": rule.monthly,
                "single_date": int(rule.on is not None),
                "include_holidays": int(spec.include_holidays),
            },
            [p["id"] for p in spec.partners],
            spec.targets,
        )
        ids = store.insert_bookings(
            db,
            [
                {"room_id": spec.room["id"], "actor_id": spec.actor["id"], "activity_id": activity_id,
                 "title": spec.title, "start": s, "end": e}
                for s, e in to_store
            ],
        )
    return BookingResult(
        activity_id=activity_id,
        stored=[s for s, _ in to_store],
        booking_ids=ids,
        skipped=expansion.skipped,
        conflicts=conflicts,
        policy=policy,
    )


@dataclass
class OneOff:
    title: str
    centre: dict[str, Any]
    room: dict[str, Any]
    actor: dict[str, Any]
    start: str
    end: str


def build_booking(db: Database, *, centre: str, room: str, actor: str, title: str, start: dt.datetime, end: dt.datetime) -> OneOff:
    clean_title = clean_text(title, "--title")
    if end <= start:
        raise BadInput(f"--end: {schedule.fmt(end)} is not after --start {schedule.fmt(start)}")
    if (end - start) > dt.timedelta(days=14):
        raise BadInput("--end: a booking longer than 14 days is almost surely a typo; check the dates")
    centre_row = resolve(db, "centre", centre, "--centre")
    room_row = resolve(db, "room", room, "--room", centre_row["id"])
    actor_row = resolve(db, "actor", actor, "--actor")
    return OneOff(clean_title, centre_row, room_row, actor_row, schedule.fmt(start), schedule.fmt(end))


def book(db: Database, booking: OneOff, policy: str = "refuse") -> BookingResult:
    with store.write(db):
        first_day = dt.date.fromisoformat(booking.start[:10])
        last_day = dt.date.fromisoformat(booking.end[:10])
        for closure in closures_for(db, booking.centre["id"]):
            if closure.date_from <= last_day and first_day <= closure.date_until:
                raise Refused(
                    f"--start: {booking.centre['name']} is closed {closure.date_from}–{closure.date_until} "
                    f"({closure.reason}); choose another date or remove the closure"
                )
        proposed = [(booking.start, booking.end)]
        to_store, conflicts = _apply_policy(db, booking.room["id"], booking.title, proposed, "refuse" if policy == "skip" else policy)
        ids = store.insert_bookings(
            db,
            [{"room_id": booking.room["id"], "actor_id": booking.actor["id"], "activity_id": None,
              "title": booking.title, "start": booking.start, "end": booking.end}],
        )
    return BookingResult(activity_id=None, stored=[s for s, _ in to_store], booking_ids=ids, conflicts=conflicts, policy=policy)


def cancel(db: Database, booking_id: str, reason: str | None) -> tuple[dict[str, Any], bool]:
    """Cancel one booking; returns it and whether it was active before."""
    note = clean_text(reason, "--reason", required=False, limit=MAX_TEXT)
    with store.write(db):
        found = resolve(db, "booking", booking_id, "BOOKING_ID")
        row = store.booking(db, found["id"])
        if row["status"] == "cancelled":
            return row, False
        store.set_booking_status(db, row["id"], "cancelled", note or "aflyst")
        return {**row, "status": "cancelled"}, True


# ---------------------------------------------------------------------------------------------
# Removing


def removal_plan(db: Database, kind: str, name: str) -> tuple[dict[str, Any], dict[str, list[str]]]:
    row = resolve(db, kind, name, "NAME")
    return row, store.dependants(db, kind, row["id"])


def remove(db: Database, kind: str, row_id: int, cascade: bool) -> dict[str, int]:
    with store.write(db):
        blocking = store.dependants(db, kind, row_id)
        if blocking and not cascade:
            raise Refused(describe_dependants(kind, blocking))
        return store.delete(db, kind, row_id, cascade)


def describe_dependants(kind: str, blocking: dict[str, list[str]]) -> str:
    parts = []
    for table, names in blocking.items():
        shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
        noun = SINGULAR.get(table, table) if len(names) == 1 else table
        parts.append(f"{len(names)} {noun} ({shown})")
    return f"the {kind} still has {'; '.join(parts)}; remove those first or pass --cascade to remove them too"


# ---------------------------------------------------------------------------------------------
# Acknowledging findings of the overlaps report


def acknowledge(db: Database, keys: list[str], note: str) -> list[tuple[dict[str, Any], bool]]:
    """Record that findings are known and intended, all or none; returns each finding and
    whether its acknowledgement is new (else its note was updated)."""
    from . import coordination

    text = clean_text(note, "--note", limit=MAX_TEXT)
    wanted = [coordination.parse_key(k) for k in keys]
    if not wanted:
        raise BadInput("KEY: give the key of at least one finding (see `medborger overlaps`)")
    kinds = sorted({k.split("-")[0] for k in wanted})
    with store.write(db):
        found = {f["key"]: f for f in coordination.overlaps(db, kinds, coordination.Scope(), include_acknowledged=True)}
        missing = [k for k in wanted if k not in found]
        if missing:
            raise BadInput(
                f"KEY: there is no finding {', '.join(missing)}; `medborger overlaps --all --from 2000-01-01` lists every key"
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
    """A copy of the database at PATH (a file, or a folder for a dated file), written by the rules
    of files.py: never over the database or its -wal/-shm/-journal files, never through a link,
    an existing file only with `overwrite`, a device or pipe written in place, mode 0600."""
    import shutil
    import tempfile

    from . import files

    target = files.user_path(target_text, field="PATH")
    if target.is_dir():
        target = target / f"medborger-{dt.date.today().isoformat()}.db"
    checked = files.check_target(target, field="PATH", overwrite=overwrite, protected=files.database_files(source))
    # store.backup_to writes beside its target under a predictable name; give it a fresh private
    # folder (random name, mode 0700) on the target's file system, then put the copy in place.
    folder = source.parent if checked.direct else target.parent
    try:
        scratch = Path(tempfile.mkdtemp(dir=folder, prefix=".medborger-backup-"))
    except OSError as exc:
        raise BadInput(f"PATH: cannot write in {folder}: {exc.strerror}") from None
    try:
        store.backup_to(db, scratch / "copy.db")
        files.install(checked, scratch / "copy.db")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def _person(needle: str) -> str:
    text = clean_text(needle, "NAME")
    if len(text) < 3:
        raise BadInput("NAME: give at least three letters of the person's name, e-mail or phone number")
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
