"""The review of "Change and undo": edits that keep dates keep them (title, actor, an earlier
--from), held sessions and moves are respected, old target codes and open activities edit as
they add, closures give back what they took, import --update changes exactly the edited cells,
acknowledgements are logged and the logged command can be read back."""

from __future__ import annotations

import pytest

from conftest import dump, edit_csv, rows

pytestmark = pytest.mark.engines

PIGEKLUB = ("add-activity", "Pigeklub", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-k", "fællesskab", "-g", "unge",
            "-d", "mandag", "--start", "17:00", "--end", "19:00", "--from", "2026-09-07", "--until", "2026-12-14")


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setenv("MEDBORGER_TODAY", "2026-10-01")


@pytest.fixture
def pigeklub(cli, house):
    assert cli(*PIGEKLUB).exit_code == 0
    return house


def series(db, activity="Pigeklub"):
    return rows(db, 'SELECT b.id, b.start, b."end", b.room_id, b.title, b.actor_id, b.status FROM bookings b '
                    "JOIN activities a ON a.id = b.activity_id WHERE a.name_key = lower(?) ORDER BY b.start", [activity])


def by_start(db, start):
    return rows(db, "SELECT id FROM bookings WHERE start = ?", [start])[0]["id"]


@pytest.fixture
def double_booked(cli, pigeklub):
    """Pigeklub and a Jobklub in Salen at the same time, allowed on purpose."""
    assert cli("add-activity", "Jobklub", "-c", "motalavej", "-r", "Salen", "-a", "Jobcenter", "-k", "job", "-g", "ledige",
               "-d", "mandag", "--start", "18:00", "--end", "20:00", "--from", "2026-09-07", "--until", "2026-12-14",
               "--allow-conflicts").exit_code == 0
    return pigeklub


@pytest.mark.parametrize("args", [("--title", "Pigeklubben"), ("--actor", "Røde Kors"), ("--target", "forældre"),
                                  ("--category", "kultur"), ("--gender", "piger"), ("--skip-conflicts", "--title", "Pigeklubben")])
def test_changing_what_an_activity_is_keeps_every_date_of_a_double_booked_series(cli, double_booked, args):
    before = series(double_booked)
    result = cli("edit", "activity", "Pigeklub", "--from", "2026-10-01", *args, "--yes")
    assert result.exit_code == 0, result.stderr
    after = series(double_booked, "Pigeklubben" if "Pigeklubben" in args else "Pigeklub")
    assert [(b["id"], b["start"], b["end"], b["room_id"]) for b in after] == [
        (b["id"], b["start"], b["end"], b["room_id"]) for b in before]  # no date removed, re-proposed or moved
    if "Pigeklubben" in args:
        assert [b["title"] for b in after] == ["Pigeklub" if b["start"] < "2026-10-01" else "Pigeklubben" for b in before]
    if "Røde Kors" in args:
        assert {b["actor_id"] for b in after if b["start"] >= "2026-10-01"} == {2}
        assert {b["actor_id"] for b in after if b["start"] < "2026-10-01"} == {1}


def test_a_second_edit_with_an_earlier_from_keeps_the_first_edits_history(cli, pigeklub):
    assert cli("edit", "activity", "Pigeklub", "--from", "2026-10-19", "--start", "16:30", "--end", "18:30",
               "--yes").exit_code == 0
    before = series(pigeklub)
    result = cli("edit", "activity", "Pigeklub", "--title", "Pigeklub 2", "--from", "2026-09-01", "--yes")
    assert result.exit_code == 0, result.stderr
    after = series(pigeklub, "Pigeklub 2")
    assert [(b["id"], b["start"], b["end"]) for b in after] == [(b["id"], b["start"], b["end"]) for b in before]
    assert {b["title"] for b in after} == {"Pigeklub 2"} and len(after) == 15


def test_a_new_pattern_from_before_the_rules_first_date_replaces_from_there(cli, pigeklub):
    assert cli("edit", "activity", "Pigeklub", "--from", "2026-10-19", "--start", "16:30", "--end", "18:30",
               "--yes").exit_code == 0
    assert cli("edit", "activity", "Pigeklub", "--from", "2026-10-01", "--start", "17:30", "--end", "19:30",
               "--yes").exit_code == 0
    future = [b["start"] for b in series(pigeklub) if b["start"] >= "2026-10-01"]
    assert future and all(s.endswith("T17:30") for s in future) and len(series(pigeklub)) == 15


def test_an_edit_never_moves_or_removes_a_held_session(cli, pigeklub):
    held = by_start(pigeklub, "2026-09-14T17:00")
    assert cli("attend", str(held), "-n", "12").exit_code == 0
    before = dump(pigeklub)
    for args in (("--weekday", "tirsdag"), ("--start", "16:00", "--end", "18:00"), ("--room", "Køkkenet"),
                 ("--until", "2026-09-10")):
        result = cli("edit", "activity", "Pigeklub", "--from", "2026-09-01", *args, "--yes")
        assert result.exit_code == 1, (args, result.stderr)
        assert f"booking {held}" in result.stderr and "--from 15.09.2026" in result.stderr
        assert result.stderr.count("\n") == 1 and dump(pigeklub) == before
    renamed = cli("edit", "activity", "Pigeklub", "--from", "2026-09-01", "--title", "Pigeklubben", "--yes")
    assert renamed.exit_code == 0, renamed.stderr  # a new title moves nothing
    assert rows(pigeklub, "SELECT count FROM attendance WHERE booking_id = ?", [held]) == [{"count": 12}]


def test_a_title_edit_keeps_bookings_moved_by_hand_and_a_new_pattern_lists_them(cli, pigeklub):
    one, two = by_start(pigeklub, "2026-11-02T17:00"), by_start(pigeklub, "2026-11-09T17:00")
    assert cli("move", str(one), "--start", "2026-11-03 12:00").exit_code == 0
    assert cli("move", str(two), "--room", "Køkkenet", "--start", "2026-11-09 18:00").exit_code == 0
    moved = rows(pigeklub, 'SELECT id, start, "end", room_id FROM bookings WHERE id IN (?, ?) ORDER BY id', [one, two])
    result = cli("edit", "activity", "Pigeklub", "--title", "Pigeklubben", "--from", "2026-10-01", "--yes")
    assert result.exit_code == 0, result.stderr
    assert rows(pigeklub, 'SELECT id, start, "end", room_id FROM bookings WHERE id IN (?, ?) ORDER BY id', [one, two]) == moved
    assert len(series(pigeklub, "Pigeklubben")) == 15
    before = dump(pigeklub)
    dry = cli("edit", "activity", "Pigeklubben", "--start", "16:00", "--end", "18:00", "--from", "2026-10-01", "--dry-run")
    assert dry.exit_code == 0 and "2 bookings moved by hand go back to the new rule" in dry.stderr
    assert f"{one} (" in dry.stderr and f"{two} (" in dry.stderr and dump(pigeklub) == before
    script = cli("edit", "activity", "Pigeklubben", "--start", "16:00", "--end", "18:00", "--from", "2026-10-01")
    assert script.exit_code == 2 and "resets 2 bookings moved by hand" in script.stderr, script.stderr and dump(pigeklub) == before
    assert script.stderr.count("\n") == 1


def test_old_target_codes_map_on_edit_as_on_add(cli, house):
    assert cli("add-activity", "Forældrecafé", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-k", "rådgivning", "-g",
               "forældre", "-d", "mandag", "--start", "16:30", "--end", "18:00", "--from", "2026-09-07", "--until",
               "2026-12-14").exit_code == 0
    women = cli("edit", "activity", "Forældrecafé", "--target", "women", "--yes")
    assert women.exit_code == 0, women.stderr
    youth = cli("edit", "activity", "Forældrecafé", "--target", "youth", "--yes")
    assert youth.exit_code == 0, youth.stderr
    assert rows(house, "SELECT age_min, age_max, gender FROM activities") == [{"age_min": 13, "age_max": 17, "gender": "female"}]
    assert rows(house, "SELECT target FROM activity_targets") == [{"target": "parents"}]


def test_an_open_activity_can_be_edited(cli, house):
    assert cli("add-activity", "Café", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-k", "fællesskab", "-g", "everyone",
               "-d", "mandag", "--start", "10:00", "--end", "12:00", "--from", "2026-09-07", "--until", "2027-02-22").exit_code == 0
    result = cli("edit", "activity", "Café", "--from", "2027-01-04", "--title", "Ny titel", "--yes")
    assert result.exit_code == 0, result.stderr
    assert cli("list", "activities", "--json").json()[0]["target_groups"] == ["everyone"]
    before = dump(house)
    alone = cli("edit", "activity", "Ny titel", "--no-target", "everyone", "--yes")
    assert alone.exit_code == 2 and "--no-target" in alone.stderr and "say who" in alone.stderr and dump(house) == before
    other = cli("edit", "activity", "Ny titel", "--no-target", "everyone", "--target", "forældre", "--yes")
    assert other.exit_code == 0, other.stderr
    assert cli("list", "activities", "--json").json()[0]["target_groups"] == ["parents"]


def test_acknowledge_and_its_undo_are_in_the_log(cli, double_booked):
    keys = [f["key"] for f in cli("overlaps", "--from", "2026-09-01", "--kind", "room", "--json").json()]
    assert keys and cli("acknowledge", keys[0], "--note", "aftalt").exit_code == 0
    assert cli("acknowledge", keys[0], "--undo").exit_code == 0
    log = [e for e in cli("log", "--json").json() if e["kind"] == "finding"]
    assert [(e["action"], e["new"], e["old"]) for e in log] == [
        ("acknowledge", {"key": keys[0], "note": "aftalt"}, None),
        ("unacknowledge", None, {"key": keys[0], "note": "aftalt"})]


def test_the_logged_command_is_shell_quoted(cli, house, db_path):
    import shlex
    import subprocess
    import sys

    args = ["edit", "actor", "Jobcenter", "--phone", "", "--contact", "Anne Hansen"]
    done = subprocess.run([sys.executable, "-m", "medborger_cli", *args], capture_output=True, text=True,
                          env={**__import__("os").environ, "MEDBORGER_DB": str(db_path)})
    assert done.returncode == 0, done.stderr
    command = cli("log", "--json").json()[-1]["command"]
    assert shlex.split(command) == ["medborger", *args]


def _export(cli, folder, table):
    folder.mkdir(exist_ok=True)
    assert cli("export", "csv", table, "-o", folder / f"{table}.csv").exit_code == 0
    return folder / f"{table}.csv"


@pytest.mark.parametrize("column,value", [("age", "13-19"), ("gender", "male"), ("type", "klub"), ("internal", "yes"),
                                          ("target_groups", "parents;women"), ("start", "16:30")])
def test_import_update_changes_exactly_the_edited_activity_cell(cli, pigeklub, tmp_path, column, value):
    path = _export(cli, tmp_path / "ud", "activities")
    edit_csv(path, lambda table: table[0].update({column: value}))
    result = cli("import", "csv", "activities", path, "--update")
    assert result.exit_code == 0, result.stderr
    assert "Updated 0" not in result.stderr
    again = _export(cli, tmp_path / "igen", "activities")
    expected = path.read_text(encoding="utf-8")
    if column == "target_groups":  # an old code is read as what it means: women is the gender
        expected = expected.replace("parents;women", "parents").replace(",unge,,", ",13-17,female,").replace(
            "13-17,,parents", "13-17,female,parents")
    assert again.read_text(encoding="utf-8") == expected
    if column == "start":
        assert {b["start"][11:] for b in series(pigeklub) if b["start"] >= "2026-10-01"} == {"16:30"}
        assert {b["start"][11:] for b in series(pigeklub) if b["start"] < "2026-10-01"} == {"17:00"}


def test_import_update_of_an_open_activity(cli, house, tmp_path):
    assert cli("add-activity", "Café", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-k", "fællesskab", "-g", "everyone",
               "-d", "mandag", "--start", "10:00", "--end", "12:00", "--from", "2026-09-07", "--until", "2027-02-22").exit_code == 0
    path = _export(cli, tmp_path / "ud", "activities")
    edit_csv(path, lambda table: table[0].update({"end": "12:30"}))
    result = cli("import", "csv", "activities", path, "--update")
    assert result.exit_code == 0, result.stderr
    assert _export(cli, tmp_path / "igen", "activities").read_bytes() == path.read_bytes()


@pytest.mark.parametrize("change", [("remove", "closure", "{id}", "--yes"), ("edit", "closure", "{id}", "--from", "2026-11-03", "--yes")])
def test_a_closure_gives_back_bookings_that_were_double_booked_with_each_other(cli, double_booked, change):
    active = rows(double_booked, "SELECT id FROM bookings WHERE status = 'active' ORDER BY id")
    assert cli("add-closure", "motalavej", "--from", "2026-11-02", "--until", "2026-11-08", "--reason", "Test",
               "--yes").exit_code == 0
    closure = rows(double_booked, "SELECT id FROM closures")[0]["id"]
    result = cli(*[a.format(id=closure) for a in change])
    assert result.exit_code == 0, result.stderr
    assert rows(double_booked, "SELECT id FROM bookings WHERE status = 'active' ORDER BY id") == active


def test_a_conflict_with_a_booking_being_restored_names_it(cli, pigeklub):
    one = by_start(pigeklub, "2026-11-02T17:00")
    assert cli("cancel", str(one)).exit_code == 0
    assert cli("book", "-c", "motalavej", "-r", "Salen", "-a", "Jobcenter", "--title", "Møde", "--start", "2026-11-02 18:00",
               "--end", "20:00").exit_code == 0
    other = rows(pigeklub, "SELECT id FROM bookings WHERE title = 'Møde'")[0]["id"]
    assert cli("cancel", str(other)).exit_code == 0
    result = cli("restore", str(one), str(other))
    assert result.exit_code == 1 and "None" not in result.stderr and str(one) in result.stderr.split("Room conflicts")[1]


def test_import_update_of_a_bookings_export_with_a_new_start_moves_that_booking(cli, pigeklub, tmp_path):
    out = tmp_path / "ud"
    assert cli("export", "csv", "--all", "-o", out).exit_code == 0
    moved = by_start(pigeklub, "2026-10-05T17:00")

    def later(table):
        row = next(r for r in table if r["start"] == "2026-10-05T17:00")
        row["start"] = "2026-10-05T18:00"  # the end stays 19:00

    edit_csv(out / "bookings.csv", later)
    dry = cli("import", "csv", "--all", out, "--update", "--dry-run")
    assert dry.exit_code == 0 and "Would update 1 existing record" in dry.stderr and "would add nothing" in dry.stderr
    result = cli("import", "csv", "--all", out, "--update")
    assert result.exit_code == 0, result.stderr
    assert rows(pigeklub, 'SELECT start, "end" FROM bookings WHERE id = ?', [moved]) == [
        {"start": "2026-10-05T18:00", "end": "2026-10-05T19:00"}]
    assert len(series(pigeklub)) == 15


def test_import_update_reads_an_id_column(cli, pigeklub, tmp_path):
    booking = by_start(pigeklub, "2026-10-12T17:00")
    path = tmp_path / "bookings.csv"
    path.write_text("id,centre,room,title,actor,start,end\r\n"
                    f"{booking},Kvarterhuset på Motalavej,Køkkenet,Pigeklub,5M – Mennesker på Motalavej,2026-10-13T17:00,19:00\r\n",
                    encoding="utf-8")
    result = cli("import", "csv", "bookings", path, "--update")
    assert result.exit_code == 0, result.stderr
    assert rows(pigeklub, "SELECT room_id, start FROM bookings WHERE id = ?", [booking]) == [
        {"room_id": 2, "start": "2026-10-13T17:00"}]
    assert len(series(pigeklub)) == 15
    path.write_text("id,centre,room,title,actor,start,end\r\n"
                    "999,Kvarterhuset på Motalavej,Køkkenet,Pigeklub,5M – Mennesker på Motalavej,2026-10-13T17:00,19:00\r\n", encoding="utf-8")
    before = dump(pigeklub)
    bad = cli("import", "csv", "bookings", path, "--update")
    assert bad.exit_code == 2 and "column id" in bad.stderr and dump(pigeklub) == before


def test_import_update_of_a_closure_changes_it_as_edit_closure_does(cli, pigeklub, tmp_path):
    assert cli("add-closure", "motalavej", "--from", "2026-11-01", "--until", "2026-11-30", "--reason", "Vandskade",
               "--yes").exit_code == 0
    path = _export(cli, tmp_path / "ud", "closures")
    edit_csv(path, lambda table: table[0].update({"until": "2026-11-10"}))
    result = cli("import", "csv", "closures", path, "--update")
    assert result.exit_code == 0, result.stderr
    assert rows(pigeklub, "SELECT date_from, date_until FROM closures") == [{"date_from": "2026-11-01", "date_until": "2026-11-10"}]
    cancelled = [b["start"][:10] for b in series(pigeklub) if b["status"] == "cancelled"]
    assert cancelled == ["2026-11-02", "2026-11-09"]  # the rest of November is back
    assert _export(cli, tmp_path / "igen", "closures").read_bytes() == path.read_bytes()


@pytest.mark.parametrize("change,back", [
    (("edit", "closure", "{id}", "--until", "2026-10-14", "--yes"), ["2026-10-19"]),
    (("remove", "closure", "{id}", "--yes"), ["2026-10-12", "2026-10-19"]),
])
def test_a_closure_entered_before_a_series_gives_back_the_dates_it_kept_out(cli, house, change, back):
    assert cli("add-closure", "motalavej", "--from", "2026-10-10", "--until", "2026-10-20", "--reason", "Efterårsferie",
               "--yes").exit_code == 0
    assert cli(*PIGEKLUB).exit_code == 0
    before = [b["start"][:10] for b in series(house)]
    assert "2026-10-12" not in before and "2026-10-19" not in before
    closure = rows(house, "SELECT id FROM closures")[0]["id"]
    result = cli(*[a.format(id=closure) for a in change])
    assert result.exit_code == 0, result.stderr
    assert "series date" in result.stderr
    assert [b["start"][:10] for b in series(house)] == sorted(before + back)
    assert all(b["status"] == "active" and b["start"].endswith("T17:00") for b in series(house))


def test_dates_a_closure_kept_out_are_conflict_checked_when_they_come_back(cli, house):
    assert cli("add-closure", "motalavej", "--from", "2026-10-12", "--until", "2026-10-12", "--reason", "Lukket",
               "--yes").exit_code == 0
    assert cli(*PIGEKLUB).exit_code == 0
    assert cli("add-activity", "Jobklub", "-c", "motalavej", "-r", "Salen", "-a", "Jobcenter", "-k", "job", "-g", "ledige",
               "-d", "mandag", "--start", "18:00", "--end", "20:00", "--from", "2026-09-07", "--until", "2026-12-14",
               "--allow-conflicts").exit_code == 0
    closure = rows(house, "SELECT id FROM closures")[0]["id"]
    before = dump(house)
    refused = cli("remove", "closure", str(closure), "--yes")
    assert refused.exit_code == 1 and "Room conflicts" in refused.stderr and "None" not in refused.stderr
    assert dump(house) == before
    skipped = cli("remove", "closure", str(closure), "--yes", "--skip-conflicts")
    assert skipped.exit_code == 0, skipped.stderr
    assert rows(house, "SELECT title FROM bookings WHERE start LIKE '2026-10-12%'") == [{"title": "Pigeklub"}]


def test_import_update_adds_a_second_session_that_keeps_neither_start_nor_end(cli, pigeklub, tmp_path):
    path = tmp_path / "bookings.csv"
    path.write_text("centre,room,title,actor,start,end\r\n"
                    "Kvarterhuset på Motalavej,Køkkenet,Pigeklub,5M – Mennesker på Motalavej,2026-10-05T10:00,12:00\r\n",
                    encoding="utf-8")
    result = cli("import", "csv", "bookings", path, "--update")
    assert result.exit_code == 0, result.stderr
    assert rows(pigeklub, "SELECT start FROM bookings WHERE start LIKE '2026-10-05%' ORDER BY start") == [
        {"start": "2026-10-05T10:00"}, {"start": "2026-10-05T17:00"}]
