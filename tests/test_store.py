"""Opening the database: location, creation, mode, WAL, migrations and files that are not ours."""

from __future__ import annotations

import os
import sqlite3
import stat

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

