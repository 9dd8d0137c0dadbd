"""PostgreSQL as the shared store: what only a server has. The database refuses double bookings
itself, racing writers never double-book, a read-only role reads and cannot write, a copy there
and back exports identically, bad connection details give one line, passwords are never shown.

Runs against the server MEDBORGER_TEST_PG names (.ci/run starts one); skipped without it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit, urlunsplit

import pytest

from conftest import _pg_connect, execute, rows

pytestmark = [pytest.mark.engines, pytest.mark.postgresql_only]


@pytest.fixture
def pg(engine, db_path):
    return db_path


def with_user(url: str, user: str, password: str | None = None, port: int | None = None, dbname: str | None = None) -> str:
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    login = user + (f":{password}" if password is not None else "")
    netloc = f"{login}@{host}:{port or parts.port or 5432}"
    path = "/" + dbname if dbname else parts.path
    return urlunsplit((parts.scheme, netloc, path, parts.query, ""))


def medborger(*args: str, env: dict | None = None, db: str | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, **(env or {})}
    if db is not None:
        environment["MEDBORGER_DB"] = db
    return subprocess.run([sys.executable, "-m", "medborger_cli", "--no-input", *args], env=environment,
                          capture_output=True, text=True, timeout=120)


def slot(day: int, hour: int) -> tuple[str, str]:
    return (f"2026-10-{day:02d} {hour:02d}:00", f"{hour + 1:02d}:00")


def book_args(title: str, start: str, end: str, *more: str) -> list[str]:
    return ["book", "-c", "motalavej", "-r", "Salen", "-a", "5M", "--title", title, "--start", start, "--end", end, *more]


def test_the_database_itself_refuses_a_double_booking(cli, house, pg):
    assert cli(*book_args("Møde", "2026-10-01 10:00", "12:00")).exit_code == 0
    room, actor = rows(pg, "SELECT room_id, actor_id FROM bookings")[0].values()
    import psycopg

    with pytest.raises(psycopg.errors.ExclusionViolation):  # a script that skips medborger's check
        execute(pg, "INSERT INTO bookings (room_id, actor_id, title, start, \"end\", created_at) VALUES (?, ?, 'x', "
                    "'2026-10-01T11:00', '2026-10-01T13:00', '2026-01-01T00:00')", [room, actor])
    # back to back is no overlap; a cancelled booking holds no room
    execute(pg, "INSERT INTO bookings (room_id, actor_id, title, start, \"end\", created_at) VALUES (?, ?, 'y', "
                "'2026-10-01T12:00', '2026-10-01T13:00', '2026-01-01T00:00')", [room, actor])
    execute(pg, "INSERT INTO bookings (room_id, actor_id, title, start, \"end\", status, created_at) VALUES (?, ?, 'z', "
                "'2026-10-01T10:30', '2026-10-01T11:00', 'cancelled', '2026-01-01T00:00')", [room, actor])
    # a conflict stored on purpose is let be, and shown as one
    allowed = cli(*book_args("Oveni", "2026-10-01 11:00", "12:30", "--allow-conflicts"))
    assert allowed.exit_code == 0, allowed.stderr
    assert [r["title"] for r in rows(pg, "SELECT title FROM bookings WHERE allowed_conflict = 1")] == ["Oveni"]
    refused = cli(*book_args("Igen", "2026-10-01 11:00", "11:30"))
    assert refused.exit_code == 1 and "room conflict" in refused.stderr


def test_eight_writers_for_one_slot_store_exactly_one(cli, house, pg):
    start, end = slot(5, 16)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda n: medborger(*book_args(f"Møde {n}", start, end)), range(8)))
    assert sorted(r.returncode for r in results) == [0] + [1] * 7, [r.stderr for r in results]
    for r in results:
        if r.returncode:
            assert "room conflict" in r.stderr and "Traceback" not in r.stderr
            assert len([line for line in r.stderr.splitlines() if line.startswith("Error:")]) == 1
    assert len(rows(pg, "SELECT id FROM bookings WHERE status = 'active'")) == 1


def test_twenty_writers_of_different_slots_are_all_stored(cli, house, pg):
    slots = [slot(6 + n // 5, 9 + n % 5 * 2) for n in range(20)]
    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(lambda s: medborger(*book_args("Møde", *s)), slots))
    assert [r.returncode for r in results] == [0] * 20, [r.stderr for r in results if r.returncode]
    assert not any(r.stderr.count("Error") for r in results)
    assert len(rows(pg, "SELECT id FROM bookings")) == 20


def test_a_read_only_role_reads_everything_and_writes_nothing(cli, sample_pg, pg):
    role = "medborger_test_reader"
    with _pg_connect(urlsplit(pg).path.lstrip("/")) as conn:
        conn.execute(f"DROP OWNED BY {role}") if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone() \
            else conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'reads'")
        conn.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
    reader = with_user(pg, role, "reads")
    for command in (["list", "centres"], ["list", "bookings", "--week", "37", "--year", "2026"],
                    ["schedule", "--week", "37", "--year", "2026"], ["overlaps", "--from", "2026-08-10"],
                    ["collaboration"], ["report", "--from", "2026-08-10", "--until", "2026-12-31"], ["check"]):
        result = cli("--db", reader, *command)
        assert result.exit_code == 0, (command, result.stderr)
    exported = cli("--db", reader, "export", "csv", "bookings")
    assert exported.exit_code == 0 and exported.stdout.count("\n") > 100
    for command in (book_args("Møde", "2030-01-02 10:00", "11:00"), ["add-actor", "Ny", "--sector", "frivillig"],
                    ["cancel", "1", "--reason", "syg"]):
        result = medborger("--db", reader, *command)
        assert result.returncode == 1 and "may only read" in result.stderr, (command, result.stderr)
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr and "reads" not in result.stderr


@pytest.fixture
def sample_pg(cli, pg):
    result = cli("load-sample")
    assert result.exit_code == 0, result.stderr
    return pg


def test_a_copy_there_and_back_exports_identically(cli, tmp_path, pg, pg_empty):
    """A centre's file into an empty server database and back into a new file: the same export."""
    local = tmp_path / "centre.db"
    for args in (["load-sample"], ["cancel", "12", "--reason", "syg"],  # 12: the sample has no attendance on it
                 ["add-closure", "motalavej", "--from", "2026-10-12", "--until", "2026-10-16", "--reason", "Efterårsferie", "--yes"]):
        result = cli("--db", local, *args)
        assert result.exit_code == 0, (args, result.stderr)
    key = cli("--db", local, "overlaps", "--from", "2026-08-10", "--json").json()[0]["key"]
    assert cli("--db", local, "acknowledge", key, "--note", "aftalt").exit_code == 0
    copied = cli("--db", local, "copy", "--to", pg_empty)
    assert copied.exit_code == 0, copied.stderr
    back = tmp_path / "back.db"
    assert cli("--db", pg_empty, "copy", "--to", back).exit_code == 0
    exports = []
    for source in (local, pg_empty, back):
        folder = tmp_path / f"export-{len(exports)}"
        result = cli("--db", source, "export", "csv", "--all", "-o", folder)
        assert result.exit_code == 0, result.stderr
        exports.append({p.name: p.read_bytes() for p in sorted(folder.iterdir())})
    assert exports[0] == exports[1] == exports[2] and len(exports[0]) >= 5
    for source in (pg_empty, back):  # ids, what closures cancelled, acknowledgements, the change log
        assert cli("--db", source, "list", "bookings", "--json", "--from", "2026-08-01").json() == \
            cli("--db", local, "list", "bookings", "--json", "--from", "2026-08-01").json()
        assert cli("--db", source, "log", "--json").json() == cli("--db", local, "log", "--json").json()
        assert cli("--db", source, "overlaps", "--all", "--from", "2026-08-10", "--json").json() == \
            cli("--db", local, "overlaps", "--all", "--from", "2026-08-10", "--json").json()
    again = cli("--db", local, "copy", "--to", pg_empty)
    assert again.exit_code == 1 and "not empty" in again.stderr
    # new rows on the server continue after the copied ids
    result = cli("--db", pg_empty, "add-actor", "Ny forening", "--sector", "frivillig")
    assert result.exit_code == 0, result.stderr


def test_bad_connection_details_give_one_line(cli, pg):
    parts = urlsplit(pg)
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    cases = {
        with_user(pg, parts.username or "postgres", port=closed): ["cannot reach", f"127.0.0.1:{closed}", "running"],
        with_user(pg, parts.username or "postgres", dbname="no_such_database"): ["no database no_such_database"],
    }
    for url, words in cases.items():
        result = medborger("list", "centres", db=url)
        assert result.returncode == 1 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
        for word in words:
            assert word in result.stderr, (word, result.stderr)
    danish = {  # the coordinator's own language, whoever set up the server
        with_user(pg, parts.username or "postgres", port=closed): [f"Fejl: MEDBORGER_DB: kan ikke nå PostgreSQL-serveren på 127.0.0.1:{closed}", "tjek, at serveren kører"],
        with_user(pg, parts.username or "postgres", dbname="no_such_database"): ["har ingen database no_such_database"],
    }
    for url, words in danish.items():
        result = medborger("list", "centres", db=url, env={"MEDBORGER_LANG": "da"})
        assert result.returncode == 1 and result.stderr.count("\n") == 1, result.stderr
        for word in words:
            assert word in result.stderr, (word, result.stderr)


def test_a_wrong_password_is_named_and_never_shown(cli, house, pg):
    role = "medborger_test_anna"
    with _pg_connect(urlsplit(pg).path.lstrip("/")) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
            conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'right-horse'")
        conn.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}")
        conn.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}")
    wrong = medborger("list", "centres", db=with_user(pg, role, "battery-staple"))
    if wrong.returncode == 0:
        pytest.skip("the test server does not ask for passwords (trust)")
    assert wrong.returncode == 1 and "refused the password" in wrong.stderr and wrong.stderr.count("\n") == 1
    assert "battery-staple" not in wrong.stderr
    right = with_user(pg, role, "right-horse")
    booked = medborger("--db", right, *book_args("Møde", "2026-10-01 10:00", "11:00"))
    assert booked.returncode == 0, booked.stderr
    checked = medborger("check", "--json", db=right)
    assert checked.returncode == 0 and "right-horse" not in checked.stdout + checked.stderr
    assert '"constraint": true' in checked.stdout
    logged = medborger("--db", right, "log", "--json")
    assert "right-horse" not in logged.stdout and role in logged.stdout


def test_a_postgresql_url_without_the_driver_names_the_extra(cli, pg, tmp_path):
    blocker = tmp_path / "no_psycopg"
    blocker.mkdir()
    (blocker / "psycopg.py").write_text("raise ImportError('psycopg is not installed')\n")
    result = medborger("list", "centres", env={"PYTHONPATH": str(blocker)}, db=pg)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "pip install 'medborger[postgres]'" in result.stderr


def test_check_and_backup_on_the_server(cli, sample_pg, tmp_path):
    checked = cli("check", "--json")
    assert checked.exit_code == 0, checked.stderr
    result = checked.json()
    assert result["schema"] == __import__("medborger_cli.store", fromlist=["x"]).MIGRATION_NAMES[-1]
    assert result["constraint"] is True and result["foreign_keys"] == [] and result["ok"] is True
    assert result["integrity"] == [] and result["integrity_by_server"] is True  # no claim medborger did not check
    said = cli("check")
    assert said.exit_code == 0 and "Integrity: not checked by medborger; the PostgreSQL server" in said.stdout
    assert "Integrity: ok" not in said.stdout
    execute(sample_pg, "ALTER TABLE bookings DROP CONSTRAINT bookings_no_double_booking")
    broken = cli("check")
    assert broken.exit_code == 1 and "constraint that refuses them is missing" in broken.stdout
    target = tmp_path / "backup.db"
    assert cli("backup", target).exit_code == 0
    assert cli("--db", target, "list", "bookings", "--json", "--from", "2026-08-01").json() == \
        cli("list", "bookings", "--json", "--from", "2026-08-01").json()
