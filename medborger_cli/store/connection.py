"""Opening the database, refusing files that are not ours, migrating, transactions, backups.

Writes happen inside `write(db)`, one `BEGIN IMMEDIATE` transaction: a conflict check and the
insert that depends on it cannot be split by another process.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from ..errors import StoreError
from .schema import MIGRATION_NAMES, migrations

BUSY_TIMEOUT_SECONDS = 30


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
    known = set(MIGRATION_NAMES)
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
    known = set(MIGRATION_NAMES)
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
