"""CSV export and import, and the iCalendar export."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import dump, execute, rows

pytestmark = pytest.mark.engines


def export_all(cli, folder: Path, *extra: str) -> dict[str, bytes]:
    result = cli("export", "csv", "--all", "-o", folder, *extra)
    assert result.exit_code == 0, result.stderr
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("dialect", [[], ["--excel"]])
def test_round_trip_gives_identical_files(cli, db_path, tmp_path, monkeypatch, dialect):
    monkeypatch.setenv("MEDBORGER_TODAY", "2026-11-29")  # the sample's attendance is in the past
    cli("load-sample")
    first = export_all(cli, tmp_path / "first", *dialect)
    assert set(first) == {f"{t}.csv" for t in ("centres", "rooms", "actors", "closures", "activities", "bookings", "attendance",
                                                "overlaps", "collaboration")}
    monkeypatch.setenv("MEDBORGER_DB", str(tmp_path / "copy.db"))
    result = cli("import", "csv", "--all", tmp_path / "first", "--allow-conflicts")
    assert result.exit_code == 0, result.stderr
    assert "3275 bookings" in result.stderr
    second = export_all(cli, tmp_path / "second", *dialect)
    assert second == first


def test_an_excel_export_is_danish_and_reads_back_as_the_canonical_one(cli, db_path, tmp_path, monkeypatch):
    """`--excel` writes Danish headers and code words; importing that file gives the same data
    as the plain file, whose keys and codes stay canonical."""
    monkeypatch.setenv("MEDBORGER_TODAY", "2026-11-29")
    cli("load-sample")
    assert cli("cancel", "1", "--reason", "Sygdom").exit_code == 0
    plain = export_all(cli, tmp_path / "plain")
    excel = export_all(cli, tmp_path / "excel", "--excel")
    centres, activities = excel["centres.csv"].decode("utf-8-sig"), excel["activities.csv"].decode("utf-8-sig")
    bookings = excel["bookings.csv"].decode("utf-8-sig")
    assert centres.startswith("Navn;Type;Kommune;Område;") and ";boligområdebaseret;" in centres and ";housing;" not in centres
    assert activities.startswith("Center;Aktivitet;Titel;Lokale;Aktør;") and ";mandag" in activities and ";mon" not in activities
    assert ";aflyst;" in bookings and ";cancelled;" not in bookings and "Start;Slut;Status" in bookings.splitlines()[0]
    assert plain["centres.csv"].startswith(b"name,type,municipality,") and b",housing," in plain["centres.csv"]
    assert b",cancelled," in plain["bookings.csv"] and b"aflyst" not in plain["bookings.csv"].split(b"\r\n")[0]
    monkeypatch.setenv("MEDBORGER_DB", str(tmp_path / "from-excel.db"))
    result = cli("import", "csv", "--all", tmp_path / "excel", "--allow-conflicts")
    assert result.exit_code == 0, result.stderr
    again = export_all(cli, tmp_path / "again")
    assert {k: v for k, v in again.items() if k not in ("overlaps.csv", "collaboration.csv")} == \
        {k: v for k, v in plain.items() if k not in ("overlaps.csv", "collaboration.csv")}


def test_dialects(cli, house, tmp_path):
    cli("add-room", "motalavej", "Mødelokale; 1. sal")
    plain = cli("export", "csv", "rooms").stdout_bytes.decode("utf-8")
    assert plain.startswith("centre,name,capacity\r\n")
    assert '"Mødelokale; 1. sal"' not in plain and "Mødelokale; 1. sal" in plain
    cli("export", "csv", "rooms", "--excel", "-o", tmp_path / "rooms.csv")
    data = (tmp_path / "rooms.csv").read_bytes()
    assert data.startswith("\ufeffCenter;Navn;Pladser\r\n".encode())  # what a Danish coordinator reads in Excel
    assert '"Mødelokale; 1. sal"'.encode() in data
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_header_row_even_when_empty_and_filters(cli, house):
    assert cli("export", "csv", "bookings").stdout_bytes == b"centre,room,title,actor,start,end,status,activity,note\r\n"
    cli("book", "-c", "motalavej", "-r", "Salen", "-a", "5M", "--title", "A", "--start", "2026-12-07 10:00", "--end", "11:00")
    cli("book", "-c", "Foreningernes Hus", "-r", "Køkkenet", "-a", "5M", "--title", "B", "--start", "2027-01-04 10:00", "--end", "11:00")
    assert len(cli("export", "csv", "bookings").stdout.splitlines()) == 3  # no default window
    assert cli("export", "csv", "bookings", "--centre", "motalavej").stdout.splitlines()[1].startswith("Kvarterhuset på Motalavej,Salen,A,")
    assert len(cli("export", "csv", "bookings", "--week", "1", "--year", "2027").stdout.splitlines()) == 2


FORMULAS = ["=HYPERLINK(\"http://x\")", "+45 11 22 33 44", "-1", "@SUM(A1)", "'=already quoted", "'-x", "'plain apostrophe"]


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@x", "\tx", "\rx", "'=x", "''+x", "'plain", "plain", "1-2", ""])
def test_neutralise_and_restore_are_inverse(value):
    from medborger_cli import csvio

    written = csvio.neutralise(value)
    assert csvio.restore(written) == value
    assert not written or written[0] not in "=+-@\t\r"


def test_formula_cells_are_neutralised_and_restored(cli, house, tmp_path, monkeypatch):
    for n, text in enumerate(FORMULAS):
        assert cli("book", "-c", "motalavej", "-r", "Salen", "-a", "5M", "--title", f"Møde {n}", "--start",
                   f"2026-12-{n + 1:02d} 10:00", "--end", "11:00").exit_code == 0
    db = house
    import sqlite3

    for n, text in enumerate(FORMULAS):
        execute(db, "UPDATE bookings SET note = ? WHERE title = ?", [text, f"Møde {n}"])
    out = cli("export", "csv", "bookings", "-o", tmp_path / "b.csv")
    assert out.exit_code == 0
    import csv

    with open(tmp_path / "b.csv", encoding="utf-8", newline="") as f:
        exported = [r["note"] for r in csv.DictReader(f)]
    assert exported == ["'" + v for v in FORMULAS[:6]] + ["'plain apostrophe"]
    import io

    raw = list(csv.DictReader(io.StringIO(cli("export", "csv", "bookings", "--raw").stdout_bytes.decode(), newline="")))
    assert [r["note"] for r in raw] == FORMULAS
    monkeypatch.setenv("MEDBORGER_DB", str(tmp_path / "copy.db"))
    for table in ("centres", "rooms", "actors"):
        monkeypatch.setenv("MEDBORGER_DB", str(house))
        cli("export", "csv", table, "-o", tmp_path / f"{table}.csv")
    monkeypatch.setenv("MEDBORGER_DB", str(tmp_path / "copy.db"))
    (tmp_path / "bookings.csv").write_bytes((tmp_path / "b.csv").read_bytes())
    result = cli("import", "csv", "--all", tmp_path)
    assert result.exit_code == 0, result.stderr
    notes = [r["note"] for r in rows(tmp_path / "copy.db", "SELECT note FROM bookings ORDER BY start")]
    assert notes == FORMULAS


def test_bookings_import_needs_six_columns_and_checks_conflicts(cli, house, tmp_path):
    cli("book", "-c", "motalavej", "-r", "Salen", "-a", "5M", "--title", "Fast", "--start", "2026-12-07 10:00", "--end", "12:00")
    path = tmp_path / "in.csv"
    path.write_text(
        "centre,room,title,actor,start,end\n"
        "Kvarterhuset på Motalavej,Salen,Ny 1,Røde Kors Korsør,2026-12-07 11:00,2026-12-07 13:00\n"
        "kvarterhuset på motalavej,salen,Ny 2,røde kors korsør,2026-12-08 10:00,2026-12-08 11:00\n"
        "Kvarterhuset på Motalavej,Salen,Ny 3,Røde Kors Korsør,2026-12-08T10:30,2026-12-08T11:30\n"
        "Kvarterhuset på Motalavej,Køkkenet,Ny 4,Røde Kors Korsør,09-12-2026 10.00,09-12-2026 11.00\n",
        encoding="utf-8",
    )
    before = dump(house)
    result = cli("import", "csv", "bookings", path)
    assert result.exit_code == 1 and "nothing was imported" in result.stderr
    assert "Fast" in result.stderr and "in.csv row 2" in result.stderr and "in.csv row 4" in result.stderr
    assert dump(house) == before
    result = cli("import", "csv", "bookings", path, "--dry-run", "--skip-conflicts")
    assert result.exit_code == 0 and "would add 2 bookings" in result.stderr and dump(house) == before
    result = cli("import", "csv", "bookings", path, "--skip-conflicts")
    assert result.exit_code == 0
    assert [r["title"] for r in rows(house, "SELECT title FROM bookings ORDER BY id")] == ["Fast", "Ny 2", "Ny 4"]
    result = cli("import", "csv", "bookings", path, "--allow-conflicts")
    assert result.exit_code == 0
    assert len(rows(house, "SELECT * FROM bookings")) == 7


def test_a_late_bad_row_stops_the_whole_import(cli, house, tmp_path):
    lines = ["centre;room;title;actor;start;end"]
    lines += [f"Kvarterhuset på Motalavej;Salen;Møde {n};5M – Mennesker på Motalavej;2027-01-{n:02d} 10:00;2027-01-{n:02d} 11:00"
              for n in range(1, 29)]
    lines.append("Kvarterhuset på Motalavej;Salen;Sidste;5M – Mennesker på Motalavej;31-02-2027 10:00;31-02-2027 11:00")
    lines.append("Kvarterhuset på Motalavej;Kælderen;Allersidste;Ukendt aktør;2027-02-01 10:00;2027-02-01 09:00")
    path = tmp_path / "bookings.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = dump(house)
    result = cli("import", "csv", "bookings", path)
    assert result.exit_code == 2
    assert "bookings.csv: row 30, column start: '31-02-2027' is not a real date" in result.stderr
    assert "bookings.csv: row 31, column room:" in result.stderr
    assert "nothing was imported" in result.stderr and "Traceback" not in result.stderr
    assert dump(house) == before


def test_many_errors_are_listed_up_to_a_limit(cli, house, tmp_path):
    path = tmp_path / "actors.csv"
    path.write_text("name,sector\n" + "".join(f"Aktør {n},ufo\n" for n in range(80)), encoding="utf-8")
    result = cli("import", "csv", "actors", path)
    assert result.exit_code == 2
    assert result.stderr.count("sector: unknown value 'ufo'") == 50
    assert "… and 30 more" in result.stderr


def test_what_excel_saves_on_danish_windows(cli, house, tmp_path):
    content = (
        "Centre;Room;Title;Actor;Start;End\r\n"
        "Kvarterhuset på Motalavej;Køkkenet;Fællesspisning;5M – Mennesker på Motalavej;07-12-2026 17:30;07-12-2026 20:00\r\n"
        ";;;;;\r\n"
    )
    path = tmp_path / "fra excel.csv"
    path.write_bytes(content.replace("–", "-").replace("5M - Mennesker", "5M – Mennesker").encode("cp1252", errors="replace"))
    result = cli("import", "csv", "bookings", path)
    assert result.exit_code == 0, result.stderr
    assert rows(house, "SELECT title, start, \"end\" FROM bookings") == [
        {"title": "Fællesspisning", "start": "2026-12-07T17:30", "end": "2026-12-07T20:00"}]


def test_bad_files(cli, house, tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "noheader.csv").write_text("navn,noget\nx,y\n")
    (tmp_path / "binary.csv").write_bytes(b"\x00\x01\x02" * 100)
    before = dump(house)
    for name, message in (("empty.csv", "is empty"), ("noheader.csv", "lacks columns"), ("binary.csv", "not a text file"),
                          ("missing.csv", "does not exist")):
        result = cli("import", "csv", "bookings", tmp_path / name)
        assert result.exit_code == 2 and message in result.stderr, (name, result.stderr)
    assert cli("import", "csv", "overlaps", tmp_path / "empty.csv").exit_code == 2
    assert dump(house) == before


def test_activities_import_generates_occurrences_with_holidays_and_closures(cli, house, tmp_path):
    cli("add-closure", "motalavej", "--from", "2027-03-29", "--until", "2027-04-02", "--reason", "Påskeferie")
    path = tmp_path / "activities.csv"
    path.write_text(
        "centre,title,room,actor,partners,category,target_groups,weekdays,start,end,from,until\n"
        "Kvarterhuset på Motalavej,Lektiecafé,Salen,5M,Røde Kors Korsør,læring,børn;unge,man;tor,15:00,17:00,2027-03-22,2027-04-08\n",
        encoding="utf-8",
    )
    result = cli("import", "csv", "activities", path)
    assert result.exit_code == 2 and "actor: no actor '5M'" in result.stderr  # files name actors in full
    path.write_text(path.read_text().replace(",5M,", ",5M – Mennesker på Motalavej,"), encoding="utf-8")
    result = cli("import", "csv", "activities", path)
    assert result.exit_code == 0, result.stderr
    starts = [r["start"][:10] for r in rows(house, "SELECT start FROM bookings ORDER BY start")]
    # 25/3 Skærtorsdag, 29/3 2. påskedag and 1/4 in the closure are left out
    assert starts == ["2027-03-22", "2027-04-05", "2027-04-08"]
    activity = cli("list", "activities", "--json").json()[0]
    assert activity["partners"] == ["Røde Kors Korsør"] and (activity["age"], activity["target_groups"]) == ("6-17", [])


# ---------------------------------------------------------------------------------------------
# iCalendar


def expanded(ics: bytes) -> list[tuple[str, str, str]]:
    import icalendar
    import recurring_ical_events

    cal = icalendar.Calendar.from_ical(ics)
    events = recurring_ical_events.of(cal).between(dt.datetime(2000, 1, 1), dt.datetime(2040, 1, 1))
    return sorted((e["DTSTART"].dt.strftime("%Y-%m-%dT%H:%M"), e["DTEND"].dt.strftime("%Y-%m-%dT%H:%M"), str(e["SUMMARY"]))
                  for e in events)


def stored(db, where="1=1", params=()):
    return sorted(tuple(r.values()) for r in rows(
        db, 'SELECT b.start, b."end", b.title FROM bookings b JOIN rooms r ON r.id = b.room_id '
            f"WHERE b.status = 'active' AND {where}", params))


def test_ics_expands_to_exactly_the_active_bookings(cli, db_path, tmp_path):
    cli("load-sample")
    first = rows(db_path, "SELECT id FROM bookings WHERE title = 'Pigeklub' AND status = 'active' ORDER BY start LIMIT 1")[0]["id"]
    cli("cancel", first)
    result = cli("export", "ics", "-o", tmp_path / "all.ics")
    assert result.exit_code == 0
    data = (tmp_path / "all.ics").read_bytes()
    assert expanded(data) == stored(db_path)
    assert b"BEGIN:VTIMEZONE" in data and b"DTSTART;TZID=Europe/Copenhagen:" in data and b"RRULE:FREQ=WEEKLY" in data
    assert b"EXDATE;TZID=Europe/Copenhagen:" in data
    centre = rows(db_path, "SELECT id FROM centres WHERE name = 'Foreningernes Hus'")[0]["id"]
    part = cli("export", "ics", "--centre", "Foreningernes Hus").stdout.encode()
    assert expanded(part) == stored(db_path, "r.centre_id = ?", [centre])
    room = rows(db_path, "SELECT r.id FROM rooms r JOIN centres c ON c.id = r.centre_id WHERE r.name = 'Store sal' AND c.name = 'Foreningernes Hus'")[0]["id"]
    assert expanded(cli("export", "ics", "--centre", "Foreningernes Hus", "--room", "Store sal").stdout.encode()) == stored(
        db_path, "b.room_id = ?", [room])
    one = cli("export", "ics", "--activity", "Fællesspisning", "--centre", "Foreningernes Hus").stdout.encode()
    assert b"RRULE:FREQ=MONTHLY" in one and b"BYDAY=-1FR" in one


def test_ics_uids_are_stable_and_one_offs_are_single_events(cli, house):
    cli("book", "-c", "motalavej", "-r", "Salen", "-a", "5M", "--title", "Møde", "--start", "2026-12-07 10:00", "--end", "11:00")
    a = cli("export", "ics").stdout
    b = cli("export", "ics").stdout
    uids = [line for line in a.splitlines() if line.startswith("UID:")]
    assert uids and uids == [line for line in b.splitlines() if line.startswith("UID:")]
    assert a.count("BEGIN:VEVENT") == 1 and "RRULE" not in a
    assert "LOCATION:Salen\\, Kvarterhuset på Motalavej" in a


# ---------------------------------------------------------------------------------------------
# Interrupted imports


@pytest.mark.slow
@pytest.mark.sqlite_only  # kills the writer while SQLite's file lock is held
def test_killed_import_leaves_the_database_as_it_was(house, tmp_path):
    path = tmp_path / "big.csv"
    start = dt.datetime(2027, 1, 4, 8, 0)
    with open(path, "w", encoding="utf-8") as f:
        f.write("centre,room,title,actor,start,end\n")
        for n in range(60_000):
            s = start + dt.timedelta(minutes=30 * n)
            f.write(f"Kvarterhuset på Motalavej,{'Salen' if n % 2 else 'Køkkenet'},Møde {n},Røde Kors Korsør,"
                    f"{s:%Y-%m-%d %H:%M},{s + dt.timedelta(minutes=30):%Y-%m-%d %H:%M}\n")
    before = dump(house)
    env = {**os.environ, "MEDBORGER_DB": str(house)}
    proc = subprocess.Popen([sys.executable, "-m", "medborger_cli", "import", "csv", "bookings", str(path)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Kill it while it holds the write lock, that is, in the middle of writing: whether it has
    # got there is asked of SQLite itself (a second writer is refused while it does).
    probe = sqlite3.connect(house, timeout=0, isolation_level=None)
    writing = False
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
        except sqlite3.OperationalError:
            writing = True
            break
        time.sleep(0.002)
    probe.close()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert writing, "the import finished before it was seen writing; make the file bigger"
    assert dump(house) == before
    check = sqlite3.connect(house)
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    check.close()
