"""The interface in Danish by default, in English on request (issue 14).

The rest of the suite reads the English interface (conftest sets MEDBORGER_LANG=en); these tests
read the Danish one, choose the language every way a person can, and hold the catalogues to
what the code uses: every text translated, nothing fuzzy, the compiled .mo the same as its .po.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from medborger_cli import i18n, schedule, vocab
from medborger_cli.cli import app, language

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "medborger_cli" / "locale"
LANGUAGE_VARIABLES = ("MEDBORGER_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")

# Texts whose Danish is the same as their English: words the two languages share, and texts of
# nothing but placeholders and codes.
SAME_IN_DANISH = {
    "BOOKING", "Booking", "Database: {path}", "E-mail", "For", "For: {groups}", "ID", "Id", "MIN-MAX", "N", "STATUS", "Start",
    "Status", "TYPE", "Type", "Type:", "booking", "{count} booking", "person", "{field}: {old} → {new}", "{file}: {reason}",
    "{kind} {name} (id {id})", "{people} {ages}", "{title} {when} (booking {id})", "{when} (booking {id})", "{count} MB", "{count} bytes",
}

ENGLISH_WORDS = ("Usage:", "Options:", "Arguments:", "Commands:", "Show this message", "Error:", " the ", " and ", " or ",
                 " with ", " is ", " not ", "[default:", "[required]", "[env var:")


def _read(lang: str):
    from babel.messages.pofile import read_po

    with open(LOCALE / lang / "LC_MESSAGES" / "medborger.po", "rb") as fp:
        return read_po(fp)


def _forms(value) -> tuple:
    return value if isinstance(value, tuple) else (value,)


@pytest.fixture
def danish(monkeypatch):
    """The environment of a person who set nothing: Danish."""
    for name in LANGUAGE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    i18n.use(None)
    yield
    i18n.use("en")


def _run(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in LANGUAGE_VARIABLES}
    clean.update(COLUMNS="100", NO_COLOR="1", **env)
    return subprocess.run([sys.executable, "-m", "medborger_cli", *args], capture_output=True, text=True, env=clean)


# ---------------------------------------------------------------------------------------------
# The catalogues


def test_every_text_the_code_uses_has_a_danish_translation_and_none_is_fuzzy(tmp_path):
    pytest.importorskip("babel")
    from babel.messages.pofile import read_po

    if not (ROOT / "babel.cfg").exists():
        pytest.skip("babel.cfg is not part of an installed package")
    pot = tmp_path / "medborger.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "N_", "-k", "pgettext:1c,2",
         "-k", "rooms_title:1,2", "--no-location", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with open(pot, "rb") as fp:
        used = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in read_po(fp) if m.id}
    catalogue = {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m for m in _read("da") if m.id}
    missing = sorted(str(key) for key in used if key not in catalogue)
    assert not missing, "texts not in da.po (run the update in README, Translations): " + "; ".join(missing[:20])
    untranslated = sorted(str(key) for key in used if not all(_forms(catalogue[key].string)))
    assert not untranslated, "texts without Danish: " + "; ".join(untranslated[:20])
    fuzzy = sorted(str(key) for key in used if catalogue[key].fuzzy)
    assert not fuzzy, "fuzzy Danish translations: " + "; ".join(fuzzy[:20])
    still_english = sorted(
        str(key) for key in used
        if any(s == i for s, i in zip(_forms(catalogue[key].string), _forms(catalogue[key].id)))
        and key[1] not in SAME_IN_DANISH
    )
    assert not still_english, "Danish translations that are the English text: " + "; ".join(still_english[:20])


def test_the_danish_keeps_every_placeholder():
    import re

    field = re.compile(r"\{[a-z_]*(?::[a-z_]+)?(?:![rs])?\}")
    wrong = []
    for m in _read("da"):
        if not m.id:
            continue
        for msgid, msgstr in zip(_forms(m.id), _forms(m.string)):
            if sorted(set(field.findall(msgid))) != sorted(set(field.findall(msgstr))):
                wrong.append(msgid)
    assert not wrong, wrong[:10]


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_compiled_catalogue_is_its_po_compiled(lang):
    """Compiled in the test and compared by content: git does not keep the files' times."""
    pytest.importorskip("babel")
    from babel.messages.mofile import write_mo

    compiled = io.BytesIO()
    write_mo(compiled, _read(lang))
    shipped = (LOCALE / lang / "LC_MESSAGES" / "medborger.mo").read_bytes()
    assert shipped == compiled.getvalue(), f"{lang}/medborger.mo is older than its .po: run `pybabel compile -d medborger_cli/locale -D medborger`"


def test_plurals_in_both_languages():
    i18n.use("da")
    try:
        assert (vocab.counted("activities", 1), vocab.counted("activities", 2)) == ("1 aktivitet", "2 aktiviteter")
        assert (vocab.counted("actors", 1), vocab.counted("bookings", 3)) == ("1 aktør", "3 bookinger")
    finally:
        i18n.use("en")
    assert (vocab.counted("activities", 1), vocab.counted("activities", 2)) == ("1 activity", "2 activities")


def test_dates_in_danish_forms():
    import datetime as dt

    i18n.use("da")
    try:
        assert schedule.long_day(dt.date(2026, 12, 7)) == "man. 7. dec. 2026"
        assert schedule.moment_text("2026-12-07T17:00") == "07.12.2026 17.00"
    finally:
        i18n.use("en")
    assert schedule.long_day(dt.date(2026, 12, 7)) == "Mon 7 Dec 2026"


# ---------------------------------------------------------------------------------------------
# Choosing the language


@pytest.mark.parametrize("env, args, expected", [
    ({}, [], "da"),
    ({"LANG": "da_DK.UTF-8"}, [], "da"),
    ({"LANG": "en_US.UTF-8"}, [], "en"),
    ({"LANG": "C.UTF-8"}, [], "da"),
    ({"LANG": "en_US.UTF-8", "LC_ALL": "da_DK.UTF-8"}, [], "da"),
    ({"LANG": "da_DK.UTF-8", "LC_MESSAGES": "en_GB.UTF-8"}, [], "en"),
    ({"MEDBORGER_LANG": "en", "LANG": "da_DK.UTF-8"}, [], "en"),
    ({"MEDBORGER_LANG": "da", "LANG": "en_US.UTF-8"}, [], "da"),
    ({"MEDBORGER_LANG": "da"}, ["--lang", "en"], "en"),
    ({"LANG": "en_US.UTF-8"}, ["--lang=da"], "da"),
])
def test_the_language_comes_from_lang_then_medborger_lang_then_the_locale(env, args, expected):
    result = _run(*args, "--help", **env)
    assert result.returncode == 0, result.stderr
    if expected == "da":
        assert "Brug: medborger [TILVALG] KOMMANDO" in result.stdout and "Tilvalg:" in result.stdout
        assert "Usage:" not in result.stdout and "Show this message" not in result.stdout
    else:
        assert "Usage: medborger [OPTIONS] COMMAND" in result.stdout and "Show this message and exit." in result.stdout


def test_a_command_help_in_english_on_request():
    for result in (_run("--lang", "en", "add-activity", "--help"), _run("add-activity", "--help", MEDBORGER_LANG="en")):
        assert result.returncode == 0
        assert "Add an activity (aktivitet) and book its room" in result.stdout and "--centre CENTRE" in result.stdout
    danish = _run("add-activity", "--help")
    assert "Tilføj en aktivitet, og book dens lokale" in danish.stdout and "--centre CENTER" in danish.stdout


def test_an_unknown_language_is_refused_in_the_readers_language():
    result = _run("--lang", "fr", "init")
    assert result.returncode == 2 and "Fejl: Ugyldig værdi for '--lang': 'fr' er ikke et sprog i medborger" in result.stderr


def _commands(command, path=()):
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


def test_the_help_of_every_command_and_option_is_danish(danish, cli):
    """Every help text in the tree is translated, and what `--help` prints has no English left."""
    import typer

    root = typer.main.get_command(app)
    language.choose([], list(root.commands))
    language.localize(root, deep=True)
    untranslated = []
    for path, command in _commands(root):
        texts = [("help", command.help)] + [(p.name, p.help) for p in command.params if getattr(p, "help", None)]
        sources = command.__dict__.get("_medborger_sources", {})
        if command.help and sources.get("help") == command.help:
            untranslated.append(" ".join(path) or "medborger")
        for param in command.params:
            source = param.__dict__.get("_medborger_sources", {}).get("help")
            if source and source == param.help:
                untranslated.append(f"{' '.join(path)} {param.name}")
        assert texts
    assert not untranslated, untranslated
    for path, command in _commands(root):
        result = cli(*path, "--help")
        assert result.exit_code == 0, (path, result.stderr)
        assert result.stdout.startswith("Brug: medborger"), (path, result.stdout[:80])
        for word in ("Usage:", "Options:", "Arguments:", "Commands:", "Show this message", "[default:", "[required]", "[env var:", "<str>"):
            assert word not in result.stdout, (path, word)


def test_the_english_help_is_english(cli):
    result = cli("list", "bookings", "--help")
    assert "Usage: medborger list bookings [OPTIONS]" in result.stdout and "Options:" in result.stdout
    assert "Bookings from today on" in result.stdout and "Tilvalg" not in result.stdout


# ---------------------------------------------------------------------------------------------
# Tables, messages and errors


def test_main_tables_are_danish(danish, cli, house):
    listed = cli("list", "centres")
    assert listed.stdout.startswith("Medborgercentre") and "Kommune" in listed.stdout and "Lokaler" in listed.stdout
    assert "boligområdebaseret" in listed.stdout and "Municipality" not in listed.stdout
    actors = cli("list", "actors")
    assert "Sektor" in actors.stdout and "frivillig" in actors.stdout and "Sector" not in actors.stdout
    added = cli("add-activity", "Lektiecafé", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-t", "lektiehjælp", "--age", "6-12",
                "-d", "mandag", "--start", "15:00", "--end", "17:00", "--from", "2026-12-07", "--until", "2026-12-14")
    assert added.exit_code == 0, added.stderr
    assert "Tilføjede aktiviteten Lektiecafé" in added.stderr and "2 datoer booket, man. 7. dec. 2026 til man. 14. dec. 2026" in added.stderr
    bookings = cli("list", "bookings", "--week", "50", "--year", "2026")
    assert "Bookinger" in bookings.stdout and "man. 07.12.2026 15.00–17.00" in bookings.stdout and "Title" not in bookings.stdout
    week = cli("schedule", "--week", "50", "--year", "2026", "--centre", "motalavej")
    assert "uge 50, 2026" in week.stdout and "Lokale" in week.stdout and "15.00–17.00" in week.stdout
    assert "week" not in week.stdout
    activities = cli("list", "activities")
    assert "Hvornår" in activities.stdout and "mandag 15.00–17.00, 07.12.2026–14.12.2026" in activities.stdout
    data = cli("list", "activities", "--json").json()  # keys, codes and ISO dates whatever the language
    assert data[0]["schedule"] == "mandag 15:00–17:00, 2026-12-07–2026-12-14" and data[0]["category"] == "learning"
    assert cli("list", "bookings", "--week", "50", "--year", "2026", "--json").json()[0]["start"] == "2026-12-07T15:00"


def test_main_tables_are_english_on_request(cli, house):
    """The English interface names weekdays, focus areas and life situations in English too."""
    added = cli("add-activity", "Lektiecafé", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-t", "lektiehjælp", "--age", "6-12",
                "--target", "forældre", "--focus", "uddannelse", "-d", "mandag,onsdag", "--every", "2",
                "--start", "15:00", "--end", "17:00", "--from", "2026-12-07", "--until", "2026-12-23")
    assert added.exit_code == 0, added.stderr
    week = cli("schedule", "--week", "50", "--year", "2026", "--centre", "motalavej")
    assert "Mon 07.12" in week.stdout and "Wed 09.12" in week.stdout and "15:00–17:00" in week.stdout
    assert "Man " not in week.stdout and "Ons " not in week.stdout
    bookings = cli("list", "bookings", "--week", "50", "--year", "2026")
    assert "Mon 07.12.2026 15:00–17:00" in bookings.stdout
    activities = cli("list", "activities")
    assert "Monday/Wednesday every 2 weeks 15:00–17:00, 07.12.2026–23.12.2026" in activities.stdout, activities.stdout
    assert "mandag" not in activities.stdout and "hver" not in activities.stdout and "homework help" in activities.stdout
    shown = cli("list", "activities", "--json").json()[0]
    assert shown["schedule"] == "Monday/Wednesday every 2 weeks 15:00–17:00, 2026-12-07–2026-12-23"
    assert shown["focus"] == "education" and shown["target_groups"] == ["parents"]


def test_the_conflict_table_and_its_advice_are_danish(danish, cli, house):
    cli("book", "-c", "motalavej", "-r", "Salen", "-a", "5M", "--title", "Møde", "--start", "2026-12-08 17:00", "--end", "19:00")
    result = cli("book", "-c", "motalavej", "-r", "Salen", "-a", "Røde Kors", "--title", "Syklub",
                 "--start", "2026-12-08 18:00", "--end", "20:00", "--no-input")
    assert result.exit_code == 1
    assert "Dobbeltbookinger af lokaler" in result.stderr and "Fejl:" in result.stderr
    assert "(brug --allow-conflicts for at gemme den alligevel)" in result.stderr
    assert "Room conflicts" not in result.stderr and "pass --allow" not in result.stderr


BAD_INPUTS = [
    (("add-room", "Ukendt hus", "Salen"), "intet medborgercenter 'Ukendt hus'", "no centre 'Ukendt hus'"),
    (("add-actor", "Nyt", "--sector", "rumfart"), "ukendt værdi 'rumfart'; brug en af", "unknown value 'rumfart'; use one of"),
    (("add-actor", "Jobcenter Slagelse", "--sector", "kommunal"), "der findes allerede en aktør ved navn 'Jobcenter Slagelse'",
     "an actor named 'Jobcenter Slagelse' exists already"),
    (("add-closure", "motalavej", "--from", "2026-13-01", "--until", "2026-12-31", "--reason", "x"),
     "'2026-13-01' er ikke en rigtig dato", "'2026-13-01' is not a real date"),
    (("add-closure", "motalavej", "--from", "2026-12-20", "--until", "2026-12-01", "--reason", "Jul"),
     "søn. 20. dec. 2026", "Sun 20 Dec 2026"),
    (("book", "-c", "motalavej", "-r", "Salen", "-a", "5M", "--title", "Møde", "--start", "i går 17", "--end", "18"),
     "skal have både dato og klokkeslæt", "needs a date and a time"),
    (("list", "bookings", "--week", "54", "--year", "2026"), "2026 har uge 1 til 53, ikke uge 54", "2026 has weeks 1 to 53, not 54"),
    (("list", "bookings", "--json", "--csv"), "vælg én af --json og --csv", "choose one of --json and --csv"),
    (("list", "lokaler"), "Ukendt kommando 'lokaler'", "No such command 'lokaler'"),
    (("list", "rooms", "--sideways"), "Ukendt tilvalg: --sideways", "No such option: --sideways"),
    (("add-room", "--no-input"), "mangler CENTER, NAVN", "missing CENTRE, NAME"),
    (("list", "rooms", "--centre"), "Tilvalget '--centre' skal have en værdi", "Option '--centre' needs a value"),
    (("list", "rooms", "ekstra"), "Fik et uventet ekstra argument (ekstra)", "Got an unexpected extra argument (ekstra)"),
    (("remove", "actor", "Jobcenter Slagelse", "--no-input"), "sletning af aktør Jobcenter Slagelse", "removing actor Jobcenter Slagelse"),
]


@pytest.mark.parametrize("args, danish_text, english_text", BAD_INPUTS, ids=[" ".join(a[:2]) for a, _d, _e in BAD_INPUTS])
def test_errors_in_both_languages(args, danish_text, english_text, cli, house, monkeypatch):
    english = cli(*args)
    assert english.exit_code in (1, 2) and english_text in english.stderr, english.stderr
    assert "Error:" in english.stderr
    for name in LANGUAGE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "da_DK.UTF-8")
    try:
        danish = cli(*args)
    finally:
        i18n.use("en")
    assert danish.exit_code == english.exit_code and danish_text in danish.stderr, danish.stderr
    assert "Fejl:" in danish.stderr and "Error:" not in danish.stderr and "Traceback" not in danish.stderr
    assert english_text not in danish.stderr


# ---------------------------------------------------------------------------------------------
# Confirmations


@pytest.mark.parametrize("typed, default, expected", [
    ("j", False, True), ("ja", False, True), ("Ja", False, True), ("y", False, True), ("yes", False, True),
    ("n", True, False), ("nej", True, False), ("NEJ", True, False), ("no", True, False),
    ("", True, True), ("", False, False), ("måske", False, None),
])
def test_confirmations_take_danish_and_english_answers(typed, default, expected):
    from medborger_cli import prompts

    assert prompts.answer_yes(typed, default) is expected


@pytest.mark.slow
def test_j_confirms_a_removal_at_a_terminal(db_path, cli, house):
    import pexpect

    env = {k: v for k, v in os.environ.items() if k not in LANGUAGE_VARIABLES}
    env.update(MEDBORGER_DB=str(db_path), TERM="xterm", COLUMNS="160", LINES="50", PROMPT_TOOLKIT_NO_CPR="1", LANG="da_DK.UTF-8")
    env.pop("MEDBORGER_NO_INPUT", None)
    child = pexpect.spawn(sys.executable, ["-m", "medborger_cli", "remove", "actor", "Jobcenter Slagelse"], env=env,
                          encoding="utf-8", timeout=20, dimensions=(50, 160))
    child.expect("Fjern aktør Jobcenter Slagelse")
    child.expect(r"\(j/N\)")
    child.send("ja\r")
    child.expect("Fjernede aktør Jobcenter Slagelse")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
