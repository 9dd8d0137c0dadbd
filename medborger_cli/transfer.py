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

from . import actions, coordination, csvio, rules, schedule, store
from .errors import BadInput, MedborgerError

MAX_ERRORS_SHOWN = 50


# ---------------------------------------------------------------------------------------------
# Export


def export_rows(db: Database, table: str, *, centre_id=None, first=None, last=None):
    """Rows and columns of a table as a file holds them."""
    if table == "activities":
        return csvio.COLUMNS[table], _activity_rows(db, centre_id, first, last)
    if table in csvio.COLUMNS:
        return csvio.COLUMNS[table], store.export_rows(db, table, centre_id=centre_id, first=first, last=last)
    from . import coordination

    scope = coordination.Scope(first=first, last=last, centre_id=centre_id)
    if table == "overlaps":
        findings = coordination.overlaps(db, list(coordination.KINDS), scope, include_acknowledged=True)
        return coordination.OVERLAP_COLUMNS, coordination.overlap_rows(findings)
    if table == "collaboration":
        return coordination.COLLABORATION_COLUMNS, coordination.collaboration_rows(coordination.collaboration(db, scope))
    raise BadInput(f"TABLE: unknown table '{table}'; use one of {', '.join(csvio.EXPORT_TABLES)}")


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
        writer = csvio.Writer(stream, csvio.COLUMNS["bookings"], excel=excel, raw=raw)
        return writer.write_cells(store.export_bookings_cells(db, guard=None if raw else csvio.FORMULA_GUARD, **filters))
    columns, rows = export_rows(db, table, **filters)
    return csvio.Writer(stream, columns, excel=excel, raw=raw).write_all(rows)


# ---------------------------------------------------------------------------------------------
# Import


@dataclass
class RowError:
    file: str
    line: int
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = f"row {self.line}, column {self.column}" if self.column else f"row {self.line}"
        return f"{self.file}: {where}: {self.reason}"


def _column(field: str) -> str:
    """How an import names a field: by its column (the logical field names are the columns)."""
    return field


class ImportErrors(BadInput):
    """Every problem found in the files; nothing was written."""

    def __init__(self, errors: list[RowError]):
        shown = errors[:MAX_ERRORS_SHOWN]
        more = len(errors) - len(shown)
        super().__init__(
            f"{len(errors)} problem{'s' if len(errors) != 1 else ''} in the file{'s' if len({e.file for e in errors}) > 1 else ''}; "
            "nothing was imported" + (f" (the first {len(shown)} are listed)" if more else "")
        )
        self.errors = errors
        self.shown = shown
        self.more = more


@dataclass
class ImportResult:
    added: dict[str, int] = field(default_factory=dict)
    conflicts: list[rules.ConflictRow] = field(default_factory=list)
    skipped_conflicts: int = 0
    cancelled_by_closures: int = 0
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


class Importer:
    def __init__(self, db: Database, *, policy: str = "refuse", raw: bool = False):
        self.db = db
        self.policy = policy
        self.raw = raw
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
            raise BadInput("must not be empty", field=field)
        lookup = key if len(key) > 1 else key[0]
        if not any(isinstance(k, New) for k in key) and lookup in existing:
            return existing[lookup]
        if New(kind, key) in self.new_names:
            return New(kind, key)
        raise BadInput(f"no {kind} '{text}'{where}; add it first or include it in {kind.replace('activity', 'activitie')}s.csv",
                       field=field, value=text)

    def centre(self, text: str) -> Any:
        """An existing centre's id, or New('centre', ...) for one this import adds."""
        return self._known("centre", self.maps["centres"], (store.name_key(text or ""),), text, "centre")

    def room(self, centre: Any, text: str) -> Any:
        return self._known("room", self.maps["rooms"], (centre, store.name_key(text or "")), text, "room", " in that centre")

    def actor(self, text: str, field: str = "actor") -> Any:
        return self._known("actor", self.maps["actors"], (store.name_key(text or ""),), text, field)

    def _add_name(self, kind: str, existing: dict, key: tuple, shown: str, taken: str) -> None:
        """Note a name this import adds; `taken` says why it cannot (it exists already)."""
        lookup = key if len(key) > 1 else key[0]
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
                    raise BadInput("has more cells than the header has columns")
                record = parse(row, generate_occurrences) if table == "activities" else parse(row)
            except MedborgerError as exc:
                column = _column(exc.field) if exc.field else None
                self.errors.append(RowError(path.name, line, column, exc.render(_column, with_field=False)))
                continue
            self.pending[table].append((line, record))

    def _row_centres(self, row: dict[str, str]) -> dict[str, Any]:
        record = rules.centre_record(row)
        self._add_name("centre", self.maps["centres"], (store.name_key(record["name"]),), record["name"],
                       f"a centre named '{record['name']}' exists already")
        return record

    def _row_rooms(self, row: dict[str, str]) -> dict[str, Any]:
        centre = self.centre(row.get("centre", ""))
        record = rules.room_record(row)
        self._add_name("room", self.maps["rooms"], (centre, store.name_key(record["name"])), record["name"],
                       f"the centre has a room named '{record['name']}' already")
        return {"centre": centre, **record}

    def _row_actors(self, row: dict[str, str]) -> dict[str, Any]:
        record = rules.actor_record(row)
        self._add_name("actor", self.maps["actors"], (store.name_key(record["name"]),), record["name"],
                       f"an actor named '{record['name']}' exists already")
        return record

    def _row_closures(self, row: dict[str, str]) -> dict[str, Any]:
        centre = self.centre(row.get("centre", ""))
        record = rules.closure_record(row)
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
        ref = rules.text(row.get("activity") or fields.title, "activity")
        key = (centre, store.name_key(ref))
        if (not isinstance(centre, New) and key in self.maps["activities"]) or New("activity", key) in self.new_names:
            raise BadInput(f"the centre has an activity '{ref}' already; give this one another name in this column",
                           field="activity", value=ref)
        self.new_names.add(New("activity", key))
        occurrences = []
        if generate:
            expansion = rules.held_occurrences(fields.rule, self.closures.get(centre, []), fields.include_holidays)
            occurrences = [(o.start, o.end) for o in expansion.held]
        return PendingActivity(centre, room, actor, (row.get("actor") or "").strip(), partners, ref, fields, occurrences)

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
                raise BadInput(f"no activity '{row['activity']}' in that centre", field="activity", value=row["activity"])
        if fields.status == "active":
            rules.check_open(self.closures.get(centre, []), fields.start, fields.end, "the centre")
        return PendingBooking(room, actor, row.get("actor", "").strip(), activity, fields)

    # -- writing -------------------------------------------------------------------------------

    def apply(self, dry_run: bool = False) -> ImportResult:
        if self.errors:
            raise ImportErrors(self.errors)
        result = ImportResult(dry_run=dry_run)
        db = self.db
        try:
            with store.write(db):
                self._write(result)
                if dry_run:
                    raise _DryRun()
        except _DryRun:
            pass
        return result

    def _write(self, result: ImportResult) -> None:
        db = self.db
        ids: dict[New, int] = {}

        def real(ref: Any) -> Any:
            return ids[ref] if isinstance(ref, New) else ref

        for _, record in self.pending["centres"]:
            ids[New("centre", (store.name_key(record["name"]),))] = store.insert_centre(db, record)
        for _, record in self.pending["rooms"]:
            key = New("room", (record["centre"], store.name_key(record["name"])))
            ids[key] = store.insert_room(db, {"centre_id": real(record["centre"]), "name": record["name"],
                                              "capacity": record["capacity"]})
        for _, record in self.pending["actors"]:
            ids[New("actor", (store.name_key(record["name"]),))] = store.insert_actor(db, record)
        for _, record in self.pending["closures"]:
            _, cancelled = actions.store_closure(db, real(record["centre"]), record)
            result.cancelled_by_closures += len(cancelled)
        proposed: list[rules.Proposed] = []
        for line, pending in self.pending["activities"]:
            activity_id = actions.store_activity(
                db, real(pending.centre), real(pending.room), real(pending.actor), [real(p) for p in pending.partners],
                pending.fields,
            )
            ids[New("activity", (pending.centre, store.name_key(pending.ref)))] = activity_id
            label = f"{self.files['activities']} row {line}"
            for start, end in pending.occurrences:
                proposed.append(rules.Proposed(real(pending.room), start, end, pending.fields.title, real(pending.actor),
                                               pending.actor_name, activity_id, label=label))
        for line, pending in self.pending["bookings"]:
            f = pending.fields
            proposed.append(rules.Proposed(real(pending.room), f.start, f.end, f.title, real(pending.actor), pending.actor_name,
                                           real(pending.activity), f.status, f.note, label=f"{self.files['bookings']} row {line}"))
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
        result.added = {t: n for t, n in counts.items() if n}


class _DryRun(Exception):
    pass


def import_files(
    db: Database, files: dict[str, Path], *, policy: str, dry_run: bool = False, raw: bool = False,
    generate_occurrences: bool | None = None,
) -> ImportResult:
    """Import tables from files (table → path), in dependency order, all or nothing.

    Activities get their occurrences from their rules unless a bookings file comes along, which
    then holds them (as `export csv --all` writes them); `generate_occurrences` overrides that.
    """
    if generate_occurrences is None:
        generate_occurrences = "bookings" not in files
    importer = Importer(db, policy=policy, raw=raw)
    for table in csvio.IMPORT_ORDER:
        if table in files:
            importer.read(table, files[table], generate_occurrences=generate_occurrences)
    return importer.apply(dry_run=dry_run)
