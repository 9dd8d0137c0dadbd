"""`medborger --help` stays fast: the CLI package pulls in no heavy library at import."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("questionary", "prompt_toolkit", "sqlite_utils", "rich.table", "dateutil.rrule", "holidays", "icalendar", "jinja2",
         "pydantic", "babel")


def test_importing_the_cli_imports_no_heavy_library():
    code = "import sys, medborger_cli.cli; print(' '.join(m for m in %r if m in sys.modules))" % (HEAVY,)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_help_lists_the_main_commands():
    out = subprocess.run([sys.executable, "-m", "medborger_cli", "--help"], capture_output=True, text=True, check=True).stdout
    for command in ("add-activity", "book", "schedule", "list", "remove", "load-sample", "add-closure"):
        assert command in out


READ_COMMANDS = [
    ["list", "bookings", "--week", "37", "--year", "2026", "--centre", "motalavej"],
    ["schedule", "--week", "37", "--year", "2026", "--centre", "1"],
    ["free", "--weekday", "tirsdag", "--start", "17", "--end", "19", "--from", "2026-09-01", "--until", "2026-12-31"],
]


def test_reading_commands_load_neither_pydantic_nor_sqlite_utils_nor_holidays(tmp_path):
    """The front-desk commands are typed while someone waits: Typer's pydantic coercion,
    sqlite-utils (only for writes and migrations) and the holidays package stay unloaded."""
    db = tmp_path / "m.db"
    subprocess.run([sys.executable, "-m", "medborger_cli", "--db", str(db), "load-sample"], check=True, capture_output=True)
    for args in READ_COMMANDS:
        code = (
            "import sys; from medborger_cli.cli import app\n"
            "try:\n    app(prog_name='medborger')\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
            "print('loaded:', *[m for m in ('pydantic', 'sqlite_utils', 'holidays', 'dateutil.rrule', 'rich.console', 'jinja2')"
            " if m in sys.modules], file=sys.stderr)"
        )
        result = subprocess.run([sys.executable, "-c", code, "--db", str(db), *args], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert result.stderr.strip().splitlines()[-1] == "loaded:", (args, result.stderr)
