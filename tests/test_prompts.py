"""The interactive path, driven in a real pseudo-terminal with pexpect."""

from __future__ import annotations

import os
import sys

import pexpect
import pytest

from conftest import rows

pytestmark = pytest.mark.slow

DOWN = "\x1b[B"
ENTER = "\r"
SPACE = " "


def spawn(db_path, *args: str, env: dict[str, str] | None = None) -> pexpect.spawn:
    extra = env or {}
    env = {**os.environ, "MEDBORGER_DB": str(db_path), "TERM": "xterm", "COLUMNS": "160", "LINES": "50", "PROMPT_TOOLKIT_NO_CPR": "1"}
    env.pop("MEDBORGER_NO_INPUT", None)
    env.update(extra)
    child = pexpect.spawn(sys.executable, ["-m", "medborger_cli", *args], env=env, encoding="utf-8", timeout=20,
                          dimensions=(50, 160))
    return child


def finish(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus if child.exitstatus is not None else 128 + child.signalstatus


def test_add_actor_asks_for_name_and_sector(db_path, cli):
    cli("init")
    child = spawn(db_path, "add-actor")
    child.expect("Actor name")
    child.send("Bydelsmødre Korsør" + ENTER)
    child.expect("Sector")
    child.send(DOWN * 3 + ENTER)  # housing-social, housing-org, municipal, volunteer
    for optional in ("Contact person", "Phone", "E-mail"):
        child.expect(optional)
        child.send(ENTER)  # skipped
    assert finish(child) == 0
    assert rows(db_path, "SELECT name, sector, contact, email, phone FROM actors") == [
        {"name": "Bydelsmødre Korsør", "sector": "volunteer", "contact": None, "email": None, "phone": None}]


def test_validation_happens_inside_the_prompt(db_path, cli, house):
    child = spawn(db_path, "add-closure", "motalavej", "--reason", "Vinterferie")
    child.expect("First closed day")
    child.send("31-02-2027" + ENTER)
    child.expect("not a real date")
    child.send("\x7f" * 10 + "15-02-2027" + ENTER)
    child.expect("Last closed day")
    child.send("19-02-2027" + ENTER)
    assert finish(child) == 0
    assert rows(db_path, "SELECT date_from, date_until, reason FROM closures") == [
        {"date_from": "2027-02-15", "date_until": "2027-02-19", "reason": "Vinterferie"}]


def test_conflict_at_a_terminal_offers_skip(db_path, cli, house):
    cli("add-activity", "Pigeklub", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-k", "fællesskab", "-g", "unge",
        "-d", "mandag", "--start", "17:00", "--end", "19:00", "--from", "2026-09-07", "--until", "2026-09-14")
    child = spawn(db_path, "add-activity", "Jobklub", "-c", "motalavej", "-r", "Salen", "-a", "Jobcenter", "-k", "job",
                  "-g", "ledige", "-d", "mandag", "--start", "18:00", "--end", "20:00", "--from", "2026-09-07",
                  "--until", "2026-09-21")
    child.expect("1 of 3 dates is free.")
    child.expect("What should happen")
    child.send(DOWN + ENTER)  # skip the conflicting dates
    assert finish(child) == 0
    assert [r["start"] for r in rows(db_path, "SELECT start FROM bookings WHERE title = 'Jobklub'")] == ["2026-09-21T18:00"]


def test_add_activity_asks_for_everything_missing(db_path, cli, house):
    child = spawn(db_path, "add-activity")
    child.expect("Title")
    child.send("Sprogcafé" + ENTER)
    child.expect("Centre")
    child.send("Kvarterhuset på Motalavej" + ENTER)
    child.expect("Room")
    child.send("Salen" + ENTER)
    child.expect("actor")
    child.send("Røde Kors Korsør" + ENTER)
    child.expect("Partners")
    child.send(ENTER)  # none
    child.expect("Partners: none")
    child.expect("Category")
    child.send(DOWN + ENTER)  # learning
    child.expect("Type")
    child.send(DOWN + ENTER)  # sprogundervisning
    child.expect("Ages")
    child.send("18-" + ENTER)
    child.expect("Gender")
    child.send(DOWN + ENTER)  # female
    child.expect("Life situations")
    child.send(DOWN * 3 + SPACE + ENTER)  # newcomers
    child.expect("Focus area")
    child.send(ENTER)  # none
    child.expect("When")
    child.send(ENTER)  # every week
    child.expect("Weekday")
    child.send(DOWN * 2 + SPACE + ENTER)  # wednesday
    child.expect("Starts at")
    child.send("10.00" + ENTER)
    child.expect("Ends at")
    child.send("12:00" + ENTER)
    child.expect("First date")
    child.send("2026-09-01" + ENTER)
    child.expect("Last date")
    child.send("2026-09-30" + ENTER)
    assert finish(child) == 0
    activity = cli("list", "activities", "--json").json()[0]
    assert (activity["title"], activity["room"], activity["actor"], activity["category"], activity["type"]) == (
        "Sprogcafé", "Salen", "Røde Kors Korsør", "learning", "sprogundervisning")
    assert (activity["age"], activity["gender"], activity["target_groups"]) == ("18-", "female", ["newcomers"])
    starts = [r["start"] for r in rows(db_path, "SELECT start FROM bookings ORDER BY start")]
    assert starts == ["2026-09-02T10:00", "2026-09-09T10:00", "2026-09-16T10:00", "2026-09-23T10:00", "2026-09-30T10:00"]


def test_ctrl_c_exits_130_and_writes_nothing(db_path, cli, house):
    child = spawn(db_path, "add-centre", "Nyt hus")
    child.expect("Type of centre")
    child.sendintr()
    assert finish(child) == 130
    assert [r["name"] for r in rows(db_path, "SELECT name FROM centres WHERE name = 'Nyt hus'")] == []


def test_remove_asks_to_confirm(db_path, cli, house):
    child = spawn(db_path, "remove", "actor", "Jobcenter Slagelse")
    child.expect("Remove actor Jobcenter Slagelse")
    child.send("n\r")
    assert finish(child) == 1
    assert len(rows(db_path, "SELECT * FROM actors WHERE name = 'Jobcenter Slagelse'")) == 1
    child = spawn(db_path, "remove", "actor", "Jobcenter Slagelse")
    child.expect("Remove actor")
    child.send("yes\r")
    assert finish(child) == 0
    assert rows(db_path, "SELECT * FROM actors WHERE name = 'Jobcenter Slagelse'") == []


def test_overlaps_resolve_acknowledges_and_cancels(db_path, cli, house):
    cli("add-activity", "Pigeklub", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-k", "fællesskab", "-g", "unge",
        "-d", "mandag", "--start", "17:00", "--end", "19:00", "--from", "2026-12-07", "--until", "2026-12-14")
    cli("add-activity", "Jobklub", "-c", "motalavej", "-r", "Salen", "-a", "Jobcenter", "-k", "job", "-g", "ledige",
        "-d", "mandag", "--start", "18:00", "--end", "20:00", "--from", "2026-12-07", "--until", "2026-12-14",
        "--allow-conflicts")
    cli("book", "-c", "motalavej", "-r", "Salen", "-a", "Røde Kors", "--title", "Møde", "--start", "2026-12-14 17:00",
        "--end", "17:30", "--allow-conflicts")
    child = spawn(db_path, "overlaps", "--kind", "room", "--from", "2026-12-01")
    assert finish(child) == 0
    child = spawn(db_path, "overlaps", "--kind", "room", "--from", "2026-12-01", "--resolve")
    child.expect("Finding 1 of 2")  # Pigeklub and Jobklub: one finding for both Mondays
    child.expect("Stop here")
    child.send(DOWN * 2 + ENTER)  # cancel Jobklub on both dates
    child.expect("Cancelled 2 bookings")
    child.expect("Finding 2 of 2")  # Møde lands on Pigeklub
    child.send(ENTER)  # acknowledge
    child.expect("Note")
    child.send("aftalt med Røde Kors" + ENTER)
    child.expect("open now: 0 room conflicts")
    assert finish(child) == 0
    assert [r["note"] for r in rows(db_path, "SELECT note FROM acknowledgements")] == ["aftalt med Røde Kors"]
    cancelled = rows(db_path, "SELECT title, start FROM bookings WHERE status = 'cancelled' ORDER BY start")
    assert cancelled == [{"title": "Jobklub", "start": "2026-12-07T18:00"}, {"title": "Jobklub", "start": "2026-12-14T18:00"}]


def test_resolve_without_a_terminal_names_the_alternative(cli, house):
    result = cli("overlaps", "--resolve")
    assert result.exit_code == 2 and "acknowledge KEY" in result.stderr


def _two_hannes(cli, db_path, first: str, second: str):
    """Two actors whose contacts both match 'Hanne'; an erase of 'Hanne' at a terminal, at its question."""
    for actor, contact in ((first, "Hanne Zylberstein"), (second, "Hanne Zylbersteinsen")):
        assert cli("add-actor", actor, "--sector", "frivillig", "--contact", contact).exit_code == 0
    child = spawn(db_path, "privacy", "erase", "Hanne", "--yes")
    child.expect("Whose data")
    return child


def test_privacy_erase_asks_whose_data_when_several_match(db_path, cli, house):
    child = _two_hannes(cli, db_path, "Somalisk Kvindeforening", "Lektiehjælpen")
    child.send(DOWN + ENTER)  # the second: Lektiehjælpen's contact (id 5)
    assert finish(child) == 0
    assert rows(db_path, "SELECT id, contact FROM actors WHERE id IN (4, 5) ORDER BY id") == [
        {"id": 4, "contact": "Hanne Zylberstein"}, {"id": 5, "contact": None}]
    child = spawn(db_path, "privacy", "erase", "Hanne Zylberstein", "--yes")
    assert finish(child) == 0  # one person now: no question


def test_privacy_erase_can_choose_none(db_path, cli, house):
    child = _two_hannes(cli, db_path, "A1", "A2")
    child.send(DOWN + DOWN + ENTER)  # None of them
    assert finish(child) == 1
    assert [r["contact"] for r in rows(db_path, "SELECT contact FROM actors WHERE id > 3 ORDER BY id")] == [
        "Hanne Zylberstein", "Hanne Zylbersteinsen"]
