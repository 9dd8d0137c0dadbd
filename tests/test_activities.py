"""add-activity, book, cancel, closures: occurrences, holidays, conflicts and bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import dump, rows

pytestmark = pytest.mark.engines

LEKTIECAFE = ("add-activity", "Lektiecafé", "--centre", "motalavej", "--room", "Salen", "--actor", "5M",
              "--partner", "Røde Kors Korsør", "--category", "læring", "--target", "børn", "--target", "unge",
              "--focus", "uddannelse")


def bookings(db, where="1=1"):
    return rows(db, f'SELECT title, start, "end", status, activity_id FROM bookings WHERE {where} ORDER BY start')


def test_weekly_activity_stores_one_booking_per_date_and_skips_easter(cli, house):
    result = cli(*LEKTIECAFE, "--weekday", "mandag,torsdag", "--start", "15.00", "--end", "17:00",
                 "--from", "22-03-2027", "--until", "04.04.2027")
    assert result.exit_code == 0, result.stderr
    starts = [b["start"] for b in bookings(house)]
    # Skærtorsdag 25/3 and 2. påskedag 29/3 are public holidays
    assert starts == ["2027-03-22T15:00", "2027-04-01T15:00"]
    assert "Skærtorsdag" in result.stderr and "Anden påskedag" in result.stderr
    activity = cli("list", "activities", "--json").json()[0]
    assert activity["title"] == "Lektiecafé"
    assert activity["centre"] == "Kvarterhuset på Motalavej" and activity["room"] == "Salen"
    assert activity["actor"] == "5M – Mennesker på Motalavej"
    assert activity["partners"] == ["Røde Kors Korsør"]
    assert activity["category"] == "learning"
    # the old target codes børn and unge are ages now: 6–12 and 13–17, together 6–17
    assert (activity["age"], activity["gender"], activity["target_groups"]) == ("6-17", "all", [])
    assert activity["focus"] == "education"


def test_include_holidays_books_them(cli, house):
    cli(*LEKTIECAFE, "--weekday", "thu", "--start", "15:00", "--end", "17:00", "--from", "2027-03-22",
        "--until", "2027-03-28", "--include-holidays")
    assert [b["start"] for b in bookings(house)] == ["2027-03-25T15:00"]


def test_monthly_and_single_dates(cli, house):
    result = cli("add-activity", "Fællesspisning", "-c", "motalavej", "-r", "Køkkenet", "-a", "5M", "-k", "fællesskab",
                 "-g", "alle", "--weekday", "torsdag", "--monthly", "sidste", "--start", "17:30", "--end", "20:00",
                 "--from", "2026-09-01", "--until", "2026-11-30")
    assert result.exit_code == 0, result.stderr
    assert [b["start"][:10] for b in bookings(house)] == ["2026-09-24", "2026-10-29", "2026-11-26"]
    result = cli("add-activity", "Afdelingsmøde", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-k", "beboerdemokrati",
                 "-g", "alle", "--on", "15.09.2026", "--start", "19:00", "--end", "21:00")
    assert result.exit_code == 0
    assert bookings(house, "title = 'Afdelingsmøde'")[0]["start"] == "2026-09-15T19:00"


def test_closures_skip_occurrences_and_a_later_closure_cancels_them(cli, house):
    cli("add-closure", "motalavej", "--from", "2026-10-12", "--until", "2026-10-16", "--reason", "Efterårsferie")
    cli(*LEKTIECAFE, "--weekday", "onsdag", "--start", "15:00", "--end", "17:00", "--from", "2026-10-01",
        "--until", "2026-12-31")
    starts = [b["start"][:10] for b in bookings(house)]
    assert "2026-10-14" not in starts and "2026-10-07" in starts
    result = cli("add-closure", "motalavej", "--from", "21-12-2026", "--until", "01-01-2027", "--reason", "Juleferie")
    assert result.exit_code == 0
    assert "2 bookings inside it cancelled" in result.stderr
    cancelled = bookings(house, "status = 'cancelled'")
    assert [b["start"][:10] for b in cancelled] == ["2026-12-23", "2026-12-30"]
    result = cli("list", "bookings", "--from", "2026-12-20", "--until", "2026-12-31", "--json")
    assert [(b["start"], b["status"]) for b in result.json()] == [
        ("2026-12-23T15:00", "cancelled"), ("2026-12-30T15:00", "cancelled")]


def _pigeklub(cli):
    result = cli("add-activity", "Pigeklub", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-k", "fællesskab",
                 "-g", "unge", "-d", "mandag", "--start", "17:00", "--end", "19:00", "--from", "2026-09-07",
                 "--until", "2026-09-28")
    assert result.exit_code == 0


JOBKLUB = ("add-activity", "Jobklub", "-c", "motalavej", "-r", "Salen", "-a", "Jobcenter Slagelse", "-k", "job",
           "-g", "ledige", "-d", "mandag", "--start", "18:00", "--end", "20:00", "--from", "2026-09-14",
           "--until", "2026-10-12")


def test_conflict_refuses_writes_nothing_and_shows_every_clash(cli, house):
    _pigeklub(cli)
    before = dump(house)
    result = cli(*JOBKLUB)
    assert result.exit_code == 1
    assert "3 of 5 dates collide" in result.stderr
    for day in ("14.09.2026", "21.09.2026", "28.09.2026"):
        assert day in result.stderr
    assert "Pigeklub" in result.stderr and "5M – Mennesker på Motalavej" in result.stderr
    assert dump(house) == before


def test_skip_conflicts_stores_the_free_dates(cli, house):
    _pigeklub(cli)
    result = cli(*JOBKLUB, "--skip-conflicts")
    assert result.exit_code == 0
    assert [b["start"][:10] for b in bookings(house, "title = 'Jobklub'")] == ["2026-10-05", "2026-10-12"]
    assert "3 dates skipped" in result.stderr


def test_allow_conflicts_stores_all_dates(cli, house):
    _pigeklub(cli)
    result = cli(*JOBKLUB, "--allow-conflicts")
    assert result.exit_code == 0
    assert len(bookings(house, "title = 'Jobklub'")) == 5
    assert "overlaps" in result.stderr


def test_touching_times_and_other_rooms_are_no_conflict(cli, house):
    _pigeklub(cli)
    result = cli("book", "-c", "motalavej", "-r", "Salen", "-a", "Røde Kors", "--title", "Bagefter",
                 "--start", "2026-09-07 19:00", "--end", "21:00")
    assert result.exit_code == 0, result.stderr
    result = cli("book", "-c", "motalavej", "-r", "Køkkenet", "-a", "Røde Kors", "--title", "Samtidig",
                 "--start", "7-9-2026 17:00", "--end", "7-9-2026 18:00")
    assert result.exit_code == 0


def test_cancelled_bookings_free_the_room(cli, house):
    _pigeklub(cli)
    first = rows(house, "SELECT id FROM bookings WHERE start = '2026-09-14T17:00'")[0]["id"]
    result = cli("cancel", first, "--reason", "Sygdom")
    assert result.exit_code == 0
    assert rows(house, "SELECT status, note FROM bookings WHERE id = ?", [first]) == [{"status": "cancelled", "note": "Sygdom"}]
    result = cli("book", "-c", "motalavej", "-r", "Salen", "-a", "Jobcenter", "--title", "Møde",
                 "--start", "2026-09-14 17:30", "--end", "2026-09-14 18:30")
    assert result.exit_code == 0
    again = cli("cancel", first)
    assert again.exit_code == 0 and "already cancelled" in again.stderr


def test_one_off_booking_conflict_and_closure(cli, house):
    _pigeklub(cli)
    before = dump(house)
    result = cli("book", "-c", "motalavej", "-r", "Salen", "-a", "Jobcenter", "--title", "Møde",
                 "--start", "2026-09-21 18:30", "--end", "2026-09-21 20:00")
    assert result.exit_code == 1 and "--allow-conflicts" in result.stderr
    assert dump(house) == before  # refused: nothing stored
    cli("add-closure", "motalavej", "--from", "2026-12-21", "--until", "2027-01-01", "--reason", "Juleferie")
    before = dump(house)
    result = cli("book", "-c", "motalavej", "-r", "Salen", "-a", "Jobcenter", "--title", "Møde",
                 "--start", "2026-12-22 10:00", "--end", "12:00")
    assert result.exit_code == 1 and "closed" in result.stderr
    assert dump(house) == before
    result = cli("book", "-c", "motalavej", "-r", "Salen", "-a", "Jobcenter", "--title", "Møde",
                 "--start", "2026-09-21 18:30", "--end", "2026-09-21 20:00", "--allow-conflicts")
    assert result.exit_code == 0


def test_list_bookings_starts_today_by_default(cli, house):
    today = dt.date.today()
    for day, title in ((today - dt.timedelta(days=1), "I går"), (today, "I dag"), (today + dt.timedelta(days=1), "I morgen")):
        result = cli("book", "-c", "motalavej", "-r", "Salen", "-a", "5M", "--title", title,
                     "--start", f"{day.isoformat()} 10:00", "--end", "11:00")
        assert result.exit_code == 0, result.stderr
    assert [b["title"] for b in cli("list", "bookings", "--json").json()] == ["I dag", "I morgen"]
    assert [b["title"] for b in cli("list", "bookings", "--from", "i morgen", "--json").json()] == ["I morgen"]
    assert [b["title"] for b in cli("list", "bookings", "--from", "+1", "--json").json()] == ["I morgen"]


def test_list_bookings_json_shape_and_windows(cli, house):
    _pigeklub(cli)
    result = cli("list", "bookings", "--from", "2026-09-01", "--json")
    data = result.json()
    assert len(data) == 4
    first = data[0]
    assert {"id", "centre", "room", "title", "actor", "activity_id", "start", "end", "status"} <= set(first)
    assert first["start"] == "2026-09-07T17:00" and first["end"] == "2026-09-07T19:00"
    assert first["status"] == "active" and first["centre"] == "Kvarterhuset på Motalavej"
    assert [b["start"][:10] for b in cli("list", "bookings", "--week", "38", "--year", "2026", "--json").json()] == ["2026-09-14"]
    assert len(cli("list", "bookings", "--until", "2026-09-20", "--json").json()) == 2
    assert len(cli("list", "bookings", "--from", "2026-09-01", "--actor", "5m", "--json").json()) == 4
    assert cli("list", "bookings", "--from", "2026-09-01", "--actor", "Jobcenter", "--json").json() == []


def test_the_week_schedule_shows_titles_actors_and_conflicts(cli, house):
    _pigeklub(cli)
    cli(*JOBKLUB, "--allow-conflicts")
    result = cli("schedule", "--centre", "motalavej", "--week", "38", "--year", "2026")
    assert result.exit_code == 0
    assert "week 38, 2026" in result.stdout
    assert "Pigeklub" in result.stdout and "Jobklub" in result.stdout and "Jobcenter Slagelse" in result.stdout
    assert "⚠" in result.stdout
    data = cli("schedule", "--centre", "motalavej", "--week", "38", "--year", "2026", "--json").json()
    assert {(b["title"], b["conflict"]) for b in data} == {("Pigeklub", True), ("Jobklub", True)}


BAD_ACTIVITY = [
    (("--centre", "Ingen steder"), "--centre: no centre 'Ingen steder'"),
    (("--room", "Kælderen"), "--room: no room 'Kælderen' in Kvarterhuset på Motalavej"),
    (("--actor", "Ukendt"), "--actor: no actor 'Ukendt'"),
    (("--start", "25:00"), "--start:"),
    (("--end", "24:30"), "--end:"),
    (("--end", "14:00"), "--end: 14:00 is not after --start 15:00"),
    (("--from", "31-02-2026"), "--from: '31-02-2026' is not a real date"),
    (("--until", "2026-08-01"), "--until: Sat 1 Aug 2026 is before --from Tue 1 Sep 2026"),
    (("--category", "sport"), "--category: unknown value 'sport'"),
    (("--target", "hunde"), "--target: unknown value 'hunde'"),
    (("--weekday", "fredagmorgen"), "--weekday: unknown value 'fredagmorgen'"),
    (("--focus", "alt"), "--focus: unknown value 'alt'"),
    (("--every", "0"), "--every:"),
    (("--monthly", "femte"), "--monthly: unknown value 'femte'"),
]


@pytest.mark.parametrize("change,message", BAD_ACTIVITY, ids=[c[0][0] + "=" + c[0][1] for c in BAD_ACTIVITY])
def test_bad_input_is_one_line_exit_2_and_leaves_the_database_unchanged(cli, house, change, message):
    args = {"--centre": "motalavej", "--room": "Salen", "--actor": "5M", "--category": "læring", "--target": "børn",
            "--weekday": "mandag", "--start": "15:00", "--end": "17:00", "--from": "2026-09-01", "--until": "2026-12-01"}
    args[change[0]] = change[1]
    argv = ["add-activity", "Lektiecafé"] + [x for kv in args.items() for x in kv]
    if change[0] in ("--every", "--monthly"):
        argv += list(change)
    before = dump(house)
    result = cli(*argv)
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert dump(house) == before


def test_missing_values_are_all_named_without_a_terminal(cli, house):
    result = cli("add-activity", "Lektiecafé", "--centre", "motalavej")
    assert result.exit_code == 2
    assert ("missing --room, --actor, --category (or --type), --target (or --age/--gender), --start, --end, --weekday, --from "
            "and --until (or --on DATE)") in result.stderr
    result = cli("book", "--centre", "motalavej", "--room", "Salen")
    assert result.exit_code == 2 and "missing --actor, --title, --start, --end" in result.stderr
