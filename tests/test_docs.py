"""The command references in docs/ (Danish and English) are generated from --help and must not drift."""

import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.mark.parametrize("name", ["commands.md", "commands.en.md"])
def test_command_reference_matches_help(name):
    page = DOCS / name
    if not page.exists():
        pytest.skip("docs/ is not part of an installed package")
    result = subprocess.run([sys.executable, "-m", "cogapp", "--check", str(page)], capture_output=True, text=True)
    assert result.returncode == 0, (f"docs/{name} is out of date; run `cog -r docs/commands.md docs/commands.en.md`\n"
                                    + result.stdout + result.stderr)


def test_the_danish_reference_is_danish_and_the_english_one_english():
    if not (DOCS / "commands.md").exists():
        pytest.skip("docs/ is not part of an installed package")
    danish, english = (DOCS / "commands.md").read_text(), (DOCS / "commands.en.md").read_text()
    assert "Brug: medborger add-activity [TILVALG]" in danish and "Usage:" not in danish
    assert "Usage: medborger add-activity [OPTIONS]" in english and "Brug:" not in english
    assert (DOCS / "brugervejledning.md").exists()
