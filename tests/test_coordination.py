"""The overlaps report against a brute-force reference, hand-made edge cases, acknowledging,
and the collaboration report."""

from __future__ import annotations

import datetime as dt
import sqlite3
from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import dump, execute, rows
from medborger_cli import coordination, store
from medborger_cli.coordination import Scope

pytestmark = pytest.mark.engines

# ---------------------------------------------------------------------------------------------
# Brute force on generated calendars

BASE = dt.datetime(2026, 9, 7, 8, 0)


def at(minutes: int) -> str:
    return (BASE + dt.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


KINDS_OF_OFFER = [(None, "learning"), (None, "health"), ("lektiehjælp", "learning"), ("IT-hjælp", "learning"),
                  ("motion", "health")]
AGES = [(None, None), (0, 5), (6, 12), (6, 17), (13, 17), (18, None), (65, None), (0, 12)]

calendars = st.fixed_dictionaries(
    {
        "areas": st.lists(st.sampled_from(["Gellerup", "gellerup", "Hedemarken", None]), min_size=3, max_size=3),
        "activities": st.lists(
            st.fixed_dictionaries(
                {
                    "centre": st.integers(0, 2),
                    "room": st.integers(0, 1),
                    "kind": st.sampled_from(KINDS_OF_OFFER),
                    "ages": st.sampled_from(AGES),
                    "gender": st.sampled_from(["all", "all", "female", "male"]),
                    "groups": st.sets(st.sampled_from(["parents", "job-seekers"]), max_size=2),
                    "internal": st.sampled_from([False, False, False, True]),
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
            kind, category = act["kind"]
            activity_id = store.insert_activity(
                db,
                {"title": f"T{n}", "centre_id": centre_ids[act["centre"]], "room_id": room_ids[(act["centre"], act["room"])],
                 "actor_id": actor_ids[lead], "category": category, "type": kind, "age_min": act["ages"][0],
                 "age_max": act["ages"][1], "gender": act["gender"], "internal": int(act["internal"]),
                 "start_time": "08:00", "end_time": "09:00", "date_from": "2026-09-07", "date_until": "2026-09-10"},
                [actor_ids[p] for p in partners], sorted(act["groups"]),
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


def is_open(x) -> bool:
    return x["ages"] == (None, None) and x["gender"] == "all" and not x["groups"]


def audiences_overlap(a, b) -> bool:
    """DOMAIN.md, spelled out: an open activity (no age, gender or group) meets only another
    open one; otherwise the ages overlap, the genders are compatible and they share a life
    situation or neither has one."""
    if is_open(a) or is_open(b):
        return is_open(a) and is_open(b)
    years_a = set(range(a["ages"][0] or 0, (a["ages"][1] if a["ages"][1] is not None else 130) + 1))
    years_b = set(range(b["ages"][0] or 0, (b["ages"][1] if b["ages"][1] is not None else 130) + 1))
    genders_ok = a["gender"] == b["gender"] or "all" in (a["gender"], b["gender"])
    groups_ok = bool(a["groups"] & b["groups"]) or not (a["groups"] or b["groups"])
    return bool(years_a & years_b) and genders_ok and groups_ok


def reference(db, cal, first: str):
    """Every definition of the issue, spelled out pairwise over the stored bookings."""
    bookings = [b for b in rows_of(db, 'SELECT b.id, b.room_id, b.activity_id, b.start, b."end" AS end, b.status FROM bookings b')
                if b["status"] == "active" and b["start"] >= first]
    room: dict = {}
    for a, b in combinations(bookings, 2):
        if a["room_id"] == b["room_id"] and a["start"] < b["end"] and b["start"] < a["end"]:
            sides = frozenset((("activity", x["activity_id"]) if x["activity_id"] is not None else ("booking", x["id"]))
                              for x in (a, b))
            room.setdefault((a["room_id"], sides), []).append((max(a["start"], b["start"]), min(a["end"], b["end"]),
                                                              tuple(sorted((a["id"], b["id"])))))
    acts = cal["activities"]
    occ = {a["id"]: [b for b in bookings if b["activity_id"] == a["id"]] for a in acts}

    def area(a):
        name = cal["areas"][a["centre"]]
        return f"area:{name.casefold()}" if name else f"centre:{a['centre']}"

    def comparable(a, b):
        if a["kind"][0] is not None and b["kind"][0] is not None:
            return a["kind"][0] == b["kind"][0]
        return a["kind"][1] == b["kind"][1]

    parallel, clash = {}, {}
    for a, b in combinations(acts, 2):
        if a["internal"] or b["internal"] or not audiences_overlap(a, b):
            continue
        if is_open(a) and not comparable(a, b):  # two offers for everyone meet only when of one kind
            continue
        meets = [(x, y) for x in occ[a["id"]] for y in occ[b["id"]] if x["start"] < y["end"] and y["start"] < x["end"]]
        # a parallel effort needs actors who share nobody; a clash does not (one actor can pull
        # the same people two ways at once too)
        if area(a) == area(b) and comparable(a, b) and occ[a["id"]] and occ[b["id"]] and not a["actors"] & b["actors"]:
            parallel[frozenset((a["id"], b["id"]))] = bool(meets)
        if a["centre"] == b["centre"] and meets:
            starts = [max(x["start"], y["start"]) for x, y in meets]
            clash[frozenset((a["id"], b["id"]))] = (len(meets), min(starts), max(starts))
    return room, parallel, clash


def rows_of(db, sql):
    cursor = db.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def sides_of(f):
    return frozenset(("activity", s["activity_id"]) if s["activity_id"] is not None else ("booking", s["booking_id"])
                     for s in f["series"])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cal=calendars)
def test_each_kind_finds_exactly_the_pairs_its_definition_names(tmp_path_factory, cal):
    path = tmp_path_factory.mktemp("cal") / "m.db"
    db = store.connect(path)
    build(db, cal)
    first = at(cal["window_from"])[:10]
    room, parallel, clash = reference(db, cal, first)
    found = coordination.overlaps(db, list(coordination.KINDS), Scope(first=first))

    def ids(f):
        return frozenset(x["id"] for x in f["activities"])

    rooms = [f for f in found if f["kind"] == "room"]
    room_ids = {r: db.execute("SELECT room_id FROM bookings WHERE id = ?", [f["occurrences"][0]["bookings"][0]]).fetchone()[0]
                for r, f in enumerate(rooms)}
    assert len(rooms) == len(room)
    assert {(room_ids[r], sides_of(f)): sorted((o["start"], o["end"], tuple(sorted(o["bookings"]))) for o in f["occurrences"])
            for r, f in enumerate(rooms)} == {k: sorted(v) for k, v in room.items()}
    for f in rooms:
        assert (f["count"], f["first"], f["last"]) == (len(f["occurrences"]), f["occurrences"][0]["start"], f["occurrences"][-1]["start"])
    assert {ids(f): f["same_time"] for f in found if f["kind"] == "parallel"} == parallel
    assert {ids(f): (f["count"], f["first"], f["last"]) for f in found if f["kind"] == "clash"} == clash
    assert len({f["key"] for f in found}) == len(found)
    db.close()


def test_the_audience_test_matches_its_definition():
    from medborger_cli.overlaps import Audience, shared_audience

    people = [{"ages": ages, "gender": gender, "groups": frozenset(groups)}
              for ages in AGES for gender in ("all", "female", "male") for groups in ((), ("parents",), ("parents", "job-seekers"))]
    for a in people:
        for b in people:
            x = Audience(*a["ages"], a["gender"], a["groups"])
            y = Audience(*b["ages"], b["gender"], b["groups"])
            assert (shared_audience(x, y) is not None) == audiences_overlap(a, b), (a, b)


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
    assert (f["centre"], f["room"], f["count"], f["first"], f["last"]) == (
        "Kvarterhuset på Motalavej", "Salen", 1, "2026-12-07T17:00", "2026-12-07T17:00")
    assert [(s["title"], s["actor"], s["start"], s["end"]) for s in f["series"]] == [
        ("A", "5M – Mennesker på Motalavej", "2026-12-07T16:00", "2026-12-07T18:00"),
        ("B", "Røde Kors Korsør", "2026-12-07T17:00", "2026-12-07T19:00")]
    a_id, b_id = (r["id"] for r in rows(house, "SELECT id FROM bookings ORDER BY id"))
    assert f["series"][0]["activity_id"] is not None and f["series"][0]["booking_id"] is None
    assert (f["series"][1]["activity_id"], f["series"][1]["booking_id"]) == (None, b_id)
    assert f["occurrences"] == [{"start": "2026-12-07T17:00", "end": "2026-12-07T18:00", "bookings": [a_id, b_id]}]
    assert "Salen" in f["why"] and f["shared"] == {"room": "Salen", "centre": "Kvarterhuset på Motalavej", "area": "Motalavej"}
    assert report(cli, "--kind", "room")[0]["key"] == f["key"]  # stable


WEEKLY = ("-d", "mandag", "--from", "2026-11-02", "--until", "2026-12-14")


def test_a_weekly_double_booking_is_one_finding_and_one_acknowledgement_covers_every_date(cli, house):
    add(cli, "Syklub", "-c", "motalavej", "-r", "Salen", "-a", "Røde Kors", "-k", "kultur", "--gender", "kvinder",
        "--age", "18-", *WEEKLY, "--start", "17:00", "--end", "19:00")
    add(cli, "Kreaværksted", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-k", "kultur", "--age", "6-12", *WEEKLY,
        "--start", "16:00", "--end", "17:30", "--allow-conflicts")
    (f,) = report(cli, "--kind", "room")
    mondays = ["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23", "2026-11-30", "2026-12-07", "2026-12-14"]
    assert (f["count"], f["first"], f["last"]) == (7, "2026-11-02T17:00", "2026-12-14T17:00")
    assert [o["start"] for o in f["occurrences"]] == [f"{d}T17:00" for d in mondays]
    assert all(o["end"][11:] == "17:30" and len(o["bookings"]) == 2 for o in f["occurrences"])
    assert [s["title"] for s in f["series"]] == ["Syklub", "Kreaværksted"]
    assert "7 dates" in f["why"]
    assert cli("acknowledge", f["key"], "--note", "Kreaværkstedet slutter 17:00 fremover").exit_code == 0
    assert report(cli, "--kind", "room") == []
    # A new date of the same pair stays covered; a new pair is a new finding.
    syklub, krea = (r["id"] for r in rows(house, "SELECT id FROM activities ORDER BY id"))
    db = store.connect(house)
    with store.write(db):
        db.allow_conflicts()  # a double booking on purpose (the database refuses any other)
        room = db.execute("SELECT id FROM rooms WHERE name = 'Salen'").fetchone()[0]
        actor = db.execute("SELECT id FROM actors ORDER BY id").fetchone()[0]
        store.insert_bookings(db, [
            {"room_id": room, "actor_id": actor, "activity_id": syklub, "title": "Syklub", "start": "2026-12-21T17:00", "end": "2026-12-21T19:00"},
            {"room_id": room, "actor_id": actor, "activity_id": krea, "title": "Kreaværksted", "start": "2026-12-21T16:00", "end": "2026-12-21T17:30"},
        ])
    db.close()
    assert report(cli, "--kind", "room") == []
    (shown,) = report(cli, "--kind", "room", "--all")
    assert (shown["key"], shown["count"], shown["acknowledged"]) == (f["key"], 8, True)
    cli("book", "-c", "motalavej", "-r", "Salen", "-a", "Jobcenter", "--title", "Møde", "--start", "2026-11-09 18:00",
        "--end", "20:00", "--allow-conflicts")
    assert [x["series"][1]["title"] for x in report(cli, "--kind", "room")] == ["Møde"]


def test_renaming_an_activity_keeps_the_keys_of_its_findings_and_their_acknowledgements(cli, house):
    args = ("-k", "fællesskab", "--age", "13-17", "-d", "torsdag", "--from", "2027-03-18", "--until", "2027-04-08")
    add(cli, "Pigeklub", "-c", "motalavej", "-r", "Salen", "-a", "5M", *args, "--start", "17:00", "--end", "19:00")
    add(cli, "Madklub", "-c", "motalavej", "-r", "Salen", "-a", "Jobcenter", *args, "--start", "18:00", "--end", "20:00",
        "--allow-conflicts")
    before = {f["kind"]: f["key"] for f in report(cli)}
    assert set(before) == {"room", "clash", "parallel"}
    cli("acknowledge", before["clash"], "--note", "aftalt")
    execute(house, "UPDATE activities SET title = 'Pigeklubben', name_key = 'pigeklubben' WHERE title = 'Pigeklub'")
    execute(house, "UPDATE bookings SET title = 'Pigeklubben' WHERE title = 'Pigeklub'")
    after = {f["kind"]: (f["key"], f["acknowledged"], {a["title"] for a in f.get("activities") or f["series"]})
             for f in report(cli, "--all")}
    assert {kind: key for kind, (key, _, _) in after.items()} == before
    assert after["clash"][1] is True and "Pigeklubben" in after["clash"][2]


def test_parallel_needs_same_area_same_type_overlapping_audiences_and_no_shared_actor(cli, two_areas):
    on = ("--start", "16:00", "--end", "18:00")
    add(cli, "Lektiecafé", "-c", "motalavej", "-r", "Salen", "-a", "5M", "--type", "lektiehjælp", "--age", "6-17", *ON)
    add(cli, "Lektiehjælp", "-c", "motalavej", "-r", "Køkkenet", "-a", "Røde Kors", "--type", "Lektiehjælp", "--age", "6-12",
        "--on", "2026-12-09", *on)
    add(cli, "Andet område", "-c", "Foreningernes Hus", "-r", "Køkkenet", "-a", "Somalisk", "--type", "lektiehjælp",
        "--age", "6-12", "--on", "2026-12-10", *on)
    add(cli, "Delt partner", "-c", "motalavej", "-r", "Køkkenet", "-a", "Jobcenter", "-p", "Røde Kors", "-k", "læring",
        "--age", "10-14", "--on", "2026-12-11", *on)
    add(cli, "Modersmål", "-c", "motalavej", "-r", "Køkkenet", "-a", "Jobcenter", "--type", "sprogundervisning",
        "--age", "6-12", "--on", "2026-12-12", *on)
    add(cli, "For ældre", "-c", "motalavej", "-r", "Køkkenet", "-a", "Jobcenter", "--type", "lektiehjælp",
        "--age", "65-", "--on", "2026-12-13", *on)
    add(cli, "For forældre", "-c", "motalavej", "-r", "Køkkenet", "-a", "Jobcenter", "--type", "lektiehjælp",
        "--target", "forældre", "--on", "2026-12-14", *on)
    add(cli, "Husmøde", "-c", "motalavej", "-r", "Køkkenet", "-a", "Jobcenter", "--type", "husmøde", "--on", "2026-12-15", *on)
    parallel = [f for f in report(cli) if f["kind"] == "parallel"]
    pairs = {tuple(sorted(a["title"] for a in f["activities"])) for f in parallel}
    # "Delt partner" has no type: its category (learning) decides; it shares Røde Kors with Lektiehjælp.
    # Modersmål is another type; For ældre has other ages; For forældre a life situation the others lack.
    assert pairs == {("Lektiecafé", "Lektiehjælp"), ("Delt partner", "Lektiecafé")}
    f = next(f for f in parallel if {a["title"] for a in f["activities"]} == {"Lektiecafé", "Lektiehjælp"})
    assert (f["area"], f["category"], f["type"], f["same_time"]) == ("Motalavej", "learning", "lektiehjælp", False)
    assert f["shared"] == {"type": "lektiehjælp", "category": "learning", "ages": "6-12", "gender": "all", "groups": [],
                           "open": False, "area": "Motalavej"}
    assert f["why"] == "Both are lektiehjælp for children aged 6–12 in Motalavej; their actors share nobody."
    assert f["activities"][0]["actors"] == ["5M – Mennesker på Motalavej"]
    assert (f["activities"][0]["age"], f["activities"][1]["age"]) == ("6-17", "6-12")


def test_open_activities_meet_only_open_ones_of_the_same_type(cli, two_areas):
    on = ("--start", "16:00", "--end", "18:00")
    add(cli, "Åben rådgivning", "-c", "motalavej", "-r", "Salen", "-a", "5M", "--type", "åben rådgivning", "-g", "alle", *ON)
    add(cli, "Anonym rådgivning", "-c", "motalavej", "-r", "Køkkenet", "-a", "Røde Kors", "--type", "åben rådgivning",
        "--target", "everyone", *ON)
    add(cli, "Rådgivning for ledige", "-c", "motalavej", "-r", "Køkkenet", "-a", "Jobcenter", "--type", "åben rådgivning",
        "-g", "ledige", "--on", "2026-12-08", *on)
    add(cli, "Gældsrådgivning", "-c", "motalavej", "-r", "Køkkenet", "-a", "Jobcenter", "--type", "gældsrådgivning",
        "-g", "alle", "--on", "2026-12-09", *on)
    add(cli, "Fællesspisning", "-c", "Foreningernes Hus", "-r", "Køkkenet", "-a", "Somalisk", "--type", "fællesspisning",
        "-g", "alle", *ON)
    add(cli, "Kaffe for alle", "-c", "motalavej", "-r", "Køkkenet", "-a", "Jobcenter", "--type", "café", "-g", "alle", *ON,
        "--allow-conflicts")
    found = report(cli)
    # Kaffe for alle is at the same time in the same centre, but a café, not advice.
    assert {(f["kind"], frozenset(a["title"] for a in f.get("activities") or f["series"])) for f in found} == {
        ("parallel", frozenset({"Åben rådgivning", "Anonym rådgivning"})),
        ("clash", frozenset({"Åben rådgivning", "Anonym rådgivning"})),
        ("room", frozenset({"Anonym rådgivning", "Kaffe for alle"})),
    }
    parallel = next(f for f in found if f["kind"] == "parallel")
    assert parallel["shared"]["open"] is True and "everyone" in parallel["why"]
    assert parallel["activities"][0]["target_groups"] == ["everyone"]


def test_clash_counts_overlapping_occurrences_and_skips_holidays(cli, house):
    args = ("-k", "fællesskab", "-g", "unge", "-d", "torsdag", "--from", "2027-03-18", "--until", "2027-04-08")
    add(cli, "Pigeklub", "-c", "motalavej", "-r", "Salen", "-a", "5M", *args, "--start", "17:00", "--end", "19:00",
        "--gender", "piger")
    add(cli, "Madklub", "-c", "motalavej", "-r", "Køkkenet", "-a", "Jobcenter", *args, "--start", "18:00", "--end", "20:00")
    add(cli, "Samme aktør", "-c", "motalavej", "-r", "Køkkenet", "-a", "5M", "-k", "fællesskab", "-g", "unge",
        "--on", "2027-03-19", "--start", "17:00", "--end", "19:00")
    add(cli, "Drengeklub", "-c", "motalavej", "-r", "Køkkenet", "-a", "Røde Kors", "-k", "kultur", "--age", "13-17",
        "--gender", "drenge", "--on", "2027-03-18", "--start", "17:00", "--end", "18:00")
    add(cli, "Husmøde", "-c", "motalavej", "-r", "Køkkenet", "-a", "Røde Kors", "-k", "demokrati", "--internal",
        "--on", "2027-03-25", "--start", "17:00", "--end", "19:00", "--include-holidays")
    clashes = [f for f in report(cli) if f["kind"] == "clash"]
    assert len(clashes) == 1
    f = clashes[0]
    # Thursdays 18/3, 25/3 (Skærtorsdag, skipped), 1/4, 8/4
    assert (f["count"], f["first"], f["last"], f["centre"]) == (3, "2027-03-18T18:00", "2027-04-08T18:00", "Kvarterhuset på Motalavej")
    assert (f["shared"]["ages"], f["shared"]["gender"]) == ("13-17", "female")
    assert f["why"].startswith("Both are for girls aged 13–17 and held at the same time in Kvarterhuset på Motalavej on 3 dates")
    assert {a["title"] for a in f["activities"]} == {"Pigeklub", "Madklub"}
    assert report(cli, "--kind", "clash", "--from", "2027-04-01")[0]["count"] == 2


def test_internal_meetings_book_rooms_but_are_no_offers(cli, house):
    add(cli, "Husmøde", "-c", "motalavej", "-r", "Salen", "-a", "5M", "--type", "husmøde", *ON)
    add(cli, "Styregruppe", "-c", "motalavej", "-r", "Køkkenet", "-a", "Jobcenter", "-k", "demokrati", "--internal",
        "-g", "alle", *ON)
    add(cli, "Netværksmøde", "-c", "motalavej", "-r", "Salen", "-a", "Røde Kors", "--type", "netværksmøde", *ON,
        "--allow-conflicts")
    found = report(cli)
    assert [(f["kind"], {s["title"] for s in f["series"]}) for f in found] == [("room", {"Husmøde", "Netværksmøde"})]
    listed = {a["title"]: a["internal"] for a in cli("list", "activities", "--json").json()}
    assert listed == {"Husmøde": True, "Styregruppe": True, "Netværksmøde": True}
    (centre,) = cli("collaboration", "--from", "2026-01-01", "--json").json()
    assert (centre["activities"], centre["internal_meetings"], centre["interfaces"]) == (0, 3, [])


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
    assert {tuple(sorted(s["title"] for s in x["series"])) for x in report(cli)} == {("A", "C")}
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
    cli("book", "-c", "motalavej", "-r", "Salen", "-a", "Røde Kors", "--title", "C", "--start", "2026-12-08 10:00",
        "--end", "11:00")
    cli("book", "-c", "motalavej", "-r", "Salen", "-a", "Røde Kors", "--title", "D", "--start", "2026-12-08 10:30",
        "--end", "11:30", "--allow-conflicts")
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


def test_the_sample_shows_its_deliberate_findings_and_none_of_the_noise(cli):
    cli("load-sample")
    found = report(cli, "--from", "2026-08-10")
    titles = {(f["kind"], frozenset(x["title"] for x in f.get("series") or f["activities"])) for f in found}
    deliberate = {
        ("room", frozenset({"Syklub", "Kreaværksted for børn"})),
        ("room", frozenset({"Mama Mia – mødre og babyer", "Babysalmesang"})),
        ("room", frozenset({"Pigeklub", "Ungetræf med lokalpolitiet"})),
        ("room", frozenset({"Kvindecafé", "Familiefest"})),
        ("room", frozenset({"Ungeklub", "Temamøde om trivsel"})),
        ("room", frozenset({"Syklub", "Julebasar – opstilling"})),
        ("parallel", frozenset({"Lektiecafé", "Lektiehjælp"})),
        ("parallel", frozenset({"Jobcafé", "CV-værksted"})),
        ("parallel", frozenset({"Mødregruppe", "Mama Mia – mødre og babyer"})),
        ("parallel", frozenset({"Jobbutikken – åben vejledning", "Jobklub"})),
        ("parallel", frozenset({"IT-hjælp – borgerservice light", "Digital post i praksis"})),
        ("clash", frozenset({"Pigeklub", "Madskole for unge"})),
        ("clash", frozenset({"Ungeindsats – gadeplan", "Drengeklub"})),
        ("clash", frozenset({"Kreaværksted for børn", "Lektiehjælp med frivillige"})),
    }
    assert deliberate <= titles
    noise = {
        ("parallel", frozenset({"Pigeklub", "Syklub"})),
        ("parallel", frozenset({"Bydelsmødre", "Fædregruppe"})),
        ("parallel", frozenset({"Diabeteshold", "Rygestopkursus"})),
        ("parallel", frozenset({"Arabisk modersmålsundervisning", "Lektiecafé"})),
        ("clash", frozenset({"Drengeklub", "Fædregruppe"})),
    }
    assert not noise & titles
    assert not [f for f in found if f["kind"] != "room" and f["shared"]["open"]]  # nothing matched on `everyone` alone
    rooms = [f for f in found if f["kind"] == "room"]
    assert len({frozenset(s["title"] for s in f["series"]) for f in rooms}) == len(rooms)  # one finding per pair
    weekly = next(f for f in rooms if {s["title"] for s in f["series"]} == {"Syklub", "Kreaværksted for børn"})
    assert weekly["count"] == 15
    assert len(found) <= 35  # a number of findings a person can finish at one husmøde
    # nor are the named pairs "interfaces worth a conversation"
    interfaces = {frozenset(pair) for centre in cli("collaboration", "--from", "2026-08-10", "--json").json()
                  for i in centre["interfaces"] for pair in i["activities"]}
    assert interfaces and not {pair for _, pair in noise} & interfaces


def test_collaboration_report(cli, house):
    add(cli, "Lektiecafé", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-p", "Røde Kors", "-k", "læring", "-g", "børn", *ON)
    add(cli, "Jobcafé", "-c", "motalavej", "-r", "Køkkenet", "-a", "Jobcenter", "-k", "job", "--age", "16-29", "-g", "ledige", *ON)
    add(cli, "Ungeklub", "-c", "motalavej", "-r", "Køkkenet", "-a", "Jobcenter", "-k", "fællesskab", "--age", "10-14",
        "--on", "2026-12-08", "--start", "16:00", "--end", "18:00")
    add(cli, "Fællesspisning", "-c", "motalavej", "-r", "Køkkenet", "-a", "Røde Kors", "-k", "fællesskab", "-g", "alle",
        "--on", "2026-12-09", "--start", "16:00", "--end", "18:00")
    add(cli, "Åben rådgivning", "-c", "motalavej", "-r", "Køkkenet", "-a", "Jobcenter", "-k", "rådgivning", "-g", "alle",
        "--on", "2026-12-10", "--start", "16:00", "--end", "18:00")
    (centre,) = cli("collaboration", "--from", "2026-01-01", "--json").json()
    assert centre["centre"] == "Kvarterhuset på Motalavej"
    assert (centre["activities"], centre["joint_activities"], centre["cross_sector"]) == (5, 1, 1)
    assert centre["sectors"] == {"housing-social": 1, "municipal": 1, "volunteer": 1}
    assert centre["pairs"] == [{"actors": ["5M – Mennesker på Motalavej", "Røde Kors Korsør"],
                                "sectors": ["housing-social", "volunteer"], "count": 1, "activities": ["Lektiecafé"]}]
    # Jobcafé (job seekers) meets nobody; Ungeklub (10–14) meets Lektiecafé (6–12); both open offers make no interface.
    assert [(i["actors"], i["count"], i["audiences"]) for i in centre["interfaces"]] == [
        (["5M – Mennesker på Motalavej", "Jobcenter Slagelse"], 1, ["children aged 10–12"]),
        (["Jobcenter Slagelse", "Røde Kors Korsør"], 1, ["children aged 10–12"]),
    ]
    table = cli("collaboration", "--from", "2026-01-01")
    assert "Interfaces worth a conversation" in table.stdout and "Jobcenter Slagelse" in table.stdout
    csv_lines = cli("collaboration", "--from", "2026-01-01", "--csv").stdout.splitlines()
    assert csv_lines[0].startswith("centre,kind,actor_a") and len(csv_lines) == 4


def test_interfaces_are_ranked_by_how_much_the_actors_share(cli, house):
    for n, age in enumerate(("6-12", "13-17", "6-17")):
        add(cli, f"Røde {n}", "-c", "motalavej", "-r", "Salen", "-a", "Røde Kors", "-k", "læring", "--age", age,
            "--on", f"2026-12-0{n + 1}", "--start", "10:00", "--end", "11:00")
    add(cli, "Jobcenter 1", "-c", "motalavej", "-r", "Køkkenet", "-a", "Jobcenter", "-k", "job", "--age", "15-17",
        "--on", "2026-12-01", "--start", "10:00", "--end", "11:00")
    add(cli, "5M 1", "-c", "motalavej", "-r", "Køkkenet", "-a", "5M", "-k", "læring", "--age", "6-17",
        "--on", "2026-12-02", "--start", "10:00", "--end", "11:00")
    (centre,) = cli("collaboration", "--from", "2026-01-01", "--json").json()
    assert [(i["actors"], i["count"]) for i in centre["interfaces"]] == [
        (["5M – Mennesker på Motalavej", "Røde Kors Korsør"], 3),
        (["Jobcenter Slagelse", "Røde Kors Korsør"], 2),
        (["5M – Mennesker på Motalavej", "Jobcenter Slagelse"], 1),
    ]


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
                        "category": "community", "age_min": 13, "age_max": 17, "start_time": "00:00", "end_time": "01:00",
                        "date_from": "2026-09-07", "date_until": "2026-09-08"}, [], []))
        night, *_ = store.insert_bookings(db, [
            {"room_id": r, "actor_id": x, "activity_id": acts[0], "title": "Nat", "start": "2026-09-07T23:00", "end": "2026-09-08T01:00"}])
        morning, twin = store.insert_bookings(db, [
            {"room_id": r, "actor_id": y, "activity_id": acts[1], "title": "Morgen", "start": "2026-09-08T00:30", "end": "2026-09-08T02:00"},
            {"room_id": r, "actor_id": y, "activity_id": acts[1], "title": "Morgen", "start": "2026-09-08T00:30", "end": "2026-09-08T02:00"}])
    found = coordination.overlaps(db, list(coordination.KINDS), Scope(first="2026-09-01"))
    rooms = {frozenset(s["title"] for s in f["series"]): {frozenset(o["bookings"]) for o in f["occurrences"]}
             for f in found if f["kind"] == "room"}
    assert rooms == {frozenset({"Nat", "Morgen"}): {frozenset((night, morning)), frozenset((night, twin))},
                     frozenset({"Morgen"}): {frozenset((morning, twin))}}
    (clash,) = [f for f in found if f["kind"] == "clash"]
    assert (clash["count"], clash["first"]) == (2, "2026-09-08T00:30")
    db.close()
