"""Export to and import from CSV files: the use cases behind `export csv` and `import csv`.

An import validates every row of every file before it writes anything, then writes all of it
in one transaction, with the same conflict check as `add-activity` and `book`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sqlite_utils import Database

from . import actions, coordination, csvio, rules, schedule, store, vocab
from .errors import BadInput, ImportErrors, MedborgerError, RowError  # noqa: F401 - the importer's errors
from .i18n import N_, _, ngettext

# A name an import file refers to that is neither in the database nor in the files.
NOT_KNOWN = {
    "centre": N_("no centre '{name}'; add it first or include it in centres.csv"),
    "room": N_("no room '{name}'; add it first or include it in rooms.csv"),
    "actor": N_("no actor '{name}'; add it first or include it in actors.csv"),
    "activity": N_("no activity '{name}'; add it first or include it in activities.csv"),
}
NOT_KNOWN_IN = {
    "room": N_("no room '{name}' in that centre; add it first or include it in rooms.csv"),
    "activity": N_("no activity '{name}' in that centre; add it first or include it in activities.csv"),
}



# ---------------------------------------------------------------------------------------------
# Export


def export_rows(db: Database, table: str, *, centre_id=None, first=None, last=None):
    """Rows and columns of a table as a file holds them."""
    if table == "activities":
        return csvio.COLUMNS[table], _activity_rows(db, centre_id, first, last)
    if table == "attendance":
        return csvio.COLUMNS[table], store.export_attendance_rows(db, centre_id=centre_id, first=first, last=last)
    if table in csvio.COLUMNS:
        return csvio.COLUMNS[table], store.export_rows(db, table, centre_id=centre_id, first=first, last=last)
    from . import coordination

    scope = coordination.Scope(first=first, last=last, centre_id=centre_id)
    if table == "overlaps":
        findings = coordination.overlaps(db, list(coordination.KINDS), scope, include_acknowledged=True)
        return coordination.OVERLAP_COLUMNS, coordination.overlap_rows(findings)
    if table == "collaboration":
        return coordination.COLLABORATION_COLUMNS, coordination.collaboration_rows(coordination.collaboration(db, scope))
    raise BadInput(_("TABLE: unknown table '{table}'; use one of {tables}").format(table=table, tables=", ".join(csvio.EXPORT_TABLES)))


def _activity_rows(db: Database, centre_id, first, last):
    """Activities as their file holds them: the rule in the columns `add-activity` takes."""
    refs = store.activity_refs(db)
    # In the order they were added: a copy made by `import csv --all` numbers them the same way.
    for row in sorted(store.activities(db, centre_id=centre_id, first=first, last=last), key=lambda r: r["id"]):
        single = bool(row["single_date"])
        internal = bool(row["internal"])
        audience = coordination.audience_data(coordination.audience_of(row), internal)
        yield {
            "centre": row["centre"],
            "activity": refs[row["id"]],
            "title": row["title"],
            "room": row["room"],
            "actor": row["actor"],
            "partners": row["partners"],
            "category": row["category"],
            "type": row["type"],
            "age": audience["age"],
            "gender": None if audience["gender"] == "all" else audience["gender"],
            "target_groups": audience["target_groups"],
            "internal": "yes" if internal else None,
            "focus": row["focus"],
            "weekdays": row["weekdays"].split(",") if row["weekdays"] and not single else [],
            "start": row["start_time"],
            "end": row["end_time"],
            "from": None if single else row["date_from"],
            "until": None if single else row["date_until"],
            "on": row["date_from"] if single else None,
            "every": None if single else row["interval"],
            "monthly": row["monthly"],
            "include_holidays": "yes" if row["include_holidays"] else None,
        }


def export_csv(db: Database, table: str, stream: TextIO, *, excel=False, raw=False, **filters) -> int:
    if table == "bookings":  # the big one: cells straight from the query
        writer = csvio.Writer(stream, csvio.COLUMNS["bookings"], excel=excel, raw=raw, table=table)
        return writer.write_cells(store.export_bookings_cells(db, guard=None if raw else csvio.FORMULA_GUARD, **filters))
    columns, rows = export_rows(db, table, **filters)
    return csvio.Writer(stream, columns, excel=excel, raw=raw, table=table).write_all(rows)


# ---------------------------------------------------------------------------------------------
# Import


def _column(field: str) -> str:
    """How an import names a field: by its column (the logical field names are the columns)."""
    return field


@dataclass
class ImportResult:
    added: dict[str, int] = field(default_factory=dict)
    conflicts: list[rules.ConflictRow] = field(default_factory=list)
    skipped_conflicts: int = 0
    cancelled_by_closures: int = 0
    updated: list[Update] = field(default_factory=list)
    dry_run: bool = False


@dataclass(frozen=True)
class New:
    """A centre, room, actor or activity this import adds, named before it has an id."""

    kind: str
    key: tuple


@dataclass
class PendingActivity:
    centre: Any
    room: Any
    actor: Any
    actor_name: str
    partners: list[Any]
    ref: str
    fields: rules.ActivityFields
    occurrences: list[tuple[str, str]]


@dataclass
class PendingBooking:
    room: Any
    actor: Any
    actor_name: str
    activity: Any
    fields: rules.BookingFields


@dataclass
class PendingAttendance:
    room: Any
    start: str
    title: str | None
    fields: rules.AttendanceFields


class _Existing(Exception):
    """With --update: the row names a record that exists; `record` holds the row's checked values."""

    def __init__(self, row_id: int, record: Any):
        super().__init__()
        self.id, self.record = row_id, record


@dataclass
class Update:
    """One existing record an --update import changes: where it came from and old → new per field."""

    file: str
    line: int
    kind: str
    id: int
    name: str
    fields: dict[str, tuple[Any, Any]]


class Importer:
    def __init__(self, db: Database, *, policy: str = "refuse", raw: bool = False, update: bool = False,
                 today: dt.date | None = None):
        self.db = db
        self.today = today  # what counts as today for "a session in the future has no attendance"
        self.policy = policy
        self.raw = raw
        self.update = update
        self.updates: dict[str, list[tuple[int, int, Any]]] = {t: [] for t in csvio.IMPORT_ORDER}
        self._booking_keys: dict | None = None
        self.maps = store.name_maps(db)
        self.errors: list[RowError] = []
        self.files: dict[str, str] = {}
        self.pending: dict[str, list] = {t: [] for t in csvio.IMPORT_ORDER}
        # names this import adds, so that later rows and files can refer to them
        self.new_names: set[New] = set()
        self.closures: dict[Any, list[schedule.Closure]] = actions.closures_by_centre(db)

    # -- names: exact (case-insensitive) in files, never a guess -------------------------------

    def _known(self, kind: str, existing: dict, key: tuple, text: str, field: str, where: str = "") -> Any:
        if not key[-1]:
            raise BadInput(_("must not be empty"), field=field)
        lookup = key if len(key) > 1 else key[0]
        if not any(isinstance(k, New) for k in key) and lookup in existing:
            return existing[lookup]
        if New(kind, key) in self.new_names:
            return New(kind, key)
        raise BadInput(_(NOT_KNOWN_IN[kind] if where else NOT_KNOWN[kind]).format(name=text), field=field, value=text)

    def centre(self, text: str) -> Any:
        """An existing centre's id, or New('centre', ...) for one this import adds."""
        return self._known("centre", self.maps["centres"], (store.name_key(text or ""),), text, "centre")

    def room(self, centre: Any, text: str) -> Any:
        return self._known("room", self.maps["rooms"], (centre, store.name_key(text or "")), text, "room", "centre")

    def actor(self, text: str, field: str = "actor") -> Any:
        return self._known("actor", self.maps["actors"], (store.name_key(text or ""),), text, field)

    def _add_name(self, kind: str, existing: dict, key: tuple, shown: str, taken: str, record: Any = None) -> None:
        """Note a name this import adds; `taken` says why it cannot (it exists already). With
        --update, an existing name is an update of that record instead."""
        lookup = key if len(key) > 1 else key[0]
        if self.update and not any(isinstance(k, New) for k in key) and lookup in existing:
            raise _Existing(existing[lookup], record)
        if (not any(isinstance(k, New) for k in key) and lookup in existing) or New(kind, key) in self.new_names:
            raise BadInput(taken, field="name", value=shown)
        self.new_names.add(New(kind, key))

    # -- reading -------------------------------------------------------------------------------

    def read(self, table: str, path: Path, *, generate_occurrences: bool = True) -> None:
        parse = getattr(self, f"_row_{table}")
        self.files[table] = path.name
        source = csvio.Table(path, table, raw=self.raw)
        for line, row in source.rows():
            try:
                if "__extra__" in row:
                    raise BadInput(_("has more cells than the header has columns"))
                record = parse(row, generate_occurrences) if table == "activities" else parse(row)
            except _Existing as existing:
                self.updates[table].append((line, existing.id, existing.record))
                continue
            except MedborgerError as exc:
                column = _column(exc.field) if exc.field else None
                self.errors.append(RowError(path.name, line, column, exc.render(_column, with_field=False)))
                continue
            self.pending[table].append((line, record))

    def _row_centres(self, row: dict[str, str]) -> dict[str, Any]:
        record = rules.centre_record(row)
        self._add_name("centre", self.maps["centres"], (store.name_key(record["name"]),), record["name"],
                       _("a centre named '{name}' exists already").format(name=record['name']), record)
        return record

    def _row_rooms(self, row: dict[str, str]) -> dict[str, Any]:
        centre = self.centre(row.get("centre", ""))
        record = rules.room_record(row)
        self._add_name("room", self.maps["rooms"], (centre, store.name_key(record["name"])), record["name"],
                       _("the centre has a room named '{name}' already").format(name=record['name']), record)
        return {"centre": centre, **record}

    def _row_actors(self, row: dict[str, str]) -> dict[str, Any]:
        record = rules.actor_record(row)
        self._add_name("actor", self.maps["actors"], (store.name_key(record["name"]),), record["name"],
                       _("an actor named '{name}' exists already").format(name=record['name']), record)
        return record

    def _row_closures(self, row: dict[str, str]) -> dict[str, Any]:
        centre = self.centre(row.get("centre", ""))
        record = rules.closure_record(row)
        if self.update and row.get("id"):
            found = self._id_column("closures", row["id"])
            if store.row(self.db, "closures", found)["centre_id"] != centre:
                raise BadInput(_("closure {id} is not a closure of that centre").format(id=found), field="id", value=row["id"])
            raise _Existing(found, record)
        if self.update and not isinstance(centre, New):
            same = [c for c in store.closures(self.db, centre) if (c["date_from"], c["date_until"]) ==
                    (record["date_from"].isoformat(), record["date_until"].isoformat())]
            if same:
                raise _Existing(same[0]["id"], record)
        self.closures.setdefault(centre, []).append(schedule.Closure(record["date_from"], record["date_until"], record["reason"]))
        return {"centre": centre, **record}

    def _row_activities(self, row: dict[str, str], generate: bool) -> PendingActivity:
        centre = self.centre(row.get("centre", ""))
        room = self.room(centre, row.get("room", ""))
        actor = self.actor(row.get("actor", ""))
        partners = []
        for name in csvio.split_list(row.get("partners") or ""):
            partner = self.actor(name, "partners")
            if partner != actor and partner not in partners:
                partners.append(partner)
        values = {**row, "target_groups": csvio.split_list(row.get("target_groups", "")),
                  "weekdays": csvio.split_list(row.get("weekdays", ""))}
        fields = rules.activity_fields(values)
        rules.check_focus_period(fields.focus, self._period(centre), "the centre")
        ref = rules.text(row.get("activity") or fields.title, "activity")
        key = (centre, store.name_key(ref))
        if self.update and not isinstance(centre, New) and key in self.maps["activities"]:
            raise _Existing(self.maps["activities"][key], {"row": row, "fields": fields, "room": room, "actor": actor,
                                                            "partners": partners})
        if (not isinstance(centre, New) and key in self.maps["activities"]) or New("activity", key) in self.new_names:
            raise BadInput(_("the centre has an activity '{name}' already; give this one another name in this column").format(name=ref),
                           field="activity", value=ref)
        self.new_names.add(New("activity", key))
        occurrences = []
        if generate:
            expansion = rules.held_occurrences(fields.rule, self.closures.get(centre, []), fields.include_holidays)
            occurrences = [(o.start, o.end) for o in expansion.held]
        return PendingActivity(centre, room, actor, (row.get("actor") or "").strip(), partners, ref, fields, occurrences)

    def _period(self, centre: Any) -> str | None:
        """A centre's funding period: stored, or in the centres file of this import."""
        if isinstance(centre, New):
            return next((r.get("funding_period") for _, r in self.pending["centres"]
                         if New("centre", (store.name_key(r["name"]),)) == centre), None)
        return store.centre(self.db, centre).get("funding_period")

    def _row_bookings(self, row: dict[str, str]) -> PendingBooking:
        centre = self.centre(row.get("centre", ""))
        room = self.room(centre, row.get("room", ""))
        actor = self.actor(row.get("actor", ""))
        fields = rules.booking_fields(row)
        activity = None
        if row.get("activity"):
            key = (centre, store.name_key(row["activity"]))
            if not isinstance(centre, New) and key in self.maps["activities"]:
                activity = self.maps["activities"][key]
            elif New("activity", key) in self.new_names:
                activity = New("activity", key)
            else:
                raise BadInput(_("no activity '{name}' in that centre").format(name=row['activity']), field="activity", value=row["activity"])
        if fields.status == "active":
            rules.check_open(self.closures.get(centre, []), fields.start, fields.end, "the centre")
        pending = PendingBooking(room, actor, row.get("actor", "").strip(), activity, fields)
        if self.update and row.get("id"):
            raise _Existing(self._id_column("bookings", row["id"]), pending)
        if self.update and not isinstance(room, New):
            if self._booking_keys is None:
                self._booking_keys = store.booking_keys(self.db)
            found = self._booking_keys.get((room, fields.start, store.name_key(fields.title)))
            if found is not None:
                raise _Existing(found, pending)
        return pending

    def _id_column(self, table: str, text: str) -> int:
        """With --update: the record an `id` cell names (`medborger list TABLE` shows the ids)."""
        value = text.strip()
        if not value.isdigit() or store.row(self.db, table, int(value)) is None:
            kind = {"centres": "centre", "rooms": "room", "actors": "actor", "activities": "activity", "bookings": "booking",
                    "closures": "closure"}.get(table, table)
            raise BadInput(_("there is no {kind} with id '{value}'; leave the cell empty to add a new one").format(
                kind=vocab.kind_word(kind), value=value), field="id", value=text)
        return int(value)

    def _match_edited(self) -> None:
        """--update of a file without an id column: a row that names no record exactly is an
        edit of the one record no other row names that it can only mean: a booking of the same
        centre, day and title whose start or end it keeps (a new start, a new end, another
        room), a closure of the centre with the same first or last day (new dates). Anything
        less sure stays a new row (an `id` column says it for sure)."""
        if self.pending["bookings"]:
            if self._booking_keys is None:
                self._booking_keys = store.booking_keys(self.db)
            centres = store.room_centres(self.db)
            named = {booking_id for _, booking_id, _ in self.updates["bookings"]}
            free: dict[tuple, list[tuple[int, str]]] = {}
            for (room, start, title), booking_id in self._booking_keys.items():
                if booking_id not in named:
                    free.setdefault((centres.get(room), start[:10], title), []).append((booking_id, start))
            keys = [None if isinstance(pending.room, New) else (
                centres.get(pending.room), pending.fields.start[:10], store.name_key(pending.fields.title))
                for _, pending in self.pending["bookings"]]
            candidates = {b for key in keys if key in free for b, _start in free[key]}
            ends = {b: row["end"] for b, row in store.bookings_by_ids(self.db, sorted(candidates)).items()} if candidates else {}
            keep = []
            claimed: set[int] = set()
            for (line, pending), key in zip(self.pending["bookings"], keys):
                found = [b for b, start in free.get(key, []) if b not in claimed and (
                    start == pending.fields.start or ends[b] == pending.fields.end)]
                if len(found) == 1:
                    claimed.add(found[0])
                    self.updates["bookings"].append((line, found[0], pending))
                else:
                    keep.append((line, pending))
            self.pending["bookings"] = keep
        if self.pending["closures"]:
            named = {closure_id for _, closure_id, _ in self.updates["closures"]}
            keep = []
            for line, record in self.pending["closures"]:
                found = [] if isinstance(record["centre"], New) else [
                    c for c in store.closures(self.db, record["centre"]) if c["id"] not in named and (
                        c["date_from"] == record["date_from"].isoformat() or c["date_until"] == record["date_until"].isoformat())]
                if len(found) == 1:
                    named.add(found[0]["id"])
                    self.updates["closures"].append((line, found[0]["id"], record))
                else:
                    keep.append((line, record))
            self.pending["closures"] = keep

    def _row_attendance(self, row: dict[str, str]) -> PendingAttendance:
        centre = self.centre(row.get("centre", ""))
        room = self.room(centre, row.get("room", ""))
        start = schedule.fmt(schedule.parse_datetime(row.get("start"), "start"))
        title = rules.text(row.get("title"), "title", required=False)
        fields = rules.attendance_fields({**row, "age_bands": row.get("age_bands") or None})
        return PendingAttendance(room, start, title, fields)

    def _write_attendance(self, real, result: "ImportResult") -> int:
        """Attach each attendance row to its session (after this import's bookings are stored):
        the booking of that room at that start (and of that title, when given). Refused for a
        cancelled or future session; a session registered before gets the new counts."""
        db = self.db
        today = self.today or schedule.today()
        errors: list[RowError] = []
        seen: dict[int, int] = {}
        name = self.files.get("attendance", "attendance.csv")
        for line, pending in self.pending["attendance"]:
            try:
                found = store.bookings_at(db, real(pending.room), pending.start)
                if pending.title:
                    found = [b for b in found if store.name_key(b["title"]) == store.name_key(pending.title)]
                if len(found) > 1:
                    found = [b for b in found if b["status"] == "active"] or found
                if not found:
                    raise BadInput((_("no booking of {title} starts at {when} in that room") if pending.title else
                                    _("no booking starts at {when} in that room")).format(
                        title=repr(pending.title), when=schedule.moment_text(pending.start)), field="start", value=pending.start)
                if len(found) > 1:
                    raise BadInput(_("{count} bookings start at {when} in that room; give the session's title").format(
                        count=len(found), when=schedule.moment_text(pending.start)), field="title", value=pending.title)
                booking_row = store.booking(db, found[0]["id"])
                rules.check_attendable(booking_row, today, field="start")
                if booking_row["id"] in seen:
                    raise BadInput(_("the same session as row {row}").format(row=seen[booking_row['id']]), field="start", value=pending.start)
                seen[booking_row["id"]] = line
            except MedborgerError as exc:
                errors.append(RowError(name, line, _column(exc.field) if exc.field else None, exc.render(_column, with_field=False)))
                continue
            old = store.attendance_of(db, booking_row["id"])
            new = pending.fields.to_row()
            store.set_attendance(db, booking_row["id"], new)
            if old is not None and any(old[k] != new[k] for k in store.ATTENDANCE_COLUMNS):
                actions.log(db, "attend", "booking", booking_row["id"], ngettext(
                    "Corrected the attendance at {title}, {room}, {start} to {count} participant ({file})",
                    "Corrected the attendance at {title}, {room}, {start} to {count} participants ({file})",
                    new["count"]).format(title=booking_row["title"], room=booking_row["room"], start=booking_row["start"],
                                         count=new["count"], file=name),
                    old={k: old[k] for k in store.ATTENDANCE_COLUMNS}, new=new)
        if errors:
            raise ImportErrors(errors)
        return len(self.pending["attendance"])

    # -- writing -------------------------------------------------------------------------------

    def apply(self, dry_run: bool = False) -> ImportResult:
        """Write what was read; call inside the same `store.write(db)` as the reading, so that no
        other writer can add a name between the check and the insert."""
        if self.errors:
            raise ImportErrors(self.errors)
        if self.update:
            self._match_edited()
        result = ImportResult(dry_run=dry_run)
        self._write(result)
        return result

    def _write_updates(self, result: ImportResult) -> None:
        """--update: change the existing records named in the files, field by field, each change
        through the same rules as an edit; nothing is deleted."""
        from . import editing

        db = self.db
        for table, kind in (("centres", "centre"), ("rooms", "room"), ("actors", "actor")):
            for line, row_id, record in self.updates[table]:
                current = store.row(db, table, row_id)
                changed = _diff(current, {k: v for k, v in record.items() if k != "centre"})
                if changed:
                    store.update_row(db, table, row_id, {k: new for k, (_, new) in changed.items()})
                    actions.log(db, "edit", kind, row_id, _("Updated {kind} {name} from {file}").format(
                        kind=kind, name=current["name"], file=self.files[table]),
                        old={k: o for k, (o, _) in changed.items()}, new={k: n for k, (_, n) in changed.items()})
                    result.updated.append(Update(self.files[table], line, kind, row_id, current["name"], changed))
        for line, row_id, record in self.updates["closures"]:
            current = store.row(db, "closures", row_id)
            wanted = {"date_from": record["date_from"].isoformat(), "date_until": record["date_until"].isoformat(),
                      "reason": record["reason"]}
            changed = _diff(current, wanted)
            if changed:  # as `edit closure` does: what it no longer covers is restored, new days cancelled
                editing.change_closure(db, str(row_id), {"from": wanted["date_from"], "until": wanted["date_until"],
                                                         "reason": wanted["reason"]}, policy=self.policy)
                result.updated.append(Update(self.files["closures"], line, "closure", row_id, current["reason"], changed))
        for line, row_id, pending in self.updates["activities"]:
            self._update_activity(result, line, row_id, pending)
        self._update_bookings(result)

    def _update_activity(self, result: ImportResult, line: int, activity_id: int, pending: dict[str, Any]) -> None:
        """An activity's edited cells change it from today on, as `edit activity` does; a cell
        nobody edited stays as it is (the rule keeps its from, so an export reads the same)."""
        from . import editing, vocab

        current = store.activities(self.db, activity_id=activity_id)[0]
        fields, row = pending["fields"], pending["row"]
        rule = fields.rule.to_row()
        wanted = {"title": fields.title, "room_id": pending["room"], "actor_id": pending["actor"],
                  "category": fields.category, "type": fields.type, "age_min": fields.age_min, "age_max": fields.age_max,
                  "gender": fields.gender, "internal": int(fields.internal), "focus": fields.focus,
                  "include_holidays": int(fields.include_holidays), **rule}
        current_ages = (current["age_min"], current["age_max"])
        if rules.age_range(rules.age_text(*current_ages)) == (fields.age_min, fields.age_max):
            wanted["age_min"], wanted["age_max"] = current_ages  # 0- and no limit are the same age range
        changed = _diff(current, wanted)
        names = store.actor_names(self.db)
        partners_now, partners_new = set(current["partners"]), {names[p]["name"] for p in pending["partners"]}
        targets_now, targets_new = set(current["target_groups"]), set(fields.targets)
        if partners_now != partners_new:
            changed["partners"] = (sorted(partners_now), sorted(partners_new))
        if targets_now != targets_new:
            changed["target_groups"] = (sorted(targets_now), sorted(targets_new))
        if not changed:
            return
        opens = not fields.targets and fields.age_min is None and fields.age_max is None and fields.gender == "all" \
            and not fields.internal
        changes = {
            "title": fields.title, "room": str(pending["room"]), "actor": str(pending["actor"]),
            "category": fields.category, "type": fields.type or "", "focus": fields.focus or "",
            "age": rules.age_text(fields.age_min, fields.age_max) or "", "gender": fields.gender,
            "internal": fields.internal, "start": row.get("start"), "end": row.get("end"),
            "until": row.get("until") or None, "every": int(row.get("every") or 1), "monthly": row.get("monthly") or None,
            "weekly": not row.get("monthly"), "weekdays": csvio.split_list(row.get("weekdays", "")) or None,
            "on": row.get("on") or None, "include_holidays": fields.include_holidays,
            "from": None if rule["single_date"] else rule["date_from"],
            "partners": [str(p) for p in pending["partners"]],
            "no_partners": [p for p in partners_now - partners_new],
            "target_groups": sorted(targets_new - targets_now) + ([vocab.EVERYONE] if opens else []),
            "no_target_groups": sorted(targets_now - targets_new),
        }
        try:
            editing.edit_activity(self.db, str(activity_id), changes, self.today or schedule.today(), policy=self.policy)
        except BadInput as exc:  # named by the file, row and column it came from (a conflict shows its table)
            if isinstance(exc, ImportErrors):
                raise
            raise ImportErrors([RowError(self.files["activities"], line, _column(exc.field) if exc.field else None,
                                         exc.render(_column, with_field=False))]) from None
        result.updated.append(Update(self.files["activities"], line, "activity", activity_id, current["title"], changed))

    def _update_bookings(self, result: ImportResult) -> None:
        """Bookings named in the file by room, start and title: their end, actor, status and note."""
        db = self.db
        proposed, origin = [], []
        for line, booking_id, pending in self.updates["bookings"]:
            current = store.booking(db, booking_id)
            f = pending.fields
            wanted = {"room_id": pending.room, "title": f.title, "start": f.start, "end": f.end, "actor_id": pending.actor,
                      "status": f.status, "note": f.note}
            changed = _diff(current, wanted)
            if not changed:
                continue
            if f.status == "active" and (current["status"] == "cancelled" or {"start", "end", "room_id"} & set(changed)):
                if "start" in changed:
                    rules.check_keeps_attendance(current, store.attendance_of(db, booking_id) is not None,
                                                 self.today or schedule.today(), new_start=f.start, field="start")
                if current["status"] == "cancelled" or {"start", "end"} & set(changed):
                    rules.check_open(self.closures.get(current["centre_id"], []), f.start, f.end, current["centre"])
                proposed.append(rules.Proposed(pending.room, f.start, f.end, f.title, pending.actor,
                                               pending.actor_name, current["activity_id"], label=_("{file} row {row}").format(file=self.files['bookings'], row=line),
                                               booking_id=booking_id))
                origin.append(booking_id)
            store.update_row(db, "bookings", booking_id, {k: n for k, (_, n) in changed.items()})
            actions.log(db, "edit", "booking", booking_id, _("Updated booking {id} ({title}) from {file}").format(
                id=booking_id, title=current["title"], file=self.files["bookings"]),
                old={k: o for k, (o, _) in changed.items()}, new={k: n for k, (_, n) in changed.items()})
            result.updated.append(Update(self.files["bookings"], line, "booking", booking_id, current["title"], changed))
        if proposed:
            own = set(origin)
            conflicts = rules.room_conflicts(proposed, [b for b in actions.booked_in(db, proposed) if b.id not in own])
            result.conflicts += conflicts
            kept = {id(p) for p in actions.apply_policy(db, proposed, conflicts, self.policy, allow_empty=True, stored_word="imported")}
            for p, booking_id in zip(proposed, origin):
                if id(p) not in kept:  # skipped for a conflict: it stays as it was
                    raise BadInput(_("booking {id} would collide with another booking; use {{field:allow_conflicts}} or leave it").format(
                        id=booking_id), field="status")

    def _write(self, result: ImportResult) -> None:
        db = self.db
        ids: dict[New, int] = {}

        def real(ref: Any) -> Any:
            return ids[ref] if isinstance(ref, New) else ref

        self._write_updates(result)
        for _key, record in self.pending["centres"]:
            ids[New("centre", (store.name_key(record["name"]),))] = store.insert_centre(db, record)
        for _key, record in self.pending["rooms"]:
            key = New("room", (record["centre"], store.name_key(record["name"])))
            ids[key] = store.insert_room(db, {"centre_id": real(record["centre"]), "name": record["name"],
                                              "capacity": record["capacity"]})
        for _key, record in self.pending["actors"]:
            ids[New("actor", (store.name_key(record["name"]),))] = store.insert_actor(db, record)
        for _key, record in self.pending["closures"]:
            _closure, cancelled = actions.store_closure(db, real(record["centre"]), record)
            result.cancelled_by_closures += len(cancelled)
        proposed: list[rules.Proposed] = []
        for line, pending in self.pending["activities"]:
            activity_id = actions.store_activity(
                db, real(pending.centre), real(pending.room), real(pending.actor), [real(p) for p in pending.partners],
                pending.fields,
            )
            ids[New("activity", (pending.centre, store.name_key(pending.ref)))] = activity_id
            label = _("{file} row {row}").format(file=self.files['activities'], row=line)
            for start, end in pending.occurrences:
                proposed.append(rules.Proposed(real(pending.room), start, end, pending.fields.title, real(pending.actor),
                                               pending.actor_name, activity_id, label=label))
        for line, pending in self.pending["bookings"]:
            f = pending.fields
            proposed.append(rules.Proposed(real(pending.room), f.start, f.end, f.title, real(pending.actor), pending.actor_name,
                                           real(pending.activity), f.status, f.note, label=_("{file} row {row}").format(file=self.files['bookings'], row=line)))
        to_store, result.conflicts = actions.check_rooms(db, proposed, self.policy, allow_empty=True, stored_word="imported")
        result.skipped_conflicts = len(proposed) - len(to_store)
        # Stored in start order (ties as they came), the order `export csv bookings` writes: a database
        # filled this way and its copy made by export and import give each booking the same id, so
        # the overlaps report (its keys come from ids) is the same in both.
        to_store.sort(key=lambda p: p.start)
        store.insert_bookings_fast(
            db, [(p.room_id, p.actor_id, p.activity_id, p.title, p.start, p.end, p.status, p.note) for p in to_store]
        )
        counts = {t: len(self.pending[t]) for t in ("centres", "rooms", "actors", "closures", "activities")}
        counts["bookings"] = len(to_store)
        counts["attendance"] = self._write_attendance(real, result) if self.pending["attendance"] else 0
        result.added = {t: n for t, n in counts.items() if n}
        for table, n in result.added.items():
            source = self.files.get(table) or self.files.get("activities", "")
            actions.log(db, "import", table, None, ngettext("Imported {count} row into {table} from {file}",
                                                            "Imported {count} rows into {table} from {file}", n).format(
                count=n, table=table, file=source), new={"rows": n, "file": source})


def _diff(current: dict[str, Any], new: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {k: (current[k], v) for k, v in new.items() if k in current and current[k] != v}


class _DryRun(Exception):
    """Rolls a dry run's writes back, carrying what it would have done."""

    def __init__(self, result: ImportResult):
        super().__init__()
        self.result = result


def import_files(
    db: Database, files: dict[str, Path], *, policy: str, dry_run: bool = False, raw: bool = False,
    generate_occurrences: bool | None = None, update: bool = False, today: dt.date | None = None,
) -> ImportResult:
    """Import tables from files (table → path), in dependency order, all or nothing.

    Activities get their occurrences from their rules unless a bookings file comes along, which
    then holds them (as `export csv --all` writes them); `generate_occurrences` overrides that.
    """
    if generate_occurrences is None:
        generate_occurrences = "bookings" not in files
    try:
        with store.write(db):  # names are read and checked under the write lock a second import waits for
            importer = Importer(db, policy=policy, raw=raw, update=update, today=today)
            for table in csvio.IMPORT_ORDER:
                if table in files:
                    importer.read(table, files[table], generate_occurrences=generate_occurrences)
            result = importer.apply(dry_run=dry_run)
            if dry_run:
                raise _DryRun(result)
    except _DryRun as undone:
        return undone.result
    return result
