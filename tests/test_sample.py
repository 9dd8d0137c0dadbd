"""The bundled sample of the four case centres."""

from __future__ import annotations

from collections import Counter

from conftest import dump, rows
import pytest

pytestmark = pytest.mark.engines


def test_load_sample_fills_an_empty_database_and_refuses_a_second_time(cli, db_path):
    result = cli("load-sample")
    assert result.exit_code == 0, result.stderr
    centres = cli("list", "centres", "--json").json()
    assert {c["type"] for c in centres} == {"housing", "library", "association", "health"}
    assert all(c["area"] and c["municipality"] for c in centres)
    per_centre = Counter(a["centre"] for a in cli("list", "activities", "--json").json())
    assert len(per_centre) == 4 and min(per_centre.values()) >= 19
    sectors = {a["sector"] for a in cli("list", "actors", "--json").json()}
    assert len(sectors) >= 6
    assert len(rows(db_path, "SELECT * FROM closures")) >= 8
    before = dump(db_path)
    again = cli("load-sample")
    assert again.exit_code == 0 and "loaded already" in again.stderr
    assert dump(db_path) == before


def test_load_sample_refuses_a_database_with_other_data(cli, db_path):
    cli("add-actor", "Egen aktør", "--sector", "frivillig")
    before = dump(db_path)
    result = cli("load-sample")
    assert result.exit_code == 1 and "already holds data" in result.stderr
    assert dump(db_path) == before


def test_the_sample_has_deliberate_room_conflicts_and_skips_holidays(cli, db_path):
    cli("load-sample")
    clashes = rows(
        db_path,
        'SELECT count(*) AS n FROM bookings a JOIN bookings b ON a.room_id = b.room_id AND a.id < b.id '
        'AND a.start < b."end" AND b.start < a."end" AND a.status = \'active\' AND b.status = \'active\'',
    )[0]["n"]
    assert clashes >= 5
    # No active booking on a Danish public holiday or inside a closure of its centre.
    on_holiday = rows(db_path, "SELECT count(*) AS n FROM bookings WHERE substr(start, 1, 10) IN ('2026-12-25', '2027-03-25', '2027-05-06') AND status = 'active'")
    assert on_holiday[0]["n"] == 0
    in_closure = rows(
        db_path,
        "SELECT count(*) AS n FROM bookings b JOIN rooms r ON r.id = b.room_id JOIN closures c ON c.centre_id = r.centre_id "
        "WHERE b.status = 'active' AND substr(b.start, 1, 10) BETWEEN c.date_from AND c.date_until",
    )
    assert in_closure[0]["n"] == 0


def test_season_runs_from_week_33_2026_to_week_26_2027(cli, db_path):
    cli("load-sample")
    span = rows(db_path, "SELECT min(start) AS first, max(start) AS last FROM bookings WHERE activity_id IS NOT NULL")[0]
    assert span["first"] >= "2026-08-10" and span["last"] < "2027-07-05"
