"""What listings and reports read: centres, rooms, actors, closures, bookings and activities;
the occurrence groups and facts of the coordination report; counts and the health check."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only a type: reading commands never load sqlite-utils
    from sqlite_utils import Database

from .connection import schema_version
from .sql import BOOKINGS_SELECT, GROUP_KEY, fetch_rows, json_ids, starting_within


def is_empty(db: Database) -> bool:
    return not any(
        db.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone() for t in ("centres", "actors", "bookings")
    )


def counts(db: Database) -> dict[str, int]:
    return {
        t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("centres", "rooms", "actors", "activities", "bookings", "closures")
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
) -> list[dict[str, Any]]:
    """Activities with partners and target groups; a window keeps those with a booking in it."""
    where, params = [], []
    for column, value in (("a.centre_id", centre_id), ("a.room_id", room_id)):
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
        "  JOIN actors p2 ON p2.id = p.actor_id WHERE p.activity_id = a.id ORDER BY p2.name)) AS partners, "
        "a.category, "
        "(SELECT json_group_array(target) FROM (SELECT target FROM activity_targets t "
        "  WHERE t.activity_id = a.id ORDER BY target)) AS target_groups, "
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
    """Active occurrences gathered by room, activity and time of day, as `overlaps.Group`s, and
    the loose ones as rows (id, room_id, activity_id, start, end): those that end on a later day
    than they start, and second occurrences at a group's date and time."""
    from ..overlaps import Group

    # `+start`: read the covering index front to back; a range search on start inside each
    # (room, activity) prefix is slower for a whole calendar.
    where, params = ["status = 'active'"], []
    starting_within("+start", first, last, where, params)
    if room_ids is not None:
        where.append("room_id IN (SELECT value FROM json_each(?))")
        params.append(json_ids(room_ids))
    sql = (
        f"SELECT {GROUP_KEY}, group_concat(substr(start, 1, 10)), group_concat(id), count(*), "
        "group_concat(CASE WHEN substr(start, 1, 10) = substr(\"end\", 1, 10) THEN '' ELSE \"end\" END) "
        f"FROM bookings WHERE {' AND '.join(where)} GROUP BY {GROUP_KEY}"
    )
    groups, loose = [], []
    for room, activity, begins, ends, weekday, dates, ids, count, multi_day in db.conn.execute(sql, params):
        days, numbers = dates.split(","), list(map(int, ids.split(",")))
        by_day = dict(zip(days, numbers))
        if len(by_day) != count or multi_day.strip(","):
            # Some end on a later day, or two fall on the same date and time: those go loose.
            by_day = {}
            for n, d, e in zip(numbers, days, multi_day.split(",")):
                if e:
                    loose.append((n, room, activity, f"{d}T{begins}", e))
                elif d in by_day:
                    loose.append((n, room, activity, f"{d}T{begins}", f"{d}T{ends}"))
                else:
                    by_day[d] = n
        if by_day:
            groups.append(Group(room, activity, begins, ends, by_day, weekday))
    return groups, loose


def activity_facts(db: Database) -> list[dict[str, Any]]:
    """Every activity with its centre, area, category, target groups and actors (lead first)."""
    rows = fetch_rows(
        db,
        "SELECT a.id, a.title, a.centre_id, c.name AS centre, c.area, a.category, a.actor_id, "
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


def check(db: Database) -> dict[str, Any]:
    integrity = [r[0] for r in db.execute("PRAGMA integrity_check").fetchall()]
    foreign = [
        {"table": r[0], "rowid": r[1], "parent": r[2]} for r in db.execute("PRAGMA foreign_key_check").fetchall()
    ]
    return {
        "integrity": integrity,
        "foreign_keys": foreign,
        "schema": schema_version(db),
        "counts": counts(db),
        "journal_mode": db.execute("PRAGMA journal_mode").fetchone()[0],
    }
