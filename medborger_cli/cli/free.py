"""free: which rooms are free at a time on a weekday through a period, or on one date."""

from typing import Annotated

import typer

from ..i18n import N_, _, ngettext

from . import app
from .common import CentreFilter, CsvOption, JsonOption, NoPagerOption, RawOption, filter_ids, output_format, state

MAX_DATES_SPAN_DAYS = 3 * 366  # as for an activity's rule: a longer period is almost surely a typo


@app.command("free")
def free(
    ctx: typer.Context,
    weekday: Annotated[list[str] | None, typer.Option("--weekday", "-d", metavar="DAY", help="Weekday, e.g. tirsdag or tue; repeat or comma-separate for more.")] = None,
    start: Annotated[str | None, typer.Option("--start", metavar="TIME", help="From this time: 17, 17:00 or 17.00.")] = None,
    end: Annotated[str | None, typer.Option("--end", metavar="TIME", help="Until this time.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", metavar="DATE", help="First date: 2026-03-04, 4-3-2026, 04.03.2026, today, tomorrow (i dag, i morgen) or +7 (days from today); default today.")] = None,
    date_until: Annotated[str | None, typer.Option("--until", metavar="DATE", help="Last date (written as for --from); default the end of the season (Sunday of week 26).")] = None,
    on: Annotated[str | None, typer.Option("--on", metavar="DATE", help="One date instead of --weekday/--from/--until.")] = None,
    every: Annotated[int, typer.Option("--every", metavar="N", help="Every N weeks, counted from the week of --from.")] = 1,
    centre: CentreFilter = None,
    capacity: Annotated[int | None, typer.Option("--capacity", metavar="N", help="Only rooms that seat at least N.")] = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
    raw: RawOption = False,
    no_pager: NoPagerOption = False,
) -> None:
    """Rooms free at a time on a weekday through a period, or on one date (--on).

    First the rooms free on every date, then those free on most of them with the dates that
    collide and with whom, fewest collisions first. Public holidays and closures are marked.
    --json prints one object per room: centre, room, capacity, collisions (date, id, title, actor,
    start, end; empty when it is free on every date), closed, holidays, dates and free_dates.
    """
    import datetime as dt

    from .. import coordination, output, prompts, schedule
    from ..errors import BadInput

    fmt = output_format(as_json, as_csv)
    st = state(ctx)
    if on is not None and (weekday or date_from or date_until or every != 1):
        raise BadInput(_("is one date; leave out {field:weekday}, {field:from}, {field:until} and {field:every}"), field="on", value=on)
    missing = [flag for flag, value in (("--weekday", weekday or on), ("--start", start), ("--end", end)) if not value]
    prompts.require(missing, st.no_input)
    if not (weekday or on):
        weekday = [prompts.text(_("Weekday (e.g. tirsdag):"), lambda v: schedule.parse_weekdays([v], "weekday"))]
    if not start:
        start = prompts.text(_("From (17:00):"), lambda v: schedule.parse_time(v, "start"))
    if not end:
        end = prompts.text(_("Until (19:00):"), lambda v: schedule.parse_time(v, "end"))
    begins, ends = schedule.parse_time(start, "start"), schedule.parse_time(end, "end")
    if ends <= begins:
        raise BadInput(_("{end} is not after {{field:start}} {start}").format(end=f"{ends:%H:%M}", start=f"{begins:%H:%M}"),
                       field="end", value=end)
    if every < 1 or every > 52:
        raise BadInput(_("{every} is not a number of weeks from 1 to 52").format(every=every), field="every", value=every)
    if capacity is not None and capacity < 1:
        raise BadInput(_("give a number of seats from 1"), field="capacity", value=capacity)
    season = False
    if on is not None:
        first = last = schedule.parse_date(on, "on")
        dates = [first]
        days = [first.weekday()]
    else:
        days = schedule.parse_weekdays(weekday, "weekday")
        first = schedule.parse_date(date_from, "from") if date_from else schedule.today()
        if date_until:
            last = schedule.parse_date(date_until, "until")
        else:
            last, season = coordination.season_end(first), True
        if last < first:
            raise BadInput(_("{last} is before {{field:from}} {first}").format(last=last, first=first), field="until", value=date_until)
        if (last - first).days > MAX_DATES_SPAN_DAYS:
            raise BadInput(_("the period spans more than three years; ask for one season at a time"), field="until", value=date_until)
        dates = coordination.slot_dates(days, first, last, every)
    db = st.db()
    centre_id = filter_ids(db, centre)["centre_id"]
    report = coordination.free_rooms(db, dates, begins, ends, centre_id=centre_id, capacity=capacity)
    if fmt == "json":
        output.write_json(report["rooms"])
        return
    if fmt == "csv":
        output.write_csv([output.free_row(room) for room in report["rooms"]], output.FREE_COLUMNS, raw=raw)
        return
    with output.paged(not no_pager):
        output.free_report(report, dates=dates, weekdays=days, first=first, last=last, start=begins, end=ends, every=every,
                           season=season, single=on is not None, with_centre=centre_id is None)
