"""The migrations, m001 onwards, each run once and recorded in the database by its name: the
names and their order must never change. `MIGRATION_NAMES` lists them as registered here, so
that a database with a name not in it is known to come from a newer medborger."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .sql import GROUP_KEY

if TYPE_CHECKING:
    from sqlite_utils import Database

MIGRATION_NAMES: list[str] = []
MIGRATION_SET = "medborger"  # the migration_set of our rows in _sqlite_migrations


class _Migrations:
    """sqlite-utils' `Migrations` of the functions registered below, made when first used:
    opening an up-to-date database compares names only and never loads sqlite-utils."""

    def __init__(self) -> None:
        self._functions: list[Callable[[Database], None]] = []
        self._built: Any = None

    def register(self, fn: Callable[[Database], None]) -> None:
        self._functions.append(fn)

    def __getattr__(self, name: str) -> Any:  # applied, pending, apply
        if self._built is None:
            from sqlite_utils.migrations import Migrations

            built = Migrations(MIGRATION_SET)
            for fn in self._functions:
                built()(fn)
            self._built = built
        return getattr(self._built, name)


migrations = _Migrations()


def migration(fn: Callable[[Database], None]) -> Callable[[Database], None]:
    """Register `fn` with `migrations` under its own name, and record that name."""
    MIGRATION_NAMES.append(fn.__name__)
    migrations.register(fn)
    return fn


@migration
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


@migration
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


@migration
def m003_active_index(db: Database) -> None:
    db.execute(f'CREATE INDEX bookings_active ON bookings({GROUP_KEY}, start, "end") WHERE status = \'active\'')


@migration
def m004_bookings_by_start(db: Database) -> None:
    """The bookings in start order with every column an export writes: `export csv bookings`
    reads it front to back instead of jumping through the table for each row."""
    db.execute("DROP INDEX bookings_start")
    db.execute('CREATE INDEX bookings_start ON bookings(start, room_id, actor_id, activity_id, "end", status, title, note)')
