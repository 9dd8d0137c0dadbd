"""The only module that holds SQL. Opening, transactions, migrations, reads and writes.

Every function takes a `sqlite_utils.Database`. Writes happen inside `write(db)`, one
`BEGIN IMMEDIATE` transaction: a conflict check and the insert that depends on it cannot be
split by another process. Times are stored as local `YYYY-MM-DDTHH:MM` strings.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from .errors import StoreError

BUSY_TIMEOUT_SECONDS = 30
migrations = Migrations("medborger")


def name_key(name: str) -> str:
    """How names are compared: case-insensitive for all of Unicode (æøå too), spaces folded."""
    return " ".join(name.casefold().split())


# ---------------------------------------------------------------------------------------------
# Opening


def default_path() -> Path:
    import typer

    return Path(typer.get_app_dir("medborger")) / "medborger.db"


def resolve_path(option: str | None) -> tuple[Path, str]:
    """The database path and where it came from (`--db`, `MEDBORGER_DB` or the data dir)."""
    if option:
        return Path(option).expanduser(), "--db"
    env = os.environ.get("MEDBORGER_DB")
    if env:
        return Path(env).expanduser(), "MEDBORGER_DB"
    return default_path(), "data dir"


def connect(path: Path, source: str = "--db") -> Database:
    """Open (creating if needed, mode 0600) and migrate the database at `path`."""
    if path.exists() and path.is_dir():
        raise StoreError(f"{source}: {path} is a folder; give the path of a database file")
    if not path.exists():
        parent = path.parent
        if source == "data dir":
            parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        elif not parent.is_dir():
            raise StoreError(f"{source}: folder {parent} does not exist; create it or choose another path")
        try:
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        except OSError as exc:
            raise StoreError(f"{source}: cannot create {path}: {exc.strerror}") from None
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS)
        db = Database(conn)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA secure_delete = ON")  # deleted personal data is overwritten, not left in free pages
        _refuse_foreign(db, path)  # before anything is changed, even the journal mode
        mode = db.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal" and os.access(path, os.W_OK):
            db.execute("PRAGMA journal_mode = WAL")
        _migrate(db, path)
    except sqlite3.DatabaseError as exc:
        text = str(exc)
        if "not a database" in text or "malformed" in text:
            raise StoreError(f"{source}: {path} is not a medborger database ({text})") from None
        if "readonly" in text or "read-only" in text:
            raise StoreError(f"{source}: {path} is read-only; check the file's permissions") from None
        if "unable to open" in text:
            raise StoreError(f"{source}: cannot open {path}; check the path and its permissions") from None
        raise
    return db


def _refuse_foreign(db: Database, path: Path) -> None:
    """Another program's database, or one from a newer medborger, is refused and left alone."""
    known = {m.name for m in migrations._migrations}
    applied = {m.name for m in migrations.applied(db)}
    if not applied and db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != '_sqlite_migrations'"
    ).fetchone():
        raise StoreError(f"database {path} holds tables of another program; give medborger a file of its own")
    unknown = applied - known
    if unknown:
        raise StoreError(
            f"database {path} was written by a newer medborger (schema {sorted(unknown)[-1]}); "
            "upgrade medborger to use it"
        )


def _migrate(db: Database, path: Path) -> None:
    known = {m.name for m in migrations._migrations}
    applied = {m.name for m in migrations.applied(db)}
    if not migrations.pending(db):
        return
    if applied:  # an older database: keep a copy of it as it was before changing it
        backup_to(db, path.with_name(f"{path.name}.before-{sorted(known)[-1]}.bak"))
    with write(db):
        migrations.apply(db)


@contextmanager
def write(db: Database) -> Iterator[Database]:
    """One write transaction, taken with BEGIN IMMEDIATE so that reads inside it stay true."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    else:
        db.conn.commit()


def backup_to(db: Database, target: Path) -> None:
    """A consistent copy through SQLite's online backup, written beside `target` and renamed into
    place, so a reader never sees half a file. Safe while other processes write."""
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
    os.close(fd)
    target_conn = sqlite3.connect(str(partial))
    try:
        db.conn.backup(target_conn)
        target_conn.execute("PRAGMA journal_mode = DELETE")
    except BaseException:
        target_conn.close()
        partial.unlink(missing_ok=True)
        raise
    target_conn.close()
    os.replace(partial, target)


def schema_version(db: Database) -> str:
    applied = migrations.applied(db)
    return applied[-1].name if applied else "none"


@migrations()
def m001_initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE centres (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL UNIQUE,
            type TEXT NOT NULL,
            municipality TEXT NOT NULL,
            area TEXT,
            address TEXT,
            owner TEXT,
            operator TEXT,
            created_at TEXT NOT NULL
        );
        CREATE TABLE rooms (
            id INTEGER PRIMARY KEY,
            centre_id INTEGER NOT NULL REFERENCES centres(id),
            name TEXT NOT NULL,
            name_key TEXT NOT NULL,
            capacity INTEGER,
            UNIQUE (centre_id, name_key)
        );
        CREATE TABLE actors (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL UNIQUE,
            sector TEXT NOT NULL,
            contact TEXT,
            email TEXT,
            phone TEXT
        );
        CREATE TABLE activities (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            name_key TEXT NOT NULL,
            centre_id INTEGER NOT NULL REFERENCES centres(id),
            room_id INTEGER NOT NULL REFERENCES rooms(id),
            actor_id INTEGER NOT NULL REFERENCES actors(id),
            category TEXT NOT NULL,
            focus TEXT,
            weekdays TEXT,
            start_time TEXT NOT NULL,
            end_time TEXT NOT NULL,
            date_from TEXT NOT NULL,
            date_until TEXT NOT NULL,
            interval INTEGER NOT NULL DEFAULT 1,
            monthly TEXT,
            single_date INTEGER NOT NULL DEFAULT 0,
            include_holidays INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE INDEX activities_centre ON activities(centre_id);
        CREATE TABLE activity_partners (
            activity_id INTEGER NOT NULL REFERENCES activities(id),
            actor_id INTEGER NOT NULL REFERENCES actors(id),
            PRIMARY KEY (activity_id, actor_id)
        );
        CREATE INDEX activity_partners_actor ON activity_partners(actor_id);
        CREATE TABLE activity_targets (
            activity_id INTEGER NOT NULL REFERENCES activities(id),
            target TEXT NOT NULL,
            PRIMARY KEY (activity_id, target)
        );
        CREATE TABLE bookings (
            id INTEGER PRIMARY KEY,
            room_id INTEGER NOT NULL REFERENCES rooms(id),
            actor_id INTEGER NOT NULL REFERENCES actors(id),
            activity_id INTEGER REFERENCES activities(id),
            title TEXT NOT NULL,
            start TEXT NOT NULL,
            "end" TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
            note TEXT,
            created_at TEXT NOT NULL,
            CHECK ("end" > start)
        );
        CREATE INDEX bookings_room_start ON bookings(room_id, start);
        CREATE INDEX bookings_start ON bookings(start);
        CREATE INDEX bookings_activity ON bookings(activity_id);
        CREATE INDEX bookings_actor ON bookings(actor_id);
        CREATE TABLE closures (
            id INTEGER PRIMARY KEY,
            centre_id INTEGER NOT NULL REFERENCES centres(id),
            date_from TEXT NOT NULL,
            date_until TEXT NOT NULL,
            reason TEXT NOT NULL,
            CHECK (date_until >= date_from)
        );
        CREATE INDEX closures_centre ON closures(centre_id);
        """
    )


@migrations()
def m002_acknowledgements(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE acknowledgements (
            key TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            note TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """
    )


# The overlaps report gathers active bookings by room, activity, time of day and weekday. This
# index holds them in exactly that order, so the report reads it front to back with no sort.
_GROUP_KEY = 'room_id, activity_id, substr(start, 12), substr("end", 12), julianday(substr(start, 1, 10)) % 7'


@migrations()
def m003_active_index(db: Database) -> None:
    db.execute(f'CREATE INDEX bookings_active ON bookings({_GROUP_KEY}, start, "end") WHERE status = \'active\'')


@migrations()
def m004_bookings_by_start(db: Database) -> None:
    """The bookings in start order with every column an export writes: `export csv bookings`
    reads it front to back instead of jumping through the table for each row."""
    db.execute("DROP INDEX bookings_start")
    db.execute('CREATE INDEX bookings_start ON bookings(start, room_id, actor_id, activity_id, "end", status, title, note)')


# ---------------------------------------------------------------------------------------------
# Writes (call inside `write(db)`)


def now() -> str:
    return dt.datetime.now().replace(microsecond=0).isoformat()


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
    db["activity_partners"].insert_all({"activity_id": activity_id, "actor_id": p} for p in partners)
    db["activity_targets"].insert_all({"activity_id": activity_id, "target": t} for t in targets)
    return activity_id


def insert_bookings(db: Database, rows: list[dict[str, Any]]) -> list[int]:
    created = now()
    ids = []
    for row in rows:
        ids.append(_insert(db, "bookings", {"status": "active", **row, "created_at": created}))
    return ids


def _insert(db: Database, table: str, record: dict[str, Any]) -> int:
    columns = list(record)
    sql = 'INSERT INTO {} ({}) VALUES ({})'.format(
        table, ", ".join(f'"{c}"' for c in columns), ", ".join("?" for _ in columns)
    )
    return db.execute(sql, [record[c] for c in columns]).lastrowid


def set_booking_status(db: Database, booking_id: int, status: str, note: str | None) -> None:
    db.execute("UPDATE bookings SET status = ?, note = ? WHERE id = ?", [status, note, booking_id])


def cancel_bookings_between(db: Database, centre_id: int, first: str, last: str, note: str) -> list[dict]:
    """Cancel the centre's active bookings that start on a day from `first` to `last` (ISO dates)."""
    rows = _rows(
        db,
        _BOOKINGS_SELECT
        + " WHERE r.centre_id = ? AND b.status = 'active' AND b.start >= ? AND b.start < ? ORDER BY b.start",
        [centre_id, first, _day_after(last)],
    )
    db.execute(
        "UPDATE bookings SET status = 'cancelled', note = ? WHERE id IN (SELECT value FROM json_each(?))",
        [note, _json_ids(r["id"] for r in rows)],
    )
    return rows


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
        table = {"centre": "centres", "room": "rooms", "actor": "actors", "booking": "bookings"}[kind]
        run(table, f"DELETE FROM {table} WHERE id = ?", [row_id])
    return removed


def _delete_activity(run, activity_id: int) -> None:
    run("bookings", "DELETE FROM bookings WHERE activity_id = ?", [activity_id])
    run("partnerships", "DELETE FROM activity_partners WHERE activity_id = ?", [activity_id])
    db_sql = "DELETE FROM activity_targets WHERE activity_id = ?"
    run("target groups", db_sql, [activity_id])
    run("activities", "DELETE FROM activities WHERE id = ?", [activity_id])


# ---------------------------------------------------------------------------------------------
# Reads


def _rows(db: Database, sql: str, params: list[Any] | tuple = ()) -> list[dict[str, Any]]:
    cursor = db.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def is_empty(db: Database) -> bool:
    return not any(
        db.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone() for t in ("centres", "actors", "bookings")
    )


def counts(db: Database) -> dict[str, int]:
    return {
        t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("centres", "rooms", "actors", "activities", "bookings", "closures")
    }


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


def find_named(db: Database, kind: str, text: str, centre_id: int | None = None) -> list[dict[str, Any]]:
    """Rows of `kind` whose id is `text`, else whose name matches it case-insensitively."""
    select, key_column, centre_column = _NAMED[kind]
    id_column = key_column.split(".")[0] + ".id" if "." in key_column else "id"
    scope, scope_params = "", []
    if centre_id is not None and centre_column:
        scope, scope_params = f" AND {centre_column} = ?", [centre_id]
    text = text.strip()
    if text.isdigit():
        rows = _rows(db, f"{select} WHERE {id_column} = ?{scope}", [int(text), *scope_params])
        if rows:
            return rows
    if kind == "booking":
        return []
    key = name_key(text)
    exact = _rows(db, f"{select} WHERE {key_column} = ?{scope} ORDER BY 1", [key, *scope_params])
    if exact:
        return exact
    # No exact name: a unique part of one ("motalavej" for "Kvarterhuset på Motalavej").
    pattern = "%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return _rows(db, f"{select} WHERE {key_column} LIKE ? ESCAPE '\\'{scope} ORDER BY 1", [pattern, *scope_params])


def names_of(db: Database, kind: str, centre_id: int | None = None) -> list[str]:
    select, _, centre_column = _NAMED[kind]
    if centre_id is not None and centre_column:
        rows = _rows(db, f"{select} WHERE {centre_column} = ? ORDER BY 2", [centre_id])
    else:
        rows = _rows(db, f"{select} ORDER BY 2")
    return [r["name"] for r in rows]


def centre(db: Database, centre_id: int) -> dict[str, Any]:
    return _rows(db, "SELECT * FROM centres WHERE id = ?", [centre_id])[0]


def booking(db: Database, booking_id: int) -> dict[str, Any] | None:
    rows = _rows(db, _BOOKINGS_SELECT + " WHERE b.id = ?", [booking_id])
    return rows[0] if rows else None


def closures(db: Database, centre_id: int | None = None) -> list[dict[str, Any]]:
    sql = (
        "SELECT cl.id, c.name AS centre, cl.centre_id, cl.date_from, cl.date_until, cl.reason "
        "FROM closures cl JOIN centres c ON c.id = cl.centre_id"
    )
    if centre_id is not None:
        return _rows(db, sql + " WHERE cl.centre_id = ? ORDER BY cl.date_from", [centre_id])
    return _rows(db, sql + " ORDER BY c.name, cl.date_from")


def centres(db: Database, area: str | None = None) -> list[dict[str, Any]]:
    sql = (
        "SELECT c.id, c.name, c.type, c.municipality, c.area, c.address, c.owner, c.operator, "
        "(SELECT count(*) FROM rooms r WHERE r.centre_id = c.id) AS rooms, "
        "(SELECT count(*) FROM activities a WHERE a.centre_id = c.id) AS activities FROM centres c"
    )
    if area:
        return _rows(db, sql + " WHERE lower(c.area) = lower(?) ORDER BY c.name", [area])
    return _rows(db, sql + " ORDER BY c.name")


def rooms(db: Database, centre_id: int | None = None) -> list[dict[str, Any]]:
    sql = (
        "SELECT r.id, r.name, c.name AS centre, r.centre_id, r.capacity FROM rooms r "
        "JOIN centres c ON c.id = r.centre_id"
    )
    if centre_id is not None:
        return _rows(db, sql + " WHERE r.centre_id = ? ORDER BY r.name", [centre_id])
    return _rows(db, sql + " ORDER BY c.name, r.name")


def actors(db: Database, centre_id: int | None = None) -> list[dict[str, Any]]:
    sql = "SELECT a.id, a.name, a.sector, a.contact, a.email, a.phone FROM actors a"
    if centre_id is not None:
        sql += (
            " WHERE a.id IN (SELECT actor_id FROM activities WHERE centre_id = ?"
            " UNION SELECT p.actor_id FROM activity_partners p JOIN activities x ON x.id = p.activity_id"
            " WHERE x.centre_id = ?"
            " UNION SELECT b.actor_id FROM bookings b JOIN rooms r ON r.id = b.room_id WHERE r.centre_id = ?)"
        )
        return _rows(db, sql + " ORDER BY a.name_key, a.id", [centre_id] * 3)
    return _rows(db, sql + " ORDER BY a.name_key, a.id")


_BOOKINGS_SELECT = (
    'SELECT b.id, c.name AS centre, r.name AS room, b.title, ac.name AS actor, b.activity_id, '
    'b.start, b."end", b.status, b.note, b.room_id, r.centre_id, b.actor_id '
    "FROM bookings b JOIN rooms r ON r.id = b.room_id JOIN centres c ON c.id = r.centre_id "
    "JOIN actors ac ON ac.id = b.actor_id"
)


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
    _starting_within("b.start", first, last, where, params)
    sql = _BOOKINGS_SELECT + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY b.start, c.name, r.name, b.id"
    return _rows(db, sql, params)


def active_bookings_in_rooms(db: Database, room_ids: list[int], first: str, last: str) -> list[dict[str, Any]]:
    """Active bookings of these rooms that overlap the span from `first` to `last` (times)."""
    return _rows(
        db,
        _BOOKINGS_SELECT
        + " WHERE b.room_id IN (SELECT value FROM json_each(?)) AND b.status = 'active'"
        ' AND b.start < ? AND b."end" > ? ORDER BY b.start',
        [_json_ids(room_ids), last, first],
    )


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
        _starting_within("b.start", first, last, window, params)
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
    import json

    rows = _rows(db, sql, params)
    for row in rows:
        row["partners"] = json.loads(row["partners"])
        row["target_groups"] = json.loads(row["target_groups"])
    return rows


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


def _starting_within(column: str, first: str | None, last: str | None, where: list[str], params: list[Any]) -> None:
    """Add the conditions for 'starts on a day from `first` to `last`' (ISO dates, either optional)."""
    if first:
        where.append(f"{column} >= ?")
        params.append(first)
    if last:
        where.append(f"{column} < ?")
        params.append(_day_after(last))


def _day_after(day: str) -> str:
    return (dt.date.fromisoformat(day[:10]) + dt.timedelta(days=1)).isoformat()


def _json_ids(ids) -> str:
    import json

    return json.dumps(list(ids))



# ---------------------------------------------------------------------------------------------
# The coordination report


def occurrence_groups(db: Database, first: str | None, last: str | None, room_ids: list[int] | None = None):
    """Active occurrences gathered by room, activity and time of day, as `overlaps.Group`s, and
    the loose ones as rows (id, room_id, activity_id, start, end): those that end on a later day
    than they start, and second occurrences at a group's date and time."""
    from .overlaps import Group

    # `+start`: read the covering index front to back; a range search on start inside each
    # (room, activity) prefix is slower for a whole calendar.
    where, params = ["status = 'active'"], []
    _starting_within("+start", first, last, where, params)
    if room_ids is not None:
        where.append("room_id IN (SELECT value FROM json_each(?))")
        params.append(_json_ids(room_ids))
    sql = (
        f"SELECT {_GROUP_KEY}, group_concat(substr(start, 1, 10)), group_concat(id), count(*), "
        "group_concat(CASE WHEN substr(start, 1, 10) = substr(\"end\", 1, 10) THEN '' ELSE \"end\" END) "
        f"FROM bookings WHERE {' AND '.join(where)} GROUP BY {_GROUP_KEY}"
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
    rows = _rows(
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


def actor_names(db: Database) -> dict[int, dict[str, Any]]:
    return {r["id"]: r for r in _rows(db, "SELECT id, name, sector FROM actors")}


def bookings_by_ids(db: Database, ids: list[int]) -> dict[int, dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    chunk = 20000
    for i in range(0, len(ids), chunk):
        rows = _rows(db, _BOOKINGS_SELECT + " WHERE b.id IN (SELECT value FROM json_each(?))", [_json_ids(ids[i : i + chunk])])
        found.update((r["id"], r) for r in rows)
    return found


def room_centres(db: Database) -> dict[int, int]:
    return dict(db.execute("SELECT id, centre_id FROM rooms").fetchall())


def acknowledgements(db: Database) -> dict[str, dict[str, Any]]:
    return {r["key"]: r for r in _rows(db, "SELECT key, kind, note, created_at FROM acknowledgements")}


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


# ---------------------------------------------------------------------------------------------
# Keeping the data: check and privacy


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


# Where a person can appear: personal fields of actors, and free text anywhere.
PERSONAL_FIELDS = {"actors": ("contact", "email", "phone")}
FREE_TEXT = {
    "centres": ("name", "address", "owner", "operator"),
    "rooms": ("name",),
    "actors": ("name",),
    "activities": ("title",),
    "bookings": ("title", "note"),
    "closures": ("reason",),
    "acknowledgements": ("note",),
}


def person_mentions(db: Database, needle: str) -> list[dict[str, Any]]:
    """Every stored value that contains `needle` (case-insensitive): table, row, column, value."""
    key = name_key(needle)
    found = []
    for table, columns in {**FREE_TEXT, "actors": FREE_TEXT["actors"] + PERSONAL_FIELDS["actors"]}.items():
        id_column = "key" if table == "acknowledgements" else "id"
        for column in columns:
            for row_id, value in db.execute(
                f'SELECT {id_column}, "{column}" FROM {table} WHERE "{column}" IS NOT NULL'
            ).fetchall():
                if key in name_key(str(value)):
                    found.append({"table": table, "id": row_id, "column": column, "value": value,
                                  "personal": column in PERSONAL_FIELDS.get(table, ())})
    return found


def erase_person(db: Database, needle: str, replacement: str) -> list[dict[str, Any]]:
    """Erase a person: an actor's contact, e-mail and phone go together when any of them names
    the person, and every mention of the person (or of those values) is cut out of free text.
    Call inside `write(db)`; then `scrub(db)` so the old values leave the file and journal too."""
    import re

    hits = person_mentions(db, needle)
    actor_ids = sorted({h["id"] for h in hits if h["personal"]})
    needles = {" ".join(needle.split())}
    changed = []
    for actor_id in actor_ids:
        row = db.execute("SELECT contact, email, phone FROM actors WHERE id = ?", [actor_id]).fetchone()
        for column, value in zip(PERSONAL_FIELDS["actors"], row):
            if value:
                needles.add(" ".join(str(value).split()))
                changed.append({"table": "actors", "id": actor_id, "column": column, "value": value, "personal": True, "new": None})
        db.execute("UPDATE actors SET contact = NULL, email = NULL, phone = NULL WHERE id = ?", [actor_id])
    patterns = [re.compile(re.escape(n).replace("\\ ", r"\s+"), re.IGNORECASE) for n in sorted(needles, key=len, reverse=True)]
    seen: set[tuple] = set()
    for text in needles:
        for hit in person_mentions(db, text):
            where = (hit["table"], hit["id"], hit["column"])
            if hit["personal"] or where in seen:
                continue
            seen.add(where)
            new = str(hit["value"])
            for pattern in patterns:
                new = pattern.sub(replacement, new)
            if new == hit["value"]:
                new = replacement
            id_column = "key" if hit["table"] == "acknowledgements" else "id"
            if hit["table"] in ("centres", "rooms", "actors") and hit["column"] == "name":
                taken = db.execute(f"SELECT 1 FROM {hit['table']} WHERE name_key = ? AND id != ?", [name_key(new), hit["id"]]).fetchone()
                if taken:
                    new = f"{new} ({hit['id']})"
                db.execute(f"UPDATE {hit['table']} SET name_key = ? WHERE id = ?", [name_key(new), hit["id"]])
            db.execute(f'UPDATE {hit["table"]} SET "{hit["column"]}" = ? WHERE {id_column} = ?', [new, hit["id"]])
            changed.append({**hit, "new": new})
    return changed


def scrub(db: Database) -> None:
    """Rewrite the file and empty the write-ahead log: nothing deleted stays readable on disk."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("VACUUM")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# ---------------------------------------------------------------------------------------------
# Export and import


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
        sql = "SELECT name, type, municipality, area, address, owner, operator FROM centres"
        order = "name_key, id"
    elif table == "rooms":
        if centre_id is not None:
            where.append("r.centre_id = ?")
            params.append(centre_id)
        sql = "SELECT c.name AS centre, r.name, r.capacity FROM rooms r JOIN centres c ON c.id = r.centre_id"
        order = "c.name_key, r.name_key, r.id"
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
    elif table == "activities":
        yield from _export_activities(db, centre_id, first, last)
        return
    elif table == "bookings":
        names = ["centre", "room", "title", "actor", "start", "end", "status", "activity", "note"]
        for cells in export_bookings_cells(db, centre_id=centre_id, first=first, last=last, guard=False):
            yield dict(zip(names, cells))
        return
    else:
        raise ValueError(table)
    sql += (" WHERE " + " AND ".join(where) if where else "") + f" ORDER BY {order}"
    yield from _stream(db, sql, params)


def _export_activities(db: Database, centre_id: int | None, first: str | None, last: str | None) -> Iterator[dict[str, Any]]:
    refs = activity_refs(db)
    for row in activities(db, centre_id=centre_id, first=first, last=last):
        single = bool(row["single_date"])
        yield {
            "centre": row["centre"],
            "activity": refs[row["id"]],
            "title": row["title"],
            "room": row["room"],
            "actor": row["actor"],
            "partners": row["partners"],
            "category": row["category"],
            "target_groups": row["target_groups"],
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


def _guard(column: str) -> str:
    """SQL for a text cell with the formula guard of csvio.neutralise: one apostrophe in front of
    a value that starts (after any apostrophes) with = + - @ tab or CR."""
    return (
        f"CASE WHEN substr(ltrim({column}, char(39)), 1, 1) IN ('=', '+', '-', '@', char(9), char(13)) "
        f"THEN char(39) || {column} ELSE {column} END"
    )


def export_bookings_cells(
    db: Database, *, centre_id: int | None = None, first: str | None = None, last: str | None = None, guard: bool = True
):
    """The bookings file's cells, row by row, straight from SQLite: names, the activity's reference
    and the formula guard are all worked out in the query (the names once per centre, room, actor
    and activity), so a million rows stream at the speed of the csv writer. In start order, ties
    in the order the bookings were added; columns as csvio.COLUMNS['bookings']."""
    where, params = [], []
    if centre_id is not None:
        where.append("p.centre_id = ?")
        params.append(centre_id)
    _starting_within("b.start", first, last, where, params)
    cell = _guard if guard else (lambda column: column)
    # the same numbering as activity_refs(), in SQL so that it runs once per activity
    numbered = "CASE WHEN n = 1 THEN title ELSE title || ' #' || n END"
    sql = (
        "WITH refs AS MATERIALIZED (SELECT id, "
        f"{cell(numbered)} AS ref FROM "
        "(SELECT id, title, row_number() OVER (PARTITION BY centre_id, name_key ORDER BY id) AS n FROM activities)), "
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
        [_json_ids(room_ids), last, first],
    ).fetchall()
