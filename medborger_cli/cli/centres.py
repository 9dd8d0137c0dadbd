"""init, load-sample, add-centre, add-room, add-actor, add-closure."""


from typing import Annotated

import typer

from ..i18n import N_, _, ngettext

from . import app
from .common import state


def _choices(vocabulary) -> list[tuple[str, str]]:
    return [(t.choice, t.code) for t in vocabulary.values()]


@app.command("init")
def init(ctx: typer.Context) -> None:
    """Create the database (if needed) and print its path."""
    from .. import output, store

    st = state(ctx)
    db = st.db()
    typer.echo(str(st.path))
    output.message(_("Database ready (schema {version}).").format(version=store.schema_version(db)))


@app.command("load-sample")
def load_sample(ctx: typer.Context) -> None:
    """Load the bundled sample: the four case centres of the CFBU report, season 2026/27."""
    from .. import output, sample

    db = state(ctx).db()
    summary = sample.load(db)
    if not summary:
        output.message(_("The sample is loaded already; nothing changed."))
        return
    output.message(_(
        "Loaded the sample: {centres} centres, {rooms} rooms, {actors} actors, {activities} activities, "
        "{bookings} bookings, {closures} closures, attendance at {attendance} sessions."
    ).format(**summary))


@app.command("add-centre")
def add_centre(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(metavar="NAME", help="The centre's name.", show_default=False)] = None,
    type_: Annotated[
        str | None,
        typer.Option("--type", "-t", metavar="CODE", help="housing|library|association|health|other (or Danish: bibliotek, sundhedshus, ...)."),
    ] = None,
    municipality: Annotated[str | None, typer.Option("--municipality", "--kommune", metavar="NAME", help="Municipality (kommune).")] = None,
    area: Annotated[str | None, typer.Option("--area", "--område", metavar="NAME", help="The housing area (boligområde); centres in one area are compared for parallel efforts.")] = None,
    address: Annotated[str | None, typer.Option("--address", metavar="TEXT", help="Street address.")] = None,
    owner: Annotated[str | None, typer.Option("--owner", metavar="NAME", help="Who owns the building.")] = None,
    operator: Annotated[str | None, typer.Option("--operator", metavar="NAME", help="Who runs the house.")] = None,
    funding_period: Annotated[str | None, typer.Option("--period", metavar="PERIOD", help="The plan's LBF funding period: 2019-26 or 2015-18 (its focus areas).")] = None,
) -> None:
    """Register a medborgercenter."""
    from .. import actions, output, prompts, rules, vocab

    st = state(ctx)
    missing = [flag for flag, value in (("NAME", name), ("--type", type_), ("--municipality", municipality)) if not value]
    prompts.require(missing, st.no_input)
    if not name:
        name = prompts.text(_("Centre name:"), lambda v: rules.text(v, "name"))
    if not type_:
        type_ = prompts.select(_("Type of centre:"), _choices(vocab.CENTRE_TYPES))
    if not municipality:
        municipality = prompts.text(_("Municipality (kommune):"), lambda v: rules.text(v, "municipality"))
    values = {"name": name, "type": type_, "municipality": municipality, "area": area, "address": address,
              "owner": owner, "operator": operator, "funding_period": funding_period}
    if missing:  # a person entering data at a terminal: the optional fields too, each skippable
        for key, question in (
            ("area", _("Housing area, boligområde (Enter to skip):")), ("address", _("Street address (Enter to skip):")),
            ("owner", _("Who owns the building (Enter to skip):")), ("operator", _("Who runs the house (Enter to skip):")),
        ):
            if not values[key]:
                values[key] = prompts.optional(question, prompts.field_of(rules.centre_record, values, key))
    centre_id = actions.add_centre(st.db(), values)
    stored = actions.resolve(st.db(), "centre", str(centre_id), "name")["name"]  # as stored: a stray BOM or spaces gone
    output.message(_("Added centre {name} (id {id}).").format(name=stored, id=centre_id))


@app.command("add-room")
def add_room(
    ctx: typer.Context,
    centre: Annotated[str | None, typer.Argument(metavar="CENTRE", help="The centre (name or id).", show_default=False)] = None,
    name: Annotated[str | None, typer.Argument(metavar="NAME", help="The room's name (lokale).", show_default=False)] = None,
    capacity: Annotated[int | None, typer.Option("--capacity", metavar="N", help="How many people it seats.")] = None,
) -> None:
    """Add a room (lokale) to a centre."""
    from .. import actions, output, prompts, rules, store

    st = state(ctx)
    missing = [f for f, v in (("CENTRE", centre), ("NAME", name)) if not v]
    prompts.require(missing, st.no_input)
    db = st.db()
    if not centre:
        centre = prompts.pick(_("Centre:"), store.names_of(db, "centre"), lambda v: actions.resolve(db, "centre", v, "centre"),
                              _("Centre: {name}"))
    if not name:
        name = prompts.text(_("Room name:"), lambda v: rules.text(v, "name"))
    values = {"name": name, "capacity": capacity}
    if missing and capacity is None:
        values["capacity"] = prompts.optional(_("Seats how many people (Enter to skip):"),
                                              prompts.field_of(rules.room_record, values, "capacity"))
    room_id = actions.add_room(db, centre, values)
    stored = actions.resolve(db, "room", str(room_id), "name")["name"]  # as stored: a stray BOM or spaces gone
    output.message(_("Added room {name} (id {id}).").format(name=stored, id=room_id))


@app.command("add-actor")
def add_actor(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(metavar="NAME", help="The actor's name (aktør).", show_default=False)] = None,
    sector: Annotated[
        str | None,
        typer.Option("--sector", "-s", metavar="CODE", help="housing-social|housing-org|municipal|volunteer|resident|health|education|police|private|other (or Danish: kommunal, frivillig, ...)."),
    ] = None,
    contact: Annotated[str | None, typer.Option("--contact", metavar="NAME", help="Contact person.")] = None,
    email: Annotated[str | None, typer.Option("--email", metavar="EMAIL", help="Contact e-mail.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", metavar="PHONE", help="Contact phone.")] = None,
) -> None:
    """Register an actor: a programme, municipal service, association or group that runs activities."""
    from .. import actions, output, prompts, rules, vocab

    st = state(ctx)
    missing = [f for f, v in (("NAME", name), ("--sector", sector)) if not v]
    prompts.require(missing, st.no_input)
    if not name:
        name = prompts.text(_("Actor name:"), lambda v: rules.text(v, "name"))
    if not sector:
        sector = prompts.select(_("Sector:"), _choices(vocab.SECTORS))
    values = {"name": name, "sector": sector, "contact": contact, "email": email, "phone": phone}
    if missing:  # a person entering data at a terminal: the optional fields too, each skippable
        for key, question in (("contact", _("Contact person (Enter to skip):")), ("phone", _("Phone (Enter to skip):")),
                              ("email", _("E-mail (Enter to skip):"))):
            if not values[key]:
                values[key] = prompts.optional(question, prompts.field_of(rules.actor_record, values, key))
    actor_id = actions.add_actor(st.db(), values)
    stored = actions.resolve(st.db(), "actor", str(actor_id), "name")["name"]  # as stored: a stray BOM or spaces gone
    output.message(_("Added actor {name} (id {id}).").format(name=stored, id=actor_id))


@app.command("add-closure")
def add_closure(
    ctx: typer.Context,
    centre: Annotated[str | None, typer.Argument(metavar="CENTRE", help="The centre (name or id).", show_default=False)] = None,
    date_from: Annotated[str | None, typer.Option("--from", metavar="DATE", help="First closed day: 2026-12-21, 21-12-2026, today, tomorrow (i dag, i morgen) or +7 (days from today).")] = None,
    date_until: Annotated[str | None, typer.Option("--until", metavar="DATE", help="Last closed day (inclusive; written as --from).")] = None,
    reason: Annotated[str | None, typer.Option("--reason", metavar="TEXT", help="Why, e.g. Juleferie, Sommerferie.")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before cancelling the bookings inside it.")] = False,
) -> None:
    """Close a centre for a period (lukkeperiode); its bookings inside it are cancelled (at a
    terminal you see them and are asked first). Removing or shortening the closure later
    restores them."""
    from .. import actions, output, prompts, rules, schedule, store

    st = state(ctx)
    prompts.require(
        [f for f, v in (("CENTRE", centre), ("--from", date_from), ("--until", date_until), ("--reason", reason)) if not v],
        st.no_input,
    )
    db = st.db()
    if not centre:
        centre = prompts.pick(_("Centre:"), store.names_of(db, "centre"), lambda v: actions.resolve(db, "centre", v, "centre"),
                              _("Centre: {name}"))
    if not date_from:
        date_from = prompts.text(_("First closed day:"), lambda v: schedule.parse_date(v, "from"))
    if not date_until:
        date_until = prompts.text(_("Last closed day:"), lambda v: schedule.parse_date(v, "until"))
    if not reason:
        reason = prompts.text(_("Reason:"), lambda v: rules.text(v, "reason"))
    values = {"from": date_from, "until": date_until, "reason": reason}
    if not yes and prompts.interactive(st.no_input):
        from .. import editing

        _centre, inside = editing.closure_preview(db, centre, values)
        if inside:
            output.emit(inside, [output.Column("id", _("Booking")), output.Column("title", _("Title")),
                                 output.Column("room", _("Room")), output.Column("start", _("When"), output.when)],
                        title=_("Bookings inside the closure"))
            if not prompts.confirm(ngettext("Close the centre and cancel this booking?",
                                            "Close the centre and cancel these {count} bookings?", len(inside)).format(
                                                count=len(inside)), default=True):
                output.message(_("Nothing changed."))
                raise typer.Exit(1)
    result = actions.add_closure(db, centre, values)
    from .. import schedule

    n = len(result.cancelled)
    output.message(ngettext("{centre} is closed {first}–{last} ({reason}); {count} booking inside it cancelled.",
                            "{centre} is closed {first}–{last} ({reason}); {count} bookings inside it cancelled.", n).format(
        centre=result.centre, first=schedule.long_day(result.date_from), last=schedule.long_day(result.date_until),
        reason=result.reason, count=n))
