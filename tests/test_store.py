"""Opening the database: location, creation, mode, WAL, migrations and files that are not ours."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest
from conftest import dump


def test_init_creates_the_database_with_mode_0600_and_prints_its_path(cli, db_path):
    result = cli("init")
    assert result.exit_code == 0
    assert result.stdout.strip() == str(db_path)
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"centres", "rooms", "actors", "activities", "bookings", "closures", "activity_partners", "activity_targets"} <= tables


def test_db_option_wins_over_the_environment(cli, tmp_path):
    other = tmp_path / "other.db"
    result = cli("--db", other, "init")
    assert result.exit_code == 0 and result.stdout.strip() == str(other)
    assert other.exists()


def test_default_location_is_the_user_data_dir(cli, monkeypatch, tmp_path):
    monkeypatch.delenv("MEDBORGER_DB")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    result = cli("init")
    assert result.exit_code == 0
    assert result.stdout.strip().endswith("medborger.db")
    assert os.path.exists(result.stdout.strip())


def test_missing_folder_is_bad_input(cli, tmp_path):
    result = cli("--db", tmp_path / "nope" / "x.db", "list", "centres")
    assert result.exit_code == 2
    assert "--db: folder" in result.stderr and "does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_folder_or_a_foreign_file_is_refused_and_left_alone(cli, tmp_path):
    result = cli("--db", tmp_path, "init")
    assert result.exit_code == 2 and "is a folder" in result.stderr
    junk = tmp_path / "notes.txt"
    junk.write_bytes(b"not a database at all, just text" * 100)
    before = junk.read_bytes()
    result = cli("--db", junk, "list", "centres")
    assert result.exit_code == 2 and "is not a medborger database" in result.stderr
    assert junk.read_bytes() == before


def test_a_database_from_a_newer_medborger_is_refused_unchanged(cli, db_path):
    cli("init")
    conn = sqlite3.connect(db_path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('medborger', 'm999_future', 'x')"
    )
    conn.commit()
    conn.close()
    before = dump(db_path)
    result = cli("list", "centres")
    assert result.exit_code == 2
    assert "newer medborger" in result.stderr
    assert dump(db_path) == before



class _SwitchRefusedTwice:
    """A new file's connection while other processes open it too: SQLite answers the switch to
    WAL with "database is locked" at once (no busy wait, which could deadlock)."""

    def __init__(self, conn: sqlite3.Connection, refusals: int) -> None:
        self.conn, self.refusals, self.switches = conn, refusals, 0

    def execute(self, sql: str, parameters=None):
        if sql.replace(" ", "").upper() == "PRAGMAJOURNAL_MODE=WAL":
            self.switches += 1
            if self.refusals:
                self.refusals -= 1
                raise sqlite3.OperationalError("database is locked")
        return self.conn.execute(sql)


def test_a_new_file_opened_by_several_processes_waits_for_the_switch_to_wal(tmp_path):
    from medborger_cli.store import connection

    db = _SwitchRefusedTwice(sqlite3.connect(tmp_path / "new.db"), refusals=2)
    connection._use_wal(db)
    assert db.switches == 3
    assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_an_error_other_than_busy_while_switching_to_wal_is_not_retried(tmp_path):
    from medborger_cli.store import connection

    class Broken(_SwitchRefusedTwice):
        def execute(self, sql, parameters=None):
            if "WAL" in sql.upper() and "=" in sql:
                self.switches += 1
                raise sqlite3.OperationalError("disk I/O error")
            return self.conn.execute(sql)

    db = Broken(sqlite3.connect(tmp_path / "new.db"), refusals=0)
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        connection._use_wal(db)
    assert db.switches == 1
