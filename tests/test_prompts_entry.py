"""Data entry at a terminal: the optional fields, the echoes, Enter on an empty required value,
the room-conflict question and `--no-input` after the command. Driven in a real pseudo-terminal."""

from __future__ import annotations

import pexpect
import pytest

from conftest import dump, rows
from test_prompts import DOWN, ENTER, SPACE, finish, spawn

BACKSPACE = "\x7f"


@pytest.mark.slow
def test_add_actor_fills_contact_phone_and_email(db_path, cli):
    cli("init")
    child = spawn(db_path, "add-actor", "Bydelsmødre Korsør", "--sector", "frivillig")  # all required given: no questions
    assert finish(child) == 0
    child = spawn(db_path, "add-actor")
    child.expect("Actor name")
    child.send("Jobcenter Slagelse" + ENTER)
    child.expect("Sector")
    child.send(DOWN * 2 + ENTER)  # municipal
    child.expect(r"Contact person \(Enter to skip\)")
    child.send("Mette Jensen" + ENTER)
    child.expect("Phone")
    child.send("ring mig" + ENTER)
    child.expect("not a phone number")  # the rule of --phone, inside the prompt
    child.send(BACKSPACE * 8 + "+45 58 57 00 00" + ENTER)
    child.expect("E-mail")
    child.send("mette.slagelse.dk" + ENTER)
    child.expect("not an e-mail address")
    child.send(BACKSPACE * 17 + "mette@slagelse.dk" + ENTER)
    assert finish(child) == 0
    assert rows(db_path, "SELECT name, sector, contact, phone, email FROM actors ORDER BY id") == [
        {"name": "Bydelsmødre Korsør", "sector": "volunteer", "contact": None, "phone": None, "email": None},
        {"name": "Jobcenter Slagelse", "sector": "municipal", "contact": "Mette Jensen", "phone": "+45 58 57 00 00",
         "email": "mette@slagelse.dk"},
    ]


@pytest.mark.slow
def test_add_activity_every_second_week_echoes_what_was_picked(db_path, cli, house):
    child = spawn(db_path, "add-activity", "Lektiecafé", "-k", "læring", "--start", "16:00", "--end", "18:00")
    child.expect("Centre")
    child.send("motalavej" + ENTER)
    child.expect("Centre: Kvarterhuset på Motalavej")
    child.expect("Room")
    child.send("salen" + ENTER)  # only the case differs: no echo needed
    child.expect("actor")
    child.send("røde" + ENTER)
    child.expect("Run by: Røde Kors Korsør")
    child.expect("Partners")
    child.send(DOWN + SPACE + ENTER)  # the others, by name: 5M – Mennesker på Motalavej, Jobcenter Slagelse
    child.expect("Ages")
    child.send("13-17" + ENTER)
    child.expect("Gender")
    child.send(DOWN + ENTER)  # female
    child.expect("Life situations")
    child.send(SPACE + DOWN + SPACE + ENTER)  # parents, families
    child.expect("Life situations: parents, families")
    child.expect("Focus area")
    child.send(DOWN + ENTER)  # education
    child.expect("When")
    child.send(DOWN + ENTER)  # every 2nd week
    child.expect("Weekday")
    child.send(DOWN * 2 + SPACE + ENTER)  # wednesday
    child.expect("First date")
    child.send("2026-09-01" + ENTER)
    child.expect("Last date")
    child.send("2026-10-01" + ENTER)
    assert finish(child) == 0
    activity = cli("list", "activities", "--json").json()[0]
    assert {k: activity[k] for k in ("title", "room", "actor", "partners", "target_groups", "age", "gender", "focus",
                                     "interval")} == {
        "title": "Lektiecafé", "room": "Salen", "actor": "Røde Kors Korsør", "partners": ["Jobcenter Slagelse"],
        "target_groups": ["families", "parents"], "age": "13-17", "gender": "female", "focus": "education", "interval": 2}
    # Every 2nd week counted from the ISO week of the first date (week 36): weeks 36, 38, 40.
    starts = [r["start"] for r in rows(db_path, "SELECT start FROM bookings ORDER BY start")]
    assert starts == ["2026-09-02T16:00", "2026-09-16T16:00", "2026-09-30T16:00"]


@pytest.mark.slow
def test_enter_on_an_empty_required_value_is_refused(db_path, cli, house):
    child = spawn(db_path, "add-room")
    child.expect("Centre")
    child.send(ENTER)
    child.expect("Please type a value")
    child.send("Foreningernes" + ENTER)
    child.expect("Centre: Foreningernes Hus")
    child.expect("Room name")
    child.send("   " + ENTER)
    child.expect("Please type a value")
    child.send("Mødelokalet" + ENTER)
    child.expect(r"Seats how many people \(Enter to skip\)")
    child.send("mange" + ENTER)
    child.expect("not a number of people")
    child.send(BACKSPACE * 5 + "12" + ENTER)
    assert finish(child) == 0
    assert rows(db_path, "SELECT c.name AS centre, r.name, r.capacity FROM rooms r JOIN centres c ON c.id = r.centre_id "
                         "WHERE r.name = 'Mødelokalet'") == [{"centre": "Foreningernes Hus", "name": "Mødelokalet", "capacity": 12}]


@pytest.mark.slow
def test_conflict_with_no_free_date_offers_no_skip(db_path, cli, house):
    cli("add-activity", "Pigeklub", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-k", "fællesskab", "-g", "unge",
        "-d", "mandag", "--start", "17:00", "--end", "19:00", "--from", "2026-09-07", "--until", "2026-09-14")
    before = dump(db_path)
    child = spawn(db_path, "add-activity", "Jobklub", "-c", "motalavej", "-r", "Salen", "-a", "Jobcenter", "-k", "job",
                  "-g", "ledige", "-d", "mandag", "--start", "18:00", "--end", "20:00", "--from", "2026-09-07",
                  "--until", "2026-09-14")
    child.expect("None of the 2 dates is free.")
    child.expect("What should happen")
    child.expect("Book all 2 dates anyway")
    assert "Skip" not in child.before and "skip" not in child.before
    child.send(ENTER)  # book nothing
    assert finish(child) == 1
    assert dump(db_path) == before


@pytest.mark.slow
def test_no_input_after_the_command_fails_naming_the_missing(db_path, cli, house):
    child = spawn(db_path, "add-room", "--no-input")  # at a terminal, where it would otherwise ask
    child.expect(pexpect.EOF)
    assert "missing CENTRE, NAME" in child.before and "--no-input" in child.before
    assert finish(child) == 2
    child = spawn(db_path, "add-activity", "Lektiecafé", "--no-input", "-c", "motalavej")
    child.expect(pexpect.EOF)
    assert "missing --room, --actor, --category" in child.before
    assert finish(child) == 2
    child = spawn(db_path, "add-room", "motalavej", env={"MEDBORGER_NO_INPUT": "1"})
    child.expect(pexpect.EOF)
    assert "missing NAME" in child.before
    assert finish(child) == 2


def test_no_input_is_taken_after_every_command(cli, house):
    from medborger_cli.cli import app
    from typer.main import get_command

    assert cli("add-room", "motalavej", "Mødelokalet", "--no-input").exit_code == 0
    assert cli("list", "rooms", "--json", "--no-input").exit_code == 0

    def leaves(command, path=()):
        for name, sub in getattr(command, "commands", {}).items():
            yield from leaves(sub, (*path, name)) if hasattr(sub, "commands") else [((*path, name), sub)]

    without = [" ".join(path) for path, command in leaves(get_command(app))
               if not any("--no-input" in getattr(p, "opts", ()) for p in command.params)]
    assert without == []
    assert "--no-input" in cli("add-actor", "--help").stdout
