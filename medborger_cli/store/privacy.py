"""Personal data: the values a privacy erase reads and writes, and scrubbing the file afterwards.
What counts as personal and what matches a person is decided in `medborger_cli.privacy`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only a type: reading commands never load sqlite-utils
    from sqlite_utils import Database

from .sql import name_key

SCRUB_WAIT_MS = 10_000  # how long a scrub waits for readers before saying it could not finish
# Tables whose name column has a name_key beside it (how names are found), and within what a
# key must be unique: the whole table, the centre, or nothing (activities may share a title).
_NAMED = {"centres": "name", "rooms": "name", "actors": "name", "activities": "title"}
_UNIQUE_WITHIN = {"centres": None, "actors": None, "rooms": "centre_id"}


def contact_records(db: Database) -> list[dict[str, Any]]:
    """Every actor that has contact data: id, name, contact, email, phone."""
    cursor = db.execute(
        "SELECT id, name, contact, email, phone FROM actors "
        "WHERE contact IS NOT NULL OR email IS NOT NULL OR phone IS NOT NULL ORDER BY id"
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _id_column(table: str) -> str:
    return {"acknowledgements": "key", "attendance": "booking_id"}.get(table, "id")


def text_values(db: Database, table: str, columns: tuple[str, ...]) -> list[tuple[Any, str, str]]:
    """(row id, column, value) of every non-empty text value in these columns."""
    found = []
    for column in columns:
        for row_id, value in db.execute(
            f'SELECT {_id_column(table)}, "{column}" FROM {table} WHERE "{column}" IS NOT NULL AND "{column}" != \'\''
        ).fetchall():
            found.append((row_id, column, str(value)))
    return found


def set_text_value(db: Database, table: str, row_id: Any, column: str, value: str | None) -> None:
    """Write one value; a changed name keeps its name key in step (the key holds the name too),
    and a name that must be unique stays so by taking its id."""
    if _NAMED.get(table) == column and value is not None:
        if table in _UNIQUE_WITHIN:
            scope = _UNIQUE_WITHIN[table]
            same = f" AND {scope} = (SELECT {scope} FROM {table} WHERE id = ?)" if scope else ""
            taken = db.execute(f"SELECT 1 FROM {table} WHERE name_key = ? AND id != ?{same}",
                               [name_key(value), row_id] + ([row_id] if scope else [])).fetchone()
            if taken:
                value = f"{value} ({row_id})"
        db.execute(f"UPDATE {table} SET name_key = ? WHERE id = ?", [name_key(value), row_id])
    db.execute(f'UPDATE {table} SET "{column}" = ? WHERE {_id_column(table)} = ?', [value, row_id])


def scrub(db: Database) -> bool:
    """Rewrite the file and empty the write-ahead log so that nothing changed stays readable on
    disk. Waits up to SCRUB_WAIT_MS for other readers; False when one kept the log from emptying.
    On PostgreSQL: VACUUM FULL rewrites the tables without the old row versions (only their
    owner may; False for another account)."""
    from .connection import journal

    if db.dialect == "postgresql":
        from . import pg

        done = pg.scrub(db)
        if done:
            journal.unscrubbed = False
        return done
    previous = db.execute("PRAGMA busy_timeout").fetchone()[0]
    db.execute(f"PRAGMA busy_timeout = {SCRUB_WAIT_MS}")
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("VACUUM")
        busy, log_frames, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        done = busy == 0 and log_frames in (0, -1)
        if done:
            journal.unscrubbed = False
        return done
    finally:
        db.execute(f"PRAGMA busy_timeout = {previous}")


def mark_unscrubbed() -> None:
    """Erased values were committed; until `scrub` is done they may still be in the file."""
    from .connection import journal

    journal.unscrubbed = True
