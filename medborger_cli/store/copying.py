"""Copying a whole database into an empty one, on either engine: every table, every row, ids
kept (cancellations, closures and what they cancelled, acknowledgements, the change log,
attendance). SQLite file → PostgreSQL server, and back."""

from __future__ import annotations

from typing import Any

# In the order their references need; the key each is read in.
TABLES: list[tuple[str, str]] = [
    ("centres", "id"),
    ("rooms", "id"),
    ("actors", "id"),
    ("closures", "id"),
    ("activities", "id"),
    ("activity_partners", "activity_id, actor_id"),
    ("activity_targets", "activity_id, target"),
    ("bookings", "id"),
    ("attendance", "booking_id"),
    ("acknowledgements", "key"),
    ("changes", "id"),
]
WITH_IDS = ("centres", "rooms", "actors", "closures", "activities", "bookings", "changes")
BATCH = 5000


def columns_of(db: Any, table: str) -> list[str]:
    cursor = db.execute(f"SELECT * FROM {table} LIMIT 0")
    names = [d[0] for d in cursor.description]
    cursor.fetchall()
    return names


def row_counts(db: Any) -> dict[str, int]:
    return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table, _ in TABLES}


def allowed_conflicts(source: Any) -> set[int]:
    """The active bookings that overlap an earlier one (by id) in their room that is not itself
    such: the double bookings stored on purpose, which a database refusing double bookings must
    be told of. In id order, as they were stored."""
    import bisect

    by_room: dict[int, list[tuple[int, str, str]]] = {}
    for booking_id, room_id, start, end in source.execute(
        "SELECT id, room_id, start, \"end\" FROM bookings WHERE status = 'active' ORDER BY id"
    ).fetchall():
        by_room.setdefault(room_id, []).append((booking_id, start, end))
    allowed: set[int] = set()
    for bookings in by_room.values():
        starts: list[str] = []  # the kept (not allowed) bookings of the room, by start; they never overlap
        ends: list[str] = []
        for booking_id, start, end in bookings:
            i = bisect.bisect_left(starts, end)  # kept bookings starting before this one ends
            if i and ends[i - 1] > start:  # the latest of them ends after it starts: they overlap
                allowed.add(booking_id)
                continue
            starts.insert(i, start)
            ends.insert(i, end)
    return allowed


def copy_all(source: Any, target: Any) -> dict[str, int]:
    """Copy every row of `source` into `target` (empty, migrated) in one transaction of the
    target; returns the rows copied per table. Conflicts stored on purpose stay allowed."""
    from .connection import write

    copied: dict[str, int] = {}
    bulk = target.dialect == "postgresql"
    with write(target):
        for table, key in TABLES:
            wanted = set(columns_of(target, table))
            names = [c for c in columns_of(source, table) if c in wanted]
            marked = table == "bookings" and "allowed_conflict" in wanted and "allowed_conflict" not in names
            allowed = allowed_conflicts(source) if marked else set()
            columns = names + (["allowed_conflict"] if marked else [])
            quoted = ", ".join(f'"{c}"' for c in names)
            insert = f"INSERT INTO {table} ({', '.join(chr(34) + c + chr(34) for c in columns)}) " \
                     f"VALUES ({', '.join('?' for _ in columns)})"
            cursor = source.execute(f"SELECT {quoted} FROM {table} ORDER BY {key}")
            count = 0
            while True:
                batch = cursor.fetchmany(BATCH)
                if not batch:
                    break
                if marked:  # the double bookings a file holds were stored on purpose: they stay allowed
                    batch = [(*row, 1 if row[0] in allowed else 0) for row in batch]
                if bulk:
                    target.conn.copy_rows(table, columns, batch)
                else:
                    target.conn.executemany(insert, batch)
                count += len(batch)
            copied[table] = count
        if target.dialect == "postgresql":  # new rows continue after the copied ids
            for table in WITH_IDS:
                target.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table} "
                               "HAVING max(id) IS NOT NULL").fetchall()
            owner = target.execute("SELECT pg_has_role(relowner, 'USAGE') FROM pg_class "
                                   "WHERE oid = 'bookings'::regclass").fetchone()[0]
            if owner and copied.get("bookings", 0) > 10_000:  # indexes grown row by row, built again in order
                target.execute("REINDEX TABLE bookings")
            target.execute("ANALYZE")
    return copied
