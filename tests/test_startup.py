"""`medborger --help` stays fast: the CLI package pulls in no heavy library at import."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("questionary", "prompt_toolkit", "sqlite_utils", "rich.table", "dateutil.rrule", "holidays", "icalendar")


def test_importing_the_cli_imports_no_heavy_library():
    code = "import sys, medborger_cli.cli; print(' '.join(m for m in %r if m in sys.modules))" % (HEAVY,)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_help_lists_the_main_commands():
    out = subprocess.run([sys.executable, "-m", "medborger_cli", "--help"], capture_output=True, text=True, check=True).stdout
    for command in ("add-activity", "book", "schedule", "list", "remove", "load-sample", "add-closure"):
        assert command in out
