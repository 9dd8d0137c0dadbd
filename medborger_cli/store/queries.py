"""What listings and reports read: centres, rooms, actors, closures, bookings and activities;
the occurrence groups and facts of the coordination report; counts and the health check."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only a type: reading commands never load sqlite-utils
    from sqlite_utils import Database

from .connection import quick_check, schema_version
from .sql import BOOKINGS_SELECT, GROUP_KEY, SPANS_DAYS, fetch_rows, json_ids, starting_within


def is_empty(db: Database) -> bool:
    return not any(
        db.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone() for t in ("centres", "actors", "bookings")
    )


def counts(db: Database) -> dict[str, int]:
    return {
        t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("centres", "rooms", "actors", "activities", "bookings", "closures", "attendance")
    }


def closures(db: Database, centre_id: int | None = None) -> list[dict[str, Any]]:
    sql = (
        "SELECT cl.id, c.name AS centre, cl.centre_id, cl.date_from, cl.date_until, cl.reason "
        "FROM closures cl JOIN centres c ON c.id = cl.centre_id"
    )
    if centre_id is not None:
        return fetch_rows(db, sql + " WHERE cl.centre_id = ? ORDER BY cl.date_from", [centre_id])
    return fetch_rows(db, sql + " ORDER BY c.name, cl.date_from")


def centres(db: Database, area: str | None = None) -> list[dict[str, Any]]:
    sql = (
        "SELECT c.id, c.name, c.type, c.municipality, c.area, c.address, c.owner, c.operator, "
        "(SELECT count(*) FROM rooms r WHERE r.centre_id = c.id) AS rooms, "
        "(SELECT count(*) FROM activities a WHERE a.centre_id = c.id) AS activities FROM centres c"
    )
    if area:
        return fetch_rows(db, sql + " WHERE lower(c.area) = lower(?) ORDER BY c.name", [area])
    return fetch_rows(db, sql + " ORDER BY c.name")


def rooms(db: Database, centre_id: int | None = None) -> list[dict[str, Any]]:
    sql = (
        "SELECT r.id, r.name, c.name AS centre, r.centre_id, r.capacity FROM rooms r "
        "JOIN centres c ON c.id = r.centre_id"
    )
    if centre_id is not None:
        return fetch_rows(db, sql + " WHERE r.centre_id = ? ORDER BY r.name", [centre_id])
    return fetch_rows(db, sql + " ORDER BY c.name, r.name")


def actors(db: Database, centre_id: int | None = None) -> list[dict[str, Any]]:
    sql = "SELECT a.id, a.name, a.sector, a.contact, a.email, a.phone FROM actors a"
    if centre_id is not None:
        sql += (
            " WHERE a.id IN (SELECT actor_id FROM activities WHERE centre_id = ?"
            " UNION SELECT p.actor_id FROM activity_partners p JOIN activities x ON x.id = p.activity_id"
            " WHERE x.centre_id = ?"
            " UNION SELECT b.actor_id FROM bookings b JOIN rooms r ON r.id = b.room_id WHERE r.centre_id = ?)"
        )
        return fetch_rows(db, sql + " ORDER BY a.name_key, a.id", [centre_id] * 3)
    return fetch_rows(db, sql + " ORDER BY a.name_key, a.id")


def bookings(
    db: Database,
    *,
    centre_id: int | None = None,
    room_id: int | None = None,
    actor_id: int | None = None,
    activity_id: int | None = None,
    first: str | None = None,
    last: str | None = None,
    status: str | None = None,
) -> list[dict[str, Any]]:
    """Bookings starting on a day from `first` to `last` (ISO dates, both optional)."""
    where, params = [], []
    for column, value in (
        ("r.centre_id", centre_id),
        ("b.room_id", room_id),
        ("b.activity_id", activity_id),
        ("b.status", status),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if actor_id is not None:
        where.append(
            "(b.actor_id = ? OR b.activity_id IN (SELECT activity_id FROM activity_partners WHERE actor_id = ?))"
        )
        params += [actor_id, actor_id]
    starting_within("b.start", first, last, where, params)
    sql = BOOKINGS_SELECT + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY b.start, c.name, r.name, b.id"
    return fetch_rows(db, sql, params)


def activities(
    db: Database,
    *,
    centre_id: int | None = None,
    room_id: int | None = None,
    actor_id: int | None = None,
    first: str | None = None,
    last: str | None = None,
    activity_id: int | None = None,
) -> list[dict[str, Any]]:
    """Activities with partners and target groups; a window keeps those with a booking in it."""
    where, params = [], []
    for column, value in (("a.centre_id", centre_id), ("a.room_id", room_id), ("a.id", activity_id)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if actor_id is not None:
        where.append("(a.actor_id = ? OR a.id IN (SELECT activity_id FROM activity_partners WHERE actor_id = ?))")
        params += [actor_id, actor_id]
    if first or last:
        window = ["b.activity_id = a.id", "b.status = 'active'"]
        starting_within("b.start", first, last, window, params)
        where.append(f"EXISTS (SELECT 1 FROM bookings b WHERE {' AND '.join(window)})")
    sql = (
        "SELECT a.id, a.title, c.name AS centre, r.name AS room, ac.name AS actor, ac.sector AS actor_sector, "
        "(SELECT json_group_array(name) FROM (SELECT p2.name FROM activity_partners p "
        "  JOIN actors p2 ON p2.id = p.actor_id WHERE p.activity_id = a.id ORDER BY p2.name) AS names) AS partners, "
        "a.category, "
        "(SELECT json_group_array(target) FROM (SELECT target FROM activity_targets t "
        "  WHERE t.activity_id = a.id ORDER BY target) AS targets) AS target_groups, "
        "a.type, a.age_min, a.age_max, a.gender, a.internal, "
        "a.focus, a.weekdays, a.start_time, a.end_time, a.date_from, a.date_until, a.interval, a.monthly, "
        "a.single_date, a.include_holidays, a.centre_id, a.room_id, a.actor_id, c.area, "
        "(SELECT count(*) FROM bookings b WHERE b.activity_id = a.id AND b.status = 'active') AS occurrences "
        "FROM activities a JOIN centres c ON c.id = a.centre_id JOIN rooms r ON r.id = a.room_id "
        "JOIN actors ac ON ac.id = a.actor_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY c.name, a.title, a.id"
    )
    rows = fetch_rows(db, sql, params)
    for row in rows:
        row["partners"] = json.loads(row["partners"])
        row["target_groups"] = json.loads(row["target_groups"])
    return rows


def occurrence_groups(db: Database, first: str | None, last: str | None, room_ids: list[int] | None = None):
    """Active occurrences gathered by room, activity, time of day and weekday, one row each:
    (room_id, activity_id, begins, ends, weekday, starts, ids, count), the starts
    (YYYY-MM-DDTHH:MM) and booking ids comma-separated in the same order; and the occurrences
    that end on a later day than they start, as (room_id, activity_id, begins, ends, weekday,
    id, start, end)."""
    def conditions(start: str) -> tuple[list[str], list[Any]]:
        where, params = ["status = 'active'"], []
        starting_within(start, first, last, where, params)
        if room_ids is not None:
            where.append("room_id IN (SELECT value FROM json_each(?))")
            params.append(json_ids(room_ids))
        return where, params

    # `+start`: read the covering index front to back; a range search on start inside each
    # (room, activity) prefix is slower for a whole calendar.
    where, params = conditions("+start")
    groups = db.conn.execute(
        f"SELECT {GROUP_KEY}, group_concat(start), group_concat(id), count(*) "
        f"FROM bookings WHERE {' AND '.join(where)} GROUP BY {GROUP_KEY}",
        params,
    ).fetchall()
    # The few that span days, through the partial index bookings_spanning_days.
    where, params = conditions("start")
    spanning = db.conn.execute(
        f'SELECT {GROUP_KEY}, id, start, "end" FROM bookings WHERE {" AND ".join(where)} AND {SPANS_DAYS}', params
    ).fetchall()
    return groups, spanning


def first_active_day(db: Database, first: str | None) -> str | None:
    """The date of the earliest active booking starting on or after `first` (an ISO date)."""
    where, params = ["status = 'active'"], []
    starting_within("start", first, None, where, params)
    row = db.execute(f"SELECT min(start) FROM bookings WHERE {' AND '.join(where)}", params).fetchone()
    return row[0][:10] if row and row[0] else None


def activity_facts(db: Database) -> list[dict[str, Any]]:
    """Every activity with its centre, area, category, type, audience (ages, gender, target
    groups), whether it is internal, and its actors (lead first)."""
    rows = fetch_rows(
        db,
        "SELECT a.id, a.title, a.centre_id, c.name AS centre, c.area, a.category, a.type, a.age_min, a.age_max, "
        "a.gender, a.internal, a.actor_id, "
        "(SELECT group_concat(target, char(31)) FROM activity_targets t WHERE t.activity_id = a.id) AS targets, "
        "(SELECT group_concat(actor_id) FROM activity_partners p WHERE p.activity_id = a.id) AS partners "
        "FROM activities a JOIN centres c ON c.id = a.centre_id ORDER BY a.id",
    )
    for row in rows:
        row["targets"] = sorted(row["targets"].split(chr(31))) if row["targets"] else []
        partners = [int(p) for p in row.pop("partners").split(",")] if row["partners"] else []
        row["actor_ids"] = [row.pop("actor_id"), *sorted(partners)]
    return rows


def bookings_in_slots(db: Database, slots: list[tuple[str, str, str]], room_ids: list[int] | None) -> list[dict[str, Any]]:
    """Active bookings that collide with a slot (day, start, end as ISO strings): those that
    start on the slot's day before it ends and end after it starts, each row with the slot's
    `day`. `room_ids`: only these rooms (None: all)."""
    sql = (
        "SELECT json_extract(w.value, '$[0]') AS day, b.id, b.room_id, b.title, ac.name AS actor, b.activity_id, "
        'b.start, b."end" FROM json_each(?) w '
        "CROSS JOIN bookings b ON b.start >= json_extract(w.value, '$[0]') AND b.start < json_extract(w.value, '$[2]') "
        "AND b.\"end\" > json_extract(w.value, '$[1]') JOIN actors ac ON ac.id = b.actor_id WHERE b.status = 'active'"
    )
    params: list[Any] = [json.dumps([list(s) for s in slots])]
    if room_ids is not None:
        sql += " AND b.room_id IN (SELECT value FROM json_each(?))"
        params.append(json_ids(room_ids))
    return fetch_rows(db, sql + " ORDER BY day, b.start, b.id", params)


def running_over_midnight(db: Database, first: str, last: str, room_ids: list[int] | None) -> list[dict[str, Any]]:
    """Active one-off bookings (no activity) that end on a later day than they start and overlap
    `first`..`last` (ISO date-times). An activity's occurrences start and end on one day; a one-off
    booking may run over several (read through the index on activity_id, so it stays quick)."""
    sql = (
        'SELECT b.id, b.room_id, b.title, ac.name AS actor, b.activity_id, b.start, b."end" FROM bookings b '
        "JOIN actors ac ON ac.id = b.actor_id WHERE b.activity_id IS NULL AND b.status = 'active' "
        'AND b.start < ? AND b."end" > ? AND substr(b.start, 1, 10) <> substr(b."end", 1, 10)'
    )
    params: list[Any] = [last, first]
    if room_ids is not None:
        sql += " AND b.room_id IN (SELECT value FROM json_each(?))"
        params.append(json_ids(room_ids))
    return fetch_rows(db, sql + " ORDER BY b.start, b.id", params)


def activity_targets(db: Database, activity_ids: list[int]) -> dict[int, list[str]]:
    """The target groups of these activities, by activity id (sorted codes)."""
    found: dict[int, list[str]] = {}
    sql = "SELECT activity_id, target FROM activity_targets WHERE activity_id IN (SELECT value FROM json_each(?)) ORDER BY activity_id, target"
    for activity_id, target in db.execute(sql, [json_ids(activity_ids)]).fetchall():
        found.setdefault(activity_id, []).append(target)
    return found


def activity_audiences(db: Database, activity_ids: list[int]) -> dict[int, dict[str, Any]]:
    """age_min, age_max, gender and internal of these activities, by id."""
    sql = ("SELECT id, age_min, age_max, gender, internal FROM activities "
           "WHERE id IN (SELECT value FROM json_each(?))")
    return {r["id"]: r for r in fetch_rows(db, sql, [json_ids(activity_ids)])}


def actor_names(db: Database) -> dict[int, dict[str, Any]]:
    return {r["id"]: r for r in fetch_rows(db, "SELECT id, name, sector FROM actors")}


def bookings_by_ids(db: Database, ids: list[int]) -> dict[int, dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    chunk = 20000
    for i in range(0, len(ids), chunk):
        rows = fetch_rows(db, BOOKINGS_SELECT + " WHERE b.id IN (SELECT value FROM json_each(?))", [json_ids(ids[i : i + chunk])])
        found.update((r["id"], r) for r in rows)
    return found


def room_centres(db: Database) -> dict[int, int]:
    return dict(db.execute("SELECT id, centre_id FROM rooms").fetchall())


def dates_outside(db: Database, first: str, last: str) -> dict[str, int]:
    """How many rows of each table hold a date before `first` or after `last` (ISO dates)."""
    beyond = last + "~"  # after every time on the last day
    checks = {
        "bookings": 'start < ? OR start > ? OR "end" < ? OR "end" > ? OR length(start) != 16',
        "activities": "date_from < ? OR date_from > ? OR date_until < ? OR date_until > ? OR length(date_from) != 10",
        "closures": "date_from < ? OR date_from > ? OR date_until < ? OR date_until > ? OR length(date_from) != 10",
    }
    return {
        table: db.execute(f"SELECT count(*) FROM {table} WHERE {where}", [first, beyond, first, beyond]).fetchone()[0]
        for table, where in checks.items()
    }


def _not_a(kind: str, column: str, dialect: str = "sqlite") -> str:
    """SQL that is true when `column` does not hold a valid value of `kind` as medborger writes
    it: a real date (`2026-03-04`), time (`16:00`) or date and time (`2026-03-04T16:00`). SQLite
    reads `2026-02-30` as 2 March, so a value counts only when it reads back as itself.
    PostgreSQL cannot read a value without failing on a bad one: there the same test is a
    pattern and the month's length (`_pg_valid`)."""
    if dialect == "postgresql":
        return f"({column} IS NOT NULL AND NOT {_pg_valid(kind, column)})"
    if kind == "date":
        return f"date({column}, '+0 days') IS NOT {column}"
    if kind == "time":
        return f"strftime('%H:%M', '2000-01-01 ' || {column}, '+0 days') IS NOT {column}"
    return f"strftime('%Y-%m-%dT%H:%M', {column}, '+0 days') IS NOT {column}"


_PG_DATE = "[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_PG_TIME = "([01][0-9]|2[0-3]):[0-5][0-9]"


def _pg_valid(kind: str, column: str) -> str:
    """PostgreSQL: true when `column` is a real date, time or date and time as SQLite's date
    functions read them back (years 0000-9999, the Gregorian leap years), never an error."""
    if kind == "time":
        return f"({column} ~ '^{_PG_TIME}$')"
    pattern = _PG_DATE if kind == "date" else f"{_PG_DATE}T{_PG_TIME}"
    year = f"substr({column}, 1, 4)::int"
    days = (f"CASE substr({column}, 6, 2) WHEN '02' THEN CASE WHEN {year} % 4 = 0 AND ({year} % 100 <> 0 "
            f"OR {year} % 400 = 0) THEN 29 ELSE 28 END WHEN '04' THEN 30 WHEN '06' THEN 30 WHEN '09' THEN 30 "
            "WHEN '11' THEN 30 ELSE 31 END")
    return f"(CASE WHEN {column} ~ '^{pattern}$' THEN substr({column}, 9, 2)::int <= {days} ELSE false END)"


def invalid_values(db: Database, weekdays: Sequence[str], monthly: Sequence[str]) -> dict[str, int]:
    """How many rows of each table hold a value that cannot be read back: a date, time or date
    and time that is no real one (`2026-13-45T10:00`, `25:99`), or a rule of an activity whose
    weekdays, interval or monthly position is none of the codes given. Only counts: the store
    decides nothing, the codes come from the domain."""
    dialect = db.dialect

    def not_a(kind: str, column: str) -> str:
        return _not_a(kind, column, dialect)

    listed = "',' || weekdays || ','"
    for code in weekdays:
        listed = f"replace({listed}, ',{code},', ',')"
    positions = ", ".join("?" for _ in monthly) or "NULL"
    if dialect == "postgresql":  # the columns are typed there: interval is always an integer
        interval, several_days = '"interval" < 1', "single_date = 0"
    else:
        interval, several_days = "typeof(interval) != 'integer' OR interval < 1", "NOT single_date"
    checks = {
        "bookings": (f"{not_a('datetime', 'start')} OR {not_a('datetime', chr(34) + 'end' + chr(34))}", []),
        "activities": (
            f"{not_a('time', 'start_time')} OR {not_a('time', 'end_time')} OR {not_a('date', 'date_from')} "
            f"OR {not_a('date', 'date_until')} OR {interval} "
            f"OR (monthly IS NOT NULL AND monthly NOT IN ({positions})) "
            f"OR ({several_days} AND (weekdays IS NULL OR weekdays = '' OR {listed} != ','))",
            list(monthly),
        ),
        "closures": (f"{not_a('date', 'date_from')} OR {not_a('date', 'date_until')}", []),
    }
    return {table: db.execute(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchone()[0]
            for table, (where, params) in checks.items()}


def check(db: Database) -> dict[str, Any]:
    """SQLite's integrity and reference checks, the schema and the counts; on a damaged file
    whatever can still be read (a part that cannot is None)."""
    import sqlite3

    if db.dialect == "postgresql":
        from . import pg

        return pg.check(db)

    def readable(read):
        try:
            return read()
        except sqlite3.DatabaseError:
            return None

    integrity = readable(lambda: [r[0] for r in db.execute("PRAGMA integrity_check").fetchall()]) or ["unreadable"]
    foreign = readable(lambda: [
        {"table": r[0], "rowid": r[1], "parent": r[2]} for r in db.execute("PRAGMA foreign_key_check").fetchall()
    ])
    return {
        "integrity": integrity,
        "foreign_keys": foreign if foreign is not None else [],
        "schema": readable(lambda: schema_version(db)),
        "counts": readable(lambda: counts(db)) or {},
        "journal_mode": readable(lambda: db.execute("PRAGMA journal_mode").fetchone()[0]),
    }

# ---------------------------------------------------------------------------------------------
# Attendance and the report to the steering group


def report_facts(db: Database) -> dict[int, dict[str, Any]]:
    """What the report needs to know of every activity, by id: title, centre_id, centre, area,
    the centre's funding_period, category, focus, type, internal, actor_id, actor, age_min,
    age_max, gender, targets.

    The one place that reads the activity facts the report groups by."""
    rows = fetch_rows(
        db,
        "SELECT a.id, a.title, a.centre_id, c.name AS centre, c.area, c.funding_period, a.category, a.focus, "
        "a.type AS type, a.internal AS internal, a.actor_id, ac.name AS actor, a.age_min, a.age_max, a.gender, "
        "(SELECT group_concat(target, char(31)) FROM activity_targets t WHERE t.activity_id = a.id) AS targets "
        "FROM activities a JOIN centres c ON c.id = a.centre_id JOIN actors ac ON ac.id = a.actor_id",
    )
    facts = {}
    for row in rows:
        row["targets"] = sorted(row["targets"].split(chr(31))) if row["targets"] else []
        row["internal"] = bool(row["internal"])
        facts[row["id"]] = row
    return facts


def report_sessions(db: Database, first: str, last: str, held_before: str, room_ids: list[int] | None = None):
    """The sessions of a window summed per activity, in one pass over the bookings: rows of
    (activity_id, lone booking id or None, actor_id and centre_id of a lone booking, title of a
    lone booking, held, planned, cancelled, cancelled by a closure, minutes held, sessions with
    attendance, attendance, new participants, female, male, capacity of the sessions with
    attendance in rooms with a capacity, attendance in those). `held_before`: the first day
    that is not held yet (ISO); a booking without an activity is a group of its own."""
    _iso_day(held_before)
    where, params = [], []
    starting_within("b.start", first, last, where, params)
    if room_ids is not None:
        where.append("b.room_id IN (SELECT value FROM json_each(?))")
        params.append(json_ids(room_ids))
    held = f"(b.status = 'active' AND b.start < '{held_before}')"
    sql = (
        "SELECT b.activity_id, CASE WHEN b.activity_id IS NULL THEN b.id END AS lone, "
        "CASE WHEN b.activity_id IS NULL THEN b.actor_id END, CASE WHEN b.activity_id IS NULL THEN r.centre_id END, "
        "CASE WHEN b.activity_id IS NULL THEN b.title END, "
        f"sum(CASE WHEN {held} THEN 1 ELSE 0 END), "
        f"sum(CASE WHEN b.status = 'active' AND b.start >= '{held_before}' THEN 1 ELSE 0 END), "
        "sum(CASE WHEN b.status = 'cancelled' THEN 1 ELSE 0 END), "
        "sum(CASE WHEN b.status = 'cancelled' AND (b.closure_id IS NOT NULL OR b.note LIKE 'lukket: %') THEN 1 ELSE 0 END), "
        f"sum(CASE WHEN {held} THEN round((julianday(b.\"end\") - julianday(b.start)) * 1440) END), "
        "count(a.booking_id), sum(a.count), sum(a.new), sum(a.female), sum(a.male), "
        "sum(CASE WHEN r.capacity IS NOT NULL AND a.booking_id IS NOT NULL THEN r.capacity END), "
        "sum(CASE WHEN r.capacity IS NOT NULL THEN a.count END) "
        f"FROM bookings b JOIN rooms r ON r.id = b.room_id "
        f"LEFT JOIN attendance a ON a.booking_id = b.id AND {held} "
        + ("WHERE " + " AND ".join(where) if where else "")
        + " GROUP BY 1, 2, 3, 4, 5"  # the lone booking's columns follow from its id: the same groups
    )
    return db.execute(sql, params).fetchall()


def report_age_bands(db: Database, first: str, last: str, held_before: str, room_ids: list[int] | None = None):
    """(activity_id, lone booking id, band, count) summed over the held sessions of the window."""
    _iso_day(held_before)
    where, params = ["b.status = 'active'", f"b.start < '{held_before}'", "a.age_bands IS NOT NULL"], []
    starting_within("b.start", first, last, where, params)
    if room_ids is not None:
        where.append("b.room_id IN (SELECT value FROM json_each(?))")
        params.append(json_ids(room_ids))
    return db.execute(
        "SELECT b.activity_id, CASE WHEN b.activity_id IS NULL THEN b.id END AS lone, j.key, sum(j.value) "
        "FROM attendance a JOIN bookings b ON b.id = a.booking_id, json_each(a.age_bands) j "
        f"WHERE {' AND '.join(where)} GROUP BY 1, 2, 3", params).fetchall()


def activity_dates_booked(db: Database, activity_ids: list[int], day: str) -> set[int]:
    """Of these activities, those with a booking (any status) starting on `day` (ISO)."""
    return {r[0] for r in db.execute(
        "SELECT DISTINCT activity_id FROM bookings WHERE start >= ? AND start < ? AND activity_id IN "
        "(SELECT value FROM json_each(?))", [day, day + "~", json_ids(activity_ids)]).fetchall()}


def report_rules(db: Database, activity_ids: list[int]) -> list[dict[str, Any]]:
    """The rule columns of these activities (for the dates a holiday or closure skipped)."""
    return fetch_rows(
        db, "SELECT id, centre_id, weekdays, start_time, end_time, date_from, date_until, \"interval\", monthly, single_date, "
            "include_holidays FROM activities WHERE id IN (SELECT value FROM json_each(?))", [json_ids(activity_ids)])


def day_sessions(db: Database, day: str, centre_id: int | None = None) -> list[dict[str, Any]]:
    """The bookings of a day (active and cancelled) with the attendance registered for them."""
    where, params = ["b.start >= ?", "b.start < ?"], [day, day + "~"]
    if centre_id is not None:
        where.append("r.centre_id = ?")
        params.append(centre_id)
    rows = fetch_rows(db, BOOKINGS_SELECT.replace("SELECT b.id,", "SELECT at.count AS attendance, b.id,")
                      + " LEFT JOIN attendance at ON at.booking_id = b.id WHERE " + " AND ".join(where)
                      + " ORDER BY b.start, c.name, r.name, b.id", params)
    return rows


def _iso_day(day: str) -> None:
    import datetime as dt

    dt.date.fromisoformat(day)  # written into the SQL: it must be a date and nothing else
    if len(day) != 10:
        raise ValueError(day)
