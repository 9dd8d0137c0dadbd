"""Export and import: rows and cells as files show them (names instead of ids), the name maps an
import resolves against, bulk inserts of bookings, and the active slots an import checks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only a type: reading commands never load sqlite-utils
    from sqlite_utils import Database

from .queries import actors
from .sql import json_ids, name_key, now, starting_within


def activity_refs(db: Database) -> dict[int, str]:
    """How files name an activity within its centre: its title, or `title #2` when a centre
    has more than one activity of that title (numbered in the order they were added)."""
    refs: dict[int, str] = {}
    seen: dict[tuple[int, str], int] = {}
    for activity_id, centre_id, title in db.execute("SELECT id, centre_id, title FROM activities ORDER BY id"):
        key = (centre_id, name_key(title))
        seen[key] = seen.get(key, 0) + 1
        refs[activity_id] = title if seen[key] == 1 else f"{title} #{seen[key]}"
    return refs


def _stream(db: Database, sql: str, params: list[Any]) -> Iterator[dict[str, Any]]:
    cursor = db.conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    cursor.arraysize = 2000
    while True:
        batch = cursor.fetchmany()
        if not batch:
            return
        for row in batch:
            yield dict(zip(names, row))


def export_rows(
    db: Database, table: str, *, centre_id: int | None = None, first: str | None = None, last: str | None = None
) -> Iterator[dict[str, Any]]:
    """The rows of one table as files show them: names instead of ids, streamed in a stable order."""
    where: list[str] = []
    params: list[Any] = []
    if table == "centres":
        if centre_id is not None:
            where.append("id = ?")
            params.append(centre_id)
        sql = "SELECT name, type, municipality, area, address, owner, operator, funding_period FROM centres"
        order = "name_key, id"
    elif table == "rooms":
        if centre_id is not None:
            where.append("r.centre_id = ?")
            params.append(centre_id)
        sql = "SELECT c.name AS centre, r.name, r.capacity FROM rooms r JOIN centres c ON c.id = r.centre_id"
        order = "r.id"  # in the order they were added: a copy made by import numbers them alike
    elif table == "actors":
        for row in actors(db, centre_id):
            yield {k: row[k] for k in ("name", "sector", "contact", "email", "phone")}
        return
    elif table == "closures":
        if centre_id is not None:
            where.append("cl.centre_id = ?")
            params.append(centre_id)
        if first:
            where.append("cl.date_until >= ?")
            params.append(first)
        if last:
            where.append("cl.date_from <= ?")
            params.append(last)
        sql = (
            'SELECT c.name AS centre, cl.date_from AS "from", cl.date_until AS "until", cl.reason '
            "FROM closures cl JOIN centres c ON c.id = cl.centre_id"
        )
        order = "c.name_key, cl.date_from, cl.id"
    elif table == "bookings":
        names = ["centre", "room", "title", "actor", "start", "end", "status", "activity", "note"]
        for cells in export_bookings_cells(db, centre_id=centre_id, first=first, last=last, guard=False):
            yield dict(zip(names, cells))
        return
    else:
        raise ValueError(table)
    sql += (" WHERE " + " AND ".join(where) if where else "") + f" ORDER BY {order}"
    yield from _stream(db, sql, params)


def _prefixer(starts: str, mark: str):
    """SQL that puts `mark` in front of a text cell starting (after any marks) with one of the
    characters `starts`: the caller's formula guard, worked out in the query."""
    chars = ", ".join(f"char({ord(c)})" for c in starts)
    code = f"char({ord(mark)})"
    first = ", ".join(str(ord(c)) for c in starts + mark)  # the characters a guarded cell can start with

    def cell(column: str) -> str:
        # the cheap test of the first character first: almost every cell starts with a letter
        return (f"CASE WHEN unicode({column}) IN ({first}) THEN "
                f"CASE WHEN substr(ltrim({column}, {code}), 1, 1) IN ({chars}) THEN {code} || {column} ELSE {column} END "
                f"ELSE {column} END")

    return cell


def export_bookings_cells(
    db: Database, *, centre_id: int | None = None, first: str | None = None, last: str | None = None,
    guard: tuple[str, str] | None = None,
):
    """The bookings file's cells, row by row, straight from SQLite: names, the activity's reference
    and the formula guard are all worked out in the query (the names once per centre, room, actor
    and activity), so a million rows stream at the speed of the csv writer. `guard` is
    (characters that start a formula, the mark to put in front). In start order, ties in the
    order the bookings were added; columns as csvio.COLUMNS['bookings']."""
    where, params = [], []
    if centre_id is not None:
        where.append("p.centre_id = ?")
        params.append(centre_id)
    starting_within("b.start", first, last, where, params)
    cell = _prefixer(*guard) if guard else (lambda column: column)
    # the same numbering as activity_refs(), in SQL so that it runs once per activity
    numbered = "CASE WHEN n = 1 THEN title ELSE title || ' #' || n END"
    sql = (
        "WITH refs AS MATERIALIZED (SELECT id, "
        f"{cell(numbered)} AS ref FROM "
        "(SELECT id, title, row_number() OVER (PARTITION BY centre_id, name_key ORDER BY id) AS n FROM activities) AS numbered), "
        f"places AS MATERIALIZED (SELECT r.id, r.centre_id, {cell('c.name')} AS centre, {cell('r.name')} AS room "
        "FROM rooms r JOIN centres c ON c.id = r.centre_id), "
        f"people AS MATERIALIZED (SELECT id, {cell('name')} AS actor FROM actors) "
        f"SELECT p.centre, p.room, {cell('b.title')}, a.actor, b.start, b.\"end\", b.status, refs.ref, {cell('b.note')} "
        "FROM bookings b CROSS JOIN places p ON p.id = b.room_id CROSS JOIN people a ON a.id = b.actor_id "
        "LEFT JOIN refs ON refs.id = b.activity_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY b.start, b.id"
    )
    cursor = db.conn.execute(sql, params)
    cursor.arraysize = 5000
    return cursor


def name_maps(db: Database) -> dict[str, dict]:
    """Everything an import resolves names against, by name key."""
    refs = activity_refs(db)
    return {
        "centres": {k: i for i, k in db.execute("SELECT id, name_key FROM centres")},
        "rooms": {(c, k): i for i, c, k in db.execute("SELECT id, centre_id, name_key FROM rooms")},
        "actors": {k: i for i, k in db.execute("SELECT id, name_key FROM actors")},
        "activities": {(c, name_key(refs[i])): i for i, c in db.execute("SELECT id, centre_id FROM activities")},
        "activity_rooms": {i: r for i, r in db.execute("SELECT id, room_id FROM activities")},
    }


def insert_bookings_fast(db: Database, rows: list[tuple]) -> None:
    """(room_id, actor_id, activity_id, title, start, end, status, note) rows, many at once."""
    created = now()
    db.conn.executemany(
        'INSERT INTO bookings (room_id, actor_id, activity_id, title, start, "end", status, note, created_at) '
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(*r, created) for r in rows],
    )


def active_slots(db: Database, room_ids: list[int], first: str, last: str) -> list[tuple]:
    """(id, room_id, start, end, title, actor) of active bookings in these rooms overlapping the span."""
    return db.execute(
        'SELECT b.id, b.room_id, b.start, b."end", b.title, a.name FROM bookings b JOIN actors a ON a.id = b.actor_id '
        "WHERE b.room_id IN (SELECT value FROM json_each(?)) AND b.status = 'active' AND b.start < ? AND b.\"end\" > ?",
        [json_ids(room_ids), last, first],
    ).fetchall()


def export_attendance_rows(
    db: Database, *, centre_id: int | None = None, first: str | None = None, last: str | None = None
) -> Iterator[dict[str, Any]]:
    """The attendance file's rows: the session named by centre, room, title and start, then the
    counts (age bands as `0-5=3;6-12=10`). Only sessions that are held (active) are written: the
    attendance of a session cancelled later is kept in the file but counts for nothing."""
    import json

    where, params = ["b.status = 'active'"], []
    if centre_id is not None:
        where.append("r.centre_id = ?")
        params.append(centre_id)
    starting_within("b.start", first, last, where, params)
    sql = (
        "SELECT c.name AS centre, r.name AS room, b.title, b.start, at.count, at.new, at.female, at.male, "
        "at.age_bands, at.note FROM attendance at JOIN bookings b ON b.id = at.booking_id "
        "JOIN rooms r ON r.id = b.room_id JOIN centres c ON c.id = r.centre_id WHERE "
        + " AND ".join(where) + " ORDER BY b.start, c.name_key, r.name_key, b.id"
    )
    for row in _stream(db, sql, params):
        bands = json.loads(row["age_bands"]) if row["age_bands"] else {}
        row["age_bands"] = ";".join(f"{band}={n}" for band, n in bands.items()) or None
        yield row


def bookings_at(db: Database, room_id: int, start: str) -> list[dict[str, Any]]:
    """The bookings of a room starting at `start`: how an attendance file names a session."""
    cursor = db.execute('SELECT id, title, status, start, "end" FROM bookings WHERE room_id = ? AND start = ? ORDER BY id',
                        [room_id, start])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]
