"""SQL helpers shared by the store's modules: row reading, date windows, id lists, the bookings
SELECT, and how names and times are written. Holds no table of its own."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only a type: reading commands never load sqlite-utils
    from sqlite_utils import Database


def name_key(name: str) -> str:
    """How names are compared: case-insensitive for all of Unicode (æøå too), spaces folded,
    composed (NFC) whether "é" was typed as one character or as "e" and an accent."""
    return unicodedata.normalize("NFC", " ".join(unicodedata.normalize("NFC", name).casefold().split()))


def now() -> str:
    return dt.datetime.now().replace(microsecond=0).isoformat()


def fetch_rows(db: Database, sql: str, params: list[Any] | tuple = ()) -> list[dict[str, Any]]:
    cursor = db.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def starting_within(column: str, first: str | None, last: str | None, where: list[str], params: list[Any]) -> None:
    """Add the conditions for 'starts on a day from `first` to `last`' (ISO dates, either optional)."""
    if first:
        where.append(f"{column} >= ?")
        params.append(first)
    if last:
        where.append(f"{column} < ?")
        params.append(day_after(last))


def day_after(day: str) -> str:
    return (dt.date.fromisoformat(day[:10]) + dt.timedelta(days=1)).isoformat()


def json_ids(ids) -> str:
    import json

    return json.dumps(list(ids))


BOOKINGS_SELECT = (
    'SELECT b.id, c.name AS centre, r.name AS room, b.title, ac.name AS actor, b.activity_id, '
    'b.start, b."end", b.status, b.note, b.room_id, r.centre_id, b.actor_id '
    "FROM bookings b JOIN rooms r ON r.id = b.room_id JOIN centres c ON c.id = r.centre_id "
    "JOIN actors ac ON ac.id = b.actor_id"
)

# The overlaps report gathers active bookings by room, activity, time of day and weekday. This
# index holds them in exactly that order, so the report reads it front to back with no sort.
GROUP_KEY = 'room_id, activity_id, substr(start, 12), substr("end", 12), julianday(substr(start, 1, 10)) % 7'

# An occurrence that ends on a later day than it starts; m005's partial index bookings_spanning_days
# holds the active ones, so that the report finds them without reading every booking.
SPANS_DAYS = 'substr(start, 1, 10) <> substr("end", 1, 10)'
