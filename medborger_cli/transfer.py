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

from . import actions, csvio, schedule, store, vocab
from .errors import BadInput, Conflict, MedborgerError
from .overlaps import Slot, conflicts_of

MAX_ERRORS_SHOWN = 50


# ---------------------------------------------------------------------------------------------
# Export


def export_rows(db: Database, table: str, *, centre_id=None, first=None, last=None):
    """Rows and columns of a table as a file holds them."""
    if table in csvio.COLUMNS:
        return csvio.COLUMNS[table], store.export_rows(db, table, centre_id=centre_id, first=first, last=last)
    from . import coordination, output

    scope = coordination.Scope(first=first, last=last, centre_id=centre_id)
    if table == "overlaps":
        findings = coordination.overlaps(db, list(coordination.KINDS), scope, include_acknowledged=True)
        return output.OVERLAP_CSV_COLUMNS, output.overlap_csv_rows(findings)
    if table == "collaboration":
        return output.COLLABORATION_CSV_COLUMNS, output.collaboration_csv_rows(coordination.collaboration(db, scope))
    raise BadInput(f"TABLE: unknown table '{table}'; use one of {', '.join(csvio.EXPORT_TABLES)}")


def export_csv(db: Database, table: str, stream: TextIO, *, excel=False, raw=False, **filters) -> int:
    if table == "bookings":  # the big one: cells straight from the query
        writer = csvio.Writer(stream, csvio.COLUMNS["bookings"], excel=excel, raw=raw)
        return writer.write_cells(store.export_bookings_cells(db, guard=not raw, **filters))
    columns, rows = export_rows(db, table, **filters)
    return csvio.Writer(stream, columns, excel=excel, raw=raw).write_all(rows)


# ---------------------------------------------------------------------------------------------
# Import


@dataclass
class RowError:
    file: str
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: row {self.line}, {self.column}: {self.reason}"


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
    conflicts: list[Any] = field(default_factory=list)
    skipped_conflicts: int = 0
    skipped_dates: int = 0
    cancelled_by_closures: int = 0
    dry_run: bool = False


class _Bad(Exception):
    def __init__(self, column: str, reason: str):
        self.column, self.reason = column, reason


def _field(exc: MedborgerError, column: str) -> _Bad:
    """A domain message `field: reason` as a row error on `column`."""
    head, _, reason = exc.message.partition(": ")
    return _Bad(column, reason if reason else exc.message)


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
        self.new_centres: dict[str, int] = {}
        self.new_rooms: set[tuple[Any, str]] = set()
        self.new_actors: set[str] = set()
        self.new_activities: dict[tuple[Any, str], int] = {}
        self.closures: dict[Any, list[schedule.Closure]] = {}
        for c in store.closures(db):
            self.closures.setdefault(c["centre_id"], []).append(
                schedule.Closure(dt.date.fromisoformat(c["date_from"]), dt.date.fromisoformat(c["date_until"]), c["reason"])
            )

    # -- names ---------------------------------------------------------------------------------

    def centre(self, text: str, column: str = "centre") -> Any:
        """An existing centre's id, or ('new', key) for one this import adds."""
        key = store.name_key(text)
        if not key:
            raise _Bad(column, "must not be empty")
        if key in self.maps["centres"]:
            return self.maps["centres"][key]
        if key in self.new_centres:
            return ("new", key)
        raise _Bad(column, f"no centre '{text}'; add it first or include it in centres.csv")

    def room(self, centre: Any, text: str) -> Any:
        key = store.name_key(text)
        if not key:
            raise _Bad("room", "must not be empty")
        if not isinstance(centre, tuple) and (centre, key) in self.maps["rooms"]:
            return self.maps["rooms"][(centre, key)]
        if (centre, key) in self.new_rooms:
            return ("new", centre, key)
        raise _Bad("room", f"no room '{text}' in that centre; add it first or include it in rooms.csv")

    def actor(self, text: str, column: str = "actor") -> Any:
        key = store.name_key(text)
        if not key:
            raise _Bad(column, "must not be empty")
        if key in self.maps["actors"]:
            return self.maps["actors"][key]
        if key in self.new_actors:
            return ("new", key)
        raise _Bad(column, f"no actor '{text}'; add it first or include it in actors.csv")

    # -- reading -------------------------------------------------------------------------------

    def read(self, table: str, path: Path, *, generate_occurrences: bool = True) -> None:
        parse = getattr(self, f"_row_{table}")
        self.files[table] = path.name
        source = csvio.Table(path, table, raw=self.raw)
        for line, row in source.rows():
            try:
                if "__extra__" in row:
                    raise _Bad("(row)", "has more cells than the header has columns")
                record = parse(row, generate_occurrences) if table == "activities" else parse(row)
            except _Bad as bad:
                self.errors.append(RowError(path.name, line, bad.column, bad.reason))
                continue
            self.pending[table].append((line, record))

    def _row_centres(self, row: dict[str, str]) -> dict[str, Any]:
        try:
            record = actions.centre_record(row, fields={})
        except MedborgerError as exc:
            raise _field(exc, exc.message.split(":")[0]) from None
        key = store.name_key(record["name"])
        if key in self.maps["centres"] or key in self.new_centres:
            raise _Bad("name", f"a centre named '{record['name']}' exists already")
        self.new_centres[key] = len(self.new_centres)
        return record

    def _row_rooms(self, row: dict[str, str]) -> dict[str, Any]:
        centre = self.centre(row.get("centre", ""))
        try:
            name = actions.clean_text(row.get("name"), "name")
        except MedborgerError as exc:
            raise _field(exc, "name") from None
        key = store.name_key(name)
        if (not isinstance(centre, tuple) and (centre, key) in self.maps["rooms"]) or (centre, key) in self.new_rooms:
            raise _Bad("name", f"the centre has a room named '{name}' already")
        capacity = row.get("capacity") or None
        if capacity is not None:
            if not capacity.isdigit() or int(capacity) < 1:
                raise _Bad("capacity", f"'{capacity}' is not a number of people; give 1 or more, or leave it empty")
            capacity = int(capacity)
        self.new_rooms.add((centre, key))
        return {"centre": centre, "name": name, "capacity": capacity}

    def _row_actors(self, row: dict[str, str]) -> dict[str, Any]:
        try:
            record = actions.actor_record(row, fields={})
        except MedborgerError as exc:
            raise _field(exc, exc.message.split(":")[0]) from None
        key = store.name_key(record["name"])
        if key in self.maps["actors"] or key in self.new_actors:
            raise _Bad("name", f"an actor named '{record['name']}' exists already")
        self.new_actors.add(key)
        return record

    def _date(self, row: dict[str, str], column: str) -> dt.date:
        try:
            return schedule.parse_date(row.get(column, ""), column)
        except MedborgerError as exc:
            raise _field(exc, column) from None

    def _row_closures(self, row: dict[str, str]) -> dict[str, Any]:
        centre = self.centre(row.get("centre", ""))
        first, last = self._date(row, "from"), self._date(row, "until")
        if last < first:
            raise _Bad("until", f"{last} is before from {first}")
        try:
            reason = actions.clean_text(row.get("reason"), "reason")
        except MedborgerError as exc:
            raise _field(exc, "reason") from None
        self.closures.setdefault(centre, []).append(schedule.Closure(first, last, reason))
        return {"centre": centre, "from": first, "until": last, "reason": reason}

    def _row_activities(self, row: dict[str, str], generate: bool) -> dict[str, Any]:
        centre = self.centre(row.get("centre", ""))
        room = self.room(centre, row.get("room", ""))
        actor = self.actor(row.get("actor", ""))
        partners = []
        for name in [p.strip() for p in (row.get("partners") or "").split(";") if p.strip()]:
            partner = self.actor(name, "partners")
            if partner != actor and partner not in partners:
                partners.append(partner)
        try:
            title = actions.clean_text(row.get("title"), "title")
            ref = actions.clean_text(row.get("activity") or title, "activity")
            category = vocab.parse(vocab.CATEGORIES, row.get("category", ""), "category")
            targets = vocab.parse_many(vocab.TARGET_GROUPS, csvio.split_list(row.get("target_groups", "")), "target_groups")
            if not targets:
                raise BadInput("target_groups: give at least one target group")
            focus = vocab.parse(vocab.FOCUS_AREAS, row["focus"], "focus") if row.get("focus") else None
            on = schedule.parse_date(row["on"], "on") if row.get("on") else None
            every = row.get("every") or "1"
            if not every.isdigit():
                raise BadInput(f"every: '{every}' is not a whole number of weeks or months")
            rule = schedule.Recurrence(
                start_time=schedule.parse_time(row.get("start", ""), "start"),
                end_time=schedule.parse_time(row.get("end", ""), "end"),
                weekdays=() if on else tuple(schedule.parse_weekdays(csvio.split_list(row.get("weekdays", "")), "weekdays")),
                date_from=None if on else schedule.parse_date(row.get("from", ""), "from"),
                date_until=None if on else schedule.parse_date(row.get("until", ""), "until"),
                interval=int(every),
                monthly=vocab.parse(vocab.MONTHLY_POSITIONS, row["monthly"], "monthly") if row.get("monthly") else None,
                on=on,
            )
            rule.validate()
        except MedborgerError as exc:
            column = exc.message.split(":")[0].lstrip("-")
            raise _field(exc, {"weekday": "weekdays", "target": "target_groups"}.get(column, column)) from None
        include = (row.get("include_holidays") or "").strip().lower() in ("yes", "ja", "1", "true", "x")
        key = (centre, store.name_key(ref))
        if key in self.maps["activities"] or key in self.new_activities:
            raise _Bad("activity", f"the centre has an activity '{ref}' already; give this one another name in the activity column")
        self.new_activities[key] = len(self.new_activities)
        occurrences = []
        if generate:
            expansion = schedule.expand(rule, self.closures.get(centre, []), include)
            occurrences = [(o.start, o.end) for o in expansion.held]
            if not occurrences:
                raise _Bad("from", "no date of the rule is left after holidays and closures")
        return {
            "centre": centre, "room": room, "actor": actor, "partners": partners, "title": title, "ref": ref,
            "category": category, "targets": targets, "focus": focus, "rule": rule, "include_holidays": include,
            "occurrences": occurrences,
        }

    def _row_bookings(self, row: dict[str, str]) -> tuple:
        centre = self.centre(row.get("centre", ""))
        room = self.room(centre, row.get("room", ""))
        actor = self.actor(row.get("actor", ""))
        try:
            title = actions.clean_text(row.get("title"), "title")
            start = schedule.parse_datetime(row.get("start", ""), "start")
            end = schedule.parse_end(row.get("end", ""), start, "end")
            note = actions.clean_text(row.get("note"), "note", required=False, limit=actions.MAX_TEXT)
        except MedborgerError as exc:
            raise _field(exc, exc.message.split(":")[0]) from None
        if end <= start:
            raise _Bad("end", f"{schedule.fmt(end)} is not after start {schedule.fmt(start)}")
        if end - start > dt.timedelta(days=14):
            raise _Bad("end", "a booking longer than 14 days is almost surely a typo")
        status = (row.get("status") or "active").strip().lower()
        status = {"aktiv": "active", "aflyst": "cancelled", "canceled": "cancelled"}.get(status, status)
        if status not in ("active", "cancelled"):
            raise _Bad("status", f"'{row.get('status')}' is not a status; use active or cancelled")
        activity = None
        if row.get("activity"):
            key = (centre, store.name_key(row["activity"]))
            if key in self.maps["activities"]:
                activity = self.maps["activities"][key]
            elif key in self.new_activities:
                activity = ("new", key)
            else:
                raise _Bad("activity", f"no activity '{row['activity']}' in that centre")
        if status == "active":
            for closure in self.closures.get(centre, []):
                if closure.date_from <= end.date() and start.date() <= closure.date_until:
                    raise _Bad("start", f"the centre is closed {closure.date_from}–{closure.date_until} ({closure.reason})")
        return (room, actor, activity, title, schedule.fmt(start), schedule.fmt(end), status, note)

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
        centre_ids: dict[Any, int] = {}
        for _, record in self.pending["centres"]:
            centre_ids[("new", store.name_key(record["name"]))] = store.insert_centre(db, record)
        resolve_centre = lambda c: centre_ids[c] if isinstance(c, tuple) else c  # noqa: E731
        room_ids: dict[Any, int] = {}
        for _, record in self.pending["rooms"]:
            centre = resolve_centre(record["centre"])
            room_ids[("new", record["centre"], store.name_key(record["name"]))] = store.insert_room(
                db, {"centre_id": centre, "name": record["name"], "capacity": record["capacity"]}
            )
        resolve_room = lambda r: room_ids[r] if isinstance(r, tuple) else r  # noqa: E731
        actor_ids: dict[Any, int] = {}
        for _, record in self.pending["actors"]:
            actor_ids[("new", store.name_key(record["name"]))] = store.insert_actor(db, record)
        resolve_actor = lambda a: actor_ids[a] if isinstance(a, tuple) else a  # noqa: E731
        for _, record in self.pending["closures"]:
            centre = resolve_centre(record["centre"])
            store.insert_closure(db, {"centre_id": centre, "date_from": record["from"].isoformat(),
                                      "date_until": record["until"].isoformat(), "reason": record["reason"]})
            result.cancelled_by_closures += len(store.cancel_bookings_between(
                db, centre, record["from"].isoformat(), record["until"].isoformat(), f"lukket: {record['reason']}"))
        activity_ids: dict[Any, int] = {}
        proposed: list[tuple] = []  # (room, actor, activity, title, start, end, status, note, line, file)
        for line, record in self.pending["activities"]:
            rule = record["rule"]
            dates = rule.dates()
            activity_id = store.insert_activity(
                db,
                {
                    "title": record["title"], "centre_id": resolve_centre(record["centre"]),
                    "room_id": resolve_room(record["room"]), "actor_id": resolve_actor(record["actor"]),
                    "category": record["category"], "focus": record["focus"],
                    "weekdays": schedule.weekday_codes(list(rule.weekdays) if rule.on is None else [rule.on.weekday()]),
                    "start_time": rule.start_time.strftime("%H:%M"), "end_time": rule.end_time.strftime("%H:%M"),
                    "date_from": (rule.date_from or dates[0]).isoformat(), "date_until": (rule.date_until or dates[-1]).isoformat(),
                    "interval": rule.interval, "monthly": rule.monthly, "single_date": int(rule.on is not None),
                    "include_holidays": int(record["include_holidays"]),
                },
                [resolve_actor(p) for p in record["partners"]],
                record["targets"],
            )
            activity_ids[("new", (record["centre"], store.name_key(record["ref"])))] = activity_id
            for start, end in record["occurrences"]:
                proposed.append((resolve_room(record["room"]), resolve_actor(record["actor"]), activity_id,
                                 record["title"], start, end, "active", None, line, "activities"))
        for line, (room, actor, activity, title, start, end, status, note) in self.pending["bookings"]:
            if isinstance(activity, tuple):
                activity = activity_ids[activity]
            proposed.append((resolve_room(room), resolve_actor(actor), activity, title, start, end, status, note, line, "bookings"))
        to_store = self._check_conflicts(proposed, result)
        store.insert_bookings_fast(db, [p[:8] for p in to_store])
        counts = {t: len(self.pending[t]) for t in ("centres", "rooms", "actors", "closures", "activities")}
        counts["bookings"] = len(to_store)
        result.added = {t: n for t, n in counts.items() if n}

    def _check_conflicts(self, proposed: list[tuple], result: ImportResult) -> list[tuple]:
        active = [p for p in proposed if p[6] == "active"]
        if not active:
            return proposed
        rooms = sorted({p[0] for p in active})
        first = min(p[4] for p in active)
        last = max(p[5] for p in active)
        existing = store.active_slots(self.db, rooms, first, last)
        by_id = {e[0]: e for e in existing}
        pairs = conflicts_of(
            [Slot(p[0], p[4], p[5], i) for i, p in enumerate(proposed) if p[6] == "active"],
            [Slot(e[1], e[2], e[3], e[0]) for e in existing],
        )
        if not pairs:
            return proposed
        rows = []
        names = store.actor_names(self.db)
        for mine, other in pairs:
            p = proposed[mine.ref]
            if other.proposed:
                q = proposed[other.ref]
                rows.append(actions.ConflictRow(p[4], p[5], f"{p[3]} ({self.files[p[9]]} row {p[8]})", None,
                                                f"{q[3]} ({self.files[q[9]]} row {q[8]})", names[q[1]]["name"], q[4], q[5]))
            else:
                e = by_id[other.ref]
                rows.append(actions.ConflictRow(p[4], p[5], f"{p[3]} ({self.files[p[9]]} row {p[8]})", e[0], e[4], e[5], e[2], e[3]))
        result.conflicts = rows
        if self.policy == "allow":
            return proposed
        if self.policy == "refuse":
            raise Conflict(
                f"room conflict: {len(pairs)} clash{'es' if len(pairs) != 1 else ''} with bookings in the database "
                "or between rows of the files; nothing was imported (pass --skip-conflicts to import the free "
                "ones, or --allow-conflicts to import all)",
                rows,
            )
        # skip: leave out every proposed row that clashes with a stored booking, and the later of
        # two proposed rows that clash with each other
        drop = set()
        for mine, other in pairs:
            if not other.proposed:
                drop.add(mine.ref)
        for mine, other in sorted(pairs, key=lambda pair: max(pair[0].ref, pair[1].ref)):
            if other.proposed and mine.ref not in drop and other.ref not in drop:
                drop.add(max(mine.ref, other.ref))
        result.skipped_conflicts = len(drop)
        return [p for i, p in enumerate(proposed) if i not in drop]




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
