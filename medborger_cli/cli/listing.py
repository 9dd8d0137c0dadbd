"""list centres|rooms|actors|activities|bookings|closures, and the week's schedule grid."""


from typing import Annotated

import typer

from . import app
from .common import (
    CentreFilter,
    CsvOption,
    FromOption,
    JsonOption,
    RawOption,
    UntilOption,
    WeekOption,
    YearOption,
    filter_ids,
    output_format,
    state,
    window,
)

list_app = typer.Typer(help="List what is registered; --json or --csv for scripts.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(list_app, name="list")

RoomFilter = Annotated[str | None, typer.Option("--room", "-r", metavar="ROOM", help="Only this room (name or id; with --centre when names repeat).")]
ActorFilter = Annotated[str | None, typer.Option("--actor", "-a", metavar="ACTOR", help="Only this actor, as lead or partner.")]


@list_app.command("centres")
def list_centres(
    ctx: typer.Context,
    area: Annotated[str | None, typer.Option("--area", metavar="NAME", help="Only centres in this area.")] = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
    raw: RawOption = False,
) -> None:
    """The centres (medborgercentre)."""
    from .. import output, store, vocab
    from ..output import Column

    fmt = output_format(as_json, as_csv)
    rows = store.centres(state(ctx).db(), area)
    output.emit(
        rows,
        [
            Column("id", "Id", style="dim"), Column("name", "Centre", style="bold"),
            Column("type", "Type", output.code_label(vocab.CENTRE_TYPES)), Column("municipality", "Municipality"),
            Column("area", "Area"), Column("address", "Address", in_table=False), Column("owner", "Owner"),
            Column("operator", "Operator", in_table=False), Column("rooms", "Rooms"), Column("activities", "Activities"),
        ],
        fmt, title="Centres", empty="No centres yet; add one with `medborger add-centre` or `medborger load-sample`.", raw=raw,
    )


@list_app.command("rooms")
def list_rooms(ctx: typer.Context, centre: CentreFilter = None, as_json: JsonOption = False, as_csv: CsvOption = False, raw: RawOption = False) -> None:
    """The rooms (lokaler), per centre."""
    from .. import output, store
    from ..output import Column

    fmt = output_format(as_json, as_csv)
    db = state(ctx).db()
    rows = store.rooms(db, filter_ids(db, centre)["centre_id"])
    output.emit(
        rows,
        [Column("id", "Id", style="dim"), Column("name", "Room", style="bold"), Column("centre", "Centre"), Column("capacity", "Seats")],
        fmt, title="Rooms", empty="No rooms yet; add one with `medborger add-room CENTRE NAME`.", raw=raw,
    )


@list_app.command("actors")
def list_actors(ctx: typer.Context, centre: CentreFilter = None, as_json: JsonOption = False, as_csv: CsvOption = False, raw: RawOption = False) -> None:
    """The actors (aktører); with --centre, those active in that centre."""
    from .. import output, store, vocab
    from ..output import Column

    fmt = output_format(as_json, as_csv)
    db = state(ctx).db()
    rows = store.actors(db, filter_ids(db, centre)["centre_id"])
    output.emit(
        rows,
        [
            Column("id", "Id", style="dim"), Column("name", "Actor", style="bold"),
            Column("sector", "Sector", output.code_label(vocab.SECTORS)), Column("contact", "Contact"),
            Column("email", "E-mail"), Column("phone", "Phone"),
        ],
        fmt, title="Actors", empty="No actors yet; add one with `medborger add-actor NAME --sector S`.", raw=raw,
    )


@list_app.command("activities")
def list_activities(
    ctx: typer.Context,
    centre: CentreFilter = None,
    room: RoomFilter = None,
    actor: ActorFilter = None,
    date_from: FromOption = None,
    date_until: UntilOption = None,
    week: WeekOption = None,
    year: YearOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
    raw: RawOption = False,
) -> None:
    """The activities (aktiviteter) with their schedule; a window keeps those held in it."""
    from .. import coordination, output, schedule, store, vocab
    from ..i18n import _
    from ..output import Column

    fmt = output_format(as_json, as_csv)
    db = state(ctx).db()
    first, last = window(date_from, date_until, week, year, default_from_today=False)
    ids = filter_ids(db, centre, room, actor)
    rows = store.activities(db, **ids, first=first, last=last)
    for row in rows:
        row["schedule"] = schedule.Recurrence.from_row(row).describe()
        audience = coordination.audience_of(row)
        row.update(coordination.audience_data(audience, bool(row["internal"])), internal=bool(row["internal"]))
        row["for"] = _("internal meeting") if row["internal"] and audience.open else coordination.audience_words(audience)
        row["kind"] = row["type"] or vocab.label(vocab.CATEGORIES, row["category"])
    output.emit(
        rows,
        [
            Column("id", "Id", style="dim"), Column("title", "Activity", style="bold"), Column("centre", "Centre"),
            Column("room", "Room"), Column("actor", "Actor"), Column("partners", "Partners"),
            Column("category", "Category", output.code_label(vocab.CATEGORIES), in_table=False), Column("type", "Type", in_table=False),
            Column("kind", "Kind", in_data=False), Column("for", "For", in_data=False),
            Column("age", "Age", in_table=False), Column("gender", "Gender", in_table=False),
            Column("target_groups", "Target groups", output.code_label(vocab.TARGET_GROUPS), in_table=False),
            Column("internal", "Internal", in_table=False),
            Column("schedule", "When"), Column("occurrences", "Dates"),
        ],
        fmt, title="Activities", empty="No activities match.",
        extra_json=["focus", "weekdays", "start_time", "end_time", "date_from", "date_until", "interval", "monthly"], raw=raw,
    )


@list_app.command("bookings")
def list_bookings(
    ctx: typer.Context,
    centre: CentreFilter = None,
    room: RoomFilter = None,
    actor: ActorFilter = None,
    activity: Annotated[str | None, typer.Option("--activity", metavar="ACTIVITY", help="Only this activity's occurrences (title or id).")] = None,
    date_from: FromOption = None,
    date_until: UntilOption = None,
    week: WeekOption = None,
    year: YearOption = None,
    status: Annotated[str | None, typer.Option("--status", metavar="STATUS", help="Only active or cancelled bookings.")] = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
    raw: RawOption = False,
) -> None:
    """Bookings from today on (or in --from/--until/--week), one row per occurrence."""
    from .. import actions, output, store
    from ..errors import BadInput
    from ..output import Column

    fmt = output_format(as_json, as_csv)
    if status is not None and status not in ("active", "cancelled"):
        raise BadInput(f"--status: '{status}' is not a status; use active or cancelled")
    db = state(ctx).db()
    first, last = window(date_from, date_until, week, year, default_from_today=True)
    ids = filter_ids(db, centre, room, actor)
    activity_id = actions.resolve(db, "activity", activity, "--activity", ids["centre_id"])["id"] if activity else None
    rows = store.bookings(db, **ids, activity_id=activity_id, first=first, last=last, status=status)
    for row in rows:
        row["when"] = output.span(row)
    output.emit(
        rows,
        [
            Column("id", "Id", style="dim"), Column("when", "When", in_data=False),
            Column("centre", "Centre", in_table=centre is None), Column("room", "Room"),
            Column("title", "Title", style="bold"), Column("actor", "Actor"),
            Column("activity_id", "Activity", in_table=False), Column("start", "Start", in_table=False),
            Column("end", "End", in_table=False),
            Column("status", "Status"),
        ],
        fmt, title="Bookings", empty="No bookings in that window.", extra_json=["note"], raw=raw,
    )


@list_app.command("closures")
def list_closures(ctx: typer.Context, centre: CentreFilter = None, as_json: JsonOption = False, as_csv: CsvOption = False, raw: RawOption = False) -> None:
    """Closures (lukkeperioder) per centre."""
    from .. import output, store
    from ..output import Column

    fmt = output_format(as_json, as_csv)
    db = state(ctx).db()
    rows = store.closures(db, filter_ids(db, centre)["centre_id"])
    output.emit(
        rows,
        [Column("id", "Id", style="dim"), Column("centre", "Centre"), Column("date_from", "From"), Column("date_until", "Until"), Column("reason", "Reason")],
        fmt, title="Closures", empty="No closures registered.", raw=raw,
    )


@app.command("schedule")
def schedule_week(
    ctx: typer.Context,
    centre: CentreFilter = None,
    week: WeekOption = None,
    year: YearOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
    raw: RawOption = False,
) -> None:
    """The week at a glance: days across, rooms down, double bookings marked ⚠."""
    import datetime as dt

    from .. import coordination, output, schedule, store
    from ..output import Column

    fmt = output_format(as_json, as_csv)
    db = state(ctx).db()
    if week is None:
        if year is not None:
            raise typer.BadParameter("--year goes with --week", param_hint="--year")
        today = dt.date.today().isocalendar()
        week, year = today.week, today.year
    monday, _ = schedule.week_window(week, year)
    plan = coordination.week(db, filter_ids(db, centre)["centre_id"], monday)
    if fmt != "table":
        columns = ("id", "centre", "room", "title", "actor", "activity_id", "start", "end", "status", "conflict")
        output.emit(plan.bookings, [Column(k, k) for k in columns], fmt, raw=raw)
        return
    if not store.centres(db):
        output.message("No centres yet; add one with `medborger add-centre` or `medborger load-sample`.")
        return
    for c in plan.centres:
        output.week_grid(c.centre, c.rooms, c.days, c.bookings, plan.conflicting, c.notes)
    if plan.conflicting:
        output.warning(f"⚠ {len(plan.conflicting)} bookings this week share a room with another at the same time.")
