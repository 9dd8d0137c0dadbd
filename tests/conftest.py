"""Shared fixtures: every test gets its own database file through MEDBORGER_DB."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medborger_cli import output
from medborger_cli.cli import app


@pytest.fixture(autouse=True)
def db_path(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "medborger.db"
    monkeypatch.setenv("MEDBORGER_DB", str(path))
    monkeypatch.setenv("COLUMNS", "220")
    monkeypatch.delenv("MEDBORGER_NO_INPUT", raising=False)
    monkeypatch.delenv("MEDBORGER_DEBUG", raising=False)
    # The tests read the English interface; tests of the Danish one (test_language.py) set their own.
    monkeypatch.setenv("MEDBORGER_LANG", "en")
    from medborger_cli import i18n

    i18n.use(None)
    return path


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str
    stdout_bytes: bytes = b""  # as written: line ends and byte-order marks kept

    def json(self):
        return json.loads(self.stdout)


@pytest.fixture
def cli():
    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> Run:
        output.reset_consoles()
        result = runner.invoke(app, [str(a) for a in args], input=input, prog_name="medborger")
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Run(result.exit_code, result.stdout, result.stderr, result.stdout_bytes)

    return run


def dump(path: Path) -> list[str]:
    """The database's whole content as SQL: equal dumps mean an unchanged database."""
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def edit_csv(path: Path, change) -> None:
    """Edit a CSV file as a coordinator would in Excel: `change(table)` on its rows (dicts)."""
    import csv

    with open(path, encoding="utf-8", newline="") as stream:
        table = list(csv.DictReader(stream))
    change(table)
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(table[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(table)


def rows(path: Path, sql: str, params=()) -> list[dict]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


@pytest.fixture
def house(cli, db_path):
    """A small centre: two rooms, three actors; enough for activities and conflicts."""
    steps = [
        ("add-centre", "Kvarterhuset på Motalavej", "--type", "boligområdebaseret", "--municipality", "Slagelse", "--area", "Motalavej"),
        ("add-centre", "Foreningernes Hus", "--type", "forening", "--municipality", "Aarhus", "--area", "Gellerup"),
        ("add-room", "Kvarterhuset på Motalavej", "Salen", "--capacity", "60"),
        ("add-room", "Kvarterhuset på Motalavej", "Køkkenet"),
        ("add-room", "Foreningernes Hus", "Køkkenet"),
        ("add-actor", "5M – Mennesker på Motalavej", "--sector", "helhedsplan"),
        ("add-actor", "Røde Kors Korsør", "--sector", "frivillig"),
        ("add-actor", "Jobcenter Slagelse", "--sector", "kommunal", "--contact", "Mette Jensen", "--phone", "+45 58 57 00 00"),
    ]
    for step in steps:
        result = cli(*step)
        assert result.exit_code == 0, (step, result.stderr)
    return db_path
