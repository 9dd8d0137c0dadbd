"""Single records: inserts, updates and deletes (call them inside `write(db)`), lookups by id or
name, what depends on a record, and the acknowledgements of reported overlaps."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only a type: reading commands never load sqlite-utils
    from sqlite_utils import Database

from .sql import BOOKINGS_SELECT, day_after, fetch_rows, json_ids, name_key, now


def insert_centre(db: Database, record: dict[str, Any]) -> int:
    return _insert(db, "centres", {**record, "name_key": name_key(record["name"]), "created_at": now()})


def insert_room(db: Database, record: dict[str, Any]) -> int:
    return _insert(db, "rooms", {**record, "name_key": name_key(record["name"])})


def insert_actor(db: Database, record: dict[str, Any]) -> int:
    return _insert(db, "actors", {**record, "name_key": name_key(record["name"])})


def insert_closure(db: Database, record: dict[str, Any]) -> int:
    return _insert(db, "closures", record)


def insert_activity(db: Database, record: dict[str, Any], partners: list[int], targets: list[str]) -> int:
    activity_id = _insert(
        db, "activities", {**record, "name_key": name_key(record["title"]), "created_at": now()}
    )
    _insert_people(db, activity_id, partners, targets)
    return activity_id


def _insert_people(db: Database, activity_id: int, partners: list[int], targets: list[str]) -> None:
    if partners:
        db.conn.executemany("INSERT INTO activity_partners (activity_id, actor_id) VALUES (?, ?)",
                            [(activity_id, p) for p in partners])
    if targets:
        db.conn.executemany("INSERT INTO activity_targets (activity_id, target) VALUES (?, ?)",
                            [(activity_id, t) for t in targets])


def insert_bookings(db: Database, rows: list[dict[str, Any]]) -> list[int]:
    created = now()
    ids = []
    for row in rows:
        ids.append(_insert(db, "bookings", {"status": "active", **row, "created_at": created}))
    return ids


def _insert(db: Database, table: str, record: dict[str, Any]) -> int:
    columns = list(record)
    sql = 'INSERT INTO {} ({}) VALUES ({}){}'.format(
        table, ", ".join(f'"{c}"' for c in columns), ", ".join("?" for _ in columns), db.returning_id
    )
    return db.execute(sql, [record[c] for c in columns]).lastrowid


def set_booking_status(db: Database, booking_id: int, status: str, note: str | None) -> None:
    db.execute("UPDATE bookings SET status = ?, note = ? WHERE id = ?", [status, note, booking_id])


def active_bookings_between(db: Database, centre_id: int, first: str, last: str) -> list[dict]:
    """The centre's active bookings that start on a day from `first` to `last` (ISO dates)."""
    return fetch_rows(
        db,
        BOOKINGS_SELECT
        + " WHERE r.centre_id = ? AND b.status = 'active' AND b.start >= ? AND b.start < ? ORDER BY b.start",
        [centre_id, first, day_after(last)],
    )


def cancel_bookings_between(
    db: Database, centre_id: int, first: str, last: str, note: str, closure_id: int | None = None, keep_after: str = " · "
) -> list[dict]:
    """Cancel the centre's active bookings that start on a day from `first` to `last` (ISO dates),
    remembering the closure that cancelled them; a booking's own note is kept after `keep_after`."""
    rows = active_bookings_between(db, centre_id, first, last)
    db.execute(
        "UPDATE bookings SET status = 'cancelled', closure_id = ?, "
        "note = ? || CASE WHEN coalesce(note, '') != '' THEN ? || note ELSE '' END "
        "WHERE id IN (SELECT value FROM json_each(?))",
        [closure_id, note, keep_after, json_ids(r["id"] for r in rows)],
    )
    return rows


def bookings_cancelled_by(db: Database, closure_id: int) -> list[dict]:
    """The bookings a closure cancelled (and that are still cancelled by it), in time order."""
    return fetch_rows(db, BOOKINGS_SELECT + " WHERE b.closure_id = ? AND b.status = 'cancelled' ORDER BY b.start",
                      [closure_id])


def set_bookings_active(db: Database, ids: list[int]) -> None:
    """Make cancelled bookings active again, forgetting the closure that cancelled them."""
    db.execute("UPDATE bookings SET status = 'active', closure_id = NULL "
               "WHERE id IN (SELECT value FROM json_each(?))", [json_ids(ids)])


def update_row(db: Database, table: str, row_id: int, values: dict[str, Any]) -> None:
    """Set some columns of one row; a new name or title gets its name key too."""
    values = dict(values)
    if table in ("centres", "rooms", "actors") and "name" in values:
        values["name_key"] = name_key(values["name"])
    if table == "activities" and "title" in values:
        values["name_key"] = name_key(values["title"])
    if not values:
        return
    columns = ", ".join(f'"{c}" = ?' for c in values)
    db.execute(f"UPDATE {table} SET {columns} WHERE id = ?", [*values.values(), row_id])


def update_row_many(db: Database, table: str, ids: list[int], values: dict[str, Any]) -> None:
    """Set the same columns on several rows."""
    if not ids or not values:
        return
    columns = ", ".join(f'"{c}" = ?' for c in values)
    db.execute(f"UPDATE {table} SET {columns} WHERE id IN (SELECT value FROM json_each(?))", [*values.values(), json_ids(ids)])


def row(db: Database, table: str, row_id: int) -> dict[str, Any] | None:
    found = fetch_rows(db, f"SELECT * FROM {table} WHERE id = ?", [row_id])
    return found[0] if found else None


def set_activity_people(db: Database, activity_id: int, partners: list[int], targets: list[str]) -> None:
    db.execute("DELETE FROM activity_partners WHERE activity_id = ?", [activity_id])
    db.execute("DELETE FROM activity_targets WHERE activity_id = ?", [activity_id])
    _insert_people(db, activity_id, partners, targets)


def activity_bookings(db: Database, activity_id: int, first_day: str | None = None) -> list[dict[str, Any]]:
    """The activity's bookings (active and cancelled) starting on or after `first_day`, in time order."""
    where = "b.activity_id = ?" + (" AND b.start >= ?" if first_day else "")
    return fetch_rows(db, BOOKINGS_SELECT + f" WHERE {where} ORDER BY b.start",
                      [activity_id, first_day] if first_day else [activity_id])


def delete_bookings(db: Database, ids: list[int]) -> int:
    return db.execute("DELETE FROM bookings WHERE id IN (SELECT value FROM json_each(?))", [json_ids(ids)]).rowcount


def log_change(db: Database, record: dict[str, Any]) -> None:
    """One entry of the change log: at, user, command, action, kind, row_id, summary, old, new."""
    _insert(db, "changes", record)


def changes(db: Database, since: str | None = None) -> list[dict[str, Any]]:
    if since:
        return fetch_rows(db, "SELECT * FROM changes WHERE at >= ? ORDER BY id", [since])
    return fetch_rows(db, "SELECT * FROM changes ORDER BY id")


def delete(db: Database, kind: str, row_id: int, cascade: bool) -> dict[str, int]:
    """Delete one row; with `cascade`, its dependants first. Returns counts per table."""
    removed: dict[str, int] = {}

    def run(table: str, sql: str, params: list[Any]) -> None:
        count = db.execute(sql, params).rowcount
        if count:
            removed[table] = removed.get(table, 0) + count

    if cascade:
        if kind == "centre":
            for activity in db.execute("SELECT id FROM activities WHERE centre_id = ?", [row_id]).fetchall():
                _delete_activity(run, activity[0])
            run("bookings", "DELETE FROM bookings WHERE room_id IN (SELECT id FROM rooms WHERE centre_id = ?)", [row_id])
            run("closures", "DELETE FROM closures WHERE centre_id = ?", [row_id])
            run("rooms", "DELETE FROM rooms WHERE centre_id = ?", [row_id])
        elif kind == "room":
            for activity in db.execute("SELECT id FROM activities WHERE room_id = ?", [row_id]).fetchall():
                _delete_activity(run, activity[0])
            run("bookings", "DELETE FROM bookings WHERE room_id = ?", [row_id])
        elif kind == "actor":
            for activity in db.execute("SELECT id FROM activities WHERE actor_id = ?", [row_id]).fetchall():
                _delete_activity(run, activity[0])
            run("bookings", "DELETE FROM bookings WHERE actor_id = ?", [row_id])
            run("partnerships", "DELETE FROM activity_partners WHERE actor_id = ?", [row_id])
    if kind == "activity":
        _delete_activity(run, row_id)
    else:
        table = {"centre": "centres", "room": "rooms", "actor": "actors", "booking": "bookings", "closure": "closures"}[kind]
        run(table, f"DELETE FROM {table} WHERE id = ?", [row_id])
    return removed


def _delete_activity(run, activity_id: int) -> None:
    run("bookings", "DELETE FROM bookings WHERE activity_id = ?", [activity_id])
    run("partnerships", "DELETE FROM activity_partners WHERE activity_id = ?", [activity_id])
    db_sql = "DELETE FROM activity_targets WHERE activity_id = ?"
    run("target groups", db_sql, [activity_id])
    run("activities", "DELETE FROM activities WHERE id = ?", [activity_id])


_NAMED = {
    "centre": ("SELECT id, name, type, municipality, area FROM centres", "name_key", None),
    "room": (
        "SELECT r.id, r.name, r.centre_id, c.name AS centre FROM rooms r JOIN centres c ON c.id = r.centre_id",
        "r.name_key",
        "r.centre_id",
    ),
    "actor": ("SELECT id, name, sector FROM actors", "name_key", None),
    "activity": (
        "SELECT a.id, a.title AS name, a.centre_id, c.name AS centre FROM activities a "
        "JOIN centres c ON c.id = a.centre_id",
        "a.name_key",
        "a.centre_id",
    ),
    "booking": (
        "SELECT b.id, b.title AS name, b.start, r.centre_id, c.name AS centre FROM bookings b "
        "JOIN rooms r ON r.id = b.room_id JOIN centres c ON c.id = r.centre_id",
        "b.title",
        "r.centre_id",
    ),
}


def find_named(db: Database, kind: str, text: str, centre_id: int | None = None, *,
               row_id: int | None = None) -> list[dict[str, Any]]:
    """Rows of `kind` whose id is `row_id` (the id `text` names, as the domain read it), else
    whose name matches `text` case-insensitively."""
    select, key_column, centre_column = _NAMED[kind]
    id_column = key_column.split(".")[0] + ".id" if "." in key_column else "id"
    scope, scope_params = "", []
    if centre_id is not None and centre_column:
        scope, scope_params = f" AND {centre_column} = ?", [centre_id]
    text = text.strip()
    if row_id is not None:
        rows = fetch_rows(db, f"{select} WHERE {id_column} = ?{scope}", [row_id, *scope_params])
        if rows:
            return rows
    if kind == "booking":
        return []
    key = name_key(text)
    exact = fetch_rows(db, f"{select} WHERE {key_column} = ?{scope} ORDER BY 1", [key, *scope_params])
    if exact:
        return exact
    # No exact name: a unique part of one ("motalavej" for "Kvarterhuset på Motalavej").
    pattern = "%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return fetch_rows(db, f"{select} WHERE {key_column} LIKE ? ESCAPE '\\'{scope} ORDER BY 1", [pattern, *scope_params])


def names_of(db: Database, kind: str, centre_id: int | None = None) -> list[str]:
    select, _, centre_column = _NAMED[kind]
    if centre_id is not None and centre_column:
        rows = fetch_rows(db, f"{select} WHERE {centre_column} = ? ORDER BY 2", [centre_id])
    else:
        rows = fetch_rows(db, f"{select} ORDER BY 2")
    return [r["name"] for r in rows]


def centre(db: Database, centre_id: int) -> dict[str, Any]:
    return fetch_rows(db, "SELECT * FROM centres WHERE id = ?", [centre_id])[0]


def booking(db: Database, booking_id: int) -> dict[str, Any] | None:
    rows = fetch_rows(db, BOOKINGS_SELECT + " WHERE b.id = ?", [booking_id])
    return rows[0] if rows else None


def dependants(db: Database, kind: str, row_id: int) -> dict[str, list[str]]:
    """What would be orphaned by deleting this row: table → short descriptions."""
    queries: dict[str, list[tuple[str, str]]] = {
        "centre": [
            ("rooms", "SELECT name FROM rooms WHERE centre_id = ?"),
            ("activities", "SELECT title FROM activities WHERE centre_id = ?"),
            ("closures", "SELECT date_from || '–' || date_until || ' ' || reason FROM closures WHERE centre_id = ?"),
        ],
        "room": [
            ("activities", "SELECT title FROM activities WHERE room_id = ?"),
            ("bookings", "SELECT title || ' ' || start FROM bookings WHERE room_id = ? AND activity_id IS NULL"),
        ],
        "actor": [
            ("activities", "SELECT title FROM activities WHERE actor_id = ?"),
            (
                "partnerships",
                "SELECT a.title FROM activity_partners p JOIN activities a ON a.id = p.activity_id WHERE p.actor_id = ?",
            ),
            ("bookings", "SELECT title || ' ' || start FROM bookings WHERE actor_id = ? AND activity_id IS NULL"),
        ],
        "activity": [],
        "booking": [],
    }
    found: dict[str, list[str]] = {}
    for table, sql in queries[kind]:
        values = [r[0] for r in db.execute(sql, [row_id]).fetchall()]
        if values:
            found[table] = values
    return found


def acknowledgements(db: Database) -> dict[str, dict[str, Any]]:
    return {r["key"]: r for r in fetch_rows(db, "SELECT key, kind, note, created_at FROM acknowledgements")}


def acknowledge(db: Database, key: str, kind: str, note: str) -> bool:
    """Record or update an acknowledgement; True when it is new."""
    existed = db.execute("SELECT 1 FROM acknowledgements WHERE key = ?", [key]).fetchone() is not None
    db.execute(
        "INSERT INTO acknowledgements (key, kind, note, created_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(key) DO UPDATE SET note = excluded.note, created_at = excluded.created_at",
        [key, kind, note, now()],
    )
    return not existed


def unacknowledge(db: Database, key: str) -> bool:
    return db.execute("DELETE FROM acknowledgements WHERE key = ?", [key]).rowcount > 0


def booking_keys(db: Database) -> dict[tuple[int, str, str], int]:
    """Bookings by (room, start, title's name key): how an --update import finds the one a row names."""
    return {(room, start, name_key(title)): i for i, room, start, title in
            db.execute("SELECT id, room_id, start, title FROM bookings ORDER BY id DESC")}


# ---------------------------------------------------------------------------------------------
# Attendance (counts per held session; never names)

ATTENDANCE_COLUMNS = ("count", "new", "female", "male", "age_bands", "note")


def attendance_of(db: Database, booking_id: int) -> dict[str, Any] | None:
    """The attendance registered for a booking (age_bands as stored: JSON text), or None."""
    rows = fetch_rows(db, "SELECT booking_id, count, new, female, male, age_bands, note, recorded_at "
                          "FROM attendance WHERE booking_id = ?", [booking_id])
    return rows[0] if rows else None


def set_attendance(db: Database, booking_id: int, record: dict[str, Any]) -> None:
    """Register or replace a booking's attendance: count, new, female, male, age_bands (JSON text), note."""
    values = [record.get(c) for c in ATTENDANCE_COLUMNS]
    db.execute(
        "INSERT INTO attendance (booking_id, count, new, female, male, age_bands, note, recorded_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(booking_id) DO UPDATE SET count = excluded.count, "
        "new = excluded.new, female = excluded.female, male = excluded.male, age_bands = excluded.age_bands, "
        "note = excluded.note, recorded_at = excluded.recorded_at",
        [booking_id, *values, now()],
    )


def delete_attendance(db: Database, booking_id: int) -> bool:
    return db.execute("DELETE FROM attendance WHERE booking_id = ?", [booking_id]).rowcount > 0
