"""PostgreSQL: the same store on a shared server.

The store's modules write their SQL once, as SQLite reads it. `PgDatabase` gives them the same
face as `LazyDatabase` (`execute`, `conn.execute`, `conn.executemany`, `conn.in_transaction`) and
turns each statement into PostgreSQL's once (`translate`, cached): `?` placeholders become
`%s`, and the few SQLite-only pieces the store uses become their PostgreSQL twins
(`FRAGMENTS`, one table, beside each other so that a change to one is seen next to the other).

The schema has the same migrations by the same names (`PG_MIGRATIONS`), recorded in
`_medborger_migrations`. The database refuses double bookings itself: an exclusion constraint
(btree_gist) on room × [start, end) among active bookings that are not deliberately allowed
conflicts. A writer that stores a conflict on purpose (`--allow-conflicts`) says so with
`allow_conflicts()`: a trigger then marks the bookings it writes that overlap another.

Writes: `BEGIN` and a transaction-level advisory lock, so that medborger's writers take turns
as they do on SQLite (`BEGIN IMMEDIATE`): a conflict check and the insert after it cannot be
split by another medborger. Reads run in autocommit, each statement on a fresh snapshot.
psycopg is imported only here, and only when a PostgreSQL URL is used.
"""

from __future__ import annotations

import functools
import re
from contextlib import contextmanager
from typing import Any

from ..errors import StoreError, Unreachable
from ..i18n import _
from .engine import PgTarget

MIGRATIONS_TABLE = "_medborger_migrations"
WRITE_LOCK = 0x6D6564  # pg_advisory_xact_lock key that medborger's writers take in turn
CONNECT_TIMEOUT_SECONDS = 10
EXCLUSION = "bookings_no_double_booking"

# SQLite's words in the store's SQL, and what PostgreSQL says for each. Applied in this order.
FRAGMENTS: list[tuple[str, str]] = [
    ("SELECT value FROM json_each(?)", "SELECT value::bigint FROM json_array_elements_text(?::json)"),
    ("json_each(?) w", "json_array_elements(?::json) AS w(value)"),
    ("json_extract(w.value, '$[0]')", "(w.value->>0)"),
    ("json_extract(w.value, '$[1]')", "(w.value->>1)"),
    ("json_extract(w.value, '$[2]')", "(w.value->>2)"),
    ("json_each(a.age_bands) j", "json_each_text(a.age_bands::json) j"),
    ("sum(j.value)", "sum(j.value::bigint)"),
    # SQLite's `%` casts julianday's REAL to INTEGER: the same day number, counted from 2000-01-01.
    ("julianday(substr(start, 1, 10)) % 7", "medborger_weekday(start)"),
    ('substr(start, 1, 10) <> substr("end", 1, 10)', 'medborger_spans_days(start, "end")'),
    ("group_concat(start)", "string_agg(start, ',' ORDER BY start, id)"),
    ("group_concat(id)", "string_agg(id::text, ',' ORDER BY start, id)"),
    ("group_concat(target, char(31))", "string_agg(target, chr(31) ORDER BY target)"),
    ("group_concat(actor_id)", "string_agg(actor_id::text, ',')"),
    ("json_group_array(name)", "coalesce(json_agg(name), '[]')::text"),
    ("json_group_array(target)", "coalesce(json_agg(target), '[]')::text"),
    ('round((julianday(b."end") - julianday(b.start)) * 1440)',
     'round(extract(epoch from (b."end"::timestamp - b.start::timestamp)) / 60)'),
    (" CROSS JOIN ", " JOIN "),  # SQLite's join-order hint; an inner join on PostgreSQL
    ("+start", "start"),  # SQLite's "do not use the index on start" hint
    ("char(", "chr("),
    # the code point of a text's first character (0 for an empty text there, NULL here: neither guarded)
    ("unicode(", "ascii("),
]

_QUOTED = re.compile(r"('(?:[^']|'')*'|\"(?:[^\"]|\"\")*\")")


@functools.lru_cache(maxsize=512)
def translate(sql: str) -> str:
    """A statement of the store's SQL as PostgreSQL takes it through psycopg."""
    for sqlite, postgres in FRAGMENTS:
        if sqlite in sql:
            sql = sql.replace(sqlite, postgres)
    pieces = _QUOTED.split(sql)
    for i, piece in enumerate(pieces):
        piece = piece.replace("%", "%%")
        if i % 2 == 0:  # outside quotes
            piece = piece.replace("?", "%s")
        pieces[i] = piece
    return "".join(pieces)


# ---------------------------------------------------------------------------------------------
# The connection, as the store's modules use it


def _driver():
    try:
        import psycopg
    except ImportError:
        raise StoreError(_("a PostgreSQL database needs medborger's postgres extra; install it with "
                           "pip install 'medborger[postgres]'"), field="db") from None
    return psycopg


class PgConnection:
    """What the store asks of `db.conn`, on a psycopg connection in autocommit."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def execute(self, sql: str, parameters: Any = None) -> Any:
        cursor = self.raw.cursor()
        returning = sql.lstrip()[:6].upper() == "INSERT" and sql.rstrip().endswith(" RETURNING id")
        cursor.execute(translate(sql), list(parameters) if parameters is not None else [])
        if returning:
            cursor.lastrowid = cursor.fetchone()[0]
        return cursor

    def executemany(self, sql: str, seq: Any) -> Any:
        cursor = self.raw.cursor()
        cursor.executemany(translate(sql), [list(p) for p in seq])
        return cursor

    def copy_rows(self, table: str, columns: list[str], rows: Any) -> None:
        """Many rows at once through COPY (a bulk load; the constraints still hold)."""
        quoted = ", ".join(f'"{c}"' for c in columns)
        with self.raw.cursor().copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self.raw.info.transaction_status != TransactionStatus.IDLE

    def commit(self) -> None:
        self.raw.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self.raw.execute("ROLLBACK")

    def close(self) -> None:
        self.raw.close()


class PgDatabase:
    """The open PostgreSQL database, with the face of `connection.LazyDatabase`."""

    dialect = "postgresql"
    returning_id = " RETURNING id"

    def __init__(self, raw: Any, target: PgTarget) -> None:
        self.conn = PgConnection(raw)
        self.target = target

    def execute(self, sql: str, parameters: Any = None) -> Any:
        return self.conn.execute(sql, parameters)

    def begin_write(self) -> None:
        self.conn.raw.execute("BEGIN")
        self.conn.raw.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])

    @contextmanager
    def atomic(self):
        self.conn.raw.execute("SAVEPOINT medborger_inner")
        try:
            yield self
        except BaseException:
            self.conn.raw.execute("ROLLBACK TO SAVEPOINT medborger_inner")
            raise
        else:
            self.conn.raw.execute("RELEASE SAVEPOINT medborger_inner")

    def allow_conflicts(self) -> None:
        """This transaction stores room conflicts on purpose: the bookings it writes that overlap
        another are marked as allowed, and the exclusion constraint lets them be."""
        self.conn.raw.execute("SELECT set_config('medborger.allow_conflicts', 'on', true)")

    def close(self) -> None:
        self.conn.close()


def _loaders(psycopg: Any) -> Any:
    """numeric as SQLite gives it: an int when whole, else a float (sums of integers are numeric)."""
    from psycopg.adapt import Loader

    class NumberLoader(Loader):
        def load(self, data: Any) -> Any:
            text = bytes(data).decode()
            if "." not in text and "e" not in text.lower() and text not in ("NaN", "Infinity", "-Infinity"):
                return int(text)
            number = float(text)
            return int(number) if number.is_integer() else number

    return NumberLoader


def open_database(target: PgTarget, source: str = "db") -> PgDatabase:
    """Connect, refuse a database that is not ours or is newer, migrate. One line for any
    failure to connect: which server, which database, what to check."""
    psycopg = _driver()

    class Cursor(psycopg.Cursor):
        lastrowid: Any = None

    try:
        raw = psycopg.connect(target.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS,
                              application_name="medborger", cursor_factory=Cursor)
    except psycopg.Error as exc:
        raise connect_error(exc, target, source) from None
    raw.adapters.register_loader("numeric", _loaders(psycopg))
    try:  # the reports sort and group a year of bookings: in memory, not in temporary files
        raw.execute("SET work_mem = '64MB'")
        raw.execute("SET jit = off")  # compiling costs more than it saves on medborger's queries
    except psycopg.Error:
        pass
    db = PgDatabase(raw, target)
    global current
    current = target
    try:
        _refuse_foreign(db)
    except psycopg.Error as exc:
        raise user_error(exc, target) or exc from None
    try:
        migrate(db)
    except psycopg.Error as exc:
        db.conn.rollback()
        if getattr(exc, "sqlstate", None) == "42501":
            from .schema import MIGRATION_NAMES

            raise ReadOnly(_("database {database} on {host}:{port} needs medborger's schema {schema}, which only the "
                             "database's owner may create; run medborger once as the owner").format(
                database=target.dbname, host=target.host, port=target.port, schema=MIGRATION_NAMES[-1])) from None
        raise user_error(exc, target) or exc from None
    return db


current: PgTarget | None = None  # the database this process opened, for the error handler's words


def connect_error(exc: Exception, target: PgTarget, source: str) -> StoreError:
    text = str(exc)
    names = {"host": target.host, "port": target.port, "database": target.dbname, "user": target.user}
    if "password authentication failed" in text or "no password supplied" in text:
        message = _("the PostgreSQL server at {host}:{port} refused the password of {user} for database {database}; "
                    "check the password in ~/.pgpass, PGPASSWORD or the service file")
    elif re.search(r'database ".*" does not exist', text):
        message = _("the PostgreSQL server at {host}:{port} has no database {database}; check the database's name, "
                    "or ask the municipality's IT to create it")
    elif re.search(r'role ".*" does not exist', text):
        message = _("the PostgreSQL server at {host}:{port} has no role {user} (database {database}); check the user "
                    "name, or ask the municipality's IT for a role")
    elif "pg_hba.conf" in text:
        message = _("the PostgreSQL server at {host}:{port} does not let {user} connect to database {database} from "
                    "this computer; ask the municipality's IT to allow it")
    elif "permission denied" in text:
        message = _("the PostgreSQL server at {host}:{port} does not let {user} connect to database {database}; ask "
                    "the municipality's IT for the right to connect")
    else:
        message = _("cannot reach the PostgreSQL server at {host}:{port} (database {database}); check that the "
                    "server is running and that the host and port are right")
    return Unreachable(message.format(**names), field=source)


RETRYABLE = ("40001", "40P01")  # serialization failure, deadlock: the transaction was rolled back whole


def retryable(exc: BaseException) -> bool:
    """Whether running the failed transaction again is safe and may succeed."""
    return getattr(exc, "sqlstate", None) in RETRYABLE


def user_error(exc: Exception, target: PgTarget | None = None) -> StoreError | None:
    """What a PostgreSQL error during a command means, in one line; None when it is not ours to say."""
    target = target or current
    sqlstate = getattr(exc, "sqlstate", None)
    names = {"host": target.host if target else "?", "port": target.port if target else "?",
             "database": target.dbname if target else "?", "user": target.user if target else "?"}
    if sqlstate == "42501":  # insufficient_privilege
        return ReadOnly(_("the account {user} may only read database {database} on {host}:{port}; to change anything, "
                          "use a role that may write").format(**names))
    if sqlstate == "23P01":  # exclusion_violation: another change took the room at the same moment
        from ..errors import Refused

        return Refused(_("the room was booked at that time by another change made at the same moment; nothing was "
                         "stored; run the command again to see the conflict"))
    if sqlstate in (*RETRYABLE, "55P03"):  # serialization failure, deadlock (after the retries), lock not available
        from ..errors import Refused

        return Refused(_("the database was busy with another change; nothing was stored; try again in a moment"))
    if sqlstate == "25006":  # read_only_sql_transaction (a standby, or default_transaction_read_only)
        return ReadOnly(_("database {database} on {host}:{port} may only be read (a read-only server or account); "
                          "to change anything, use one that may write").format(**names))
    if sqlstate and sqlstate[:2] in ("08", "57") or type(exc).__name__ == "OperationalError":
        return Unreachable(_("lost the connection to the PostgreSQL server at {host}:{port} (database {database}); "
                             "nothing more was changed; check that the server is running and try again").format(**names))
    return None


class ReadOnly(StoreError):
    exit_code = 1


# ---------------------------------------------------------------------------------------------
# Schema and migrations (the same names as SQLite's, in the same order)


def applied_migrations(db: PgDatabase) -> list[str]:
    from .schema import MIGRATION_SET

    if db.execute("SELECT to_regclass(?)", [MIGRATIONS_TABLE]).fetchone()[0] is None:
        return []
    rows = db.execute(f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY applied_order",
                      [MIGRATION_SET])
    return [name for (name,) in rows.fetchall()]


def _refuse_foreign(db: PgDatabase) -> None:
    from .schema import MIGRATION_NAMES

    applied = set(applied_migrations(db))
    where = db.target.dbname
    if not applied and db.execute(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> ?",
        [MIGRATIONS_TABLE],
    ).fetchone():
        raise StoreError(_("database {database} holds tables of another program; give medborger a database of its "
                           "own").format(database=where), field="db")
    unknown = applied - set(MIGRATION_NAMES)
    if unknown:
        raise StoreError(_("database {database} was written by a newer medborger (schema {schema}); upgrade medborger "
                           "to use it").format(database=where, schema=sorted(unknown)[-1]), field="db")


def migrate(db: PgDatabase) -> None:
    from . import connection
    from .schema import MIGRATION_NAMES, MIGRATION_SET

    if set(MIGRATION_NAMES) <= set(applied_migrations(db)):
        return
    with connection.write(db):
        db.execute(f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (applied_order bigint GENERATED ALWAYS AS IDENTITY, "
                   "migration_set text NOT NULL, name text NOT NULL, applied_at text NOT NULL, "
                   "PRIMARY KEY (migration_set, name))")
        applied = set(applied_migrations(db))  # again, now that the writers take turns
        for name, statements in PG_MIGRATIONS:
            if name in applied:
                continue
            for statement in statements:
                db.conn.raw.execute(statement)
            db.execute(f"INSERT INTO {MIGRATIONS_TABLE} (migration_set, name, applied_at) VALUES (?, ?, ?)",
                       [MIGRATION_SET, name, connection.now_utc()])
    connection.journal.commits = 0  # setting up the database is not the command's change


T = 'text COLLATE "C"'  # compared byte by byte, as SQLite compares text: the same order everywhere

PG_MIGRATIONS: list[tuple[str, list[str]]] = [
    ("m001_initial", [
        "CREATE EXTENSION IF NOT EXISTS btree_gist",
        'CREATE TYPE medborger_span AS RANGE (subtype = text, collation = "C")',
        f"""CREATE TABLE centres (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name {T} NOT NULL, name_key {T} NOT NULL UNIQUE,
            type {T} NOT NULL, municipality {T} NOT NULL, area {T}, address {T}, owner {T}, operator {T},
            created_at {T} NOT NULL)""",
        f"""CREATE TABLE rooms (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, centre_id bigint NOT NULL REFERENCES centres(id),
            name {T} NOT NULL, name_key {T} NOT NULL, capacity bigint, UNIQUE (centre_id, name_key))""",
        f"""CREATE TABLE actors (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name {T} NOT NULL, name_key {T} NOT NULL UNIQUE,
            sector {T} NOT NULL, contact {T}, email {T}, phone {T})""",
        f"""CREATE TABLE activities (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, title {T} NOT NULL, name_key {T} NOT NULL,
            centre_id bigint NOT NULL REFERENCES centres(id), room_id bigint NOT NULL REFERENCES rooms(id),
            actor_id bigint NOT NULL REFERENCES actors(id), category {T} NOT NULL, focus {T}, weekdays {T},
            start_time {T} NOT NULL, end_time {T} NOT NULL, date_from {T} NOT NULL, date_until {T} NOT NULL,
            "interval" bigint NOT NULL DEFAULT 1, monthly {T}, single_date bigint NOT NULL DEFAULT 0,
            include_holidays bigint NOT NULL DEFAULT 0, created_at {T} NOT NULL)""",
        "CREATE INDEX activities_centre ON activities(centre_id)",
        """CREATE TABLE activity_partners (
            activity_id bigint NOT NULL REFERENCES activities(id), actor_id bigint NOT NULL REFERENCES actors(id),
            PRIMARY KEY (activity_id, actor_id))""",
        "CREATE INDEX activity_partners_actor ON activity_partners(actor_id)",
        f"""CREATE TABLE activity_targets (
            activity_id bigint NOT NULL REFERENCES activities(id), target {T} NOT NULL,
            PRIMARY KEY (activity_id, target))""",
        f"""CREATE TABLE bookings (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, room_id bigint NOT NULL REFERENCES rooms(id),
            actor_id bigint NOT NULL REFERENCES actors(id), activity_id bigint REFERENCES activities(id),
            title {T} NOT NULL, start {T} NOT NULL, "end" {T} NOT NULL,
            status {T} NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')), note {T},
            created_at {T} NOT NULL,
            allowed_conflict bigint NOT NULL DEFAULT 0 CHECK (allowed_conflict IN (0, 1)),
            CHECK ("end" > start),
            CONSTRAINT {EXCLUSION} EXCLUDE USING gist (room_id WITH =, medborger_span(start, "end") WITH &&)
                WHERE (status = 'active' AND allowed_conflict = 0))""",
        "CREATE INDEX bookings_room_start ON bookings(room_id, start)",
        "CREATE INDEX bookings_start ON bookings(start, id)",
        "CREATE INDEX bookings_activity ON bookings(activity_id)",
        "CREATE INDEX bookings_actor ON bookings(actor_id)",
        f"""CREATE TABLE closures (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, centre_id bigint NOT NULL REFERENCES centres(id),
            date_from {T} NOT NULL, date_until {T} NOT NULL, reason {T} NOT NULL, CHECK (date_until >= date_from))""",
        "CREATE INDEX closures_centre ON closures(centre_id)",
        # A booking stored with --allow-conflicts: marked when it overlaps another, so the
        # exclusion constraint lets it be. Only a transaction that asked for it marks anything.
        """CREATE FUNCTION medborger_mark_allowed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.status = 'active' AND EXISTS (
                SELECT 1 FROM bookings o WHERE o.room_id = NEW.room_id AND o.id <> NEW.id AND o.status = 'active'
                AND o.allowed_conflict = 0 AND medborger_span(o.start, o."end") && medborger_span(NEW.start, NEW."end")
            ) THEN
                NEW.allowed_conflict := 1;
            END IF;
            RETURN NEW;
        END $$""",
        """CREATE TRIGGER bookings_allowed_conflicts BEFORE INSERT OR UPDATE ON bookings FOR EACH ROW
            WHEN (current_setting('medborger.allow_conflicts', true) = 'on') EXECUTE FUNCTION medborger_mark_allowed()""",
    ]),
    ("m002_acknowledgements", [
        f"CREATE TABLE acknowledgements (key {T} PRIMARY KEY, kind {T} NOT NULL, note {T} NOT NULL, created_at {T} NOT NULL)",
    ]),
    ("m003_active_index", [
        # SQLite's julianday(day) % 7: the same day number, counted from 2000-01-01. A date in
        # ISO form reads the same under every DateStyle, so the function may be IMMUTABLE.
        """CREATE FUNCTION medborger_weekday(start text) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE
            AS $$ SELECT ((substr(start, 1, 10)::date - date '2000-01-01') + 2451544) % 7 $$""",
        # The overlaps report reads the active bookings in its groups' order, from the index alone.
        'CREATE INDEX bookings_active ON bookings(room_id, activity_id, substr(start, 12), substr("end", 12), '
        'medborger_weekday(start), start, id) INCLUDE ("end") WHERE status = \'active\'',
    ]),
    ("m004_bookings_by_start", []),  # bookings_start of m001 is already what an export reads
    ("m005_audiences_and_types", [
        f"ALTER TABLE activities ADD COLUMN type {T}",
        "ALTER TABLE activities ADD COLUMN age_min bigint CHECK (age_min BETWEEN 0 AND 150)",
        "ALTER TABLE activities ADD COLUMN age_max bigint CHECK (age_max BETWEEN 0 AND 150)",
        f"ALTER TABLE activities ADD COLUMN gender {T} NOT NULL DEFAULT 'all' CHECK (gender IN ('all', 'female', 'male'))",
        "ALTER TABLE activities ADD COLUMN internal bigint NOT NULL DEFAULT 0 CHECK (internal IN (0, 1))",
        # An occurrence that ends on a later day than it starts (SQLite's SPANS_DAYS). PL/pgSQL, so
        # that the planner keeps it whole and estimates it from the index's statistics: the few
        # there are are read through the index, not by reading every booking.
        """CREATE FUNCTION medborger_spans_days(start text, finish text) RETURNS boolean LANGUAGE plpgsql
            IMMUTABLE PARALLEL SAFE AS $$ BEGIN RETURN substr(start, 1, 10) <> substr(finish, 1, 10); END $$""",
        'CREATE INDEX bookings_spanning_days ON bookings(medborger_spans_days(start, "end"), start) '
        "WHERE status = 'active'",
    ]),
    ("m006_change_log_and_closure_memory", [
        "ALTER TABLE bookings ADD COLUMN closure_id bigint REFERENCES closures(id) ON DELETE SET NULL",
        "CREATE INDEX bookings_closure ON bookings(closure_id) WHERE closure_id IS NOT NULL",
        "CREATE INDEX bookings_activity_start ON bookings(activity_id, start) WHERE activity_id IS NOT NULL",
        f"""CREATE TABLE changes (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, at {T} NOT NULL, "user" {T} NOT NULL,
            command {T} NOT NULL, action {T} NOT NULL, kind {T} NOT NULL, row_id bigint, summary {T} NOT NULL,
            old {T}, new {T})""",
        "CREATE INDEX changes_at ON changes(at)",
    ]),
    ("m007_attendance", [
        f"""CREATE TABLE attendance (
            booking_id bigint PRIMARY KEY REFERENCES bookings(id) ON DELETE CASCADE,
            count bigint NOT NULL CHECK (count >= 0), new bigint CHECK (new IS NULL OR (new >= 0 AND new <= count)),
            female bigint CHECK (female IS NULL OR female >= 0), male bigint CHECK (male IS NULL OR male >= 0),
            age_bands {T}, note {T}, recorded_at {T} NOT NULL)""",
        f"ALTER TABLE centres ADD COLUMN funding_period {T}",
    ]),
]


SCRUBBED = ("actors", "centres", "rooms", "activities", "activity_targets", "bookings", "closures", "attendance",
            "acknowledgements", "changes")


def scrub(db: PgDatabase) -> bool:
    """Rewrite the tables that hold text (VACUUM FULL), so that old row versions leave them.
    False when this account does not own them (the server's own clean-up removes them later)."""
    owned = db.execute("SELECT bool_and(pg_has_role(c.relowner, 'USAGE')) FROM pg_class c "
                       "WHERE c.relname = ANY(?) AND c.relnamespace = current_schema()::regnamespace",
                       [list(SCRUBBED)]).fetchone()[0]
    if not owned:
        return False
    db.conn.raw.execute("VACUUM FULL " + ", ".join(SCRUBBED))
    return True


def schema_version(db: PgDatabase) -> str:
    applied = applied_migrations(db)
    return applied[-1] if applied else "none"


def check(db: PgDatabase) -> dict[str, Any]:
    """What `check` reports on PostgreSQL: the schema, whether the constraint that refuses
    double bookings is there, rows whose references lead nowhere, and the counts."""
    from .queries import counts

    constraint = db.execute("SELECT convalidated FROM pg_constraint WHERE conname = ? AND conrelid = 'bookings'::regclass",
                            [EXCLUSION]).fetchone()
    orphans = []
    for table, column, parent in (
        ("rooms", "centre_id", "centres"), ("activities", "centre_id", "centres"), ("activities", "room_id", "rooms"),
        ("activities", "actor_id", "actors"), ("bookings", "room_id", "rooms"), ("bookings", "actor_id", "actors"),
        ("bookings", "activity_id", "activities"), ("closures", "centre_id", "centres"),
        ("activity_partners", "activity_id", "activities"), ("activity_partners", "actor_id", "actors"),
        ("activity_targets", "activity_id", "activities"), ("attendance", "booking_id", "bookings"),
    ):
        for (row_id,) in db.execute(
            f"SELECT t.{column} FROM {table} t LEFT JOIN {parent} p ON p.id = t.{column} "
            f"WHERE t.{column} IS NOT NULL AND p.id IS NULL LIMIT 100"
        ).fetchall():
            orphans.append({"table": table, "rowid": row_id, "parent": parent})
    return {
        "integrity": [],  # not checked here: the server keeps its own files (see output.check_report)
        "integrity_by_server": True,
        "foreign_keys": orphans,
        "schema": schema_version(db),
        "counts": counts(db),
        "journal_mode": "postgresql",
        "constraint": bool(constraint and constraint[0]),
    }
