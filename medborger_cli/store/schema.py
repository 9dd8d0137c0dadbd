"""The migrations, m001 onwards, each run once and recorded in the database by its name: the
names and their order must never change. `MIGRATION_NAMES` lists them as registered here, so
that a database with a name not in it is known to come from a newer medborger."""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from .sql import GROUP_KEY

migrations = Migrations("medborger")
MIGRATION_NAMES: list[str] = []


def migration(fn: Callable[[Database], None]) -> Callable[[Database], None]:
    """Register `fn` with `migrations` under its own name, and record that name."""
    MIGRATION_NAMES.append(fn.__name__)
    return migrations()(fn)


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


@migration
def m006_change_log_and_closure_memory(db: Database) -> None:
    """Every change is logged (who, when, which command, old and new values), and a booking a
    closure cancelled remembers that closure, so that removing or shortening it restores it.
    Bookings cancelled by closures before this version are linked by their note."""
    db.executescript(
        """
        ALTER TABLE bookings ADD COLUMN closure_id INTEGER REFERENCES closures(id) ON DELETE SET NULL;
        CREATE INDEX bookings_closure ON bookings(closure_id) WHERE closure_id IS NOT NULL;
        CREATE INDEX bookings_activity_start ON bookings(activity_id, start) WHERE activity_id IS NOT NULL;
        CREATE TABLE changes (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            user TEXT NOT NULL,
            command TEXT NOT NULL,
            action TEXT NOT NULL,
            kind TEXT NOT NULL,
            row_id INTEGER,
            summary TEXT NOT NULL,
            old TEXT,
            new TEXT
        );
        CREATE INDEX changes_at ON changes(at);
        UPDATE bookings SET closure_id = (
            SELECT cl.id FROM closures cl JOIN rooms r ON r.centre_id = cl.centre_id
            WHERE r.id = bookings.room_id AND substr(bookings.start, 1, 10) BETWEEN cl.date_from AND cl.date_until
              AND bookings.note = 'lukket: ' || cl.reason
            ORDER BY cl.id LIMIT 1)
        WHERE status = 'cancelled' AND note LIKE 'lukket: %';
        """
    )


@migration
def m007_attendance(db: Database) -> None:
    """Attendance (deltagelse) as counts per held session, never names: participants, new
    participants, optionally women/girls and men/boys and age bands (JSON, band → count), and a
    note. One row per booking; deleting a booking deletes its attendance. A centre can be given
    its plan's LBF funding period (2019-26, 2015-18)."""
    db.executescript(
        """
        CREATE TABLE attendance (
            booking_id INTEGER PRIMARY KEY REFERENCES bookings(id) ON DELETE CASCADE,
            count INTEGER NOT NULL CHECK (count >= 0),
            new INTEGER CHECK (new IS NULL OR (new >= 0 AND new <= count)),
            female INTEGER CHECK (female IS NULL OR female >= 0),
            male INTEGER CHECK (male IS NULL OR male >= 0),
            age_bands TEXT,
            note TEXT,
            recorded_at TEXT NOT NULL
        );
        ALTER TABLE centres ADD COLUMN funding_period TEXT;
        """
    )
