"""edit activity at a terminal: the room-conflict question add-activity asks, then the change."""

from __future__ import annotations

import pytest

from conftest import rows
from test_prompts import DOWN, ENTER, finish, spawn

pytestmark = pytest.mark.slow


def test_edit_activity_at_a_terminal_asks_about_the_room_conflict(db_path, cli, house):
    assert cli("add-activity", "Pigeklub", "-c", "motalavej", "-r", "Salen", "-a", "5M", "-k", "fællesskab", "-g", "unge",
               "-d", "mandag", "--start", "17:00", "--end", "19:00", "--from", "2026-09-07", "--until", "2026-12-14").exit_code == 0
    assert cli("book", "-c", "motalavej", "-r", "Salen", "-a", "Jobcenter", "--title", "Møde", "--start",
               "2026-11-24 18:00", "--end", "19:00").exit_code == 0
    child = spawn(db_path, "edit", "activity", "Pigeklub", "--from", "2026-11-16", "--weekday", "tirsdag",
                  env={"MEDBORGER_TODAY": "2026-10-01"})
    child.expect("3 of 4 dates are free.")
    child.expect("What should happen")
    child.send(DOWN + ENTER)  # skip the taken date
    child.expect("Make this change")
    child.send("y\r")
    assert finish(child) == 0
    tuesdays = [r["start"][:10] for r in rows(db_path, "SELECT start FROM bookings WHERE title = 'Pigeklub' "
                                                       "AND start >= '2026-11-16' ORDER BY start")]
    assert tuesdays == ["2026-11-17", "2026-12-01", "2026-12-08"]
