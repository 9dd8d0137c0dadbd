"""One set of rules, two doors: the same bad values, closures and conflicts give the same outcome
and name the same field through the command line (as its flag) and a CSV import (as its column)."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from conftest import dump, rows
from medborger_cli import errors, rules, schedule

pytestmark = pytest.mark.engines

# A weekly activity and a one-off booking, as logical fields; each door spells them its own way.
ACTIVITY = {
    "title": "Lektiecafé", "centre": "Kvarterhuset på Motalavej", "room": "Salen", "actor": "5M – Mennesker på Motalavej",
    "category": "læring", "target_groups": "unge", "weekdays": "mandag", "start": "16:00", "end": "18:00",
    "from": "2026-09-07", "until": "2026-09-28",
}
BOOKING = {
    "title": "Møde", "centre": "Kvarterhuset på Motalavej", "room": "Salen", "actor": "Jobcenter Slagelse",
    "start": "2026-09-08 10:00", "end": "2026-09-08 12:00",
}
ACTIVITY_FLAGS = {
    "centre": "--centre", "room": "--room", "actor": "--actor", "category": "--category", "target_groups": "--target",
    "weekdays": "--weekday", "start": "--start", "end": "--end", "from": "--from", "until": "--until", "every": "--every",
    "focus": "--focus", "monthly": "--monthly", "age": "--age", "gender": "--gender", "type": "--type",
}
BOOKING_FLAGS = {"centre": "--centre", "room": "--room", "actor": "--actor", "title": "--title", "start": "--start", "end": "--end"}


def by_command_line(cli, kind: str, values: dict, *policy: str):
    if kind == "activity":
        args = ["add-activity", values["title"]]
        args += [a for f, flag in ACTIVITY_FLAGS.items() if f in values for a in (flag, values[f])]
    else:
        args = ["book"] + [a for f, flag in BOOKING_FLAGS.items() if f in values for a in (flag, values[f])]
    return cli(*args, *policy)


def by_import(cli, tmp_path, kind: str, values: dict, *policy: str):
    table = "activities" if kind == "activity" else "bookings"
    path = tmp_path / f"{table}.csv"
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(values))
        writer.writeheader()
        writer.writerow(values)
    return cli("import", "csv", table, path, *policy)


BAD = [
    # (kind, changed values, the field named, what the message says)
    ("activity", {"start": "25:00"}, "start", "is not a time of day"),
    ("activity", {"end": "15:00"}, "end", "is not after"),
    ("activity", {"until": "2026-09-01"}, "until", "is before"),
    ("activity", {"weekdays": "blursday"}, "weekdays", "unknown value 'blursday'"),
    ("activity", {"target_groups": "aliens"}, "target_groups", "unknown value 'aliens'"),
    ("activity", {"category": "magi"}, "category", "unknown value 'magi'"),
    ("activity", {"age": "tretten"}, "age", "is not an age range"),
    ("activity", {"age": "17-13"}, "age", "ends before it starts"),
    ("activity", {"age": "6-200"}, "age", "200 is not an age"),
    ("activity", {"age": "13-17", "target_groups": "børn"}, "age", "disagrees with"),
    ("activity", {"gender": "hunkøn"}, "gender", "unknown value 'hunkøn'"),
    ("activity", {"gender": "drenge", "target_groups": "kvinder"}, "gender", "disagrees with"),
    ("activity", {"target_groups": " "}, "target_groups", "say who the activity is for"),
    ("activity", {"type": "sport"}, "type", "unknown activity type 'sport'"),
    ("activity", {"type": "lektiehjælp", "category": "sundhed"}, "category", "lektiehjælp is a type of læring"),
    ("activity", {"every": "0"}, "every", "from 1 to 52"),
    ("activity", {"from": "0900-01-01"}, "from", "from 1990 to 2199"),
    ("activity", {"title": "Lektie\u202ecafé"}, "title", "U+202E"),
    ("activity", {"until": "2030-01-01"}, "until", "more than three years"),
    ("booking", {"start": "i overmorgen kl 10"}, "start", "needs a date and a time"),
    ("booking", {"end": "09:00"}, "end", "is not after"),
    ("booking", {"end": "2026-09-30 12:00"}, "end", "longer than 14 days"),
    ("booking", {"start": "31-02-2027 10:00", "end": "31-02-2027 11:00"}, "start", "not a real date"),
    ("booking", {"title": "  "}, "title", "must not be empty"),
    ("booking", {"start": "9999-12-31 10:00", "end": "9999-12-31 11:00"}, "start", "from 1990 to 2199"),
]


@pytest.mark.parametrize("kind,change,field,says", BAD, ids=[f"{k}-{f}-{i}" for i, (k, _, f, _) in enumerate(BAD)])
def test_bad_values_name_the_same_field_through_both_doors(cli, house, tmp_path, kind, change, field, says):
    values = {**(ACTIVITY if kind == "activity" else BOOKING), **change}
    before = dump(house)
    typed = by_command_line(cli, kind, values)
    assert typed.exit_code == 2 and says in typed.stderr, typed.stderr
    flag = (ACTIVITY_FLAGS if kind == "activity" else BOOKING_FLAGS).get(field, field.upper())
    assert f"{flag}: " in typed.stderr and "column" not in typed.stderr
    imported = by_import(cli, tmp_path, kind, values)
    assert imported.exit_code == 2 and says in imported.stderr, imported.stderr
    table = "activities" if kind == "activity" else "bookings"
    assert f"{table}.csv: row 2, column {field}: " in imported.stderr
    assert "--" not in imported.stderr.split("Error:")[0]  # the row's problem names columns, never flags
    assert dump(house) == before
    assert "Traceback" not in typed.stderr + imported.stderr


def test_a_closed_centre_refuses_a_booking_through_both_doors(cli, house, tmp_path):
    cli("add-closure", "motalavej", "--from", "2026-09-07", "--until", "2026-09-13", "--reason", "Renovering")
    before = dump(house)
    typed = by_command_line(cli, "booking", BOOKING)
    assert typed.exit_code == 1 and "--start: Kvarterhuset på Motalavej is closed Mon 7 Sep 2026–Sun 13 Sep 2026" in typed.stderr
    imported = by_import(cli, tmp_path, "booking", BOOKING)
    assert imported.exit_code == 2 and "bookings.csv: row 2, column start: the centre is closed Mon 7 Sep 2026–Sun 13 Sep 2026" in imported.stderr
    assert dump(house) == before


def test_every_date_closed_refuses_an_activity_through_both_doors(cli, house, tmp_path):
    cli("add-closure", "motalavej", "--from", "2026-09-01", "--until", "2026-09-30", "--reason", "Renovering")
    before = dump(house)
    typed = by_command_line(cli, "activity", ACTIVITY)
    imported = by_import(cli, tmp_path, "activity", ACTIVITY)
    assert typed.exit_code == 2 and "--from: every date of the rule is skipped (lukket: Renovering)" in typed.stderr
    assert imported.exit_code == 2 and "column from: every date of the rule is skipped (lukket: Renovering)" in imported.stderr
    assert dump(house) == before


def _occupy(cli):
    """Salen taken on Monday 14 September, 17:00-19:00: one of the activity's four Mondays."""
    result = cli("book", "-c", "motalavej", "-r", "Salen", "-a", "Røde Kors Korsør", "--title", "Optaget",
                 "--start", "2026-09-14 17:00", "--end", "19:00")
    assert result.exit_code == 0, result.stderr


def _stored_starts(db_path, title):
    return [r["start"] for r in rows(db_path, "SELECT start FROM bookings WHERE title = ? ORDER BY start", [title])]


@pytest.mark.parametrize("door", ["command line", "import"])
@pytest.mark.parametrize(
    "policy,exit_code,stored",
    [
        ((), 1, []),
        (("--skip-conflicts",), 0, ["2026-09-07T16:00", "2026-09-21T16:00", "2026-09-28T16:00"]),
        (("--allow-conflicts",), 0, ["2026-09-07T16:00", "2026-09-14T16:00", "2026-09-21T16:00", "2026-09-28T16:00"]),
    ],
    ids=["refuse", "skip", "allow"],
)
def test_room_conflicts_under_each_policy_are_the_same_through_both_doors(cli, house, tmp_path, door, policy, exit_code, stored):
    _occupy(cli)
    before = dump(house)
    if door == "command line":
        result = by_command_line(cli, "activity", ACTIVITY, *policy)
    else:
        result = by_import(cli, tmp_path, "activity", ACTIVITY, *policy)
    assert result.exit_code == exit_code, result.stderr
    assert "Optaget" in result.stderr  # the conflict table names what is in the way
    assert _stored_starts(house, "Lektiecafé") == stored
    if not stored:
        assert "room conflict: 1 of 4 dates collide" in result.stderr and "--skip-conflicts" in result.stderr
        assert dump(house) == before


# ---------------------------------------------------------------------------------------------
# The rules themselves, without a door


def test_errors_carry_the_field_and_each_door_names_it():
    with pytest.raises(errors.BadInput) as err:
        rules.booking_fields({"title": "Møde", "start": "2026-09-08 12:00", "end": "2026-09-08 10:00"})
    assert err.value.field == "end"
    assert err.value.render(lambda f: f"--{f}") == "--end: 08.09.2026 10:00 is not after --start 08.09.2026 12:00"
    assert err.value.render(lambda f: f"column {f}") == "column end: 08.09.2026 10:00 is not after column start 08.09.2026 12:00"


@pytest.mark.parametrize("text", ["Sal\x1b[2J", "Sal\x9b", "Sal\u202e", "Sal\u200b", "Sal\u2066en", "Sal\udcff"])
def test_names_refuse_control_bidi_and_invisible_characters(text):
    with pytest.raises(errors.BadInput) as err:
        rules.text(text, "name")
    assert err.value.field == "name"


@pytest.mark.parametrize("text,kept", [("\ufeffSalen", "Salen"), ("  Store   sal ", "Store sal"), ("Café ☕ 👩\u200d👩\u200d👧", None),
                                       ("Ærø Øst Åby", None)])
def test_names_keep_letters_emoji_and_drop_a_stray_bom(text, kept):
    assert rules.text(text, "name") == (kept or text)


def test_skip_keeps_the_first_of_two_proposed_bookings_that_collide():
    proposed = [rules.Proposed(1, "2026-09-07T16:00", "2026-09-07T18:00", "A"),
                rules.Proposed(1, "2026-09-07T17:00", "2026-09-07T19:00", "B"),
                rules.Proposed(1, "2026-09-07T19:00", "2026-09-07T20:00", "C")]
    booked = [rules.Booked(9, 1, "2026-09-07T19:30", "2026-09-07T21:00", "Stored", "X")]
    conflicts = rules.room_conflicts(proposed, booked)
    assert [p.title for p in rules.apply_policy(proposed, conflicts, "skip")] == ["A"]
    assert [p.title for p in rules.apply_policy(proposed, conflicts, "allow")] == ["A", "B", "C"]
    with pytest.raises(errors.Conflict) as err:
        rules.apply_policy(proposed, conflicts, "refuse")
    assert (err.value.colliding, err.value.total, err.value.can_skip) == (2, 3, True)


def test_a_rule_survives_its_row():
    rule = schedule.Recurrence(dt.time(16), dt.time(18), (0, 3), dt.date(2026, 9, 7), dt.date(2027, 6, 21), 2, None)
    assert schedule.Recurrence.from_row(rule.to_row()) == rule
    once = schedule.Recurrence(dt.time(9, 30), dt.time(11), on=dt.date(2026, 12, 3))
    assert schedule.Recurrence.from_row(once.to_row()) == once


def test_the_interrupt_message_says_what_was_kept(monkeypatch):
    from medborger_cli.cli import interrupted
    from medborger_cli.store import connection

    journal = connection.WriteJournal()
    monkeypatch.setattr(connection, "journal", journal)
    assert interrupted(stopped=True) == "Stopped; nothing was changed."
    journal.rolled_back = 1
    assert "rolled back, nothing was changed" in interrupted(stopped=True)
    journal.commits = 2
    assert interrupted(stopped=True) == "Stopped; the change in progress was rolled back, 2 changes saved before it are kept."
    journal.rolled_back = 0
    assert "rolled back" not in interrupted(stopped=True) and "saved" in interrupted("Stopped")
