"""What a coordinator reads: nothing lost at any width or in a pipe, free rooms found, a plan to
print. Asserts what is printed, on the bundled sample and on data of the tests' own."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import sys
from pathlib import Path

from conftest import rows

import pytest

from medborger_cli import coordination, output

pytestmark = pytest.mark.engines

WEEK = ("--week", "37", "--year", "2026")
TIME = re.compile(r"\d\d:\d\d–\d\d:\d\d")


@pytest.fixture
def sample(cli, db_path):
    result = cli("load-sample")
    assert result.exit_code == 0, result.stderr
    return db_path


def week_bookings(cli, *args: str) -> list[dict]:
    return cli("list", "bookings", *WEEK, *args, "--json").json()


def lines_fit(text: str, width: int) -> None:
    too_long = [line for line in text.splitlines() if output.cells(line) > width]
    assert not too_long, too_long


def at_width(monkeypatch, width: int | None) -> None:
    """COLUMNS as a terminal of that width would set it; None: a pipe with nothing set."""
    if width is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", str(width))


# ---------------------------------------------------------------------------------------------
# Nothing lost in the terminal


@pytest.mark.parametrize("width", [60, 80, 120, None], ids=["60", "80", "120", "piped"])
def test_the_week_shows_every_day_and_booking_at_every_width(cli, sample, monkeypatch, width):
    bookings = week_bookings(cli)
    at_width(monkeypatch, width)
    result = cli("schedule", *WEEK)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    lines_fit(out, width or 80)
    for b in bookings:
        assert b["title"] in out, (b["title"], width)
        assert f"{b['start'][11:]}–{b['end'][11:]}" in out
    for day in ("Mon 07.09", "Tue 08.09", "Wed 09.09", "Thu 10.09", "Fri 11.09", "Sat 12.09"):
        assert day in out
    assert "Fortællestund for børn" in out  # Saturday's, cut off before
    assert out.count("⚠") >= 2  # Friday's double booking at Hedemarken
    assert "share a room" in result.stderr


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_schedule_of_one_centre_fits_and_loses_nothing(cli, sample, monkeypatch, width):
    bookings = week_bookings(cli, "--centre", "foreningernes")
    monkeypatch.setenv("COLUMNS", str(width))
    out = cli("schedule", *WEEK, "--centre", "foreningernes").stdout
    lines_fit(out, width)
    for b in bookings:
        assert " ".join(b["title"].split()) in " ".join(out.split()), b["title"]  # at 40 a long title may wrap
        assert f"{b['start'][11:]}–{b['end'][11:]}" in out


def test_schedule_room_and_actor(cli, sample):
    by_room = cli("schedule", *WEEK, "--centre", "motalavej", "--room", "Basen", "--json").json()
    assert by_room and {b["room"] for b in by_room} == {"Basen"}
    by_actor = cli("schedule", *WEEK, "--actor", "Røde Kors Korsør", "--json").json()
    expected = week_bookings(cli, "--actor", "Røde Kors Korsør")
    assert sorted(b["id"] for b in by_actor) == sorted(b["id"] for b in expected) and expected
    out = cli("schedule", *WEEK, "--actor", "Røde Kors Korsør").stdout
    assert "Sprogcafé" in out and "Pigeklub" not in out
    assert "Salen" in out and "Basen" not in out  # only the rooms the actor is in


def test_sunday_shows_the_coming_week():
    assert coordination.week_to_show(dt.date(2026, 9, 13)) == (dt.date(2026, 9, 14), True)  # a Sunday
    assert coordination.week_to_show(dt.date(2026, 9, 12)) == (dt.date(2026, 9, 7), False)  # Saturday
    assert coordination.week_to_show(dt.date(2026, 9, 14)) == (dt.date(2026, 9, 14), False)  # Monday
    assert coordination.week_to_show(dt.date(2026, 12, 27)) == (dt.date(2026, 12, 28), True)  # into week 53


@pytest.mark.parametrize("width", [60, 80, 120, None], ids=["60", "80", "120", "piped"])
def test_list_bookings_never_breaks_ids_dates_or_times(cli, sample, monkeypatch, width):
    bookings = week_bookings(cli)
    at_width(monkeypatch, width)
    out = cli("list", "bookings", *WEEK).stdout
    lines_fit(out, width or 80)
    for b in bookings:
        assert re.search(rf"(^|\s){b['id']}(\s|$)", out, re.M), b["id"]
        assert output.span(b) in out  # `man 07.09.2026 10:00–12:00`, on one line
        assert " ".join(b["title"].split()) in " ".join(out.split())


@pytest.mark.parametrize("width", [60, 80, 120])
def test_list_activities_fits_and_says_what_it_leaves_out(cli, sample, monkeypatch, width):
    activities = cli("list", "activities", "--json").json()
    monkeypatch.setenv("COLUMNS", str(width))
    out = cli("list", "activities").stdout
    lines_fit(out, width)
    flat = " ".join(out.split())
    for a in activities:
        assert " ".join(a["title"].split()) in flat
    assert not re.search(r"^\s+\S\s*$", out, re.M)  # no column squeezed to a letter a line
    for header in ("Activ", "Target"):
        assert not re.search(rf"\b{header}\s*$", out, re.M) or header + "ity" in out or "groups" in out
    if width < 120:
        assert "Left out to fit" in out or "Where" in out


@pytest.mark.parametrize("width", [80, 120])
def test_overlap_keys_and_times_are_never_broken(cli, sample, monkeypatch, width):
    findings = cli("overlaps", "--from", "2026-08-10", "--until", "2027-06-30", "--json").json()
    monkeypatch.setenv("COLUMNS", str(width))
    out = cli("overlaps", "--from", "2026-08-10", "--until", "2027-06-30").stdout
    lines_fit(out, width)
    assert findings
    for f in findings:
        assert f["key"] in out
    for f in findings:
        if f["kind"] == "room":  # the date and the time, each on one line
            assert output.when(f["start"])[:-6] in out and f"{f['start'][11:]}–{f['end'][11:]}" in out
    # titles and room names are never broken inside a word, and every finding says why
    words = {w for line in out.splitlines() for w in line.split()}
    for f in findings:
        names = [s["title"] for s in f.get("series", [])] + [a["title"] for a in f.get("activities", [])]
        for text in names + [f["room"] if f["kind"] == "room" else f["why"]]:
            for word in text.split():
                assert word in words, (word, text)
    assert "Left out" not in out or "Why" not in out.split("Left out")[1]


@pytest.mark.parametrize("width", [60, 80, 120])
def test_collaboration_never_breaks_a_name(cli, sample, monkeypatch, width):
    report = cli("collaboration", "--from", "2026-08-10", "--json").json()
    monkeypatch.setenv("COLUMNS", str(width))
    out = cli("collaboration", "--from", "2026-08-10").stdout
    lines_fit(out, width)
    words = {w for line in out.splitlines() for w in line.split()}
    for centre in report:
        for actor in centre["actors"]:
            for word in actor["name"].split():
                assert word in words, (word, actor["name"])


def test_narrow_window_stacks_or_leaves_out_columns_by_name(cli, sample, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    out = cli("list", "actors").stdout
    lines_fit(out, 60)
    assert "Left out to fit 60 columns:" in out


def test_plain_options_are_converted_without_pydantic(cli, sample):
    assert cli("list", "bookings", "--week", " 37 ", "--year", "2026", "--json").json()
    result = cli("schedule", "--week", "abc")
    assert result.exit_code == 2 and "--week" in result.stderr and "'abc' is not a whole number" in result.stderr


# ---------------------------------------------------------------------------------------------
# Dates in words, for every --from and --until


def test_date_words_work_for_every_from_and_until(cli, house):
    today = dt.date.today()
    for args in (
        ("list", "bookings"), ("list", "activities"), ("overlaps",), ("collaboration",), ("export", "csv", "bookings"),
        ("free", "--weekday", "tirsdag", "--start", "17", "--end", "19"),
    ):
        for first, last in (("i dag", "i morgen"), ("today", "+7"), ("tomorrow", "+30")):
            result = cli(*args, "--from", first, "--until", last)
            assert result.exit_code == 0, (args, first, last, result.stderr)
    result = cli("add-closure", "motalavej", "--from", "+400", "--until", "+401", "--reason", "Test")
    assert result.exit_code == 0, result.stderr
    closure = cli("list", "closures", "--json").json()[0]
    assert closure["date_from"] == (today + dt.timedelta(days=400)).isoformat()
    result = cli("add-activity", "Ordsprog", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-k", "kultur", "-g", "alle",
                 "-d", "mandag,tirsdag,onsdag,torsdag,fredag", "--start", "6:00", "--end", "7:00", "--from", "i morgen",
                 "--until", "+20")
    assert result.exit_code == 0, result.stderr
    result = cli("list", "bookings", "--from", "someday")
    assert result.exit_code == 2 and "i dag" in result.stderr and "+7" in result.stderr
    for command in (("list", "bookings"), ("free",), ("add-activity",), ("add-closure",)):
        assert "i dag" in " ".join(cli(*command, "--help").stdout.split()), command


# ---------------------------------------------------------------------------------------------
# Free rooms


@pytest.fixture
def busy(cli, house):
    """Salen busy on Tuesdays 16-18 (touching 17-19? no: ends 18:00), Køkkenet free, a multi-day
    one-off over a Tuesday, one that ends when the slot starts, and an autumn closure."""
    steps = [
        ("add-activity", "Lektiecafé", "-c", "motalavej", "-r", "Salen", "-a", "Røde Kors", "-k", "læring", "-g", "børn",
         "-d", "tirsdag", "--start", "16:00", "--end", "18:00", "--from", "2026-09-01", "--until", "2026-09-29"),
        ("book", "-c", "motalavej", "-r", "Køkkenet", "-a", "5M", "--title", "Madhold før", "--start", "2026-09-08 15:00",
         "--end", "17:00"),  # ends as the slot starts: no collision
        ("book", "-c", "motalavej", "-r", "Køkkenet", "-a", "5M", "--title", "Weekendlejr", "--start", "2026-09-19 10:00",
         "--end", "2026-09-22 20:00"),  # Saturday to Tuesday evening: collides on 22.09
        ("book", "-c", "Foreningernes Hus", "-r", "Køkkenet", "-a", "Jobcenter", "--title", "Jobmesse",
         "--start", "2026-09-15 18:30", "--end", "19:30"),
        ("add-closure", "motalavej", "--from", "2026-09-28", "--until", "2026-10-02", "--reason", "Efterårsferie"),
        ("add-room", "Foreningernes Hus", "Salen", "--capacity", "80"),
    ]
    for step in steps:
        result = cli(*step)
        assert result.exit_code == 0, (step, result.stderr)
    return house


def scan(db_path: Path, dates: list[str], start: str, end: str) -> dict[int, set[tuple[str, int]]]:
    """An independent scan: for every room, the (date, booking id) of active bookings that
    overlap the time on a date."""
    found: dict[int, set[tuple[str, int]]] = {r["id"]: set() for r in rows(db_path, "SELECT id FROM rooms")}
    for b in rows(db_path, 'SELECT id, room_id, start, "end" FROM bookings WHERE status = \'active\''):
        for day in dates:
            if b["start"] < f"{day}T{end}" and b["end"] > f"{day}T{start}":
                found[b["room_id"]].add((day, b["id"]))
    return found


def test_free_agrees_with_a_scan_of_the_bookings(cli, busy, db_path):
    rooms = cli("free", "--weekday", "tirsdag", "--start", "17", "--end", "19", "--from", "2026-09-01", "--until", "2026-09-30",
                "--json").json()
    dates = ["2026-09-01", "2026-09-08", "2026-09-15", "2026-09-22", "2026-09-29"]
    expected = scan(db_path, dates, "17:00", "19:00")
    assert len(rooms) == len(expected)
    for room in rooms:
        assert {"centre", "room", "capacity", "collisions"} <= set(room)
        got = {(c["date"], c["id"]) for c in room["collisions"]}
        assert got == expected[room["room_id"]], room["room"]
        for c in room["collisions"]:
            assert {"date", "id", "title"} <= set(c)
    by_name = {(r["centre"], r["room"]): r for r in rooms}
    kitchen = by_name[("Kvarterhuset på Motalavej", "Køkkenet")]
    assert [c["title"] for c in kitchen["collisions"]] == ["Weekendlejr"]  # the one ending at 17:00 is no collision
    assert [c["date"] for c in kitchen["closed"]] == ["2026-09-29"]
    salen = by_name[("Kvarterhuset på Motalavej", "Salen")]  # Lektiecafé 16-18 overlaps 17-19; the 29th is closed
    assert [c["date"] for c in salen["collisions"]] == dates[:4] and salen["free_dates"] == 0
    assert by_name[("Foreningernes Hus", "Køkkenet")]["collisions"][0]["title"] == "Jobmesse"
    assert by_name[("Foreningernes Hus", "Salen")]["collisions"] == [] and by_name[("Foreningernes Hus", "Salen")]["free_dates"] == 5
    counts = [len({c["date"] for c in r["collisions"]}) for r in rooms]
    assert counts == sorted(counts)  # fewest collisions first


def test_free_table_lists_free_rooms_then_collisions_with_whom(cli, busy):
    result = cli("free", "--weekday", "tirsdag", "--start", "16:30", "--end", "17:30", "--from", "2026-09-01", "--until", "2026-09-30")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "5 dates" in out
    free_part, _, rest = out.partition("Free on most dates")
    assert "Free on every date" in free_part and "Foreningernes Hus" in free_part
    assert "Lektiecafé (Røde Kors Korsør)" in " ".join(rest.split())  # Salen, taken every Tuesday but the closed one
    assert "Madhold før 15:00–17:00 (5M – Mennesker på Motalavej): 08.09" in " ".join(rest.split())

    assert "Kvarterhuset på Motalavej is closed on some of the dates: 29.09 Efterårsferie" in " ".join(out.split())


def test_free_on_one_date_capacity_and_every(cli, busy):
    one = cli("free", "--on", "2026-09-22", "--start", "17", "--end", "19", "--json").json()
    kitchen = next(r for r in one if r["room"] == "Køkkenet" and r["centre"] == "Kvarterhuset på Motalavej")
    assert [c["title"] for c in kitchen["collisions"]] == ["Weekendlejr"] and kitchen["dates"] == 1
    out = cli("free", "--on", "22-9-2026", "--start", "17", "--end", "19").stdout
    assert "Taken (2 rooms)" in out and "Weekendlejr" in out and "Lektiecafé" in out
    big = cli("free", "--weekday", "tue", "--start", "17", "--end", "19", "--from", "2026-09-01", "--until", "2026-09-30",
              "--capacity", "50", "--json").json()
    assert {(r["room"], r["capacity"]) for r in big} == {("Salen", 60), ("Salen", 80)}
    fortnightly = cli("free", "--weekday", "tirsdag", "--start", "17", "--end", "19", "--from", "2026-09-01",
                      "--until", "2026-09-30", "--every", "2", "--json").json()
    assert fortnightly[0]["dates"] == 3  # 1, 15 and 29 September
    closed = cli("free", "--on", "2026-09-29", "--start", "17", "--end", "19", "--centre", "motalavej").stdout
    assert "Closed on every date" in closed


def test_free_holidays_and_errors(cli, busy):
    out = cli("free", "--weekday", "fredag", "--start", "10", "--end", "12", "--from", "2026-12-01", "--until", "2026-12-31").stdout
    assert "25.12 Juledag" in out
    cases = [
        (("free", "--start", "17", "--end", "19", "--no-pager"), "--weekday"),
        (("free", "-d", "tirsdag", "--start", "19", "--end", "17"), "--end"),
        (("free", "-d", "tirsdag", "--start", "17", "--end", "19", "--on", "2026-09-08"), "--on"),
        (("free", "-d", "noday", "--start", "17", "--end", "19"), "--weekday"),
        (("free", "-d", "tirsdag", "--start", "17", "--end", "19", "--from", "2026-10-01", "--until", "2026-09-01"), "--until"),
        (("free", "-d", "tirsdag", "--start", "17", "--end", "19", "--every", "0"), "--every"),
    ]
    for args, flag in cases:
        result = cli("--no-input", *args)
        assert result.exit_code == 2 and flag in result.stderr, (args, result.stderr)


def test_season_end_and_slot_dates():
    assert coordination.season_end(dt.date(2026, 9, 1)) == dt.date(2027, 7, 4)  # Sunday of week 26, 2027
    assert coordination.season_end(dt.date(2027, 3, 1)) == dt.date(2027, 7, 4)
    assert coordination.season_end(dt.date(2027, 7, 20)) == dt.date(2028, 7, 2)  # summer: the coming season
    days = coordination.slot_dates([1], dt.date(2026, 9, 3), dt.date(2026, 10, 1), every=2)  # from a Thursday
    assert days == [dt.date(2026, 9, 15), dt.date(2026, 9, 29)]  # weeks counted from the week of --from


# ---------------------------------------------------------------------------------------------
# The pager


def _spawn(db_path, *args: str, pager: str, lines: int = 20):
    import pexpect

    env = {**os.environ, "MEDBORGER_DB": str(db_path), "TERM": "xterm", "COLUMNS": "100", "LINES": str(lines), "PAGER": pager}
    for name in ("MEDBORGER_PAGER", "NO_COLOR", "FORCE_COLOR", "LESS"):
        env.pop(name, None)
    child = pexpect.spawn(sys.executable, ["-m", "medborger_cli", *args], env=env, encoding="utf-8", timeout=30,
                          dimensions=(lines, 100))
    child.expect(pexpect.EOF)
    child.close()
    return child.before


@pytest.mark.slow
def test_long_output_at_a_terminal_goes_through_the_pager(sample, tmp_path):
    marker = tmp_path / "paged"
    pager = f"{sys.executable} -c \"import sys; open({str(marker)!r}, 'w').write(sys.stdin.read())\""
    _spawn(sample, "list", "bookings", "--week", "37", "--year", "2026", pager=pager)
    assert marker.exists() and "Bookings" in marker.read_text() and "Fortællestund" in marker.read_text()
    marker.unlink()
    seen = _spawn(sample, "list", "bookings", "--week", "37", "--year", "2026", "--no-pager", pager=pager)
    assert not marker.exists() and "Fortællestund" in seen
    seen = _spawn(sample, "list", "centres", pager=pager, lines=60)  # fits the screen: printed straight
    assert not marker.exists() and "Foreningernes" in seen


def test_a_pipe_is_never_paged(cli, sample, monkeypatch):
    monkeypatch.setenv("PAGER", "false")  # would swallow everything
    out = cli("list", "bookings", "--week", "37", "--year", "2026").stdout
    assert "Fortællestund for børn" in out


# ---------------------------------------------------------------------------------------------
# A plan to print


def danish(monkeypatch) -> None:
    """The Danish interface from here on (the suite reads the English one)."""
    from medborger_cli import i18n

    monkeypatch.setenv("MEDBORGER_LANG", "da")
    i18n.use(None)


# What the English pages must not say: the Danish page's own words (user text, Danish names of
# rooms and activities, stays as it is typed; these words are whole words, not in those names).
DANISH_PAGE_WORDS = re.compile(
    r"\b(?:Uge|Udskrevet|Lokale|Aflyst|aflyst|Dobbeltbooking|Lukket|Helligdag|Bookinger|Tid|Aktivitet|Aktør|"
    r"Mandag|Tirsdag|Onsdag|Torsdag|Fredag|Lørdag|Søndag|fra|til)\b|\bNr\.|\bkl\. |For: (?:børn|unge|alle|ældre)\b")
ENGLISH_PAGE_WORDS = re.compile(
    r"\b(?:Week|Printed|Room|Cancelled|cancelled|Double booking|Closed|Public holiday|Bookings|Time|Activity|Actor|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b|\bNo\.|For: (?:children|youth|everyone|seniors)\b")


def _words(page: str) -> str:
    """What a reader of the page sees: its text without the tags and the style sheet."""
    import html

    return html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", page, flags=re.S)))


def test_the_week_heading_in_the_readers_language(monkeypatch):
    assert output.page_week(dt.date(2026, 11, 30)) == "Week 49 · 30 Nov – 6 Dec 2026"
    assert output.page_week(dt.date(2026, 9, 7)) == "Week 37 · 7–13 Sep 2026"
    assert output.page_week(dt.date(2026, 12, 28)) == "Week 53 · 28 Dec 2026 – 3 Jan 2027"
    assert output.page_day(dt.date(2026, 5, 1), with_year=True) == "1 May 2026"
    danish(monkeypatch)
    assert output.page_week(dt.date(2026, 11, 30)) == "Uge 49 · 30. nov – 6. dec 2026"
    assert output.page_week(dt.date(2026, 9, 7)) == "Uge 37 · 7.–13. sep 2026"
    assert output.page_week(dt.date(2026, 12, 28)) == "Uge 53 · 28. dec 2026 – 3. jan 2027"
    assert output.page_day(dt.date(2026, 5, 1), with_year=True) == "1. maj 2026"


def _cancelled_booking(cli) -> dict:
    """A one-off booking in week 37 at Motalavej, cancelled (the sample's own sessions were held)."""
    result = cli("book", "-c", "motalavej", "-r", "Salen", "-a", "5M", "--title", "Loppemarked", "--allow-conflicts",
                 "--start", "2026-09-12 10:00", "--end", "14:00")
    assert result.exit_code == 0, result.stderr
    booking = next(b for b in week_bookings(cli, "--centre", "motalavej") if b["title"] == "Loppemarked")
    assert cli("cancel", str(booking["id"]), "--yes").exit_code == 0
    return booking


def test_the_printed_week_is_in_english_in_the_english_interface(cli, sample):
    _cancelled_booking(cli)
    page = cli("schedule", *WEEK, "--html").stdout
    words = _words(page)
    assert '<html lang="en">' in page
    assert "Week 37 · 7–13 Sep 2026" in words and "Monday 7 Sep" in words and "Friday 11 Sep" in words
    assert ">Room</th>" in page and ">Cancelled</div>" in page and "⚠ Double booking</div>" in page
    assert "⚠ Double booking: two bookings of the same room at the same time." in words
    assert "For: children (6–12)" in words and "For: everyone" in words and "For: female, parents" in words
    assert re.search(r"Printed \d\d\.\d\d\.\d{4} at \d\d:\d\d · medborger", words)
    assert not DANISH_PAGE_WORDS.findall(words)


def test_the_printed_week_is_in_danish_in_the_danish_interface(cli, sample, monkeypatch):
    _cancelled_booking(cli)
    danish(monkeypatch)
    page = cli("schedule", *WEEK, "--html").stdout
    words = _words(page)
    assert '<html lang="da">' in page
    assert "Uge 37 · 7.–13. sep 2026" in words and "Mandag 7. sep" in words and "Fredag 11. sep" in words
    assert ">Lokale</th>" in page and ">Aflyst</div>" in page and "⚠ Dobbeltbooking</div>" in page
    assert "⚠ Dobbeltbooking: to bookinger af samme lokale på samme tid." in words
    assert "For: børn" in words and "For: alle" in words and "For: piger/kvinder, forældre" in words
    assert re.search(r"Udskrevet \d\d\.\d\d\.\d{4} kl\. \d\d:\d\d · medborger", words)
    assert not ENGLISH_PAGE_WORDS.findall(words)


def test_schedule_html_is_a_self_contained_page_per_centre(cli, sample, tmp_path):
    target = tmp_path / "uge37.html"
    result = cli("schedule", *WEEK, "--html", "-o", target)
    assert result.exit_code == 0, result.stderr
    assert "Wrote week 37" in result.stderr
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "@page" in page and "A4 landscape" in page
    assert not re.search(r"""(src|href)\s*=|@import|https?://""", page)  # nothing from the network
    assert page.count('<section class="page">') == 4 and "Week 37 · 7–13 Sep 2026" in page
    for b in week_bookings(cli):
        assert _html_text(b["title"]) in page and _html_text(b["actor"]) in page
    assert "For: children (6–12)" in page  # who an activity is for
    assert "Double booking" in page
    assert not list(tmp_path.glob(".*partial"))


def _html_text(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def test_schedule_html_marks_closures_and_holidays(cli, sample, tmp_path, monkeypatch):
    result = cli("schedule", "--week", "52", "--year", "2026", "--centre", "motalavej", "--html", "-o", tmp_path / "jul.html")
    assert result.exit_code == 0, result.stderr
    page = (tmp_path / "jul.html").read_text(encoding="utf-8")
    assert "Closed: Juleferie" in page and "Juledag" not in page  # closed that day, said once
    result = cli("schedule", "--week", "12", "--year", "2027", "--centre", "motalavej", "--html")  # Easter, to stdout
    assert "Public holiday: Skærtorsdag" in result.stdout and "Public holiday: Langfredag" in result.stdout
    danish(monkeypatch)
    page = cli("schedule", "--week", "52", "--year", "2026", "--centre", "motalavej", "--html").stdout
    assert "Lukket: Juleferie" in page and "Helligdag: Juledag" not in page
    page = cli("schedule", "--week", "12", "--year", "2027", "--centre", "motalavej", "--html").stdout
    assert "Helligdag: Skærtorsdag" in page and "Helligdag: Langfredag" in page


def test_html_per_room_and_escaping(cli, house, tmp_path):
    for step in (
        ("book", "-c", "motalavej", "-r", "Salen", "-a", "5M", "--title", "<script>alert(1)</script> & co", "--start",
         "2026-09-08 10:00", "--end", "11:00"),
    ):
        assert cli(*step).exit_code == 0
    out = cli("schedule", "--week", "37", "--year", "2026", "--centre", "motalavej", "--room", "Salen", "--html").stdout
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in out
    assert out.count('<section class="page">') == 1 and "Salen" in out


def test_html_files_are_written_safely(cli, sample, tmp_path, db_path):
    target = tmp_path / "plan.html"
    assert cli("schedule", *WEEK, "--html", "-o", target).exit_code == 0
    before = target.read_text(encoding="utf-8")
    result = cli("schedule", "--week", "38", "--year", "2026", "--html", "-o", target)
    assert result.exit_code == 2 and "--overwrite" in result.stderr and target.read_text(encoding="utf-8") == before
    assert cli("schedule", "--week", "38", "--year", "2026", "--html", "-o", target, "--overwrite").exit_code == 0
    assert "Week 38" in target.read_text(encoding="utf-8")
    if isinstance(db_path, Path):  # a database file is never written over
        database = cli("schedule", *WEEK, "--html", "-o", db_path, "--overwrite")
        assert database.exit_code == 2 and "database" in database.stderr
    link = tmp_path / "link.html"
    link.symlink_to(tmp_path / "elsewhere.html")
    result = cli("schedule", *WEEK, "--html", "-o", link, "--overwrite")
    assert result.exit_code == 2 and "link" in result.stderr and not (tmp_path / "elsewhere.html").exists()
    result = cli("schedule", *WEEK, "--html", "-o", tmp_path / "no" / "such" / "x.html")
    assert result.exit_code == 2 and "does not exist" in result.stderr
    assert cli("schedule", *WEEK, "-o", tmp_path / "x.html").exit_code == 2  # -o goes with --html
    assert cli("schedule", *WEEK, "--html", "--json").exit_code == 2
    assert not list(tmp_path.glob(".*partial"))
    assert oct(target.stat().st_mode & 0o777) == "0o600"


def test_list_bookings_html_agenda(cli, sample, tmp_path):
    target = tmp_path / "agenda.html"
    result = cli("list", "bookings", *WEEK, "--centre", "motalavej", "--html", "-o", target)
    assert result.exit_code == 0, result.stderr
    page = target.read_text(encoding="utf-8")
    assert "A4 portrait" in page and "Monday 7 Sep 2026" in page
    for b in week_bookings(cli, "--centre", "motalavej"):
        assert _html_text(b["title"]) in page and f">{b['id']}<" in page


def test_the_agenda_in_english_and_in_danish(cli, sample, monkeypatch):
    cancelled = _cancelled_booking(cli)
    page = cli("list", "bookings", *WEEK, "--centre", "motalavej", "--html").stdout
    words = _words(page)
    assert '<html lang="en">' in page and "<h1>Bookings</h1>" in page and "7 Sep 2026 – 13 Sep 2026" in words
    assert "Monday 7 Sep 2026" in words and "Friday 11 Sep 2026" in words
    assert ">Time</th>" in page and ">Activity</th>" in page and ">Room</th>" in page and ">Actor</th>" in page
    assert ">No.</th>" in page and "(cancelled)" in words
    assert not DANISH_PAGE_WORDS.findall(words)
    assert "from 7 Sep 2026" in _words(cli("list", "bookings", "--from", "2026-09-07", "--html").stdout)
    page = cli("--lang", "da", "list", "bookings", *WEEK, "--centre", "motalavej", "--html").stdout
    words = _words(page)
    assert '<html lang="da">' in page and "<h1>Bookinger</h1>" in page and "7. sep 2026 – 13. sep 2026" in words
    assert "Mandag 7. sep 2026" in words and "Fredag 11. sep 2026" in words
    assert ">Tid</th>" in page and ">Aktivitet</th>" in page and ">Lokale</th>" in page and ">Aktør</th>" in page
    assert ">Nr.</th>" in page and "(aflyst)" in words and f">{cancelled['id']}<" in page
    assert not ENGLISH_PAGE_WORDS.findall(words)


# ---------------------------------------------------------------------------------------------
# In a real browser


def _chromium() -> str | None:
    import shutil

    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.slow
@pytest.mark.browser
def test_the_week_prints_one_a4_page_per_centre_in_chromium(cli, sample, tmp_path):
    import shutil
    import subprocess

    browser = _chromium()
    if not browser or not shutil.which("pdftotext") or not shutil.which("pdfinfo"):
        pytest.skip("needs headless Chromium and poppler-utils (pdftotext, pdfinfo): "
                    "`apt-get install chromium poppler-utils`, which .ci/run does")
    page = tmp_path / "uge37.html"
    assert cli("schedule", *WEEK, "--html", "-o", page).exit_code == 0
    pdf = tmp_path / "uge37.pdf"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--print-to-pdf={pdf}", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    centres = cli("list", "centres", "--json").json()
    assert re.search(r"^Pages:\s+(\d+)", info, re.M).group(1) == str(len(centres))
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+)", info, re.M)
    assert float(size.group(1)) > float(size.group(2))  # landscape
    bookings = week_bookings(cli)
    pages = {}
    for n in range(1, len(centres) + 1):
        text = subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        pages[n] = " ".join(text.split())
    for n, text in pages.items():
        centre = next(c["name"] for c in centres if c["name"] in text)
        joined = "".join(text.split())  # a long word may break at the cell's edge: compare without spaces
        for b in bookings:
            if b["centre"] == centre:
                assert "".join(b["title"].split()) in joined, (centre, b["title"])
    assert all(any(c["name"] in text for text in pages.values()) for c in centres)


@pytest.mark.slow
@pytest.mark.browser
def test_a_week_too_full_for_one_sheet_names_its_centre_and_week_on_every_sheet(cli, sample, tmp_path):
    import shutil
    import subprocess

    browser = _chromium()
    if not browser or not shutil.which("pdftotext") or not shutil.which("pdfinfo"):
        pytest.skip("needs headless Chromium and poppler-utils, which .ci/run installs")
    for hour in range(7, 22):  # fifteen meetings on one Wednesday in one room
        assert cli("book", "-c", "motalavej", "-r", "Salen", "-a", "Røde Kors Korsør", "--allow-conflicts",
                   "--title", f"Ekstra møde nummer {hour} med en ganske lang titel", "--start",
                   f"2026-09-09 {hour:02d}:00", "--end", f"{hour:02d}:50").exit_code == 0
    page = tmp_path / "fuld.html"
    result = cli("schedule", *WEEK, "--centre", "motalavej", "--html", "-o", page)
    assert result.exit_code == 0 and "for 1 centre" in result.stderr
    pdf = tmp_path / "fuld.pdf"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--print-to-pdf={pdf}", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    sheets = int(re.search(r"^Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                                                                check=True).stdout, re.M).group(1))
    assert sheets >= 2
    text = "".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())
    for n in range(1, sheets + 1):
        sheet = " ".join(subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True,
                                        text=True, check=True).stdout.split())
        assert "Kvarterhuset på Motalavej" in sheet and "Week 37" in sheet, n
    for hour in range(7, 22):
        assert f"Ekstramødenummer{hour}medenganskelangtitel" in text
