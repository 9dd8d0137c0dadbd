"""Centres, rooms and actors: flags, Danish aliases, names, listings."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.engines

from conftest import dump, rows


@pytest.mark.parametrize(
    "typed,code",
    [("boligområdebaseret", "housing"), ("Bibliotek", "library"), ("FORENING", "association"), ("sundhedshus", "health"),
     ("andet", "other"), ("library", "library")],
)
def test_centre_types_are_stored_as_codes_from_danish_aliases(cli, db_path, typed, code):
    assert cli("add-centre", f"Hus {typed}", "--type", typed, "--municipality", "Aalborg").exit_code == 0
    assert rows(db_path, "SELECT type FROM centres") == [{"type": code}]


@pytest.mark.parametrize(
    "typed,code",
    [("helhedsplan", "housing-social"), ("afdelingsbestyrelse", "housing-org"), ("Kommunal", "municipal"),
     ("forening", "volunteer"), ("beboergruppe", "resident"), ("politi", "police"), ("VUC", "education")],
)
def test_actor_sectors_are_stored_as_codes_from_danish_aliases(cli, db_path, typed, code):
    assert cli("add-actor", f"Aktør {typed}", "--sector", typed).exit_code == 0
    assert rows(db_path, "SELECT sector FROM actors") == [{"sector": code}]


def test_list_json_carries_id_and_name(cli, house):
    centres = cli("list", "centres", "--json").json()
    assert [c["name"] for c in centres] == ["Foreningernes Hus", "Kvarterhuset på Motalavej"]
    assert all(isinstance(c["id"], int) for c in centres)
    rooms = cli("list", "rooms", "--centre", "kvarterhuset på motalavej", "--json").json()
    assert [(r["name"], r["centre"], r["capacity"]) for r in rooms] == [
        ("Køkkenet", "Kvarterhuset på Motalavej", None),
        ("Salen", "Kvarterhuset på Motalavej", 60),
    ]
    actors = cli("list", "actors", "--json").json()
    assert {a["name"]: a["sector"] for a in actors}["Jobcenter Slagelse"] == "municipal"


def test_empty_lists_print_an_empty_json_array(cli):
    result = cli("list", "centres", "--json")
    assert result.exit_code == 0 and result.json() == []
    assert cli("list", "bookings", "--json").json() == []


def test_csv_has_a_header_row(cli, house):
    result = cli("list", "rooms", "--csv")
    lines = result.stdout.splitlines()
    assert lines[0] == "id,name,centre,capacity"
    # the fixture adds Salen (1) and Køkkenet (2) to Motalavej, then Køkkenet (3) to Foreningernes Hus
    assert lines[1:] == ["3,Køkkenet,Foreningernes Hus,", "2,Køkkenet,Kvarterhuset på Motalavej,",
                         "1,Salen,Kvarterhuset på Motalavej,60"]


def test_table_is_the_default(cli, house):
    result = cli("list", "actors")
    assert "Røde Kors Korsør" in result.stdout and "volunteer" in result.stdout


def test_names_are_matched_case_insensitively_with_danish_letters(cli, house):
    result = cli("add-room", "KVARTERHUSET PÅ MOTALAVEJ", "Værkstedet")
    assert result.exit_code == 0
    result = cli("list", "rooms", "--centre", "kvarterhuset PÅ motalavej", "--json")
    assert "Værkstedet" in [r["name"] for r in result.json()]


def test_a_unique_part_of_a_name_is_enough_and_an_ambiguous_one_lists_candidates(cli, house):
    assert cli("add-room", "motalavej", "Mødelokalet").exit_code == 0
    result = cli("list", "rooms", "--centre", "h", "--json")  # both centres contain an h
    assert result.exit_code == 2
    assert "matches 2 centres" in result.stderr
    assert "Foreningernes Hus (id 2" in result.stderr and "Kvarterhuset på Motalavej (id 1" in result.stderr


def test_duplicate_names_are_refused_whatever_the_case(cli, house):
    before = dump(house)
    result = cli("add-centre", "foreningernes HUS", "--type", "other", "--municipality", "Aarhus")
    assert result.exit_code == 2 and "exists already" in result.stderr
    result = cli("add-room", "Foreningernes Hus", "KØKKENET")
    assert result.exit_code == 2 and "exists already" in result.stderr
    assert dump(house) == before


def test_the_same_room_name_in_two_centres_is_fine(cli, house):
    assert len(rows(house, "SELECT * FROM rooms WHERE name = 'Køkkenet'")) == 2


def test_unknown_codes_list_the_valid_ones(cli, house):
    before = dump(house)
    result = cli("add-actor", "Nogen", "--sector", "kommune-ish")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "--sector: unknown value 'kommune-ish'" in result.stderr and "municipal (kommunal)" in result.stderr
    result = cli("add-centre", "Nyt hus", "--type", "slot", "--municipality", "X")
    assert result.exit_code == 2 and "--type" in result.stderr
    assert dump(house) == before


def test_missing_values_without_a_terminal_name_every_flag(cli):
    result = cli("add-centre")
    assert result.exit_code == 2
    assert "missing NAME, --type, --municipality" in result.stderr
    result = cli("--no-input", "add-actor", "Et navn")
    assert result.exit_code == 2 and "missing --sector" in result.stderr


def test_unicode_names_round_trip(cli):
    for name in ("Æblehaven Ø", "جمعية النساء", "Café ☕ Fællesskab"):
        assert cli("add-actor", name, "--sector", "frivillig").exit_code == 0
    names = {a["name"] for a in cli("list", "actors", "--json").json()}
    assert names == {"Æblehaven Ø", "جمعية النساء", "Café ☕ Fællesskab"}


def test_empty_and_overlong_names_are_bad_input(cli, house):
    before = dump(house)
    assert cli("add-actor", "   ", "--sector", "frivillig").exit_code == 2
    result = cli("add-actor", "x" * 10000, "--sector", "frivillig")
    assert result.exit_code == 2 and "too long" in result.stderr
    assert dump(house) == before


def test_remove_refuses_to_orphan_and_cascades_on_request(cli, house):
    cli("add-activity", "Lektiecafé", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-k", "læring", "-g", "børn",
        "--on", "2026-09-07", "--start", "15:00", "--end", "17:00")
    before = dump(house)
    result = cli("remove", "centre", "Kvarterhuset på Motalavej", "--yes")
    assert result.exit_code == 1
    assert "2 rooms" in result.stderr and "1 activity (Lektiecafé)" in result.stderr and "--cascade" in result.stderr
    result = cli("remove", "room", "Køkkenet", "--centre", "motalavej")
    assert result.exit_code == 2 and "--yes" in result.stderr  # no terminal: confirmation must be explicit
    assert dump(house) == before
    result = cli("remove", "centre", "Kvarterhuset på Motalavej", "--yes", "--cascade")
    assert result.exit_code == 0
    assert rows(house, "SELECT count(*) AS n FROM bookings")[0]["n"] == 0
    assert [c["name"] for c in rows(house, "SELECT name FROM centres")] == ["Foreningernes Hus"]


def test_remove_an_actor_without_dependants(cli, house):
    result = cli("remove", "actor", "Jobcenter Slagelse", "--yes")
    assert result.exit_code == 0
    assert "Jobcenter Slagelse" not in {a["name"] for a in rows(house, "SELECT name FROM actors")}
