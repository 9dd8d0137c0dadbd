"""list centres|rooms|actors|activities|bookings|closures, and the week's schedule grid."""


from typing import Annotated

import typer

from ..i18n import N_, _, ngettext

from . import app
from .common import (
    CentreFilter,
    CsvOption,
    FromOption,
    HtmlOption,
    HtmlOutOption,
    JsonOption,
    NoPagerOption,
    OverwriteOption,
    RawOption,
    UntilOption,
    WeekOption,
    YearOption,
    filter_ids,
    output_format,
    state,
    window,
    write_page,
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
    no_pager: NoPagerOption = False,
) -> None:
    """The centres (medborgercentre)."""
    from .. import output, store, vocab
    from ..output import Column

    fmt = output_format(as_json, as_csv)
    rows = store.centres(state(ctx).db(), area)
    with output.paged(fmt == "table" and not no_pager):
        output.emit(
            rows,
            [
                Column("id", "Id", style="dim", wrap=False), Column("name", "Centre", style="bold"),
                Column("type", "Type", output.code_label(vocab.CENTRE_TYPES), keep=40), Column("municipality", "Municipality", keep=60),
                Column("area", "Area", keep=50), Column("address", "Address", in_table=False), Column("owner", "Owner", keep=30),
                Column("operator", "Operator", in_table=False), Column("rooms", "Rooms", wrap=False, keep=45),
                Column("activities", "Activities", wrap=False, keep=45),
            ],
            fmt, title="Centres", empty="No centres yet; add one with `medborger add-centre` or `medborger load-sample`.", raw=raw,
        )


@list_app.command("rooms")
def list_rooms(ctx: typer.Context, centre: CentreFilter = None, as_json: JsonOption = False, as_csv: CsvOption = False,
               raw: RawOption = False, no_pager: NoPagerOption = False) -> None:
    """The rooms (lokaler), per centre."""
    from .. import output, store
    from ..output import Column

    fmt = output_format(as_json, as_csv)
    db = state(ctx).db()
    rows = store.rooms(db, filter_ids(db, centre)["centre_id"])
    with output.paged(fmt == "table" and not no_pager):
        output.emit(
            rows,
            [Column("id", "Id", style="dim", wrap=False), Column("name", "Room", style="bold"), Column("centre", "Centre", keep=80),
             Column("capacity", "Seats", wrap=False, keep=70)],
            fmt, title="Rooms", empty="No rooms yet; add one with `medborger add-room CENTRE NAME`.", raw=raw,
        )


@list_app.command("actors")
def list_actors(ctx: typer.Context, centre: CentreFilter = None, as_json: JsonOption = False, as_csv: CsvOption = False,
                raw: RawOption = False, no_pager: NoPagerOption = False) -> None:
    """The actors (aktører); with --centre, those active in that centre."""
    from .. import output, store, vocab
    from ..output import Column

    fmt = output_format(as_json, as_csv)
    db = state(ctx).db()
    rows = store.actors(db, filter_ids(db, centre)["centre_id"])
    with output.paged(fmt == "table" and not no_pager):
        output.emit(
            rows,
            [
                Column("id", "Id", style="dim", wrap=False), Column("name", "Actor", style="bold"),
                Column("sector", "Sector", output.code_label(vocab.SECTORS), keep=60), Column("contact", "Contact", keep=50),
                Column("email", "E-mail", wrap=False, keep=40), Column("phone", "Phone", wrap=False, keep=45),
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
    no_pager: NoPagerOption = False,
) -> None:
    """The activities (aktiviteter) with their schedule; a window keeps those held in it."""
    from .. import coordination, output, schedule, store, vocab
    from ..output import Column

    fmt = output_format(as_json, as_csv)
    db = state(ctx).db()
    first, last = window(date_from, date_until, week, year, default_from_today=False)
    ids = filter_ids(db, centre, room, actor)
    rows = store.activities(db, **ids, first=first, last=last)
    for row in rows:
        rule = schedule.Recurrence.from_row(row)
        row["schedule"], row["schedule_shown"] = rule.describe(iso=True), rule.describe()  # ISO in JSON and CSV
        audience = coordination.audience_of(row)
        row.update(coordination.audience_data(audience, bool(row["internal"])), internal=bool(row["internal"]))
        row["for"] = _("internal meeting") if row["internal"] and audience.open else coordination.audience_words(audience)
        row["kind"] = vocab.label(vocab.ACTIVITY_TYPES, row["type"]) if row["type"] else vocab.label(vocab.CATEGORIES, row["category"])
        row["shown_title"] = output.unbroken(row["title"])
    with output.paged(fmt == "table" and not no_pager):
        output.emit(
            rows,
            [
                Column("id", "Id", style="dim", wrap=False), Column("title", "Activity", in_table=False),
                Column("shown_title", "Activity", style="bold", in_data=False, cap=output.TITLE_CAP),
                Column("centre", "Centre", keep=55 if centre is None else 25), Column("room", "Room", keep=70),
                Column("actor", "Actor", keep=65), Column("partners", "Partners", keep=30),
                Column("category", "Category", output.code_label(vocab.CATEGORIES), in_table=False),
                Column("type", "Type", in_table=False), Column("kind", "Kind", in_data=False, keep=35),
                Column("for", "For", in_data=False, keep=40),
                Column("age", "Age", in_table=False), Column("gender", "Gender", in_table=False),
                Column("target_groups", "Target groups", output.code_label(vocab.TARGET_GROUPS), in_table=False),
                Column("internal", "Internal", in_table=False),
                Column("schedule", "When", keep=90, compose=lambda r: r["schedule_shown"]), Column("occurrences", "Dates", wrap=False, keep=20),
            ],
            fmt, title="Activities", empty="No activities match.",
            extra_json=["focus", "weekdays", "start_time", "end_time", "date_from", "date_until", "interval", "monthly"], raw=raw,
            narrow=[
                Column("id", "Id", style="dim", wrap=False),
                Column("title", "Activity", cap=output.TITLE_CAP, compose=lambda r: [[(r["shown_title"], "bold")], [(r["actor"], "dim")]]
                       + ([[(_("with {partners}").format(partners=", ".join(r["partners"])), "dim")]] if r["partners"] else [])),
                Column("room", _("Where"), keep=70, compose=lambda r: [[(r["room"], None)]] + ([[(r["centre"], "dim")]] if centre is None else [])),
                Column("kind", _("For"), keep=40, compose=lambda r: [[(r["kind"], None)], [(r["for"], "dim")]]),
                Column("schedule", "When", keep=90, compose=lambda r: r["schedule_shown"]), Column("occurrences", "Dates", wrap=False, keep=20),
            ],
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
    html: HtmlOption = False,
    output_path: HtmlOutOption = None,
    overwrite: OverwriteOption = False,
    no_pager: NoPagerOption = False,
) -> None:
    """Bookings from today on (or in --from/--until/--week), one row per occurrence.

    --html writes a printable agenda: the bookings day by day."""
    from .. import actions, output, store
    from ..errors import BadInput
    from ..output import Column

    fmt = _format(as_json, as_csv, html, output_path)
    if status is not None and status not in ("active", "cancelled"):
        raise BadInput(_("--status: '{status}' is not a status; use active or cancelled (aktiv, aflyst)").format(status=status))
    db = state(ctx).db()
    first, last = window(date_from, date_until, week, year, default_from_today=True)
    ids = filter_ids(db, centre, room, actor)
    activity_id = actions.resolve(db, "activity", activity, "--activity", ids["centre_id"])["id"] if activity else None
    rows = store.bookings(db, **ids, activity_id=activity_id, first=first, last=last, status=status)
    if fmt == "html":
        page = output.agenda_page(rows, first=first, last=last)
        written = write_page(ctx, page, output_path, overwrite)
        if written:
            output.message(_("Wrote an agenda of {count} bookings to {path}.").format(count=len(rows), path=written))
        return
    for row in rows:
        row["when"] = output.span(row)
        row["shown_title"] = output.unbroken(row["title"] + (" " + _("(cancelled)") if row["status"] == "cancelled" else ""))
    with output.paged(fmt == "table" and not no_pager):
        output.emit(
            rows,
            [
                Column("id", "Id", style="dim", wrap=False), Column("when", "When", in_data=False, wrap=False),
                Column("centre", "Centre", in_table=centre is None, keep=40), Column("room", "Room", keep=70),
                Column("title", "Title", in_table=False), Column("shown_title", "Title", style="bold", in_data=False, cap=output.TITLE_CAP),
                Column("actor", "Actor", keep=60),
                Column("activity_id", "Activity", in_table=False), Column("start", "Start", in_table=False),
                Column("end", "End", in_table=False),
                Column("status", "Status", in_table=False),
            ],
            fmt, title="Bookings", empty="No bookings in that window.", extra_json=["note"], raw=raw,
            narrow=[
                Column("id", "Id", style="dim", wrap=False), Column("when", "When", wrap=False),
                Column("title", _("Booking"), cap=output.TITLE_CAP, compose=lambda r: [[(r["shown_title"], "bold")], [(r["actor"], "dim")]]),
                Column("room", _("Where") if centre is None else _("Room"), keep=70,
                       compose=lambda r: [[(r["room"], None)]] + ([[(r["centre"], "dim")]] if centre is None else [])),
            ],
        )


@list_app.command("closures")
def list_closures(ctx: typer.Context, centre: CentreFilter = None, as_json: JsonOption = False, as_csv: CsvOption = False,
                  raw: RawOption = False, no_pager: NoPagerOption = False) -> None:
    """Closures (lukkeperioder) per centre."""
    from .. import output, store
    from ..output import Column

    fmt = output_format(as_json, as_csv)
    db = state(ctx).db()
    rows = store.closures(db, filter_ids(db, centre)["centre_id"])
    with output.paged(fmt == "table" and not no_pager):
        output.emit(
            rows,
            [Column("id", "Id", style="dim", wrap=False), Column("centre", "Centre"), Column("date_from", "From", output.day_text, wrap=False),
             Column("date_until", "Until", output.day_text, wrap=False), Column("reason", "Reason")],
            fmt, title="Closures", empty="No closures registered.", raw=raw,
        )


def _format(as_json: bool, as_csv: bool, html: bool, output_path: str | None) -> str:
    """table, json, csv or html; -o goes with --html."""
    from ..errors import BadInput

    fmt = output_format(as_json, as_csv)
    if html and fmt != "table":
        raise BadInput(_("choose one of --html, --json and --csv"), field="html")
    if output_path and not html:
        raise BadInput(_("writes the --html page; add --html, or use > FILE for a table, --json or --csv"), field="output")
    return "html" if html else fmt


@app.command("schedule")
def schedule_week(
    ctx: typer.Context,
    centre: CentreFilter = None,
    room: RoomFilter = None,
    actor: ActorFilter = None,
    week: WeekOption = None,
    year: YearOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
    raw: RawOption = False,
    html: Annotated[bool, typer.Option("--html", help="Write the week as a printable HTML page, one A4 landscape page per centre (to -o FILE, else to standard output).")] = False,
    output_path: HtmlOutOption = None,
    overwrite: OverwriteOption = False,
    no_pager: NoPagerOption = False,
) -> None:
    """The week at a glance: days across, rooms down, double bookings marked ⚠.

    Without --week it shows this week; on a Sunday, the coming week (the one being planned). When
    the days do not fit across the window they come in pages of days, or one under another.
    """
    import datetime as dt

    from .. import coordination, output, schedule, store
    from ..output import Column

    fmt = _format(as_json, as_csv, html, output_path)
    db = state(ctx).db()
    if week is None:
        if year is not None:
            raise typer.BadParameter(_("--year goes with --week"), param_hint="--year")
        monday, coming = coordination.week_to_show(schedule.today())
        if coming:
            this = (monday - dt.timedelta(days=7)).isocalendar()
            shown = monday.isocalendar()
            output.message(_("Today is Sunday: showing the coming week, week {week}; --week {this_week} --year {this_year} "
                             "shows the week that ends today.").format(week=shown.week, this_week=this.week, this_year=this.year))
    else:
        monday = schedule.week_window(week, year)[0]
    ids = filter_ids(db, centre, room, actor)
    plan = coordination.week(db, ids["centre_id"], monday, room_id=ids["room_id"], actor_id=ids["actor_id"])
    if fmt == "html":
        page = output.week_page(plan, per_room=ids["room_id"] is not None)
        written = write_page(ctx, page, output_path, overwrite)
        if written:
            if ids["room_id"] is not None:
                count = sum(len(c.rooms) for c in plan.centres)
                text = ngettext("Wrote week {week} for {count} room to {path}.", "Wrote week {week} for {count} rooms to {path}.", count)
            else:
                count = len(plan.centres)
                text = ngettext("Wrote week {week} for {count} centre to {path}.", "Wrote week {week} for {count} centres to {path}.",
                                count)
            output.message(text.format(week=monday.isocalendar().week, count=count, path=written))
        return
    if fmt != "table":
        columns = ("id", "centre", "room", "title", "actor", "activity_id", "start", "end", "status", "conflict", "target_groups")
        output.emit(plan.bookings, [Column(k, k) for k in columns], fmt, raw=raw)
        return
    if not store.centres(db):
        output.message(_("No centres yet; add one with `medborger add-centre` or `medborger load-sample`."))
        return
    if not plan.centres:
        iso = monday.isocalendar()
        output.message(_("Nothing booked in week {week}, {year} for that choice.").format(week=iso.week, year=iso.year))
        return
    with output.paged(not no_pager):
        for c in plan.centres:
            output.week_grid(c.centre, c.rooms, c.days, c.bookings, plan.conflicting, c.notes)
    if plan.conflicting:
        output.warning("⚠ " + ngettext("{count} booking this week shares a room with another at the same time.",
                                        "{count} bookings this week share a room with another at the same time.",
                                        len(plan.conflicting)).format(count=len(plan.conflicting)))
