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


def copy_all(source: Any, target: Any) -> dict[str, int]:
    """Copy every row of `source` into `target` (empty, migrated) in one transaction of the
    target; returns the rows copied per table. Conflicts stored on purpose stay allowed."""
    from .connection import write

    copied: dict[str, int] = {}
    with write(target):
        target.allow_conflicts()  # double bookings the file already holds were stored on purpose
        for table, key in TABLES:
            wanted = set(columns_of(target, table))
            names = [c for c in columns_of(source, table) if c in wanted]
            quoted = ", ".join(f'"{c}"' for c in names)
            insert = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' for _ in names)})"
            cursor = source.execute(f"SELECT {quoted} FROM {table} ORDER BY {key}")
            count = 0
            while True:
                batch = cursor.fetchmany(BATCH)
                if not batch:
                    break
                target.conn.executemany(insert, batch)
                count += len(batch)
            copied[table] = count
        if target.dialect == "postgresql":  # new rows continue after the copied ids
            for table in WITH_IDS:
                target.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table} "
                               "HAVING max(id) IS NOT NULL").fetchall()
    return copied
