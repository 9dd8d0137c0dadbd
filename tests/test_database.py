"""The database file in trouble: damaged, truncated, on shared storage, with dates out of range,
and two imports racing for the same names."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from conftest import dump, execute, rows
from medborger_cli import files


def _many_bookings(cli):
    result = cli("add-activity", "Lang", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-k", "læring", "-g", "børn",
                 "-d", "man,tir,ons,tor,fre", "--start", "08:00", "--end", "09:00", "--from", "2026-08-10", "--until", "2027-06-30")
    assert result.exit_code == 0, result.stderr


def _damage(path, page: int):
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(path, "r+b") as f:
        f.seek(page * size + 100)
        f.write(os.urandom(size - 200))


def test_check_reports_damaged_pages_in_plain_words(cli, house):
    _many_bookings(cli)
    pages = rows(house, "PRAGMA page_count")[0]["page_count"]
    _damage(house, pages - 3)
    result = cli("check")
    assert result.exit_code == 1
    assert "DAMAGED" in result.stdout and "Restore the latest backup" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_backup_warns_that_it_copies_a_damaged_file(cli, house, tmp_path):
    _many_bookings(cli)
    pages = rows(house, "PRAGMA page_count")[0]["page_count"]
    _damage(house, pages - 3)
    result = cli("backup", tmp_path / "copy.db")
    assert "damaged" in result.stderr and "copy is damaged too" in result.stderr


def test_a_truncated_file_is_called_damaged_not_foreign(cli, house):
    _many_bookings(cli)
    conn = sqlite3.connect(house)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for name in ("medborger.db-wal", "medborger.db-shm"):
        (house.parent / name).unlink(missing_ok=True)
    data = house.read_bytes()
    house.write_bytes(data[: len(data) // 3])
    for args in (("list", "bookings", "--from", "2026-01-01"), ("check",)):
        result = cli(*args)
        assert result.exit_code == 1, (args, result.stderr)
        text = result.stdout + result.stderr
        assert "damaged" in text.lower() and "not a medborger database" not in text and "Traceback" not in text


def test_an_empty_db_option_is_an_error_not_the_default_file(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    result = cli("--db", "", "list", "centres")
    assert result.exit_code == 2 and "--db: must not be empty" in result.stderr


def test_check_finds_dates_outside_the_years_medborger_plans_for(cli, house):
    _many_bookings(cli)
    conn = sqlite3.connect(house)
    with conn:
        conn.execute("UPDATE bookings SET start = '0900-01-01T10:00' WHERE id = 1")
    conn.close()
    result = cli("check")
    assert result.exit_code == 1 and "1 row of bookings has a date outside 1990–2199" in result.stdout
    assert cli("check", "--json").json()["dates_outside"] == {"bookings": 1}



def _refused_by_the_server(engine, house, sql) -> bool:
    """PostgreSQL reads a booking's start and end as times in its indexes and its constraint:
    a date that is no real one cannot be stored there at all (24:00 can: it is midnight)."""
    if engine != "postgresql" or "UPDATE bookings" not in sql or "24:00" in sql:
        return False
    import psycopg

    with pytest.raises(psycopg.errors.DataError):
        execute(house, sql)
    return True


INVALID = [
    ("bookings", "UPDATE bookings SET start = '2026-13-45T10:00', \"end\" = '2026-13-45T11:00' WHERE id = 1"),
    ("bookings", "UPDATE bookings SET \"end\" = '2026-08-10T24:00' WHERE id = 1"),
    ("bookings", "UPDATE bookings SET start = '2026-02-30T08:00', \"end\" = '2026-02-30T09:00' WHERE id = 1"),
    ("activities", "UPDATE activities SET start_time = '25:99' WHERE id = 1"),
    ("activities", "UPDATE activities SET weekdays = 'xyz' WHERE id = 1"),
    ("activities", "UPDATE activities SET date_until = '2027-06-31' WHERE id = 1"),
    ("activities", "UPDATE activities SET \"interval\" = 0 WHERE id = 1"),
]


@pytest.mark.engines
@pytest.mark.parametrize("table,sql", INVALID, ids=[sql.split("SET ")[1][:24] for _, sql in INVALID])
def test_check_finds_values_that_cannot_be_read(cli, house, table, sql, engine):
    _many_bookings(cli)
    assert cli("check").exit_code == 0
    if _refused_by_the_server(engine, house, sql):
        return
    execute(house, sql)
    result = cli("check")
    assert result.exit_code == 1 and f"1 row of {table} holds a date, time or rule that cannot be read" in result.stdout
    assert cli("check", "--json").json()["invalid_values"] == {table: 1}


MEETING = [(INVALID[0][1], ["list", "bookings", "--from", "2026-01-01"]), (INVALID[0][1], ["overlaps"]),
           (INVALID[0][1], ["export", "ics"]), (INVALID[3][1], ["export", "ics"]), (INVALID[3][1], ["list", "activities"]),
           (INVALID[4][1], ["export", "ics"]), (INVALID[4][1], ["list", "activities"])]


@pytest.mark.engines
@pytest.mark.parametrize("sql,args", MEETING, ids=[f"{i}-{a[0]}-{a[1] if len(a) > 1 else ''}" for i, (_, a) in enumerate(MEETING)])
def test_a_command_meeting_an_unreadable_value_says_so_in_one_line(cli, house, args, sql, engine):
    _many_bookings(cli)
    if _refused_by_the_server(engine, house, sql):
        return
    execute(house, sql)
    result = cli(*args)
    assert result.exit_code == 1, (result.exit_code, result.stderr)
    assert "internal error" not in result.stderr and "report it" not in result.stderr, result.stderr
    assert "the database holds a value that cannot be read" in result.stderr and "medborger check" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.parametrize(
    "mounts,path,expected",
    [
        ("server:/srv /mnt/faelles nfs4 rw 0 0\n/dev/sda1 / ext4 rw 0 0", "/mnt/faelles/medborger.db", "nfs4"),
        ("//nas/kommune /media/kommune cifs rw 0 0\n/dev/sda1 / ext4 rw 0 0", "/media/kommune/x/m.db", "cifs"),
        ("/dev/sda1 / ext4 rw 0 0", "/home/mette/OneDrive - Slagelse Kommune/medborger.db", "synced folder"),
        ("/dev/sda1 / ext4 rw 0 0\nserver:/srv /mnt/faelles nfs4 rw 0 0", "/home/mette/medborger.db", None),
    ],
)
def test_shared_storage_is_recognised(mounts, path, expected):
    found = files.shared_storage(__import__("pathlib").Path(path), mounts=mounts)
    assert (found is None) if expected is None else (expected in found)


def test_check_warns_about_a_synced_folder(cli, tmp_path, monkeypatch):
    folder = tmp_path / "Dropbox"
    folder.mkdir()
    monkeypatch.setenv("MEDBORGER_DB", str(folder / "medborger.db"))
    result = cli("check")
    assert result.exit_code == 0 and "Storage: WARNING" in result.stdout and "Shared server" in result.stdout


@pytest.mark.slow
def test_two_imports_at_once_get_the_ordinary_exists_already_message(house, tmp_path):
    path = tmp_path / "actors.csv"
    path.write_text("name,sector\n" + "".join(f"Forening {n},frivillig\n" for n in range(3000)), encoding="utf-8")
    env = {**os.environ, "MEDBORGER_DB": str(house)}
    procs = [subprocess.Popen([sys.executable, "-m", "medborger_cli", "import", "csv", "actors", str(path)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results
    loser = next(err for code, err in results if code == 2)
    assert "exists already" in loser and "UNIQUE" not in loser and "database error" not in loser
    assert rows(house, "SELECT count(*) AS n FROM actors")[0]["n"] == 3 + 3000


def _age(path, seconds: float) -> None:
    past = __import__("time").time() - seconds
    os.utime(path, (past, past))


def test_an_emptied_file_is_refused_and_left_alone(cli, house):
    conn = sqlite3.connect(house)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for name in ("medborger.db-wal", "medborger.db-shm"):
        (house.parent / name).unlink(missing_ok=True)
    house.write_bytes(b"")
    os.chmod(house, 0o644)
    _age(house, 3600)
    for args in (("list", "centres"), ("add-centre", "Ny", "--type", "andet", "--municipality", "X"), ("check",)):
        result = cli(*args)
        assert result.exit_code == 1, (args, result.stderr)
        text = result.stdout + result.stderr
        assert "is empty: not a medborger database; restore it from a backup" in text, text
        assert house.stat().st_size == 0 and (os.stat(house).st_mode & 0o777) == 0o644  # left as it was
    assert sorted(p.name for p in house.parent.iterdir()) == ["medborger.db"]  # nothing written beside it


def test_an_empty_file_just_made_by_another_program_is_given_a_moment(cli, tmp_path, monkeypatch):
    import threading

    from medborger_cli.store import connection

    monkeypatch.setattr(connection, "FRESH_SECONDS", 3.0)
    ready = tmp_path / "ready.db"
    assert cli("--db", ready, "add-centre", "Klar", "--type", "andet", "--municipality", "X").exit_code == 0
    conn = sqlite3.connect(ready)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = ready.read_bytes()
    target = tmp_path / "filling.db"
    target.write_bytes(b"")  # as another process creating it would leave it for a moment

    def fill():
        with open(target, "r+b") as stream:
            stream.write(data)

    filler = threading.Timer(0.5, fill)
    filler.start()
    try:
        result = cli("--db", target, "list", "centres", "--json")
    finally:
        filler.join()
    assert result.exit_code == 0, result.stderr
    assert [c["name"] for c in result.json()] == ["Klar"]
    monkeypatch.setattr(connection, "FRESH_SECONDS", 0.3)
    stays = tmp_path / "stays.db"
    stays.write_bytes(b"")
    result = cli("--db", stays, "list", "centres")
    assert result.exit_code == 1 and "is empty" in result.stderr and stays.stat().st_size == 0


def test_a_new_database_is_private_and_never_seen_empty(cli, tmp_path):
    old = os.umask(0)
    try:
        result = cli("--db", tmp_path / "neu.db", "list", "centres")
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.stderr
    assert (os.stat(tmp_path / "neu.db").st_mode & 0o777) == 0o600
    assert (tmp_path / "neu.db").read_bytes().startswith(b"SQLite format 3\x00")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # the file it was built in is gone


def _damaged_house(cli, house):
    assert cli("add-actor", "Nabohjælpen", "--sector", "frivillig", "--contact", "Hanne Zylberstein").exit_code == 0
    _many_bookings(cli)
    pages = rows(house, "PRAGMA page_count")[0]["page_count"]
    for page in (pages - 3, pages - 5, pages - 7):
        _damage(house, page)
    assert cli("check").exit_code == 1
    return house


@pytest.mark.parametrize("args", [
    ["add-centre", "Nyt Hus", "--type", "andet", "--municipality", "X"],
    ["edit", "centre", "motalavej", "--address", "Motalavej 1"],
    ["import", "csv", "centres", "{tmp}/centres.csv"],
    ["privacy", "erase", "Hanne Zylberstein", "--yes"],
    ["cancel", "1"],
], ids=lambda a: "-".join(a[:2]))
def test_write_commands_refuse_a_damaged_file(cli, house, tmp_path, args):
    import hashlib

    (tmp_path / "centres.csv").write_text("name,type,municipality\nImporthuset,andet,Odense\n", encoding="utf-8")
    _damaged_house(cli, house)
    before = hashlib.sha256(house.read_bytes()).hexdigest()
    result = cli(*[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert result.exit_code == 1, result.stderr
    assert "damaged" in result.stderr and "medborger check" in result.stderr and "full" not in result.stderr
    assert "Traceback" not in result.stderr
    assert hashlib.sha256(house.read_bytes()).hexdigest() == before


def test_erase_in_a_damaged_file_too_large_to_check_says_damaged_not_disk_full(cli, house, monkeypatch):
    from medborger_cli.store import connection

    _damaged_house(cli, house)
    monkeypatch.setattr(connection, "QUICK_CHECK_MAX_BYTES", 0)  # as for a file too large to check at each write
    result = cli("privacy", "erase", "Hanne Zylberstein", "--yes")
    assert "full" not in result.stderr, result.stderr
    assert result.exit_code == 1 and "damaged" in result.stderr, result.stderr
