"""Opening the database, refusing files that are not ours, migrating, transactions, backups.

Writes happen inside `write(db)`, one `BEGIN IMMEDIATE` transaction: a conflict check and the
insert that depends on it cannot be split by another process.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Damaged, StoreError
from ..i18n import _
from .schema import MIGRATION_NAMES, MIGRATION_SET, migrations

if TYPE_CHECKING:
    from sqlite_utils import Database

BUSY_TIMEOUT_SECONDS = 30


class LazyDatabase:
    """The open database, as the store's modules use a `sqlite_utils.Database`.

    `conn` and `execute` of a read (SELECT, PRAGMA, EXPLAIN) go straight to sqlite3; anything
    else (a write, `atomic`, a table, the migrations) goes to a `sqlite_utils.Database` on the
    same connection, made on first use. A command that only reads never loads sqlite-utils,
    whose import takes longer than a week's schedule (benchmarks/frontdesk.py)."""

    _READS = ("SELECT", "PRAGMA", "EXPLAIN")
    dialect = "sqlite"
    returning_id = ""  # what an INSERT adds to give its row's id back (lastrowid does it here)
    sound = False  # SQLite's quick check passed on this connection (see `write`)

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._full: Any = None

    @property
    def full(self) -> Database:
        if self._full is None:
            from sqlite_utils import Database

            self._full = Database(self.conn)
        return self._full

    def execute(self, sql: str, parameters: Any = None) -> sqlite3.Cursor:
        if self._full is None and sql.lstrip()[:7].upper().startswith(self._READS):
            return self.conn.execute(sql) if parameters is None else self.conn.execute(sql, parameters)
        return self.full.execute(sql, parameters)

    def begin_write(self) -> None:
        self.execute("BEGIN IMMEDIATE")

    def allow_conflicts(self) -> None:
        """This transaction stores room conflicts on purpose (only PostgreSQL's constraint needs telling)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self.full, name)

    def __getitem__(self, name: str) -> Any:
        return self.full[name]


def applied_migrations(db: Database) -> list[str]:
    """The names of our migrations applied to `db`, in order (read with plain SQL)."""
    if db.dialect == "postgresql":
        from . import pg

        return pg.applied_migrations(db)
    if not db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'").fetchone():
        return []
    rows = db.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid", [MIGRATION_SET])
    return [name for (name,) in rows.fetchall()]


# ---------------------------------------------------------------------------------------------
# Opening


def default_path() -> Path:
    import typer

    return Path(typer.get_app_dir("medborger")) / "medborger.db"


SQLITE_HEADER = b"SQLite format 3\x00"


def resolve_path(option: str | None) -> tuple[Any, str]:
    """The database and where it came from: the field `db` (the root option), the environment
    variable `MEDBORGER_DB`, or the `data dir`. A path is a SQLite file; a `postgresql://` URL
    is a PostgreSQL database (an `engine.PgTarget`)."""
    from .engine import is_url, parse_target

    if option is not None:
        if not option.strip():
            raise StoreError(_("must not be empty; give the path of a database file"), field="db", value=option)
        if is_url(option):
            return parse_target(option), "db"
        return Path(option).expanduser(), "db"
    env = os.environ.get("MEDBORGER_DB")
    if env is not None and env.strip():
        if is_url(env):
            return parse_target(env), "MEDBORGER_DB"
        return Path(env).expanduser(), "MEDBORGER_DB"
    if env is not None:
        raise StoreError(_("is set but empty; give the path of a database file or unset it"), field="MEDBORGER_DB")
    return default_path(), "data dir"


def connect(path: Path, source: str = "db") -> Database:
    """Open (creating if needed, mode 0600) and migrate the database at `path`. `source` is the
    field the path came from, which errors name. A PostgreSQL target opens the server's."""
    if isinstance(path, str):
        from .engine import is_url, parse_target

        path = parse_target(path) if is_url(path) else Path(path)
    if not isinstance(path, Path):
        from . import pg

        return pg.open_database(path, source)
    if path.exists() and path.is_dir():
        raise StoreError(_("{path} is a folder; give the path of a database file").format(path=path), field=source)
    if not path.exists():
        parent = path.parent
        if source == "data dir":
            parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        elif not parent.is_dir():
            raise StoreError(_("folder {folder} does not exist; create it or choose another path").format(folder=parent), field=source)
        _create(path, source)
    _refuse_empty(path, source)
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS)
        db = LazyDatabase(conn)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA secure_delete = ON")  # deleted personal data is overwritten, not left in free pages
        _refuse_foreign(db, path)  # before anything is changed, even the journal mode
        if os.access(path, os.W_OK) and os.access(path.parent, os.W_OK):
            _use_wal(db)
        _migrate(db, path)
    except sqlite3.DatabaseError as exc:
        error = _open_error(exc, path, source)
        if error is None:
            raise  # busy, disk full: the command's handler says what it means
        raise error from None
    return db


FRESH_SECONDS = 5.0  # an empty file younger than this may be another program's database in the making


def _create(path: Path, source: str) -> None:
    """Make a new, migrated database at `path`: built in a private file beside it (random name,
    mode 0600) and linked into place only when complete, so a database medborger creates is never
    seen empty, and an empty file at `path` is never one of ours. Several processes creating it at
    once each build one; the first link wins and the others open the winner's."""
    import tempfile

    parent = path.parent
    try:
        fd, name = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".new")
    except OSError as exc:
        if not os.access(parent, os.W_OK):
            raise StoreError(_("cannot create {path}: the folder {folder} is read-only; choose a folder you can write to").format(
                path=path, folder=parent), field=source) from None
        raise StoreError(_("cannot create {path}: {reason}").format(path=path, reason=exc.strerror), field=source) from None
    os.close(fd)
    building = Path(name)
    try:
        conn = sqlite3.connect(name, timeout=BUSY_TIMEOUT_SECONDS)
        try:
            db = LazyDatabase(conn)
            db.execute("PRAGMA secure_delete = ON")
            db.execute("PRAGMA journal_mode = WAL").fetchone()
            _migrate(db, building)
        finally:
            conn.close()  # checkpoints: everything is in the file itself
        try:
            os.link(building, path)  # fails if another medborger linked its own first: use that one
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links: create exclusively and copy in
            _copy_into_new(building, path)
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{building}{suffix}").unlink(missing_ok=True)


def _copy_into_new(source: Path, path: Path) -> None:
    try:
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another medborger created it a moment ago
    with os.fdopen(fd, "wb") as out, open(source, "rb") as data:
        out.write(data.read())
        out.flush()
        os.fsync(out.fileno())


def _refuse_empty(path: Path, source: str) -> None:
    """An existing empty file is not a database medborger made (those are linked into place
    whole): refuse it and leave it as it is, rather than quietly starting a new database in it.
    A file that was emptied or created seconds ago is given a moment to fill (another program
    writing it), then refused too."""
    import time

    deadline = None
    while True:
        try:
            st = os.stat(path)
        except OSError:
            return  # gone or unreadable: opening it says what is wrong
        if st.st_size > 0:
            return
        if deadline is None:
            fresh = time.time() - st.st_mtime < FRESH_SECONDS
            deadline = time.monotonic() + (FRESH_SECONDS if fresh else 0)
        if time.monotonic() >= deadline:
            raise Damaged(_("{path} is empty: not a medborger database; restore it from a backup").format(path=path), field=source)
        time.sleep(0.05)


def _use_wal(db: Database) -> None:
    """Switch the file to WAL. Several processes opening a new file at once each try the switch;
    SQLite answers "locked" at once to all but one (waiting could deadlock, so its busy timeout
    does not apply), so wait a little and look again, within the same bound as any other wait."""
    import random
    import time

    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        try:
            db.execute("PRAGMA journal_mode = WAL").fetchone()
            return  # switched, or a file system without WAL kept the old mode: nothing to wait for
        except sqlite3.OperationalError as exc:
            if ("locked" not in str(exc) and "busy" not in str(exc)) or time.monotonic() > deadline:
                raise
            time.sleep(random.uniform(0.005, 0.05))


def _open_error(exc: sqlite3.DatabaseError, path: Path, source: str) -> StoreError | None:
    """What a failure to open means, in words a coordinator can act on."""
    text = str(exc)
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        try:
            with open(path, "rb") as stream:
                header = stream.read(len(SQLITE_HEADER))
        except OSError:
            header = b""
        if header == SQLITE_HEADER:
            return Damaged(_("{path} is damaged ({reason}); restore it from a backup, or run medborger check for details").format(
                path=path, reason=text), field=source)
        return StoreError(_("{path} is not a medborger database ({reason})").format(path=path, reason=text), field=source)
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        if not os.access(path.parent, os.W_OK):
            return StoreError(_("the folder {folder} is read-only; medborger writes its journal beside the database, "
                                "so move the file to a folder you can write to").format(folder=path.parent), field=source)
        if "unable to open" in text:
            return StoreError(_("cannot open {path}; check the path and its permissions").format(path=path), field=source)
        return StoreError(_("{path} is read-only; check the file's permissions").format(path=path), field=source)
    return None


def _refuse_foreign(db: Database, path: Path) -> None:
    """Another program's database, or one from a newer medborger, is refused and left alone."""
    known = set(MIGRATION_NAMES)
    applied = set(applied_migrations(db))
    if not applied and db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != '_sqlite_migrations'"
    ).fetchone():
        raise StoreError(_("database {path} holds tables of another program; give medborger a file of its own").format(path=path))
    unknown = applied - known
    if unknown:
        raise StoreError(_("database {path} was written by a newer medborger (schema {schema}); upgrade medborger to use it").format(
            path=path, schema=sorted(unknown)[-1]))


def _migrate(db: Database, path: Path) -> None:
    known = set(MIGRATION_NAMES)
    applied = set(applied_migrations(db))
    if known <= applied:
        return
    if applied:  # an older database: keep a copy of it as it was before changing it
        backup_to(db, _free_name(path.with_name(f"{path.name}.before-{MIGRATION_NAMES[-1]}.bak")))
    with write(db):
        migrations.apply(db)
    journal.commits = 0  # setting up the file is not the command's change


class WriteJournal:
    """What this process has written, so that an interrupted command can say what it kept:
    how many transactions committed and whether one is open now."""

    def __init__(self) -> None:
        self.commits = 0
        self.open = False
        self.rolled_back = 0
        self.unscrubbed = False  # erased values committed, the file not yet rewritten (privacy erase)


journal = WriteJournal()


# Write commands refuse a damaged file only where SQLite's quick check is cheap: it reads every
# page, about 1.9 ms per MB (0.62-0.69 s for 1M bookings, 343 MB, benchmarks/report.md). Up to
# this size (about 0.1 s) the first write of a command checks; a larger file is left to `check`
# (and `backup` warns), so that edit, move and restore stay within their speed aims.
QUICK_CHECK_MAX_BYTES = 48 * 1024 * 1024


def quick_check(db: Database) -> list[str]:
    """SQLite's quick check: ["ok"] when sound; what it found otherwise (a file too damaged to
    read says so). A server keeps its own pages sound: ["ok"] there."""
    if db.dialect != "sqlite":
        return ["ok"]
    try:
        return [r[0] for r in db.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]


def _refuse_damaged(db: Database) -> None:
    """Before the first write of this connection: a damaged file is not changed further."""
    if getattr(db, "sound", False):
        return
    pages, size = db.execute("PRAGMA page_count").fetchone()[0], db.execute("PRAGMA page_size").fetchone()[0]
    if pages * size <= QUICK_CHECK_MAX_BYTES:
        found = quick_check(db)
        if found != ["ok"]:
            first = " ".join(str(found[0]).replace("*** in database main ***", "").split())
            first = first if len(first) <= 80 else first[:79] + "…"
            raise Damaged(_("the database file is damaged ({reason}); nothing was changed. Run `medborger check`, "
                            "and restore the latest backup").format(reason=first))
    with contextlib.suppress(AttributeError):
        db.sound = True


@contextmanager
def write(db: Database) -> Iterator[Database]:
    """One write transaction, taken with BEGIN IMMEDIATE so that reads inside it stay true. The
    first one of a connection refuses a damaged file (QUICK_CHECK_MAX_BYTES)."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    if db.dialect == "sqlite":  # a server looks after its own files
        _refuse_damaged(db)
    db.begin_write()
    journal.open = True
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        journal.open = False
        journal.rolled_back += 1
        raise
    else:
        try:
            db.conn.commit()
        finally:  # a signal handled as the commit returns must not hide that it happened
            journal.open = False
            if db.conn.in_transaction:  # stopped before the commit: nothing of it is kept
                db.conn.rollback()
                journal.rolled_back += 1
            else:
                journal.commits += 1


def backup_to(db: Database, target: Path) -> None:
    """A consistent copy through SQLite's online backup, written in a fresh private folder beside
    `target` (random name, mode 0700, so no name in it can be planted) and renamed into place,
    so a reader never sees half a file. Safe while other processes write. Mode 0600."""
    import shutil
    import tempfile

    scratch = Path(tempfile.mkdtemp(dir=target.parent, prefix=".medborger-copy-"))
    try:
        partial = scratch / "copy.db"
        if db.dialect != "sqlite":  # a server's database: a SQLite file of the same rows
            copy_into_file(db, partial)
            os.replace(partial, target)
            return
        os.close(os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600))
        target_conn = sqlite3.connect(str(partial))
        try:
            db.conn.backup(target_conn)
            target_conn.execute("PRAGMA journal_mode = DELETE")
        finally:
            target_conn.close()
        os.replace(partial, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def copy_into_file(db: Database, partial: Path) -> dict[str, int]:
    """A new SQLite file at `partial` (which must not exist) holding every row of `db`; the
    rows copied per table."""
    from .copying import copy_all

    commits = journal.commits
    copy = connect(partial, "path")
    try:
        copied = copy_all(db, copy)
        copy.execute("PRAGMA journal_mode = DELETE")
    finally:
        copy.conn.close()
    journal.commits = commits  # writing the copy changed nothing of the database
    return copied


def _free_name(path: Path) -> Path:
    """`path`, or `path-2`, `path-3`, ... when it is taken: a copy never replaces an older one."""
    candidate, n = path, 1
    while candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


def now_utc() -> str:
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def schema_version(db: Database) -> str:
    applied = applied_migrations(db)
    return applied[-1] if applied else "none"
