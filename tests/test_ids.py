"""An id is ASCII digits within SQLite's integer range; anything else that looks like a number
(`99999999999999999999`, `²`, the Arabic-Indic `٣`) is taken as a name: "no such …", exit 2,
never an internal error, never another record."""

from __future__ import annotations

import pytest

from conftest import dump

pytestmark = pytest.mark.engines
from medborger_cli import rules

HUGE = "9" * 20


@pytest.fixture
def booked(cli, house):
    for step in [
        ("book", "-c", "motalavej", "-r", "Salen", "-a", "5M", "--title", "Møde", "--start", "2026-12-07 10:00", "--end", "11:00"),
        ("book", "-c", "motalavej", "-r", "Salen", "-a", "5M", "--title", "Møde", "--start", "2026-12-08 10:00", "--end", "11:00"),
        ("book", "-c", "motalavej", "-r", "Salen", "-a", "5M", "--title", "Møde", "--start", "2026-12-09 10:00", "--end", "11:00"),
        ("add-closure", "motalavej", "--from", "2027-02-08", "--until", "2027-02-12", "--reason", "Vinterferie"),
    ]:
        result = cli(*step)
        assert result.exit_code == 0, (step, result.stderr)
    return house


COMMANDS = [
    ["cancel", "{id}"],
    ["restore", "{id}"],
    ["move", "{id}", "--start", "10:00"],
    ["attend", "{id}", "--count", "1"],
    ["edit", "activity", "{id}", "--title", "x"],
    ["edit", "closure", "{id}", "--reason", "x"],
    ["remove", "centre", "{id}", "--yes"],
    ["list", "rooms", "--centre", "{id}"],
]


@pytest.mark.parametrize("value", [HUGE, "²", "٣"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: "-".join(c[:2]))
def test_a_number_that_is_no_id_is_no_such_record(cli, booked, command, value):
    before = dump(booked)
    result = cli(*[value if a == "{id}" else a for a in command])
    assert result.exit_code == 2, result.stderr
    assert "internal error" not in result.stderr and "no " in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert dump(booked) == before  # `cancel ٣` must not cancel booking 3


def test_a_huge_id_in_attendance_lines_names_the_row(cli, booked):
    before = dump(booked)
    result = cli("attend", "--today", input=f"{HUGE},1\n")
    assert result.exit_code == 2, result.stderr
    assert "internal error" not in result.stderr and "row 1" in result.stderr, result.stderr
    assert dump(booked) == before


def test_record_id():
    assert rules.record_id("3") == 3 and rules.record_id(" 42 ") == 42
    assert rules.record_id(str(2**63 - 1)) == 2**63 - 1
    for text in (str(2**63), HUGE, "٣", "²", "-1", "+1", "", None, "1.0", "3a"):
        assert rules.record_id(text) is None, text
