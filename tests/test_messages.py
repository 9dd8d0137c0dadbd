"""What messages say: the stored value (not the typed one), and a field as the typed command
names it (its flag) or in words where the command has no flag for it, never a bare identifier."""

from __future__ import annotations

import pytest

from conftest import dump, rows

pytestmark = pytest.mark.engines


def test_restore_into_a_closure_names_the_start_in_words(cli, house):
    assert cli("book", "-c", "motalavej", "-r", "Salen", "-a", "5M", "--title", "Møde",
               "--start", "2026-12-07 10:00", "--end", "11:00").exit_code == 0
    assert cli("cancel", "1").exit_code == 0
    assert cli("add-closure", "motalavej", "--from", "2026-12-01", "--until", "2026-12-10", "--reason", "Jul").exit_code == 0
    before = dump(house)
    result = cli("restore", "1")
    assert result.exit_code == 1, result.stderr
    assert "start:" not in result.stderr.replace("the start:", ""), result.stderr
    assert "the start: " in result.stderr and "is closed" in result.stderr
    assert dump(house) == before


@pytest.mark.parametrize("flag,value,shown", [("--no-partner", "Ingen Partner", "--no-partner: "),
                                              ("--no-target", "katte", "--no-target: ")])
def test_taking_away_names_its_own_flag(cli, house, flag, value, shown):
    result = cli("add-activity", "Lektiecafé", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-k", "læring", "-g", "børn",
                 "-d", "mandag", "--start", "15:00", "--end", "17:00", "--from", "2026-09-07", "--until", "2026-12-07")
    assert result.exit_code == 0, result.stderr
    result = cli("edit", "activity", "Lektiecafé", flag, value)
    assert result.exit_code == 2 and result.stderr.startswith(f"Error: {shown}"), result.stderr
    assert "no_partners" not in result.stderr and "no_target_groups" not in result.stderr


def test_a_field_the_command_has_no_flag_for_is_told_in_words():
    from medborger_cli.cli import field_words

    assert field_words("start") == "the start" and field_words("until") == "the last date"
    assert field_words("no_target_groups") == "the target groups to take away"
    assert field_words("some_new_field") == "some new field"  # never an identifier with underscores
    assert field_words("MEDBORGER_DB") == "MEDBORGER_DB"


@pytest.mark.parametrize("command,kind,table", [
    (["add-centre", "\ufeffLead  Hus ", "--type", "andet", "--municipality", "X"], "centre", "centres"),
    (["add-room", "motalavej", "\ufeffLille  sal "], "room", "rooms"),
    (["add-actor", "\ufeffNy  Forening ", "--sector", "frivillig"], "actor", "actors"),
])
def test_added_says_the_name_as_stored(cli, house, command, kind, table):
    result = cli(*command)
    assert result.exit_code == 0, result.stderr
    stored = rows(house, f"SELECT name FROM {table} ORDER BY id DESC LIMIT 1")[0]["name"]
    assert "\ufeff" not in stored and "  " not in stored
    assert result.stderr.startswith(f"Added {kind} {stored} (id "), result.stderr
