"""Data entry at a terminal: `--no-input` after the command. Driven in a real pseudo-terminal."""

from __future__ import annotations

import pexpect
import pytest

from test_prompts import finish, spawn


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
