"""Change and undo: edits from a date keep the past and replace the future exactly; conflicts
under each policy; renames keep ids and findings; restore and closures give back exactly what
they took; every change is in the log; refused edits leave the file as it was."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import dump, edit_csv, execute, rows

pytestmark = pytest.mark.engines

PIGEKLUB = ("add-activity", "Pigeklub", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-k", "fællesskab", "-g", "unge",
            "-d", "mandag", "--start", "17:00", "--end", "19:00", "--from", "2026-09-07", "--until", "2026-12-14")


def _mondays_and_tuesdays(first: dt.date, last: dt.date, weekday: int) -> list[dt.date]:
    """An independent expansion: every `weekday` from first to last (no holidays fall in autumn
    2026 on Mondays or Tuesdays except none; the centre's closures are excluded by the caller)."""
    day = first + dt.timedelta(days=(weekday - first.weekday()) % 7)
    found = []
    while day <= last:
        found.append(day)
        day += dt.timedelta(days=7)
    return found


def starts(db, title="Pigeklub", status="active"):
    return [r["start"] for r in rows(db, "SELECT start FROM bookings WHERE title = ? AND status = ? ORDER BY start",
                                     [title, status])]


@pytest.fixture
def pigeklub(cli, house):
    assert cli(*PIGEKLUB).exit_code == 0
    return house


def test_edit_from_a_date_keeps_the_past_and_replaces_the_future(cli, pigeklub):
    past = [s for s in starts(pigeklub) if s < "2026-10-19"]
    ids_before = {r["start"]: r["id"] for r in rows(pigeklub, "SELECT id, start FROM bookings")}
    result = cli("edit", "activity", "Pigeklub", "--from", "2026-10-19", "--weekday", "tirsdag", "--start", "16:30",
                 "--end", "18:00", "--yes")
    assert result.exit_code == 0, result.stderr
    expected_future = [f"{d.isoformat()}T16:30" for d in _mondays_and_tuesdays(dt.date(2026, 10, 19), dt.date(2026, 12, 14), 1)]
    assert starts(pigeklub) == past + expected_future
    for s in past:  # history keeps its ids
        assert rows(pigeklub, "SELECT id FROM bookings WHERE start = ?", [s])[0]["id"] == ids_before[s]
    activity = cli("list", "activities", "--json").json()[0]
    assert activity["weekdays"] == "tue" and activity["start_time"] == "16:30" and activity["date_from"] == "2026-10-19"


def test_a_time_change_keeps_the_bookings_ids_and_cancelled_dates_stay_cancelled(cli, pigeklub):
    by_start = {r["start"]: r["id"] for r in rows(pigeklub, "SELECT id, start FROM bookings")}
    cancelled_id = by_start["2026-11-09T17:00"]
    assert cli("cancel", str(cancelled_id), "--reason", "syg leder").exit_code == 0
    result = cli("edit", "activity", "Pigeklub", "--from", "2026-11-01", "--start", "18:00", "--end", "20:00")
    assert result.exit_code == 0, result.stderr
    after = {r["id"]: (r["start"], r["status"]) for r in rows(pigeklub, "SELECT id, start, status FROM bookings")}
    assert after[cancelled_id] == ("2026-11-09T18:00", "cancelled")
    assert after[by_start["2026-11-16T17:00"]] == ("2026-11-16T18:00", "active")
    assert after[by_start["2026-10-26T17:00"]] == ("2026-10-26T17:00", "active")  # before --from: as it was


def test_an_edit_skips_closures_and_holidays_as_adding_does(cli, pigeklub):
    cli("add-closure", "motalavej", "--from", "2026-12-01", "--until", "2026-12-31", "--reason", "Juleferie", "--yes")
    result = cli("edit", "activity", "Pigeklub", "--from", "2026-11-20", "--weekday", "tirsdag", "--until", "2027-01-12", "--yes")
    assert result.exit_code == 0, result.stderr
    future = [s[:10] for s in starts(pigeklub) if s >= "2026-11-20"]
    assert future == ["2026-11-24", "2027-01-05", "2027-01-12"]


@pytest.mark.parametrize("policy,code,future", [
    ((), 1, None),
    (("--skip-conflicts",), 0, ["2026-11-17", "2026-12-01", "2026-12-08"]),
    (("--allow-conflicts",), 0, ["2026-11-17", "2026-11-24", "2026-12-01", "2026-12-08"]),
])
def test_edit_conflicts_under_each_policy(cli, pigeklub, policy, code, future):
    assert cli("book", "-c", "motalavej", "-r", "Salen", "-a", "Jobcenter", "--title", "Møde", "--start",
               "2026-11-24 18:00", "--end", "19:00").exit_code == 0
    before = dump(pigeklub)
    result = cli("edit", "activity", "Pigeklub", "--from", "2026-11-16", "--weekday", "tirsdag", "--yes", *policy)
    assert result.exit_code == code, result.stderr
    assert "Møde" in result.stderr  # the conflict table names what is in the way
    if future is None:
        assert dump(pigeklub) == before and "--skip-conflicts" in result.stderr
    else:
        assert [s[:10] for s in starts(pigeklub) if s >= "2026-11-16"] == future


def test_a_script_must_confirm_an_edit_that_removes_bookings(cli, pigeklub):
    before = dump(pigeklub)
    result = cli("edit", "activity", "Pigeklub", "--from", "2026-12-01", "--weekday", "onsdag")
    assert result.exit_code == 2 and "--yes" in result.stderr and dump(pigeklub) == before


def test_an_edit_that_leaves_the_schedule_keeps_the_seasons_first_date(cli, pigeklub):
    assert cli("edit", "activity", "Pigeklub", "--from", "2026-11-01", "--category", "kultur").exit_code == 0
    activity = cli("list", "activities", "--json").json()[0]
    assert activity["date_from"] == "2026-09-07" and activity["category"] == "culture"
    assert cli("edit", "activity", "Pigeklub", "--no-partner", "Røde Kors Korsør").exit_code == 2  # not a partner


def test_a_closure_inside_another_hands_its_bookings_over(cli, pigeklub):
    cli("add-closure", "motalavej", "--from", "2026-11-16", "--until", "2026-11-16", "--reason", "A", "--yes")
    cli("add-closure", "motalavej", "--from", "2026-11-16", "--until", "2026-11-17", "--reason", "B", "--yes")
    first = min(r["id"] for r in rows(pigeklub, "SELECT id FROM closures"))
    result = cli("remove", "closure", str(first), "--yes")
    assert result.exit_code == 0, result.stderr
    assert starts(pigeklub, status="cancelled") == ["2026-11-16T17:00"]  # B still covers it


def test_cancel_and_restore_keep_the_bookings_own_note(cli, house):
    assert cli("book", "-c", "motalavej", "-r", "Salen", "-a", "5M", "--title", "Møde", "--start", "2026-12-01 10:00",
               "--end", "11:00").exit_code == 0
    execute(house, "UPDATE bookings SET note = 'husk kaffe'")
    assert cli("cancel", "1", "--reason", "syg").exit_code == 0
    assert rows(house, "SELECT note FROM bookings") == [{"note": "syg · husk kaffe"}]
    assert cli("restore", "1").exit_code == 0
    assert rows(house, "SELECT status, note FROM bookings") == [{"status": "active", "note": "husk kaffe"}]


def test_dry_run_writes_nothing_and_says_what_would_change(cli, pigeklub):
    before = dump(pigeklub)
    result = cli("edit", "activity", "Pigeklub", "--from", "2026-12-01", "--weekday", "onsdag", "--dry-run")
    assert result.exit_code == 0 and "Would change" in result.stderr and "2 dates removed" in result.stderr
    assert dump(pigeklub) == before


def test_refused_edits_leave_the_file_as_it_was(cli, pigeklub):
    before = dump(pigeklub)
    for args in (("--start", "25:00"), ("--end", "16:00"), ("--room", "Kælderen"), ("--weekday", "blursday"),
                 ("--no-target", "unge")):
        result = cli("edit", "activity", "Pigeklub", "--from", "2026-11-01", *args)
        assert result.exit_code == 2 and result.stderr.count("\n") == 1, (args, result.stderr)
    assert cli("edit", "actor", "5M", "--email", "ikke-en-adresse").exit_code == 2
    assert cli("edit", "actor", "5M", "--name", "Røde Kors Korsør").exit_code == 2  # taken
    assert dump(pigeklub) == before


def test_renames_keep_ids_findings_and_acknowledgements(cli, pigeklub):
    cli("add-activity", "Jobcafé", "-c", "motalavej", "-r", "Salen", "-a", "Jobcenter", "-k", "job", "-g", "ledige", "-d",
        "mandag", "--start", "18:00", "--end", "20:00", "--from", "2026-09-07", "--until", "2026-09-14", "--allow-conflicts")
    keys = [f["key"] for f in cli("overlaps", "--from", "2026-09-01", "--kind", "room", "--json").json()]
    assert keys and cli("acknowledge", *keys, "--note", "aftalt").exit_code == 0
    for args in (("room", "Salen", "-c", "motalavej", "--name", "Den store sal"), ("actor", "5M", "--name", "5M Motalavej"),
                 ("centre", "motalavej", "--name", "Motalavejens Kvarterhus")):
        assert cli("edit", *args).exit_code == 0
    again = cli("overlaps", "--from", "2026-09-01", "--kind", "room", "--all", "--json").json()
    assert sorted(f["key"] for f in again) == sorted(keys) and all(f["acknowledged"] for f in again)
    assert rows(pigeklub, "SELECT id, name FROM rooms WHERE id = 1") == [{"id": 1, "name": "Den store sal"}]


def test_clearing_a_field_with_an_empty_value(cli, house):
    assert cli("edit", "actor", "Jobcenter", "--phone", "", "--contact", "Ole Hansen").exit_code == 0
    assert rows(house, "SELECT contact, phone FROM actors WHERE name = 'Jobcenter Slagelse'") == [
        {"contact": "Ole Hansen", "phone": None}]


def test_move_one_occurrence_stays_in_its_series_and_is_checked(cli, pigeklub):
    booking = rows(pigeklub, "SELECT id FROM bookings WHERE start = '2026-10-05T17:00'")[0]["id"]
    assert cli("move", str(booking), "--room", "Køkkenet", "--start", "18:00").exit_code == 0
    assert rows(pigeklub, "SELECT room_id, start, \"end\", activity_id FROM bookings WHERE id = ?", [booking]) == [
        {"room_id": 2, "start": "2026-10-05T18:00", "end": "2026-10-05T20:00", "activity_id": 1}]
    other = rows(pigeklub, "SELECT id FROM bookings WHERE start = '2026-10-12T17:00'")[0]["id"]
    before = dump(pigeklub)
    result = cli("move", str(other), "--room", "Køkkenet", "--start", "2026-10-05 19:00", "--end", "21:00")
    assert result.exit_code == 1 and "room conflict" in result.stderr and dump(pigeklub) == before


def test_restore_is_conflict_checked_and_refused_inside_a_closure(cli, pigeklub):
    first = rows(pigeklub, "SELECT id FROM bookings WHERE start = '2026-10-05T17:00'")[0]["id"]
    assert cli("cancel", str(first)).exit_code == 0
    assert cli("book", "-c", "motalavej", "-r", "Salen", "-a", "Jobcenter", "--title", "Møde", "--start",
               "2026-10-05 18:00", "--end", "19:00").exit_code == 0
    before = dump(pigeklub)
    refused = cli("restore", str(first))
    assert refused.exit_code == 1 and "Møde" in refused.stderr and dump(pigeklub) == before
    second = rows(pigeklub, "SELECT id FROM bookings WHERE start = '2026-10-12T17:00'")[0]["id"]
    cli("cancel", str(second))
    cli("add-closure", "motalavej", "--from", "2026-10-12", "--until", "2026-10-16", "--reason", "Efterårsferie", "--yes")
    closed = cli("restore", str(second))
    assert closed.exit_code == 1 and "closed" in closed.stderr
    assert cli("restore", str(first), "--allow-conflicts").exit_code == 0
    assert rows(pigeklub, "SELECT status FROM bookings WHERE id = ?", [first]) == [{"status": "active"}]


def test_a_closure_gives_back_exactly_what_it_took(cli, pigeklub):
    by_hand = rows(pigeklub, "SELECT id FROM bookings WHERE start = '2026-11-16T17:00'")[0]["id"]
    cli("cancel", str(by_hand), "--reason", "sygdom")
    active_before = starts(pigeklub)
    assert cli("add-closure", "motalavej", "--from", "2026-11-01", "--until", "2026-11-30", "--reason", "Vandskade",
               "--yes").exit_code == 0
    closure = rows(pigeklub, "SELECT id FROM closures")[0]["id"]
    assert starts(pigeklub) == [s for s in active_before if not "2026-11-01" <= s[:10] <= "2026-11-30"]
    shorter = cli("edit", "closure", str(closure), "--until", "2026-11-10")
    assert shorter.exit_code == 0, shorter.stderr
    assert starts(pigeklub) == [s for s in active_before if not "2026-11-01" <= s[:10] <= "2026-11-10"]
    assert cli("remove", "closure", str(closure), "--yes").exit_code == 0
    assert starts(pigeklub) == active_before  # every booking it cancelled is back ...
    assert rows(pigeklub, "SELECT status, note FROM bookings WHERE id = ?", [by_hand]) == [
        {"status": "cancelled", "note": "sygdom"}]  # ... and the one cancelled by hand stays cancelled
    assert rows(pigeklub, "SELECT count(*) AS n FROM closures")[0]["n"] == 0


def test_removing_a_closure_with_keep_cancelled(cli, pigeklub):
    cli("add-closure", "motalavej", "--from", "2026-11-01", "--until", "2026-11-30", "--reason", "Vandskade", "--yes")
    closure = rows(pigeklub, "SELECT id FROM closures")[0]["id"]
    assert cli("remove", "closure", str(closure), "--yes", "--keep-cancelled").exit_code == 0
    assert [s[:10] for s in starts(pigeklub, status="cancelled")] == ["2026-11-02", "2026-11-09", "2026-11-16",
                                                                      "2026-11-23", "2026-11-30"]


def test_cancel_an_occurrence_by_activity_and_date(cli, pigeklub):
    result = cli("cancel", "--activity", "Pigeklub", "--on", "2026-10-05", "--reason", "udflugt")
    assert result.exit_code == 0
    assert starts(pigeklub, status="cancelled") == ["2026-10-05T17:00"]
    assert cli("cancel", "--activity", "Pigeklub", "--on", "2026-10-06").exit_code == 2  # a Tuesday: no booking


def test_the_log_shows_each_change_with_old_and_new_values(cli, pigeklub):
    cli("edit", "actor", "Jobcenter", "--phone", "+45 11 11 11 11")
    cli("cancel", "--activity", "Pigeklub", "--on", "2026-10-05")
    log = cli("log", "--json").json()
    actions = [(e["action"], e["kind"]) for e in log]
    assert ("add", "activity") in actions and ("edit", "actor") in actions and ("cancel", "booking") in actions
    edit = next(e for e in log if e["action"] == "edit")
    assert edit["old"] == {"phone": "+45 58 57 00 00"} and edit["new"] == {"phone": "+45 11 11 11 11"}
    assert all(e["user"] and e["at"] for e in log)
    assert cli("log", "--since", "2000-01-01", "--json").json() == log


def test_the_log_table_says_what_happened_in_words(cli, pigeklub, monkeypatch):
    cli("edit", "actor", "Jobcenter", "--phone", "+45 11 11 11 11")
    cli("cancel", "--activity", "Pigeklub", "--on", "2026-10-05")
    monkeypatch.setenv("COLUMNS", "120")
    table = cli("log")
    assert table.exit_code == 0, table.stderr
    rows = [line.split() for line in table.stdout.splitlines()]
    assert any("changed" in r and "actor" in r for r in rows) and any("cancelled" in r and "booking" in r for r in rows)
    assert any("added" in r and "activity" in r for r in rows), table.stdout
    danish = cli("--lang", "da", "log")
    assert danish.exit_code == 0, danish.stderr
    rows = [line.split()[3:5] for line in danish.stdout.splitlines() if line.strip()[:2].isdigit()]  # Ændring, Hvad
    assert ["ændret", "aktør"] in rows and ["aflyst", "booking"] in rows and ["tilføjet", "aktivitet"] in rows, danish.stdout
    assert not any(word in ("changed", "actor", "added", "cancelled") for row in rows for word in row)
    assert [e["action"] for e in cli("log", "--json").json()][-2:] == ["edit", "cancel"]  # JSON keeps the codes


def test_import_update_of_an_edited_export_changes_exactly_the_edited_cells(cli, pigeklub, tmp_path):
    out, again = tmp_path / "ud", tmp_path / "igen"
    assert cli("export", "csv", "--all", "-o", out).exit_code == 0

    def actors(table):
        next(r for r in table if r["name"] == "Røde Kors Korsør")["contact"] = "Lise Holm"

    def bookings(table):
        row = next(r for r in table if r["start"] == "2026-10-05T17:00")
        row["status"], row["note"] = "cancelled", "udflugt"

    edit_csv(out / "actors.csv", actors)
    edit_csv(out / "bookings.csv", bookings)
    before = dump(pigeklub)
    dry = cli("import", "csv", "--all", out, "--update", "--dry-run")
    assert dry.exit_code == 0 and "Would update 2 existing records" in dry.stderr and dump(pigeklub) == before
    result = cli("import", "csv", "--all", out, "--update")
    assert result.exit_code == 0, result.stderr
    assert "contact: – → Lise Holm" in result.stderr and "status: active → cancelled" in result.stderr
    assert cli("export", "csv", "--all", "-o", again).exit_code == 0
    for name in ("centres", "rooms", "actors", "closures", "activities", "bookings"):
        assert (again / f"{name}.csv").read_bytes() == (out / f"{name}.csv").read_bytes(), name
    assert rows(pigeklub, "SELECT count(*) AS n FROM bookings")[0]["n"] == 15  # nothing added, nothing deleted


def test_import_update_of_an_activity_changes_it_from_today(cli, house, tmp_path):
    start = dt.date.today() - dt.timedelta(days=21)
    until = dt.date.today() + dt.timedelta(days=21)
    assert cli("add-activity", "Syklub", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-k", "kultur", "-g", "kvinder",
               "-d", "man,tir,ons,tor,fre,lør,søn", "--include-holidays", "--start", "10:00", "--end", "12:00",
               "--from", start.isoformat(), "--until", until.isoformat()).exit_code == 0
    folder = tmp_path / "ud"
    folder.mkdir()
    assert cli("export", "csv", "activities", "-o", folder / "activities.csv").exit_code == 0

    def later(table):
        table[0]["end"] = "13:00"

    edit_csv(folder / "activities.csv", later)
    result = cli("import", "csv", "activities", folder / "activities.csv", "--update")
    assert result.exit_code == 0 and "end_time: 12:00 → 13:00" in result.stderr
    ends = {r["start"][:10]: r["end"][11:] for r in rows(house, 'SELECT start, "end" FROM bookings')}
    assert all(ends[d] == "12:00" for d in ends if d < dt.date.today().isoformat())  # the past as it was
    assert all(ends[d] == "13:00" for d in ends if d >= dt.date.today().isoformat())
