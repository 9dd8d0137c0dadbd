"""Shared fixtures: every test gets its own database through MEDBORGER_DB.

A module or test marked `engines` runs on both engines: on a SQLite file, and on a PostgreSQL
database when MEDBORGER_TEST_PG names a server (a URL whose role may create databases, as
.ci/run sets it); without one the PostgreSQL runs are skipped. `db_path` is then the database's
URL (a `PgDatabaseUrl`); `rows()` and `dump()` read either engine.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medborger_cli import output
from medborger_cli.cli import app


PG_SERVER = os.environ.get("MEDBORGER_TEST_PG", "").strip()
PG_DATABASE = "medborger_test"
ENGINES = ("sqlite", "postgresql")


class PgDatabaseUrl(str):
    """The URL of a test's PostgreSQL database, standing where a test's file path stands."""


def pytest_configure(config):
    config.addinivalue_line("markers", "engines: runs on SQLite and on PostgreSQL (when MEDBORGER_TEST_PG is set)")
    config.addinivalue_line("markers", "sqlite_only: about the SQLite file itself; not run on PostgreSQL")
    config.addinivalue_line("markers", "postgresql_only: about what only a server has; not run on SQLite")


def pytest_generate_tests(metafunc):
    if "engine" in metafunc.fixturenames and metafunc.definition.get_closest_marker("engines"):
        if metafunc.definition.get_closest_marker("sqlite_only"):
            engines = ["sqlite"]
        elif metafunc.definition.get_closest_marker("postgresql_only"):
            engines = ["postgresql"]
        else:
            engines = list(ENGINES)
        metafunc.parametrize("engine", engines, indirect=True)


def _server_url(dbname: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(PG_SERVER)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, ""))


_pg_ready: list[str] = []


def _pg_connect(dbname: str):
    import psycopg

    return psycopg.connect(_server_url(dbname), autocommit=True)


def _pg_fresh(dbname: str = PG_DATABASE) -> str:
    """An empty, migrated database `dbname` on the test server; its URL."""
    url = _server_url(dbname)
    if dbname not in _pg_ready:
        with _pg_connect("postgres") as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{dbname}"')
        from medborger_cli import store

        store.connect(*store.resolve_path(url)).conn.close()
        _pg_ready.append(dbname)
    else:
        from medborger_cli.store.copying import TABLES

        with _pg_connect(dbname) as conn:
            conn.execute("TRUNCATE " + ", ".join(t for t, _ in TABLES) + " RESTART IDENTITY CASCADE")
    return url


@pytest.fixture
def engine(request) -> str:
    name = getattr(request, "param", "sqlite")
    if name == "postgresql":
        if not PG_SERVER:
            pytest.skip("no PostgreSQL server: set MEDBORGER_TEST_PG to run on PostgreSQL")
        pytest.importorskip("psycopg")
    return name


@pytest.fixture
def pg_empty():
    """A second PostgreSQL database on the test server, created and empty (not even migrated)."""
    if not PG_SERVER:
        pytest.skip("no PostgreSQL server: set MEDBORGER_TEST_PG to run on PostgreSQL")
    pytest.importorskip("psycopg")
    name = PG_DATABASE + "_other"
    with _pg_connect("postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return PgDatabaseUrl(_server_url(name))


@pytest.fixture(autouse=True)
def db_path(tmp_path, monkeypatch, engine) -> Path:
    if engine == "postgresql":
        path = PgDatabaseUrl(_pg_fresh())
    else:
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


def _pg_rows(url: str, sql: str, params=()) -> list[dict]:
    import psycopg
    from psycopg.rows import dict_row

    from medborger_cli.store.pg import translate

    with psycopg.connect(url, autocommit=True, row_factory=dict_row) as conn:
        return list(conn.execute(translate(sql), list(params)))


def dump(path: Path) -> list[str]:
    """The database's whole content as SQL: equal dumps mean an unchanged database."""
    if isinstance(path, PgDatabaseUrl):
        from medborger_cli.store.copying import TABLES

        return [f"{table}: {row}" for table, key in TABLES
                for row in _pg_rows(path, f"SELECT * FROM {table} ORDER BY {key}")]
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def execute(path: Path, sql: str, params=()) -> None:
    """Change the database behind medborger's back (one statement, committed), on either engine."""
    if isinstance(path, PgDatabaseUrl):
        import psycopg

        from medborger_cli.store.pg import translate

        with psycopg.connect(path, autocommit=True) as conn:
            conn.execute(translate(sql), list(params))
        return
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute(sql, params)
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
    if isinstance(path, PgDatabaseUrl):
        return _pg_rows(path, sql, params)
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
