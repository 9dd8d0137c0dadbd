"""privacy show and erase: whole words, phone digits, e-mails; show lists exactly what erase
changes; several people are never erased together; copies and readers are reported truthfully."""

from __future__ import annotations

import sqlite3

import pytest

from pathlib import Path

from conftest import PgDatabaseUrl, dump, execute, rows

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


def _file_bytes(db_path) -> bytes:
    """Every file medborger keeps for this database (the file, its journal), as stored. A
    server's files are its own (erase rewrites its tables with VACUUM FULL): nothing here."""
    if isinstance(db_path, PgDatabaseUrl):
        return b""
    return b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*") if p.is_file())


def test_an_erased_name_leaves_every_derived_column_and_file(cli, people, db_path):
    """Names are found by a key beside them (name_key, casefolded): the key must go too."""
    added = cli("add-activity", "Kursus med Zylberstein Hanne", "-c", "motalavej", "-r", "Køkkenet", "-a", "5M",
                "-k", "fællesskab", "-g", "unge", "--weekday", "mandag", "--start", "10:00", "--end", "11:00",
                "--from", "2026-11-02", "--until", "2026-11-30")
    assert added.exit_code == 0, added.stderr
    assert cli("add-room", "Kvarterhuset på Motalavej", "Zylberstein Hanne").exit_code == 0
    assert cli("list", "activities", "--json").exit_code == 0
    result = cli("privacy", "erase", "Zylberstein Hanne", "--yes")
    assert result.exit_code == 0, result.stderr
    keys = rows(db_path, "SELECT name_key FROM activities UNION ALL SELECT name_key FROM rooms")
    assert all("zylberstein" not in r["name_key"] for r in keys), keys
    data = _file_bytes(db_path).lower()
    assert b"zylberstein hanne" not in data
    assert cli("edit", "activity", "Kursus med Zylberstein Hanne", "--title", "x").exit_code == 2  # not found by its old name


def test_a_phone_number_matches_only_as_a_whole_number(cli, people):
    for part in ("987654", "98 76 54", "8765432", "76 54 32"):  # the start, the end, the middle of +45 98 76 54 32
        assert changes(cli, part) == {}, part
    for whole in ("98765432", "+45 98 76 54 32", "0045 98765432", "98-76-54-32", "98.76.54.32"):
        assert ("actors", 4, "phone") in changes(cli, whole), whole
    assert cli("add-actor", "Nabo", "--sector", "frivillig", "--phone", "12 98 76 54 32").exit_code == 0
    assert ("actors", 6, "phone") not in changes(cli, "98765432")  # a longer number holding hers is another number


def test_a_name_typed_decomposed_is_the_same_name(cli, people, db_path):
    """"José" as one character (NFC) or as "e" and an accent (NFD) is one name, at entry and in privacy."""
    import unicodedata

    nfc, nfd = "José Ærø", unicodedata.normalize("NFD", "José Ærø")
    assert nfc != nfd
    assert cli("add-actor", "Sundhedsklubben", "--sector", "frivillig", "--contact", nfd).exit_code == 0
    assert rows(db_path, "SELECT contact FROM actors WHERE name = 'Sundhedsklubben'") == [{"contact": nfc}]
    assert ("actors", 6, "contact") in changes(cli, nfd)
    # a value stored decomposed before medborger composed names is still found, and erased
    execute(db_path, "UPDATE actors SET contact = ? WHERE id = 6", [nfd])
    assert ("actors", 6, "contact") in changes(cli, nfc)
    assert cli("privacy", "erase", nfc, "--yes").exit_code == 0
    data = _file_bytes(db_path)
    assert nfd.encode() not in data and nfc.encode() not in data


def test_several_people_in_json_and_csv_are_json_and_csv(cli, people):
    assert cli("add-actor", "Formelklubben", "--sector", "frivillig", "--contact", "=Hanne HYPERLINK").exit_code == 0
    shown = cli("privacy", "show", "Hanne", "--json")
    assert shown.exit_code == 2 and "--person" in shown.stderr
    assert sorted(p["id"] for p in shown.json()) == [4, 5, 6]
    shown = cli("privacy", "show", "Hanne", "--csv")
    assert shown.exit_code == 2
    lines = shown.stdout.splitlines()
    assert lines[0].startswith("id,") and len(lines) == 4, shown.stdout
    assert "'=Hanne HYPERLINK" in shown.stdout and ",=Hanne" not in shown.stdout  # guarded as every CSV
    assert "━" not in shown.stdout  # no table


def test_an_erase_stopped_while_rewriting_says_the_old_values_may_remain(cli, people, monkeypatch):
    from medborger_cli import store
    from medborger_cli.store import connection

    monkeypatch.setattr(connection.journal, "unscrubbed", False)  # restored afterwards: the journal is per process

    def stopped(db):
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "scrub", stopped)
    result = cli("privacy", "erase", "Hanne Zylberstein", "--yes")
    assert result.exit_code == 130, result.stderr
    assert "kept" in result.stderr and "nothing was changed" not in result.stderr
    assert "may still be readable" in result.stderr and "medborger privacy scrub" in result.stderr, result.stderr
    assert rows(people, "SELECT contact FROM actors WHERE id = 4") == [{"contact": None}]
    monkeypatch.undo()
    connection.journal.unscrubbed = False
    assert cli("privacy", "scrub").exit_code == 0


def test_the_danish_genitive_is_the_same_name(cli, people):
    for title, start in (("Hanne Zylbersteins kursus", "2026-12-03 10:00"), ("Hanne Zylberstein's hold", "2026-12-04 10:00"),
                         ("Hanne Zylbersteinsens hold", "2026-12-05 10:00")):
        assert cli("book", "-c", "motalavej", "-r", "Salen", "-a", "5M", "--title", title, "--start", start,
                   "--end", "11:00").exit_code == 0
    found = changes(cli, "Hanne Zylberstein")
    assert found[("bookings", 3, "title")] == "[slettet]s kursus"
    assert found[("bookings", 4, "title")] == "[slettet]'s hold"
    assert ("bookings", 5, "title") not in found  # another person's genitive
    assert cli("privacy", "erase", "Hanne Zylberstein", "--yes").exit_code == 0
    titles = [r["title"] for r in rows(people, "SELECT title FROM bookings WHERE id >= 3 ORDER BY id")]
    assert titles == ["[slettet]s kursus", "[slettet]'s hold", "Hanne Zylbersteinsens hold"]


def test_an_erased_name_with_an_apostrophe_leaves_no_quoted_piece_in_the_logged_commands(tmp_path):
    # the log keeps each command as typed, shell-quoted: O'Brien becomes 'Anne O'"'"'Brien'
    import json
    import os
    import subprocess
    import sys

    db = tmp_path / "m.db"

    def run(*args):
        result = subprocess.run([sys.executable, "-m", "medborger_cli", "--db", str(db), *args], capture_output=True,
                                text=True, stdin=subprocess.DEVNULL, env={**os.environ, "MEDBORGER_LANG": "en"})
        assert result.returncode == 0, result.stderr
        return result.stdout

    run("add-actor", "Kvindeforeningen", "--sector", "frivillig", "--contact", "Anne O'Brien")
    run("edit", "actor", "Kvindeforeningen", "--contact", "Anne O'Brien Hansen")
    assert any("O'\"'\"'Brien" in e["command"] for e in json.loads(run("log", "--json")))  # as the log keeps it
    run("privacy", "erase", "Anne O'Brien Hansen", "--yes")
    commands = [e["command"] for e in json.loads(run("log", "--json"))]
    assert any("privacy erase" in c for c in commands) and not [c for c in commands if "Brien" in c]
    assert b"Brien" not in db.read_bytes()
