"""The bundled sample: the four case centres of the CFBU report, season 2026/27.

The CSV files live in `sample_data/` at the top of the repository and are installed inside
the package as `medborger_cli/sample_data`. Loading goes through the same actions as the
commands, in one transaction: either the whole sample is stored or nothing is.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from importlib import resources
from pathlib import Path

from sqlite_utils import Database

from . import actions, schedule, store
from .errors import Refused


def _files():
    installed = resources.files("medborger_cli") / "sample_data"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / "sample_data"  # a source checkout


def read(name: str) -> list[dict[str, str]]:
    text = (_files() / name).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _split(cell: str) -> list[str]:
    return [part.strip() for part in (cell or "").split(";") if part.strip()]


def load(db: Database) -> dict[str, int]:
    if not store.is_empty(db):
        names = {store.name_key(r["name"]) for r in store.centres(db)}
        if {store.name_key(r["name"]) for r in read("centres.csv")} <= names:
            return {}  # the sample is there already: loading it again changes nothing
        raise Refused(
            "load-sample: the database already holds data; use an empty one, e.g. "
            "`medborger --db sample.db load-sample`"
        )
    with store.write(db):
        for row in read("centres.csv"):
            actions.add_centre(
                db, row["name"], row["type"], row["municipality"], row["area"], row["address"], row["owner"], row["operator"]
            )
        for row in read("rooms.csv"):
            actions.add_room(db, row["centre"], row["name"], int(row["capacity"]) if row["capacity"] else None)
        for row in read("actors.csv"):
            actions.add_actor(db, row["name"], row["sector"], row["contact"] or None, row["email"] or None, row["phone"] or None)
        for row in read("closures.csv"):
            actions.add_closure(
                db, row["centre"], dt.date.fromisoformat(row["from"]), dt.date.fromisoformat(row["until"]), row["reason"]
            )
        for row in read("activities.csv"):
            on = dt.date.fromisoformat(row["on"]) if row["on"] else None
            rule = schedule.Recurrence(
                start_time=dt.time.fromisoformat(row["start"]),
                end_time=dt.time.fromisoformat(row["end"]),
                weekdays=tuple(schedule.parse_weekdays([w for w in _split(row["weekdays"])], "weekdays")) if not on else (),
                date_from=None if on else dt.date.fromisoformat(row["from"]),
                date_until=None if on else dt.date.fromisoformat(row["until"]),
                interval=int(row["every"] or 1),
                monthly=row["monthly"] or None,
                on=on,
            )
            spec = actions.build_activity(
                db,
                title=row["title"],
                centre=row["centre"],
                room=row["room"],
                actor=row["actor"],
                partners=_split(row["partners"]),
                category=row["category"],
                targets=_split(row["targets"]),
                focus=row["focus"] or None,
                rule=rule,
                include_holidays=row["include_holidays"] == "yes",
            )
            actions.add_activity(db, spec, policy="allow")
        for row in read("bookings.csv"):
            booking = actions.build_booking(
                db,
                centre=row["centre"],
                room=row["room"],
                actor=row["actor"],
                title=row["title"],
                start=schedule.parse_datetime(row["start"], "start"),
                end=schedule.parse_datetime(row["end"], "end"),
            )
            actions.book(db, booking, policy="allow")
        return {k: v for k, v in store.counts(db).items()}
