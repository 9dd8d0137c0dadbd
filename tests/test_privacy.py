"""privacy show and erase: whole words, phone digits, e-mails; show lists exactly what erase
changes; several people are never erased together; copies and readers are reported truthfully."""

from __future__ import annotations

import sqlite3

import pytest

from pathlib import Path

from conftest import dump, rows

pytestmark = pytest.mark.engines


@pytest.fixture
def people(cli, house):
    steps = [
        ("add-actor", "Somalisk Kvindeforening", "--sector", "frivillig", "--contact", "Hanne Zylberstein",
         "--phone", "+45 98 76 54 32"),
        ("add-actor", "Lektiehjælpen", "--sector", "frivillig", "--contact", "Hanne Zylbersteinsen",
         "--email", "Hanne.Z@Example.dk"),
        ("book", "-c", "motalavej", "-r", "Salen", "-a", "Lektiehjælpen", "--title", "Ring 98765432 om nøglen",
         "--start", "2026-12-01 10:00", "--end", "11:00"),
        ("book", "-c", "motalavej", "-r", "Salen", "-a", "Lektiehjælpen", "--title", "Møde med Ali og Alina",
         "--start", "2026-12-02 10:00", "--end", "11:00"),
    ]
    for step in steps:
        assert cli(*step).exit_code == 0, step
    return house


def changes(cli, *args, log=False):
    """What erase would change, by (table, row, column); the change log's copies apart unless `log`."""
    result = cli("privacy", "show", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return {(c["table"], c["id"], c["column"]): c["new"] for c in result.json() if log or c["table"] != "changes"}


def test_names_match_whole_words_only(cli, people):
    found = changes(cli, "Ali")
    assert list(found.values()) == ["Møde med [slettet] og Alina"]  # not Somalisk, not Alina
    assert cli("privacy", "erase", "Ali", "--yes").exit_code == 0
    assert rows(people, "SELECT name FROM actors WHERE id = 4") == [{"name": "Somalisk Kvindeforening"}]
    assert "Møde med [slettet] og Alina" in [r["title"] for r in rows(people, "SELECT title FROM bookings")]


def test_a_longer_name_is_another_person(cli, people):
    found = changes(cli, "Hanne Zylberstein")
    assert set(found) == {("actors", 4, "contact"), ("actors", 4, "phone"), ("bookings", 1, "title")}
    assert found[("bookings", 1, "title")] == "Ring [slettet] om nøglen"  # her phone, found by its digits


def test_phone_numbers_match_by_digits_and_emails_in_any_case(cli, people):
    by_phone = changes(cli, "98 76 54 32")
    assert ("actors", 4, "phone") in by_phone and by_phone[("bookings", 1, "title")] == "Ring [slettet] om nøglen"
    by_mail = changes(cli, "hanne.z@example.DK")
    assert set(by_mail) == {("actors", 5, "contact"), ("actors", 5, "email")}


def test_several_people_are_listed_and_never_erased_together(cli, people):
    before = dump(people)
    shown = cli("privacy", "show", "Hanne")
    assert shown.exit_code == 2 and "Hanne Zylberstein" in shown.stdout and "Hanne Zylbersteinsen" in shown.stdout
    assert "--person" in shown.stderr
    erased = cli("privacy", "erase", "Hanne", "--yes")
    assert erased.exit_code == 2 and "--person" in erased.stderr
    assert dump(people) == before
    chosen = changes(cli, "Hanne", "--person", "5")
    assert set(chosen) == {("actors", 5, "contact"), ("actors", 5, "email")}


def test_erase_changes_exactly_what_show_listed(cli, people):
    shown = changes(cli, "Hanne Zylberstein", log=True)
    assert any(table == "changes" for table, _, _ in shown)  # the log of add-actor holds her phone too
    assert cli("privacy", "erase", "Hanne Zylberstein", "--yes").exit_code == 0
    actor = rows(people, "SELECT contact, email, phone FROM actors WHERE id = 4")[0]
    assert actor == {"contact": None, "email": None, "phone": None}
    other = rows(people, "SELECT contact, email FROM actors WHERE id = 5")[0]
    assert other == {"contact": "Hanne Zylbersteinsen", "email": "Hanne.Z@Example.dk"}
    for (table, row_id, column), new in shown.items():
        assert rows(people, f'SELECT "{column}" AS v FROM {table} WHERE id = ?', [row_id])[0]["v"] == new
    assert changes(cli, "Hanne Zylberstein", log=True) == {}
    log = cli("log", "--json").stdout
    assert "Zylberstein\"" not in log and "98 76 54 32" not in log and "Zylbersteinsen" in log


@pytest.mark.sqlite_only  # the copies a SQLite file's upgrade leaves beside it
def test_erase_names_the_automatic_copies_and_deletes_them_on_request(cli, people, db_path):
    copy = db_path.with_name(db_path.name + ".before-m004_bookings_by_start.bak")
    copy.write_bytes(db_path.read_bytes())
    result = cli("privacy", "erase", "Hanne Zylberstein", "--yes")
    assert result.exit_code == 0 and copy.name in result.stderr and "--delete-copies" in result.stderr
    assert copy.exists()
    assert "Backups and exports you made earlier" in result.stderr
    result = cli("privacy", "erase", "Hanne Zylbersteinsen", "--yes", "--delete-copies")
    assert result.exit_code == 0 and not copy.exists()


@pytest.mark.sqlite_only  # a reader holding SQLite's write-ahead log
def test_a_reader_keeping_the_journal_is_reported_not_hidden(cli, people, db_path, monkeypatch):
    from medborger_cli.store import privacy as store_privacy

    monkeypatch.setattr(store_privacy, "SCRUB_WAIT_MS", 200)
    reader = sqlite3.connect(db_path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM actors").fetchone()  # holds a snapshot: the log cannot be emptied
    try:
        result = cli("privacy", "erase", "Hanne Zylberstein", "--yes")
    finally:
        reader.execute("COMMIT")
        reader.close()
    assert result.exit_code == 0, result.stderr
    assert "rewritten" not in result.stderr and "may still be readable" in result.stderr
    assert rows(db_path, "SELECT phone FROM actors WHERE id = 4") == [{"phone": None}]
    scrubbed = cli("privacy", "scrub")
    assert scrubbed.exit_code == 0 and "rewritten" in scrubbed.stderr
    data = b"".join(p.read_bytes() for p in db_path.parent.glob("medborger.db*"))
    assert b"98 76 54 32" not in data and b"Hanne Zylberstein" not in data.replace(b"Hanne Zylbersteinsen", b"")


def test_earlier_values_in_the_change_log_are_erased_too(cli, people):
    assert cli("edit", "actor", "Somalisk Kvindeforening", "--phone", "11 22 33 44").exit_code == 0
    assert cli("edit", "actor", "Somalisk Kvindeforening", "--contact", 'Hanne "Søs" Zylberstein').exit_code == 0
    result = cli("privacy", "erase", 'Hanne "Søs" Zylberstein', "--yes")
    assert result.exit_code == 0, result.stderr
    log = cli("log", "--json").stdout
    for gone in ("98 76 54 32", "11 22 33 44", "Søs"):
        assert gone not in log, gone
    assert "privacy erase" in log  # the erase itself is logged, without the values
    if not isinstance(people, Path):
        return  # a server's database: no file here to read
    data = b"".join(p.read_bytes() for p in people.parent.glob("medborger.db*"))
    assert "11 22 33 44".encode() not in data and "98 76 54 32".encode() not in data
