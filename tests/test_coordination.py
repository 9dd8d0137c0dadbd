"""The overlaps report against a brute-force reference, hand-made edge cases, acknowledging,
and the collaboration report."""

from __future__ import annotations

import datetime as dt
from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import dump, rows
from medborger_cli import coordination, store
from medborger_cli.coordination import Scope

# ---------------------------------------------------------------------------------------------
# Brute force on generated calendars

BASE = dt.datetime(2026, 9, 7, 8, 0)


def at(minutes: int) -> str:
    return (BASE + dt.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


calendars = st.fixed_dictionaries(
    {
        "areas": st.lists(st.sampled_from(["Gellerup", "gellerup", "Hedemarken", None]), min_size=3, max_size=3),
        "activities": st.lists(
            st.fixed_dictionaries(
                {
                    "centre": st.integers(0, 2),
                    "room": st.integers(0, 1),
                    "category": st.sampled_from(["learning", "health"]),
                    "targets": st.sets(st.sampled_from(["children", "youth", "women"]), min_size=1),
                    "actors": st.sets(st.integers(0, 4), min_size=1, max_size=3),
                    "occurrences": st.lists(
                        st.tuples(st.integers(0, 3 * 24 * 60), st.integers(15, 240), st.booleans()),
                        min_size=0, max_size=5,
                    ),
                }
            ),
            max_size=9,
        ),
        "one_offs": st.lists(st.tuples(st.integers(0, 2), st.integers(0, 1), st.integers(0, 3 * 24 * 60), st.integers(15, 240)), max_size=4),
        "window_from": st.integers(0, 24 * 60),
    }
)


def build(db, cal):
    centre_ids, room_ids, actor_ids = [], {}, []
    with store.write(db):
        for i, area in enumerate(cal["areas"]):
            centre_ids.append(store.insert_centre(db, {"name": f"C{i}", "type": "other", "municipality": "M", "area": area}))
            for r in range(2):
                room_ids[(i, r)] = store.insert_room(db, {"centre_id": centre_ids[i], "name": f"R{r}"})
        for a in range(5):
            actor_ids.append(store.insert_actor(db, {"name": f"A{a}", "sector": "other"}))
        for n, act in enumerate(cal["activities"]):
            lead, *partners = sorted(act["actors"])
            activity_id = store.insert_activity(
                db,
                {"title": f"T{n}", "centre_id": centre_ids[act["centre"]], "room_id": room_ids[(act["centre"], act["room"])],
                 "actor_id": actor_ids[lead], "category": act["category"], "start_time": "08:00", "end_time": "09:00",
                 "date_from": "2026-09-07", "date_until": "2026-09-10"},
                [actor_ids[p] for p in partners], sorted(act["targets"]),
            )
            act["id"] = activity_id
            store.insert_bookings(db, [
                {"room_id": room_ids[(act["centre"], act["room"])], "actor_id": actor_ids[lead], "activity_id": activity_id,
                 "title": f"T{n}", "start": at(s), "end": at(s + d), "status": "cancelled" if cancelled else "active"}
                for s, d, cancelled in act["occurrences"]
            ])
        for c, r, s, d in cal["one_offs"]:
            store.insert_bookings(db, [{"room_id": room_ids[(c, r)], "actor_id": actor_ids[0], "activity_id": None,
                                        "title": "one-off", "start": at(s), "end": at(s + d)}])
    return centre_ids


def reference(db, cal, first: str):
    """Every definition of the issue, spelled out pairwise."""
    bookings = [b for b in rows_of(db, 'SELECT b.id, b.room_id, b.activity_id, b.start, b."end" AS end, b.status FROM bookings b')
                if b["status"] == "active" and b["start"] >= first]
    room = {frozenset((a["id"], b["id"])) for a, b in combinations(bookings, 2)
            if a["room_id"] == b["room_id"] and a["start"] < b["end"] and b["start"] < a["end"]}
    acts = cal["activities"]
    occ = {a["id"]: [b for b in bookings if b["activity_id"] == a["id"]] for a in acts}

    def area(a):
        name = cal["areas"][a["centre"]]
        return f"area:{name.casefold()}" if name else f"centre:{a['centre']}"

    parallel, clash = {}, {}
    for a, b in combinations(acts, 2):
        if not (a["targets"] & b["targets"]) or (a["actors"] & b["actors"]):
            continue
        meets = [(x, y) for x in occ[a["id"]] for y in occ[b["id"]] if x["start"] < y["end"] and y["start"] < x["end"]]
        if area(a) == area(b) and a["category"] == b["category"] and occ[a["id"]] and occ[b["id"]]:
            parallel[frozenset((a["id"], b["id"]))] = bool(meets)
        if a["centre"] == b["centre"] and meets:
            clash[frozenset((a["id"], b["id"]))] = (len(meets), min(max(x["start"], y["start"]) for x, y in meets))
    return room, parallel, clash


def rows_of(db, sql):
    cursor = db.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cal=calendars)
def test_each_kind_finds_exactly_the_pairs_its_definition_names(tmp_path_factory, cal):
    path = tmp_path_factory.mktemp("cal") / "m.db"
    db = store.connect(path)
    build(db, cal)
    first = at(cal["window_from"])[:10]
    room, parallel, clash = reference(db, cal, first)
    found = coordination.overlaps(db, list(coordination.KINDS), Scope(first=first))
    def ids(f):
        return frozenset(x["id"] for x in f.get("bookings") or f["activities"])

    assert [ids(f) for f in found if f["kind"] == "room"].__len__() == len(room)
    assert {ids(f) for f in found if f["kind"] == "room"} == room
    assert {ids(f): f["same_time"] for f in found if f["kind"] == "parallel"} == parallel
    assert {ids(f): (f["count"], f["first"]) for f in found if f["kind"] == "clash"} == clash
    assert len({f["key"] for f in found}) == len(found)
    db.close()


# ---------------------------------------------------------------------------------------------
# Hand-made edges, through the command line


def add(cli, title, *args):
    result = cli("add-activity", title, *args)
    assert result.exit_code == 0, result.stderr
    return result


@pytest.fixture
def two_areas(cli, house):
    """house has Motalavej (area Motalavej) and Foreningernes Hus (area Gellerup)."""
    cli("add-room", "Foreningernes Hus", "Lille sal")
    cli("add-actor", "Somalisk Kvindeforening", "--sector", "forening")
    return house


ON = ("--on", "2026-12-07", "--start", "16:00", "--end", "18:00")


def report(cli, *args):
    result = cli("overlaps", "--from", "2026-01-01", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return result.json()


def test_touching_ends_and_cancelled_occurrences_are_no_room_conflict(cli, house):
    add(cli, "A", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-k", "læring", "-g", "børn", *ON)
    cli("book", "-c", "motalavej", "-r", "Salen", "-a", "Røde Kors", "--title", "Bagefter", "--start", "2026-12-07 18:00", "--end", "19:00")
    assert [f for f in report(cli) if f["kind"] == "room"] == []
    cli("book", "-c", "motalavej", "-r", "Salen", "-a", "Røde Kors", "--title", "Oveni", "--start", "2026-12-07 17:00",
        "--end", "19:00", "--allow-conflicts")
    found = [f for f in report(cli) if f["kind"] == "room"]
    assert len(found) == 2  # A×Oveni and Bagefter×Oveni
    oveni = rows(house, "SELECT id FROM bookings WHERE title = 'Oveni'")[0]["id"]
    cli("cancel", oveni)
    assert [f for f in report(cli) if f["kind"] == "room"] == []


def test_room_finding_json_shape(cli, house):
    add(cli, "A", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-k", "læring", "-g", "børn", *ON)
    cli("book", "-c", "motalavej", "-r", "Salen", "-a", "Røde Kors", "--title", "B", "--start", "2026-12-07 17:00",
        "--end", "19:00", "--allow-conflicts")
    (f,) = report(cli, "--kind", "room")
    assert f["kind"] == "room" and f["key"].startswith("room-")
    assert (f["centre"], f["room"], f["start"], f["end"]) == ("Kvarterhuset på Motalavej", "Salen", "2026-12-07T17:00", "2026-12-07T18:00")
    assert [(b["title"], b["actor"], b["start"], b["end"]) for b in f["bookings"]] == [
        ("A", "5M – Mennesker på Motalavej", "2026-12-07T16:00", "2026-12-07T18:00"),
        ("B", "Røde Kors Korsør", "2026-12-07T17:00", "2026-12-07T19:00")]
    assert f["bookings"][0]["activity_id"] is not None and f["bookings"][1]["activity_id"] is None
    assert report(cli, "--kind", "room")[0]["key"] == f["key"]  # stable


def test_parallel_needs_same_area_same_category_shared_target_and_no_shared_actor(cli, two_areas):
    add(cli, "Lektiecafé", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-k", "læring", "-g", "børn,unge", *ON)
    add(cli, "Lektiehjælp", "-c", "motalavej", "-r", "Køkkenet", "-a", "Røde Kors", "-k", "læring", "-g", "børn",
        "--on", "2026-12-09", "--start", "16:00", "--end", "18:00")
    add(cli, "Anden kategori", "-c", "motalavej", "-r", "Køkkenet", "-a", "Jobcenter", "-k", "kultur", "-g", "børn",
        "--on", "2026-12-10", "--start", "16:00", "--end", "18:00")
    add(cli, "Andet område", "-c", "Foreningernes Hus", "-r", "Køkkenet", "-a", "Somalisk", "-k", "læring", "-g", "børn",
        "--on", "2026-12-10", "--start", "16:00", "--end", "18:00")
    add(cli, "Delt partner", "-c", "motalavej", "-r", "Køkkenet", "-a", "Jobcenter", "-p", "Røde Kors", "-k", "læring",
        "-g", "børn", "--on", "2026-12-11", "--start", "16:00", "--end", "18:00")
    parallel = [f for f in report(cli) if f["kind"] == "parallel"]
    pairs = {tuple(sorted(a["title"] for a in f["activities"])) for f in parallel}
    # "Delt partner" shares Røde Kors with Lektiehjælp, but not with Lektiecafé (5M).
    assert pairs == {("Lektiecafé", "Lektiehjælp"), ("Delt partner", "Lektiecafé")}
    f = next(f for f in parallel if {a["title"] for a in f["activities"]} == {"Lektiecafé", "Lektiehjælp"})
    assert (f["area"], f["category"], f["target_groups"], f["same_time"]) == ("Motalavej", "learning", ["children"], False)
    assert f["activities"][0]["actors"] == ["5M – Mennesker på Motalavej"]
    assert f["activities"][0]["centre"] == "Kvarterhuset på Motalavej"


def test_clash_counts_overlapping_occurrences_and_skips_holidays(cli, house):
    args = ("-k", "fællesskab", "-g", "unge", "-d", "torsdag", "--from", "2027-03-18", "--until", "2027-04-08")
    add(cli, "Pigeklub", "-c", "motalavej", "-r", "Salen", "-a", "5M", *args, "--start", "17:00", "--end", "19:00")
    add(cli, "Madklub", "-c", "motalavej", "-r", "Køkkenet", "-a", "Jobcenter", *args, "--start", "18:00", "--end", "20:00")
    add(cli, "Samme aktør", "-c", "motalavej", "-r", "Køkkenet", "-a", "5M", "-k", "fællesskab", "-g", "unge",
        "--on", "2027-03-19", "--start", "17:00", "--end", "19:00")
    clashes = [f for f in report(cli) if f["kind"] == "clash"]
    assert len(clashes) == 1
    f = clashes[0]
    # Thursdays 18/3, 25/3 (Skærtorsdag, skipped), 1/4, 8/4
    assert (f["count"], f["first"], f["target_groups"], f["centre"]) == (3, "2027-03-18T18:00", ["youth"], "Kvarterhuset på Motalavej")
    assert {a["title"] for a in f["activities"]} == {"Pigeklub", "Madklub"}
    assert report(cli, "--kind", "clash", "--from", "2027-04-01")[0]["count"] == 2


def test_default_window_is_today_on_and_filters_apply(cli, house):
    add(cli, "A", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-k", "læring", "-g", "børn", "--on", "2020-03-02",
        "--start", "16:00", "--end", "18:00")
    cli("book", "-c", "motalavej", "-r", "Salen", "-a", "Røde Kors", "--title", "B", "--start", "2020-03-02 17:00",
        "--end", "19:00", "--allow-conflicts")
    result = cli("overlaps", "--json")
    assert result.exit_code == 0 and result.json() == []
    assert "0 room conflicts, 0 clashes, 0 parallel efforts" in result.stderr
    assert len(cli("overlaps", "--json", "--from", "2020-01-01", "--centre", "motalavej").json()) == 1
    assert cli("overlaps", "--json", "--from", "2020-01-01", "--centre", "Foreningernes Hus").json() == []
    assert cli("overlaps", "--json", "--from", "2020-01-01", "--area", "gellerup").json() == []
    assert len(cli("overlaps", "--json", "--week", "10", "--year", "2020").json()) == 1
    bad = cli("overlaps", "--kind", "rooms")
    assert bad.exit_code == 2 and "--kind" in bad.stderr
    bad = cli("overlaps", "--area", "Atlantis")
    assert bad.exit_code == 2 and "Motalavej" in bad.stderr


def test_acknowledged_findings_hide_until_all_and_new_ones_appear(cli, house):
    add(cli, "A", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-k", "læring", "-g", "børn", *ON)
    cli("book", "-c", "motalavej", "-r", "Salen", "-a", "Røde Kors", "--title", "B", "--start", "2026-12-07 17:00",
        "--end", "19:00", "--allow-conflicts")
    (f,) = report(cli)
    result = cli("acknowledge", f["key"], "--note", "aftalt på husmødet")
    assert result.exit_code == 0
    assert report(cli) == []
    shown = report(cli, "--all")
    assert [(x["key"], x["acknowledged"], x["note"]) for x in shown] == [(f["key"], True, "aftalt på husmødet")]
    table = cli("overlaps", "--from", "2026-01-01", "--all")
    assert "aftalt på husmødet" in table.stdout
    cli("book", "-c", "motalavej", "-r", "Salen", "-a", "Jobcenter", "--title", "C", "--start", "2026-12-07 16:30",
        "--end", "17:00", "--allow-conflicts")
    assert {tuple(sorted(b["title"] for b in x["bookings"])) for x in report(cli)} == {("A", "C")}
    assert cli("acknowledge", f["key"], "--undo").exit_code == 0
    assert len(report(cli)) == 2


def test_acknowledge_refuses_unknown_keys_and_missing_notes(cli, house):
    before = dump(house)
    for key in ("room-0123456789", "nonsense", "room-xyz"):
        result = cli("acknowledge", key, "--note", "x")
        assert result.exit_code == 2 and "KEY" in result.stderr
    result = cli("acknowledge", "room-0123456789")
    assert result.exit_code == 2 and "--note" in result.stderr
    assert dump(house) == before


def test_several_keys_are_acknowledged_together_or_not_at_all(cli, house):
    cli("add-activity", "A", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-k", "læring", "-g", "børn", "-d", "man",
        "--start", "16:00", "--end", "18:00", "--from", "2026-12-07", "--until", "2026-12-14")
    cli("add-activity", "B", "-c", "motalavej", "-r", "Salen", "-a", "Jobcenter", "-k", "job", "-g", "ledige", "-d", "man",
        "--start", "17:00", "--end", "19:00", "--from", "2026-12-07", "--until", "2026-12-14", "--allow-conflicts")
    keys = [f["key"] for f in report(cli, "--kind", "room")]
    assert len(keys) == 2
    before = dump(house)
    result = cli("acknowledge", *keys, "room-0123456789", "--note", "x")
    assert result.exit_code == 2 and "room-0123456789" in result.stderr
    assert dump(house) == before
    result = cli("acknowledge", *keys, "--note", "aftalt")
    assert result.exit_code == 0 and "Acknowledged 2 findings" in result.stderr
    assert report(cli, "--kind", "room") == []


def test_csv_output_has_one_row_per_finding(cli, house):
    add(cli, "A", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-k", "læring", "-g", "børn", *ON)
    cli("book", "-c", "motalavej", "-r", "Salen", "-a", "Røde Kors", "--title", "B", "--start", "2026-12-07 17:00",
        "--end", "19:00", "--allow-conflicts")
    lines = cli("overlaps", "--from", "2026-01-01", "--csv").stdout.splitlines()
    assert lines[0].startswith("kind,key,centre")
    assert len(lines) == 2 and lines[1].startswith("room,room-")


# ---------------------------------------------------------------------------------------------
# The sample and collaboration


def test_the_sample_shows_its_deliberate_findings(cli):
    cli("load-sample")
    found = report(cli, "--from", "2026-08-10")
    titles = {(f["kind"], frozenset(x["title"] for x in f.get("bookings") or f["activities"])) for f in found}
    assert ("room", frozenset({"Syklub", "Kreaværksted for børn"})) in titles
    assert ("room", frozenset({"Kvindecafé", "Familiefest"})) in titles
    assert ("parallel", frozenset({"Lektiecafé", "Lektiehjælp"})) in titles
    assert ("parallel", frozenset({"Mødregruppe", "Mama Mia – mødre og babyer"})) in titles
    assert ("clash", frozenset({"Pigeklub", "Madskole for unge"})) in titles
    assert ("clash", frozenset({"Ungeindsats – gadeplan", "Drengeklub"})) in titles


def test_collaboration_report(cli, house):
    add(cli, "Lektiecafé", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-p", "Røde Kors", "-k", "læring", "-g", "børn", *ON)
    add(cli, "Jobcafé", "-c", "motalavej", "-r", "Køkkenet", "-a", "Jobcenter", "-k", "job", "-g", "børn,ledige", *ON)
    (centre,) = cli("collaboration", "--from", "2026-01-01", "--json").json()
    assert centre["centre"] == "Kvarterhuset på Motalavej"
    assert (centre["activities"], centre["joint_activities"], centre["cross_sector"]) == (2, 1, 1)
    assert centre["sectors"] == {"housing-social": 1, "municipal": 1, "volunteer": 1}
    assert centre["pairs"] == [{"actors": ["5M – Mennesker på Motalavej", "Røde Kors Korsør"],
                                "sectors": ["housing-social", "volunteer"], "count": 1, "activities": ["Lektiecafé"]}]
    assert {tuple(i["actors"]) for i in centre["interfaces"]} == {
        ("5M – Mennesker på Motalavej", "Jobcenter Slagelse"), ("Jobcenter Slagelse", "Røde Kors Korsør")}
    assert all(i["target_groups"] == ["children"] for i in centre["interfaces"])
    table = cli("collaboration", "--from", "2026-01-01")
    assert "Interfaces worth a conversation" in table.stdout and "Jobcenter Slagelse" in table.stdout
    csv_lines = cli("collaboration", "--from", "2026-01-01", "--csv").stdout.splitlines()
    assert csv_lines[0].startswith("centre,kind,actor_a") and len(csv_lines) == 4


def test_across_midnight_and_repeated_occurrences_are_found(tmp_path):
    db = store.connect(tmp_path / "m.db")
    with store.write(db):
        c = store.insert_centre(db, {"name": "C", "type": "other", "municipality": "M", "area": None})
        r = store.insert_room(db, {"centre_id": c, "name": "R"})
        x = store.insert_actor(db, {"name": "X", "sector": "other"})
        y = store.insert_actor(db, {"name": "Y", "sector": "other"})
        acts = []
        for title, actor in (("Nat", x), ("Morgen", y)):
            acts.append(store.insert_activity(db, {"title": title, "centre_id": c, "room_id": r, "actor_id": actor,
                        "category": "community", "start_time": "00:00", "end_time": "01:00", "date_from": "2026-09-07",
                        "date_until": "2026-09-08"}, [], ["youth"]))
        night, *_ = store.insert_bookings(db, [
            {"room_id": r, "actor_id": x, "activity_id": acts[0], "title": "Nat", "start": "2026-09-07T23:00", "end": "2026-09-08T01:00"}])
        morning, twin = store.insert_bookings(db, [
            {"room_id": r, "actor_id": y, "activity_id": acts[1], "title": "Morgen", "start": "2026-09-08T00:30", "end": "2026-09-08T02:00"},
            {"room_id": r, "actor_id": y, "activity_id": acts[1], "title": "Morgen", "start": "2026-09-08T00:30", "end": "2026-09-08T02:00"}])
    found = coordination.overlaps(db, list(coordination.KINDS), Scope(first="2026-09-01"))
    rooms = {frozenset(b["id"] for b in f["bookings"]) for f in found if f["kind"] == "room"}
    assert rooms == {frozenset((night, morning)), frozenset((night, twin)), frozenset((morning, twin))}
    (clash,) = [f for f in found if f["kind"] == "clash"]
    assert (clash["count"], clash["first"]) == (2, "2026-09-08T00:30")
    db.close()
