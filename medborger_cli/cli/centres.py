"""init, load-sample, add-centre, add-room, add-actor, add-closure."""


from typing import Annotated

import typer

from . import app
from .common import state


def _choices(vocabulary) -> list[tuple[str, str]]:
    return [(f"{t.da} ({t.code})", t.code) for t in vocabulary.values()]


@app.command("init")
def init(ctx: typer.Context) -> None:
    """Create the database (if needed) and print its path."""
    from .. import output, store

    st = state(ctx)
    db = st.db()
    typer.echo(str(st.path))
    output.message(f"Database ready (schema {store.schema_version(db)}).")


@app.command("load-sample")
def load_sample(ctx: typer.Context) -> None:
    """Load the bundled sample: the four case centres of the CFBU report, season 2026/27."""
    from .. import output, sample

    db = state(ctx).db()
    summary = sample.load(db)
    if not summary:
        output.message("The sample is loaded already; nothing changed.")
        return
    output.message(
        f"Loaded the sample: {summary['centres']} centres, {summary['rooms']} rooms, {summary['actors']} actors, "
        f"{summary['activities']} activities, {summary['bookings']} bookings, {summary['closures']} closures."
    )


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
) -> None:
    """Register a medborgercenter."""
    from .. import actions, output, prompts, rules, vocab

    st = state(ctx)
    missing = [flag for flag, value in (("NAME", name), ("--type", type_), ("--municipality", municipality)) if not value]
    prompts.require(missing, st.no_input)
    if not name:
        name = prompts.text("Centre name:", lambda v: rules.text(v, "name"))
    if not type_:
        type_ = prompts.select("Type of centre:", _choices(vocab.CENTRE_TYPES))
    if not municipality:
        municipality = prompts.text("Municipality (kommune):", lambda v: rules.text(v, "municipality"))
    centre_id = actions.add_centre(st.db(), {"name": name, "type": type_, "municipality": municipality, "area": area,
                                             "address": address, "owner": owner, "operator": operator})
    output.message(f"Added centre {name.strip()} (id {centre_id}).")


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
    prompts.require([f for f, v in (("CENTRE", centre), ("NAME", name)) if not v], st.no_input)
    db = st.db()
    if not centre:
        centre = prompts.autocomplete(
            "Centre:", store.names_of(db, "centre"), lambda v: actions.resolve(db, "centre", v, "centre")
        )
    if not name:
        name = prompts.text("Room name:", lambda v: rules.text(v, "name"))
    room_id = actions.add_room(db, centre, {"name": name, "capacity": capacity})
    output.message(f"Added room {name.strip()} (id {room_id}).")


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
    prompts.require([f for f, v in (("NAME", name), ("--sector", sector)) if not v], st.no_input)
    if not name:
        name = prompts.text("Actor name:", lambda v: rules.text(v, "name"))
    if not sector:
        sector = prompts.select("Sector:", _choices(vocab.SECTORS))
    actor_id = actions.add_actor(st.db(), {"name": name, "sector": sector, "contact": contact, "email": email, "phone": phone})
    output.message(f"Added actor {name.strip()} (id {actor_id}).")


@app.command("add-closure")
def add_closure(
    ctx: typer.Context,
    centre: Annotated[str | None, typer.Argument(metavar="CENTRE", help="The centre (name or id).", show_default=False)] = None,
    date_from: Annotated[str | None, typer.Option("--from", metavar="DATE", help="First closed day: 2026-12-21, 21-12-2026, today, tomorrow (i dag, i morgen) or +7 (days from today).")] = None,
    date_until: Annotated[str | None, typer.Option("--until", metavar="DATE", help="Last closed day (inclusive; written as --from).")] = None,
    reason: Annotated[str | None, typer.Option("--reason", metavar="TEXT", help="Why, e.g. Juleferie, Sommerferie.")] = None,
) -> None:
    """Close a centre for a period (lukkeperiode); its bookings inside it are cancelled."""
    from .. import actions, output, prompts, rules, schedule, store

    st = state(ctx)
    prompts.require(
        [f for f, v in (("CENTRE", centre), ("--from", date_from), ("--until", date_until), ("--reason", reason)) if not v],
        st.no_input,
    )
    db = st.db()
    if not centre:
        centre = prompts.autocomplete(
            "Centre:", store.names_of(db, "centre"), lambda v: actions.resolve(db, "centre", v, "centre")
        )
    if not date_from:
        date_from = prompts.text("First closed day:", lambda v: schedule.parse_date(v, "from"))
    if not date_until:
        date_until = prompts.text("Last closed day:", lambda v: schedule.parse_date(v, "until"))
    if not reason:
        reason = prompts.text("Reason:", lambda v: rules.text(v, "reason"))
    result = actions.add_closure(db, centre, {"from": date_from, "until": date_until, "reason": reason})
    output.message(
        f"{result.centre} is closed {result.date_from.isoformat()}–{result.date_until.isoformat()} ({result.reason}); "
        f"{len(result.cancelled)} booking{'s' if len(result.cancelled) != 1 else ''} inside it cancelled."
    )
