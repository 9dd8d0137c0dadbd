"""The command reference in docs/ is generated from --help and must not drift."""

import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs" / "commands.md"


@pytest.mark.skipif(not DOCS.exists(), reason="docs/ is not part of an installed package")
def test_command_reference_matches_help():
    result = subprocess.run([sys.executable, "-m", "cogapp", "--check", str(DOCS)], capture_output=True, text=True)
    assert result.returncode == 0, "docs/commands.md is out of date; run `cog -r docs/commands.md`\n" + result.stdout + result.stderr
