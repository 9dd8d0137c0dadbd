"""iCalendar export: a recurring activity is one VEVENT with an RRULE and EXDATEs; a one-off
booking is a single VEVENT. Times carry TZID=Europe/Copenhagen with its VTIMEZONE.

The calendar's expanded occurrences are exactly the active bookings stored for the selection:
rule dates without an active booking (holidays, closures, cancellations, skipped conflicts)
become EXDATEs, and a booking that the rule does not produce is an event of its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from . import coordination, schedule, store, vocab
from .i18n import _

TZ = ZoneInfo("Europe/Copenhagen")
BYDAY = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def _local(value: str) -> dt.datetime:
    return dt.datetime.strptime(value, schedule.ISO_MINUTES).replace(tzinfo=TZ)


def _uid(kind: str, row_id: int, centre: str) -> str:
    house = hashlib.sha1(store.name_key(centre).encode("utf-8")).hexdigest()[:8]
    return f"{kind}-{row_id}-{house}@medborger"


def calendar(
    db: Database,
    *,
    centre_id: int | None = None,
    room_id: int | None = None,
    actor_id: int | None = None,
    activity_id: int | None = None,
    name: str = "medborger",
) -> bytes:
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//medborger//medborger//DA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Copenhagen")
    stamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)

    def event(uid: str, title: str, start: str, end: str, location: str, description: str) -> Any:
        ev = Event()
        ev.add("uid", uid)
        ev.add("dtstamp", stamp)
        ev.add("summary", title)
        ev.add("dtstart", _local(start))
        ev.add("dtend", _local(end))
        ev.add("location", location)
        if description:
            ev.add("description", description)
        return ev

    activities = store.activities(db, centre_id=centre_id, room_id=room_id, actor_id=actor_id)
    if activity_id is not None:
        activities = [a for a in activities if a["id"] == activity_id]
    for activity in activities:
        booked = store.bookings(db, activity_id=activity["id"], status="active")
        if not booked:
            continue
        location = f"{activity['room']}, {activity['centre']}"
        who = ", ".join([activity["actor"], *activity["partners"]])
        kind = activity["type"] or vocab.label(vocab.CATEGORIES, activity["category"])
        audience = coordination.audience_of(activity)
        description = f"{who}\n{kind} · " + (_("internal meeting") if activity["internal"] and audience.open
                                               else coordination.audience_words(audience))
        uid = _uid("activity", activity["id"], activity["centre"])
        rule = schedule.Recurrence.from_row(activity)
        dates = rule.dates()
        begins, ends = activity["start_time"], activity["end_time"]
        times = {(b["start"], b["end"]) for b in booked}
        produced = {(f"{d.isoformat()}T{begins}", f"{d.isoformat()}T{ends}") for d in dates}
        held = [d for d in dates if (f"{d.isoformat()}T{begins}", f"{d.isoformat()}T{ends}") in times]
        if held:
            first = dates[0]
            ev = event(uid, activity["title"], f"{first.isoformat()}T{begins}", f"{first.isoformat()}T{ends}", location, description)
            if len(dates) > 1:
                ev.add("rrule", _rrule(rule))
            missing = [d for d in dates if d not in set(held)]
            if missing:
                ev.add("exdate", [_local(f"{d.isoformat()}T{begins}") for d in missing])
            ev.add("categories", [vocab.label(vocab.CATEGORIES, activity["category"])])
            cal.add_component(ev)
        for b in booked:  # occurrences the rule does not produce
            if (b["start"], b["end"]) not in produced:
                cal.add_component(event(_uid("booking", b["id"], activity["centre"]), b["title"], b["start"], b["end"], location, description))
    if activity_id is None:
        for b in store.bookings(db, centre_id=centre_id, room_id=room_id, actor_id=actor_id, status="active"):
            if b["activity_id"] is None:
                cal.add_component(
                    event(_uid("booking", b["id"], b["centre"]), b["title"], b["start"], b["end"], f"{b['room']}, {b['centre']}", b["actor"])
                )
    cal.add_missing_timezones()
    return cal.to_ical()


def _rrule(rule: schedule.Recurrence) -> dict[str, Any]:
    until = dt.datetime.combine(rule.date_until, dt.time(23, 59), tzinfo=TZ).astimezone(dt.timezone.utc)
    days = [BYDAY[i] for i in rule.weekdays]
    if rule.monthly:
        nth = vocab.MONTHLY_NTH[rule.monthly]
        return {"FREQ": "MONTHLY", "INTERVAL": rule.interval, "BYDAY": [f"{nth}{d}" for d in days], "UNTIL": until, "WKST": "MO"}
    return {"FREQ": "WEEKLY", "INTERVAL": rule.interval, "BYDAY": days, "UNTIL": until, "WKST": "MO"}
