"""User text is data: names are printed literally (never as Rich markup), control characters are
echoed visibly, and --csv output guards formula cells as `export csv` does."""

from __future__ import annotations

import csv
import io
import re

import sqlite3

import pytest

from conftest import execute, rows
from medborger_cli import output

pytestmark = pytest.mark.engines

MARKUP = "Klub [/] for [bold]alle[/bold]"
LINK = "[link=file:///etc/passwd]klik[/link]"
CAFE = "Café ☕ 🎉 æøå"
ROOM = "Salen [/]"
TITLE = "Lektie [/]café [red]x"
REASON = "Efterårsferie [/] [link=https://example.com]her[/link]"
EMOJI_CODE = "Smil :thumbs_up: [i]"

OSC8 = "\x1b]8;"
SGR = re.compile(r"\x1b\[[0-9;]*m")


def shown(text: str) -> str:
    """What a reader sees: colours and styles taken away (after checking there are no links)."""
    assert OSC8 not in text
    return SGR.sub("", text)


def sane(result, code: int = 0) -> None:
    """The right exit code, and neither a traceback nor an internal error."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream and "internal error" not in stream and "MarkupError" not in stream
        assert OSC8 not in stream


@pytest.fixture
def terminal(monkeypatch):
    """Rich believes it writes to a colour terminal, where links and styles would be emitted."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def tricky(cli, db_path, terminal):
    """A centre whose every name is markup, a link, emoji or an :emoji: code."""
    steps = [
        ("add-centre", MARKUP, "--type", "forening", "--municipality", "Aarhus", "--area", LINK, "--owner", EMOJI_CODE),
        ("add-room", MARKUP, CAFE, "--capacity", "20"),
        ("add-room", MARKUP, ROOM),
        ("add-actor", LINK, "--sector", "frivillig", "--contact", "Mette [i]Jensen[/i]", "--email", "mette@example.dk"),
        ("add-actor", CAFE, "--sector", "kommunal"),
        ("add-actor", EMOJI_CODE, "--sector", "forening"),
        ("add-closure", MARKUP, "--from", "2026-10-12", "--until", "2026-10-16", "--reason", REASON),
    ]
    for step in steps:
        result = cli(*step)
        sane(result)
    return db_path


ACTIVITY = ("add-activity", TITLE, "--centre", MARKUP, "--room", CAFE, "--actor", LINK, "--partner", CAFE,
            "--category", "læring", "--target", "børn", "--weekday", "mandag", "--start", "15:00", "--end", "17:00",
            "--from", "2026-09-07", "--until", "2026-10-19")


def test_add_commands_echo_names_literally(cli, tricky):
    # the messages of the fixture's add-* commands, repeated for one name with each kind of trouble
    result = cli("add-centre", LINK, "--type", "forening", "--municipality", "Aarhus")
    sane(result)
    assert f"Added centre {LINK}" in shown(result.stderr)
    result = cli("add-room", LINK, CAFE)
    sane(result)
    assert f"Added room {CAFE}" in shown(result.stderr)
    result = cli("add-actor", EMOJI_CODE + " 2", "--sector", "frivillig")
    sane(result)
    assert f"Added actor {EMOJI_CODE} 2" in shown(result.stderr)


def test_add_activity_reports_skipped_dates_literally(cli, tricky):
    result = cli(*ACTIVITY)
    sane(result)
    err = shown(result.stderr)
    assert REASON in err  # the skipped-dates table: the closure's reason
    assert f"Added activity {TITLE}" in err and f"in {CAFE}, {MARKUP}" in err
    assert [r["title"] for r in rows(tricky, "SELECT DISTINCT title FROM activities")] == [TITLE]


def test_add_activity_allowing_conflicts_stores_and_exits_0(cli, tricky):
    sane(cli(*ACTIVITY))
    result = cli("add-activity", "Anden [/] lektiecafé", "--centre", MARKUP, "--room", CAFE, "--actor", EMOJI_CODE,
                 "--category", "læring", "--target", "børn", "--on", "2026-09-07", "--start", "16:00", "--end", "18:00",
                 "--allow-conflicts")
    sane(result)
    err = shown(result.stderr)
    assert TITLE in err and "Anden [/] lektiecafé" in err and LINK in err  # the conflict table
    assert "will show in `medborger overlaps`" in err
    assert rows(tricky, "SELECT count(*) AS n FROM bookings WHERE title = 'Anden [/] lektiecafé'") == [{"n": 1}]


def test_a_refused_booking_shows_its_conflicts_literally(cli, tricky):
    sane(cli(*ACTIVITY))
    book = ("book", "--centre", MARKUP, "--room", CAFE, "--actor", CAFE, "--title", "Møde [/] [bold]x",
            "--start", "2026-09-07 16:00", "--end", "17:30")
    result = cli(*book)
    sane(result, 1)
    err = shown(result.stderr)
    assert "Møde [/] [bold]x" in err and TITLE in err and LINK in err
    assert "room conflict" in err
    assert rows(tricky, "SELECT count(*) AS n FROM bookings WHERE title = 'Møde [/] [bold]x'") == [{"n": 0}]

    result = cli(*book, "--allow-conflicts")
    sane(result)
    err = shown(result.stderr)
    assert "Møde [/] [bold]x" in err and f"Booked {CAFE}, {MARKUP} for Møde [/] [bold]x" in err
    assert rows(tricky, "SELECT count(*) AS n FROM bookings WHERE title = 'Møde [/] [bold]x'") == [{"n": 1}]


@pytest.fixture
def planned(cli, tricky):
    """Activities and bookings with tricky names, including a double booking and a clash."""
    sane(cli(*ACTIVITY))
    sane(cli("add-activity", "Anden [/] lektiecafé", "--centre", MARKUP, "--room", CAFE, "--actor", EMOJI_CODE,
             "--category", "læring", "--target", "børn", "--on", "2026-09-07", "--start", "16:00", "--end", "18:00",
             "--allow-conflicts"))
    sane(cli("book", "--centre", MARKUP, "--room", ROOM, "--actor", CAFE, "--title", "Møde [/] [bold]x",
             "--start", "2026-09-08 10:00", "--end", "11:00"))
    return tricky


@pytest.mark.parametrize(
    "args, expected",
    [
        (("list", "centres"), [MARKUP, LINK, EMOJI_CODE]),
        (("list", "rooms"), [CAFE, ROOM, MARKUP]),
        (("list", "actors"), [LINK, CAFE, EMOJI_CODE, "Mette [i]Jensen[/i]"]),
        (("list", "activities"), [TITLE, MARKUP, CAFE, LINK]),
        (("list", "bookings", "--from", "2026-09-01", "--until", "2026-12-31"), [TITLE, "Møde [/] [bold]x", CAFE, ROOM, LINK]),
        (("list", "closures"), [MARKUP, REASON]),
        (("schedule", "--week", "37", "--year", "2026"), [MARKUP, CAFE, ROOM, TITLE, LINK, "Møde [/] [bold]x"]),
        (("schedule", "--week", "42", "--year", "2026"), ["lukket: Efterårsferie [/]", "[link=https://example.com]her[/link]"]),
        (("overlaps", "--from", "2026-09-01", "--until", "2026-12-31"), [MARKUP, CAFE, TITLE, "Anden [/] lektiecafé", LINK]),
        (("overlaps", "--from", "2026-09-01", "--until", "2026-12-31", "--kind", "room"), [TITLE, LINK, EMOJI_CODE]),
        (("collaboration", "--from", "2026-09-01", "--until", "2026-12-31"), [MARKUP, LINK, CAFE, TITLE]),
        (("privacy", "show", "jensen"), ["Mette [i]Jensen[/i]", "Stored about 'jensen'"]),
        (("privacy", "show", "Klub [/] for"), [MARKUP, "Stored about 'Klub [/] for'"]),
    ],
)
def test_tables_print_names_literally(cli, planned, args, expected):
    result = cli(*args)
    sane(result)
    out = shown(result.stdout)
    for text in expected:
        assert text in out, (text, out)


def test_collaboration_prints_the_centre_rule_literally(cli, planned):
    out = shown(cli("collaboration", "--from", "2026-09-01", "--until", "2026-12-31").stdout)
    assert f"{MARKUP} · {LINK}" in out


def test_messages_echo_names_literally(cli, planned):
    result = cli("privacy", "show", "[bold]ingen[/] :thumbs_up:")
    sane(result)
    assert "Nothing stored mentions '[bold]ingen[/] :thumbs_up:'" in shown(result.stderr)
    result = cli("list", "rooms", "--centre", MARKUP + " [/]")
    sane(result, 2)
    assert f"no centre '{MARKUP} [/]'" in shown(result.stderr)  # echoed as typed
    result = cli("cancel", str(rows(planned, "SELECT id FROM bookings WHERE title = 'Møde [/] [bold]x'")[0]["id"]))
    sane(result)
    assert "Møde [/] [bold]x" in shown(result.stderr)


def test_check_prints_the_path_literally(cli, tmp_path, terminal):
    path = tmp_path / "[red]data[link=x]" / "m.db"
    path.parent.mkdir()
    result = cli("--db", path, "check")
    sane(result)
    assert f"Database: {path}" in shown(result.stdout)


# ---------------------------------------------------------------------------------------------
# Control characters are shown, not obeyed


@pytest.mark.parametrize(
    "text, seen",
    [
        ("Kvarterhuset på Motalavej", "Kvarterhuset på Motalavej"),
        ("Café ☕ 🎉 ÆØÅ æøå", "Café ☕ 🎉 ÆØÅ æøå"),
        ("family 👩\u200d👩\u200d👧 ok", "family 👩\u200d👩\u200d👧 ok"),  # a joiner inside an emoji stays
        ("non\u00a0breaking", "non\u00a0breaking"),
        ("red \x1b[31mtext\x1b[0m", "red \\x1b[31mtext\\x1b[0m"),
        ("link \x1b]8;;http://x\x07y", "link \\x1b]8;;http://x\\x07y"),
        ("abc\u202edcb", "abc\\u202edcb"),  # right-to-left override
        ("a\u2066b\u2069", "a\\u2066b\\u2069"),  # bidi isolates
        ("zero\u200bwidth\u200dx\ufeff", "zero\\u200bwidth\\u200dx\\ufeff"),
        ("c1 \x9b31m \x85", "c1 \\x9b31m \\x85"),
        ("nul\x00 del\x7f tab\t cr\r nl\n", "nul\\x00 del\\x7f tab\\x09 cr\\x0d nl\\x0a"),
        ("line\u2028sep", "line\\u2028sep"),
        ("tag \U000e0041", "tag \\U000e0041"),
    ],
)
def test_visible(text, seen):
    assert output.visible(text) == seen


@pytest.mark.parametrize("show", [output.message, output.warning, output.error])
def test_messages_are_literal_and_visible(show, capsys, terminal):
    output.reset_consoles()
    show("[bold]x[/] [/] [link=file:///etc/passwd]klik[/link] :thumbs_up: \x1b[2J\u202e æøå ☕")
    err = capsys.readouterr().err
    assert "\x1b[2J" not in err and "\u202e" not in err
    assert "[bold]x[/] [/] [link=file:///etc/passwd]klik[/link] :thumbs_up: \\x1b[2J\\u202e æøå ☕" in shown(err)
    output.reset_consoles()


def test_a_control_character_typed_on_the_command_line_is_echoed_visibly(cli, house):
    result = cli("list", "rooms", "--centre", "X\x1b[31mRED\u202e")
    assert result.exit_code == 2
    assert "\x1b[31m" not in result.stderr and "\u202e" not in result.stderr
    assert "--centre: 'X\\x1b[31mRED\\u202e' contains a control" in result.stderr
    result = cli("list", "bookings", "--status", "\x1b]8;;http://x\x07y")
    assert result.exit_code == 2 and "\x1b]" not in result.stderr and "'\\x1b]8;;http://x\\x07y'" in result.stderr


def test_a_control_character_in_a_csv_cell_is_echoed_visibly(cli, house, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("centre,room,title,actor,start,end\n\x1b[2JOnde\u202e,Salen,A,5M,2026-09-07 10:00,11:00\n", encoding="utf-8")
    result = cli("import", "csv", "bookings", path)
    assert result.exit_code == 2
    assert "\x1b[2J" not in result.stderr and "\u202e" not in result.stderr
    assert "'\\x1b[2JOnde\\u202e'" in result.stderr


def test_names_in_tables_show_hidden_characters(cli, house):
    # entry refuses control and bidi characters; a name that holds them anyway (a file written by an
    # older medborger, or by another program) is shown with them visible in tables
    refused = cli("add-room", "motalavej", "Sal\u202e\x9b")
    assert refused.exit_code == 2 and "U+202E" in refused.stderr
    execute(house, "INSERT INTO rooms (centre_id, name, name_key) VALUES (1, ?, ?)", ("Sal\u202e\x9b", "sal\u202e\x9b"))
    out = cli("list", "rooms").stdout
    assert "Sal\\u202e\\x9b" in out and "\u202e" not in out and "\x9b" not in out


# ---------------------------------------------------------------------------------------------
# --csv guards formula cells, as `export csv` does; --raw and --json do not

FORMULAS = ['=HYPERLINK("http://evil.example","klik")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3"]


@pytest.fixture
def formulas(cli, house):
    f_hyper, f_cmd, f_sum, f_minus = FORMULAS
    steps = [
        ("add-centre", f_hyper, "--type", "forening", "--municipality", f_cmd, "--area", f_sum, "--owner", f_minus),
        ("add-room", f_hyper, f_cmd),
        ("add-actor", f_sum, "--sector", "frivillig", "--contact", f_minus, "--email", "x@example.dk"),
        ("add-actor", "--sector", "kommunal", "--", f_minus),
        ("add-closure", f_hyper, "--from", "2026-10-12", "--until", "2026-10-16", "--reason", f_cmd),
        ("add-activity", f_sum, "--centre", f_hyper, "--room", f_cmd, "--actor", f_sum, "--partner", f_minus,
         "--category", "læring", "--target", "børn", "--weekday", "mandag", "--start", "15:00", "--end", "17:00",
         "--from", "2026-09-07", "--until", "2026-09-21"),
        ("add-activity", "--centre", f_hyper, "--room", f_cmd, "--actor", f_minus, "--category", "læring",
         "--target", "børn", "--on", "2026-09-07", "--start", "16:00", "--end", "18:00", "--allow-conflicts", "--", f_minus),
    ]
    for step in steps:
        result = cli(*step)
        assert result.exit_code == 0, (step, result.stderr)
    return house


CSV_COMMANDS = [
    ("list", "centres"),
    ("list", "rooms"),
    ("list", "actors"),
    ("list", "activities"),
    ("list", "bookings", "--from", "2026-09-01", "--until", "2026-12-31"),
    ("list", "closures"),
    ("schedule", "--week", "37", "--year", "2026"),
    ("overlaps", "--from", "2026-09-01", "--until", "2026-12-31"),
    ("collaboration", "--from", "2026-09-01", "--until", "2026-12-31"),
    ("privacy", "show", "HYPERLINK"),
]


def cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


@pytest.mark.parametrize("args", CSV_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_csv_guards_formula_cells(cli, formulas, args):
    result = cli(*args, "--csv")
    assert result.exit_code == 0, result.stderr
    found = cells(result.stdout)
    dangerous = [c for c in found if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert dangerous == []
    guarded = [c for c in found if c.startswith("'") and c[1:2] in ("=", "+", "-", "@")]
    assert guarded, result.stdout  # the fixture's names are in this output, with an apostrophe


@pytest.mark.parametrize("args", CSV_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_csv_raw_leaves_cells_as_stored(cli, formulas, args):
    result = cli(*args, "--csv", "--raw")
    assert result.exit_code == 0, result.stderr
    found = cells(result.stdout)
    assert not [c for c in found if c.startswith("'")]
    assert any(formula in c for c in found for formula in FORMULAS)


def test_csv_cells_match_export_csv(cli, formulas):
    listed = {c for c in cells(cli("list", "centres", "--csv").stdout)}
    exported = {c for c in cells(cli("export", "csv", "centres").stdout)}
    for formula in FORMULAS:
        assert "'" + formula in listed and "'" + formula in exported


def test_json_stays_unguarded(cli, formulas):
    centres = cli("list", "centres", "--json").json()
    hyper = [c for c in centres if c["name"] == FORMULAS[0]]
    assert hyper and hyper[0]["municipality"] == FORMULAS[1] and hyper[0]["area"] == FORMULAS[2]


def test_raw_is_documented_once_for_every_csv_command(cli):
    for args in CSV_COMMANDS:
        help_text = cli(*args[:2 if args[0] in ("list", "privacy") else 1], "--help").stdout
        assert "--raw" in help_text and "against running as formulas" in " ".join(help_text.split()), args
