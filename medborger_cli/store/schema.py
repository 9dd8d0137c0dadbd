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


# The target codes of m001–m004 that are ages or a gender since m005 (DOMAIN.md, "Who an
# activity is for"), frozen as they were so that the migration does the same on every database.
_OLD_AGES = {"children": (6, 12), "youth": (13, 17), "young-adults": (18, 29), "seniors": (65, None)}
_OLD_GENDERS = {"women": "female", "men": "male"}


@migration
def m005_audiences_and_types(db: Database) -> None:
    """Who an activity is for, kept apart: an age range (`age_min`–`age_max`, None for no
    limit), a `gender` (all, female, male) and life situations (`activity_targets`); what it is
    (`type`); and whether it is a meeting of the actors themselves (`internal`). A partial index
    holds the active occurrences that end on a later day than they start.

    Stored target codes become ages and genders: children 6–12, youth 13–17, young-adults
    18–29, seniors 65–, women female, men male; several ages span from the youngest to the
    oldest, women and men together are all. `everyone` (open to all) becomes no limit at all.
    Acknowledged findings get the keys of m005 (from ids, one per pair of series in a room)
    where the old key can be recomputed; see `_carry_acknowledgements`."""
    for statement in (
        "ALTER TABLE activities ADD COLUMN type TEXT",
        "ALTER TABLE activities ADD COLUMN age_min INTEGER CHECK (age_min BETWEEN 0 AND 150)",
        "ALTER TABLE activities ADD COLUMN age_max INTEGER CHECK (age_max BETWEEN 0 AND 150)",
        "ALTER TABLE activities ADD COLUMN gender TEXT NOT NULL DEFAULT 'all' CHECK (gender IN ('all', 'female', 'male'))",
        "ALTER TABLE activities ADD COLUMN internal INTEGER NOT NULL DEFAULT 0 CHECK (internal IN (0, 1))",
    ):
        db.execute(statement)
    old = list(_OLD_AGES) + list(_OLD_GENDERS) + ["everyone"]
    marks = ", ".join("?" for _ in old)
    targets: dict[int, list[str]] = {}
    for activity_id, target in db.execute(f"SELECT activity_id, target FROM activity_targets WHERE target IN ({marks})", old):
        targets.setdefault(activity_id, []).append(target)
    for activity_id, codes in targets.items():
        ages = [_OLD_AGES[c] for c in codes if c in _OLD_AGES]
        genders = {_OLD_GENDERS[c] for c in codes if c in _OLD_GENDERS}
        low = min(a for a, _ in ages) if ages else None
        high = None if not ages or any(h is None for _, h in ages) else max(h for _, h in ages)
        gender = genders.pop() if len(genders) == 1 else "all"
        db.execute("UPDATE activities SET age_min = ?, age_max = ?, gender = ? WHERE id = ?", [low, high, gender, activity_id])
    db.execute(f"DELETE FROM activity_targets WHERE target IN ({marks})", old)
    # The few occurrences that end on a later day than they start: the overlaps report reads them
    # apart instead of checking every booking.
    db.execute('CREATE INDEX bookings_spanning_days ON bookings(start) '
               'WHERE status = \'active\' AND substr(start, 1, 10) <> substr("end", 1, 10)')
    _carry_acknowledgements(db)


def _sha(*parts: str) -> str:
    import hashlib

    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:10]


def _old_key(kind: str, first: str, second: str) -> str:
    """A key as m002–m004 made it: from two tokens of names, titles and times."""
    if second < first:
        first, second = second, first
    return f"{kind}-{_sha(kind, first, second)}"


def _new_key(kind: str, *parts: str) -> str:
    """A key as m005 makes it (coordination.finding_key): from ids."""
    return f"{kind}-{_sha(kind, *parts)}"


def _carry_acknowledgements(db: Database) -> None:
    """Give acknowledgements the keys of m005 where their findings can be found again.

    Clashes and parallel efforts: the old key named both activities by centre and title; each
    pair in a centre (clash) or an area (parallel effort) is recomputed and, if acknowledged,
    keyed by the two activity ids. Room conflicts: the old key named one date of two bookings;
    the new finding is the pair of series (an activity, or a one-off booking) in the room, over
    every date. It is acknowledged when every date of the pair from the first acknowledged one on
    was acknowledged (a weekly double booking acknowledged from some week on), with the latest
    note. Old keys that match nothing (findings already gone, or numbered twins) stay as they were."""
    acks = {row[0]: row for row in db.execute("SELECT key, kind, note, created_at FROM acknowledgements")}
    if not acks:
        return
    kinds = {row[1] for row in acks.values()}
    carried: dict[str, tuple] = {}  # new key -> (kind, note, created_at)
    done: set[str] = set()
    if kinds & {"clash", "parallel"}:
        rows = db.execute(
            "SELECT a.id, a.centre_id, a.title, c.name, c.area FROM activities a JOIN centres c ON c.id = a.centre_id ORDER BY a.id"
        ).fetchall()
        seen: dict[tuple, int] = {}
        tokens: dict[int, str] = {}
        places: dict[str, dict] = {"clash": {}, "parallel": {}}
        for activity_id, centre_id, title, centre, area in rows:
            key = (centre_id, " ".join(title.casefold().split()))
            seen[key] = seen.get(key, 0) + 1
            ref = title if seen[key] == 1 else f"{title} #{seen[key]}"
            tokens[activity_id] = f"{centre}\x1e{ref}"
            area_key = f"area:{' '.join(area.casefold().split())}" if area and area.strip() else f"centre:{centre_id}"
            places["clash"].setdefault(centre_id, []).append(activity_id)
            places["parallel"].setdefault(area_key, []).append(activity_id)
        for kind in ("clash", "parallel"):
            if kind not in kinds:
                continue
            for members in places[kind].values():
                for i, a in enumerate(members):
                    for b in members[i + 1 :]:
                        old = _old_key(kind, tokens[a], tokens[b])
                        if old in acks:
                            carried[_new_key(kind, str(a), str(b))] = acks[old][1:]
                            done.add(old)
    if "room" in kinds:
        pairs = db.execute(
            'SELECT x.room_id, x.id, x.activity_id, y.id, y.activity_id, x.start, x."end", y.start, y."end", '
            "c.name, r.name, x.title, y.title, ax.name, ay.name "
            "FROM bookings x JOIN bookings y ON y.room_id = x.room_id AND y.start >= x.start AND y.start < x.\"end\" "
            "AND (y.start > x.start OR y.id > x.id) "
            "JOIN rooms r ON r.id = x.room_id JOIN centres c ON c.id = r.centre_id "
            "JOIN actors ax ON ax.id = x.actor_id JOIN actors ay ON ay.id = y.actor_id "
            "WHERE x.status = 'active' AND y.status = 'active'"
        ).fetchall()
        series: dict[str, list] = {}  # new key -> [(date, old key or None)]
        for room, x, x_activity, y, y_activity, xs, xe, ys, ye, centre, room_name, xt, yt, xa, ya in pairs:
            old = _old_key("room", f"{centre}\x1e{room_name}\x1e{xs}\x1e{xe}\x1e{xt}\x1e{xa}",
                           f"{centre}\x1e{room_name}\x1e{ys}\x1e{ye}\x1e{yt}\x1e{ya}")
            sides = sorted(f"activity:{a}" if a is not None else f"booking:{b}" for a, b in ((x_activity, x), (y_activity, y)))
            series.setdefault(_new_key("room", str(room), *sides), []).append((max(xs, ys), old if old in acks else None))
        for new, dates in series.items():
            acknowledged = sorted((start, old) for start, old in dates if old)
            if not acknowledged:
                continue
            since = acknowledged[0][0]
            if all(old for start, old in dates if start >= since):
                latest = max((acks[old] for _, old in acknowledged), key=lambda row: row[3])
                carried[new] = latest[1:]
                done.update(old for _, old in acknowledged)
    for key, (kind, note, created_at) in carried.items():
        db.execute("INSERT OR REPLACE INTO acknowledgements (key, kind, note, created_at) VALUES (?, ?, ?, ?)",
                   [key, kind, note, created_at])
    for old in done:
        db.execute("DELETE FROM acknowledgements WHERE key = ?", [old])


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
