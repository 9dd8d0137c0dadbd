"""Who an activity is for and what it is: ages, genders, life situations, types, internal
meetings; the old target codes at every door; and m005 on a database from before it."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest
from sqlite_utils import Database

from conftest import rows
from medborger_cli import coordination, errors, rules, store, vocab
from medborger_cli.coordination import Scope

pytestmark = pytest.mark.engines

BASE = ("-c", "motalavej", "-r", "Salen", "-a", "5M", "--on", "2026-12-07", "--start", "16:00", "--end", "18:00")


def activity(cli, title, *args):
    result = cli("add-activity", title, *BASE, "--allow-conflicts", *args)
    assert result.exit_code == 0, result.stderr
    return next(a for a in cli("list", "activities", "--json").json() if a["title"] == title)


@pytest.mark.parametrize("text,expected", [
    ("0-5", (0, 5)), ("13-17", (13, 17)), ("65-", (65, None)), ("65+", (65, None)), ("6–12", (6, 12)), ("-12", (0, 12)),
    ("16", (16, 16)), ("0-", (None, None)), ("", (None, None)), ("småbørn", (0, 5)), ("Unge", (13, 17)),
    ("unge voksne", (18, 29)), ("seniors", (65, None)), ("børn", (6, 12)),
])
def test_age_ranges(text, expected):
    assert rules.age_range(text) == expected


def test_age_bands_and_types_are_as_domain_md_names_them():
    assert {b.da: (b.low, b.high) for b in vocab.AGE_BANDS.values()} == {
        "småbørn": (0, 5), "børn": (6, 12), "unge": (13, 17), "unge voksne": (18, 29), "ældre": (65, None)}
    named = ["lektiehjælp", "sprogundervisning", "IT-hjælp", "jobcafé", "lommepengejob", "åben rådgivning", "gældsrådgivning",
             "fællesspisning", "klub", "café", "motion", "sundhedsforløb", "forældreforløb", "kulturtilbud"]
    for name in named:
        assert vocab.parse(vocab.ACTIVITY_TYPES, name.upper(), "type") == name
    assert 28 <= len(vocab.ACTIVITY_TYPES) <= 36
    assert set(t.category for t in vocab.ACTIVITY_TYPES.values()) <= set(vocab.CATEGORIES)
    assert {t.code for t in vocab.ACTIVITY_TYPES.values() if t.internal} == {"husmøde", "styregruppe", "netværksmøde", "bestyrelsesmøde"}


@pytest.mark.parametrize("facts,danish,english", [
    ({"age_min": 6, "age_max": 12, "gender": "all", "targets": []}, "børn", "children (6–12)"),
    ({"age_min": 10, "age_max": 15, "gender": "female", "targets": []}, "piger/kvinder, 10–15 år", "female, 10–15 years"),
    ({"age_min": 18, "age_max": None, "gender": "all", "targets": ["job-seekers"]}, "18+ år, ledige", "18+ years, job seekers"),
    ({"age_min": None, "age_max": None, "gender": "male", "targets": ["parents"]}, "drenge/mænd, forældre", "male, parents"),
    ({"age_min": None, "age_max": None, "gender": "all", "targets": ["everyone"]}, "alle", "everyone"),
    ({"age_min": None, "age_max": None, "gender": "all", "targets": [], "internal": 1}, "", ""),
    (None, "", ""),
])
def test_who_an_activity_is_for_in_a_few_words_of_the_readers_language(monkeypatch, facts, danish, english):
    """The printed pages' `For:` line and the report's target groups."""
    from medborger_cli import i18n

    assert coordination.audience_label(facts) == english
    monkeypatch.setenv("MEDBORGER_LANG", "da")
    i18n.use(None)
    assert coordination.audience_label(facts) == danish


@pytest.mark.parametrize("targets,expected", [
    (["children"], ("6-12", "all", [])),
    (["youth"], ("13-17", "all", [])),
    (["young-adults", "job-seekers"], ("18-29", "all", ["job-seekers"])),
    (["seniors"], ("65-", "all", [])),
    (["women"], (None, "female", [])),
    (["men", "parents"], (None, "male", ["parents"])),
    (["everyone"], (None, "all", ["everyone"])),
    (["everyone", "families"], (None, "all", ["families"])),
    (["children", "youth"], ("6-17", "all", [])),
    (["youth", "women"], ("13-17", "female", [])),
    (["women", "men"], (None, "all", ["everyone"])),
    (["unge", "kvinder"], ("13-17", "female", [])),
    (["småbørn", "forældre"], ("0-5", "all", ["parents"])),
])
def test_old_target_codes_are_accepted_and_mapped_through_both_doors(cli, house, tmp_path, targets, expected):
    typed = activity(cli, "Typed", "-k", "læring", *[x for t in targets for x in ("--target", t)])
    assert (typed["age"], typed["gender"], typed["target_groups"]) == expected
    path = tmp_path / "activities.csv"
    path.write_text(
        "centre,title,room,actor,category,target_groups,start,end,on\n"
        f"Kvarterhuset på Motalavej,Imported,Køkkenet,5M – Mennesker på Motalavej,learning,{';'.join(targets)},10:00,11:00,2026-12-08\n",
        encoding="utf-8",
    )
    result = cli("import", "csv", "activities", path)
    assert result.exit_code == 0, result.stderr
    imported = next(a for a in cli("list", "activities", "--json").json() if a["title"] == "Imported")
    assert (imported["age"], imported["gender"], imported["target_groups"]) == expected


def test_age_gender_and_life_situations_are_kept_apart(cli, house):
    a = activity(cli, "Pigeklub", "--type", "klub", "--age", "13-17", "--gender", "piger")
    assert (a["category"], a["type"], a["age"], a["gender"], a["target_groups"], a["internal"]) == (
        "community", "klub", "13-17", "female", [], False)
    b = activity(cli, "Mødregruppe", "--type", "Forældreforløb", "--gender", "kvinder", "--target", "forældre")
    assert (b["category"], b["type"], b["age"], b["gender"], b["target_groups"]) == ("health", "forældreforløb", None, "female", ["parents"])
    c = activity(cli, "Seniortræning", "--type", "motion", "--age", "ældre", "--category", "sundhed")
    assert (c["age"], c["gender"]) == ("65-", "all")
    d = activity(cli, "Husmøde", "--type", "husmøde")
    assert (d["category"], d["internal"], d["target_groups"]) == ("democracy", True, [])
    e = activity(cli, "Fællesspisning", "--type", "fællesspisning", "--gender", "alle")
    assert (e["age"], e["gender"], e["target_groups"]) == (None, "all", ["everyone"])


def test_an_activity_must_say_who_it_is_for_unless_it_is_internal(cli, house):
    result = cli("add-activity", "Ingen", *BASE, "-k", "læring")
    assert result.exit_code == 2 and "--target (or --age/--gender)" in result.stderr
    result = cli("add-activity", "Ingen", *BASE, "-k", "læring", "--target", "")
    assert result.exit_code == 2 and "--target: say who the activity is for" in result.stderr and "--age" in result.stderr
    result = cli("add-activity", "Styregruppe", *BASE, "-k", "demokrati", "--internal")
    assert result.exit_code == 0, result.stderr
    with pytest.raises(errors.BadInput) as err:
        rules.activity_fields({"title": "x", "type": "lektiehjælp", "start": "10:00", "end": "11:00", "on": "2026-12-07"})
    assert err.value.field == "target_groups"


def test_export_writes_the_new_columns_and_files_without_them_still_import(cli, house, tmp_path, monkeypatch):
    activity(cli, "Pigeklub", "--type", "klub", "--age", "13-17", "--gender", "piger")
    activity(cli, "Husmøde", "--type", "husmøde")
    activity(cli, "Åben rådgivning", "-k", "rådgivning", "--target", "alle")
    exported = cli("export", "csv", "activities").stdout.splitlines()
    header = exported[0].split(",")
    assert header[6:12] == ["category", "type", "age", "gender", "target_groups", "internal"]
    cells = {line.split(",")[2]: line.split(",")[6:12] for line in exported[1:]}
    assert cells == {
        "Pigeklub": ["community", "klub", "13-17", "female", "", ""],
        "Husmøde": ["democracy", "husmøde", "", "", "", "yes"],
        "Åben rådgivning": ["advice", "", "", "", "everyone", ""],
    }


# ---------------------------------------------------------------------------------------------
# m005 on a database from before it


def _old_key(kind, first, second):
    """How m002–m004 keyed a finding: two tokens of names, titles and times."""
    if second < first:
        first, second = second, first
    return f"{kind}-{hashlib.sha1(chr(31).join((kind, first, second)).encode()).hexdigest()[:10]}"


def test_m005_maps_old_target_codes_and_carries_acknowledgements_over(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    old = Database(conn)
    store.migrations.apply(old, stop_before="m005_audiences_and_types")
    script = """
        INSERT INTO centres VALUES (1, 'Huset', 'huset', 'housing', 'Slagelse', 'Motalavej', NULL, NULL, NULL, 'x');
        INSERT INTO rooms VALUES (1, 1, 'Salen', 'salen', NULL), (2, 1, 'Køkkenet', 'køkkenet', NULL);
        INSERT INTO actors VALUES (1, '5M', '5m', 'housing-social', NULL, NULL, NULL), (2, 'SSP', 'ssp', 'municipal', NULL, NULL, NULL);
        INSERT INTO activities (id, title, name_key, centre_id, room_id, actor_id, category, start_time, end_time, date_from,
                                date_until, created_at)
        VALUES (1, 'Pigeklub', 'pigeklub', 1, 1, 1, 'community', '17:00', '19:00', '2026-12-07', '2026-12-21', 'x'),
               (2, 'Madskole', 'madskole', 1, 1, 2, 'community', '18:00', '20:00', '2026-12-07', '2026-12-21', 'x'),
               (3, 'Fællesspisning', 'fællesspisning', 1, 2, 2, 'community', '17:00', '20:00', '2026-12-07', '2026-12-07', 'x'),
               (4, 'Seniorcafé', 'seniorcafé', 1, 2, 1, 'community', '10:00', '12:00', '2026-12-08', '2026-12-08', 'x');
        INSERT INTO activity_targets VALUES (1, 'youth'), (1, 'women'), (2, 'youth'), (2, 'children'), (3, 'everyone'),
                                            (3, 'families'), (4, 'seniors'), (4, 'men'), (4, 'women');
    """
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)
    days = ["2026-12-07", "2026-12-14", "2026-12-21"]
    for n, day in enumerate(days):
        conn.execute("INSERT INTO bookings (room_id, actor_id, activity_id, title, start, \"end\", created_at) VALUES (1, 1, 1, 'Pigeklub', ?, ?, 'x')",
                     [f"{day}T17:00", f"{day}T19:00"])
        conn.execute("INSERT INTO bookings (room_id, actor_id, activity_id, title, start, \"end\", created_at) VALUES (1, 2, 2, 'Madskole', ?, ?, 'x')",
                     [f"{day}T18:00", f"{day}T20:00"])
    conn.execute("INSERT INTO bookings (room_id, actor_id, activity_id, title, start, \"end\", created_at) VALUES "
                 "(2, 2, 3, 'Fællesspisning', '2026-12-07T17:00', '2026-12-07T20:00', 'x'), "
                 "(2, 1, 4, 'Seniorcafé', '2026-12-08T10:00', '2026-12-08T12:00', 'x')")

    def room_token(day, start, end, title, actor):
        return chr(30).join(("Huset", "Salen", f"{day}T{start}", f"{day}T{end}", title, actor))

    acks = [
        # the weekly double booking, acknowledged from the second date on: carried over
        *[(_old_key("room", room_token(d, "17:00", "19:00", "Pigeklub", "5M"), room_token(d, "18:00", "20:00", "Madskole", "SSP")),
           "room", f"aftalt {d}", f"2026-01-0{n + 1}T10:00") for n, d in enumerate(days[1:])],
        (_old_key("clash", "Huset\x1ePigeklub", "Huset\x1eMadskole"), "clash", "kendt", "2026-01-01T10:00"),
        (_old_key("parallel", "Huset\x1eGone", "Huset\x1eAway"), "parallel", "forsvundet", "2026-01-01T10:00"),
    ]
    conn.executemany("INSERT INTO acknowledgements VALUES (?, ?, ?, ?)", acks)
    conn.commit()
    conn.close()

    db = store.connect(path)
    assert store.schema_version(db) == store.MIGRATION_NAMES[-1]
    assert list(tmp_path.glob("old.db.before-*.bak"))  # the old file was kept aside
    mapped = {r["title"]: (r["age_min"], r["age_max"], r["gender"], r["target_groups"])
              for r in store.activities(db)}
    assert mapped == {
        "Pigeklub": (13, 17, "female", []),
        "Madskole": (6, 17, "all", []),
        "Fællesspisning": (None, None, "all", ["families"]),
        "Seniorcafé": (65, None, "all", []),
    }
    found = {f["kind"]: f for f in coordination.overlaps(db, list(coordination.KINDS), Scope(first="2026-12-01"), include_acknowledged=True)}
    assert (found["room"]["acknowledged"], found["room"]["note"], found["room"]["count"]) == (True, "aftalt 2026-12-21", 3)
    assert (found["clash"]["acknowledged"], found["clash"]["note"]) == (True, "kendt")
    assert found["parallel"]["acknowledged"] is False
    left = {r["note"] for r in rows(path, "SELECT note FROM acknowledgements")}
    assert left == {"aftalt 2026-12-21", "kendt", "forsvundet"}  # what matched nothing stays as it was
    db.close()


def test_m005_leaves_a_weekly_pair_open_when_a_later_date_was_not_acknowledged(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    store.migrations.apply(Database(conn), stop_before="m005_audiences_and_types")
    conn.executescript("""
        INSERT INTO centres VALUES (1, 'Huset', 'huset', 'housing', 'Slagelse', NULL, NULL, NULL, NULL, 'x');
        INSERT INTO rooms VALUES (1, 1, 'Salen', 'salen', NULL);
        INSERT INTO actors VALUES (1, 'A', 'a', 'other', NULL, NULL, NULL);
        INSERT INTO bookings (id, room_id, actor_id, title, start, "end", created_at) VALUES
            (1, 1, 1, 'X', '2026-12-07T10:00', '2026-12-07T12:00', 'x'),
            (2, 1, 1, 'Y', '2026-12-07T11:00', '2026-12-07T13:00', 'x');
    """)
    token = chr(30).join
    key = _old_key("room", token(("Huset", "Salen", "2026-12-07T10:00", "2026-12-07T12:00", "X", "A")),
                   token(("Huset", "Salen", "2026-12-07T11:00", "2026-12-07T13:00", "Y", "A")))
    conn.execute("INSERT INTO acknowledgements VALUES (?, 'room', 'ok', 'x')", [key])
    conn.commit()
    conn.close()
    db = store.connect(path)
    (finding,) = coordination.overlaps(db, ["room"], Scope(), include_acknowledged=True)
    assert finding["acknowledged"] is True  # two one-off bookings: the pair is that one date
    db.close()
