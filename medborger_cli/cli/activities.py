"""add-activity, book, cancel: everything that puts a room in the calendar."""


from typing import Annotated

import typer

from ..i18n import N_, _, ngettext


def _clock(moment):
    from ..schedule import clock

    return clock(moment)

from . import app
from .common import AllowOption, SkipOption, conflict_policy, state, with_conflict_choice

def _report(result, title: str) -> None:
    from .. import output

    if result.skipped:
        count = len(result.skipped)
        output.skipped_dates(result.skipped, ngettext("{count} date not booked: public holidays and closures",
                                                      "{count} dates not booked: public holidays and closures", count).format(count=count))
    if result.conflicts:
        dates = len({c.start for c in result.conflicts})
        if result.policy == "skip":
            output.conflicts(result.conflicts, ngettext("{count} date skipped because the room is taken",
                                                        "{count} dates skipped because the room is taken", dates).format(count=dates))
        else:
            output.conflicts(result.conflicts, ngettext("{count} date booked although the room is taken",
                                                        "{count} dates booked although the room is taken", dates).format(count=dates))
            output.warning(_("These double bookings will show in `medborger overlaps`."))


@app.command("add-activity")
def add_activity(
    ctx: typer.Context,
    title: Annotated[str | None, typer.Argument(metavar="TITLE", help="The activity's title, e.g. Lektiecafé.", show_default=False)] = None,
    centre: Annotated[str | None, typer.Option("--centre", "-c", metavar="CENTRE", help="Centre (name or id).")] = None,
    room: Annotated[str | None, typer.Option("--room", "-r", metavar="ROOM", help="Room in that centre (name or id).")] = None,
    actor: Annotated[str | None, typer.Option("--actor", "-a", metavar="ACTOR", help="The actor who runs it (name or id).")] = None,
    partner: Annotated[list[str] | None, typer.Option("--partner", "-p", metavar="ACTOR", help="A partner actor; repeat for more.")] = None,
    category: Annotated[
        str | None,
        typer.Option("--category", "-k", metavar="CODE", help="advice|learning|culture|health|employment|community|prevention|democracy|other (or Danish); --type gives it."),
    ] = None,
    activity_type: Annotated[
        str | None,
        typer.Option("--type", "-t", metavar="TYPE", help="What it is, by its Danish name: lektiehjælp, sprogundervisning, IT-hjælp, jobcafé, åben rådgivning, fællesspisning, klub, motion, ... (gives the category)."),
    ] = None,
    age: Annotated[
        str | None,
        typer.Option("--age", metavar="MIN-MAX", help="Ages in years: 0-5, 6-12, 13-17, 65- (or småbørn, børn, unge, unge voksne, ældre)."),
    ] = None,
    gender: Annotated[
        str | None,
        typer.Option("--gender", metavar="GENDER", help="all|female|male (alle, piger/kvinder, drenge/mænd)."),
    ] = None,
    target: Annotated[
        list[str] | None,
        typer.Option("--target", "-g", metavar="GROUP", help="Life situation (målgruppe): parents, families, job-seekers, newcomers (forældre, familier, ledige, nytilkomne); everyone (alle) for an open activity. Old codes (børn, unge, kvinder, ...) set --age/--gender. Repeat or comma-separate."),
    ] = None,
    internal: Annotated[
        bool, typer.Option("--internal", help="A meeting of the actors themselves (husmøde, styregruppe): books the room, is no offer to residents.")
    ] = False,
    focus: Annotated[str | None, typer.Option("--focus", metavar="CODE", help="LBF focus area: 2019-26 education|employment|crime-prevention|cohesion; 2015-18 safety-wellbeing|crime-prevention|education-employment|prevention-parenting.")] = None,
    weekday: Annotated[list[str] | None, typer.Option("--weekday", "-d", metavar="DAY", help="Weekday(s), e.g. mandag or mon,wed.")] = None,
    start: Annotated[str | None, typer.Option("--start", metavar="TIME", help="Start time, 16:00 or 16.00.")] = None,
    end: Annotated[str | None, typer.Option("--end", metavar="TIME", help="End time.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", metavar="DATE", help="First date of the season: 2026-08-10, 10-8-2026, today, tomorrow (i dag, i morgen) or +7 (days from today).")] = None,
    date_until: Annotated[str | None, typer.Option("--until", metavar="DATE", help="Last date of the season (inclusive; written as --from).")] = None,
    every: Annotated[int, typer.Option("--every", metavar="N", help="Every N weeks (or months with --monthly).")] = 1,
    monthly: Annotated[
        str | None, typer.Option("--monthly", metavar="WHICH", help="Monthly on the first|second|third|fourth|last weekday.")
    ] = None,
    on: Annotated[str | None, typer.Option("--on", metavar="DATE", help="A single date (written as --from), instead of --weekday/--from/--until.")] = None,
    include_holidays: Annotated[bool, typer.Option("--include-holidays", help="Also book Danish public holidays.")] = False,
    skip_conflicts: SkipOption = False,
    allow_conflicts: AllowOption = False,
) -> None:
    """Add an activity (aktivitet) and book its room on every date of its schedule.

    Dates on Danish public holidays and inside the centre's closures are skipped. If the room
    is taken on any date, nothing is stored unless --skip-conflicts or --allow-conflicts is given
    (at a terminal you are asked).
    """
    from .. import actions, output, prompts, rules, schedule, store, vocab

    st = state(ctx)
    policy = conflict_policy(skip_conflicts, allow_conflicts)
    partners, targets, weekdays = partner or [], target or [], weekday or []
    if on and (weekdays or date_from or date_until or monthly):
        raise typer.BadParameter(_("--on is one date; leave out --weekday, --from, --until and --monthly"), param_hint="--on")
    internal = internal or bool(activity_type and getattr(
        vocab.ACTIVITY_TYPES.get(vocab.parse_or_none(vocab.ACTIVITY_TYPES, activity_type) or ""), "internal", False))
    missing = [
        flag
        for flag, value in (
            ("TITLE", title), ("--centre", centre), ("--room", room), ("--actor", actor),
            ("--category (or --type)", category or activity_type), ("--target (or --age/--gender)", targets or age or gender or internal),
            ("--start", start), ("--end", end),
        )
        if not value
    ]
    if not on:
        missing += [f for f, v in (("--weekday", weekdays), ("--from", date_from), ("--until", date_until)) if not v]
        if "--weekday" in missing and "--from" in missing and "--until" in missing:
            missing[-3:] = ["--weekday, --from and --until (or --on DATE)"]
    prompts.require(missing, st.no_input)

    db = st.db()
    asking = bool(missing)  # a person entering data at a terminal: the optional fields are asked too
    if not title:
        title = prompts.text(_("Title:"), lambda v: rules.text(v, "title"))
    if not centre:
        centre = prompts.pick(_("Centre:"), store.names_of(db, "centre"), lambda v: actions.resolve(db, "centre", v, "centre"),
                              _("Centre: {name}"))
    centre_id = actions.resolve(db, "centre", centre, "centre")["id"]
    if not room:
        room = prompts.pick(_("Room:"), store.names_of(db, "room", centre_id),
                            lambda v: actions.resolve(db, "room", v, "room", centre_id), _("Room: {name}"))
    if not actor:
        actor = prompts.pick(_("Run by (actor):"), store.names_of(db, "actor"), lambda v: actions.resolve(db, "actor", v, "actor"),
                             _("Run by: {name}"))
    if asking and not partners:
        runner = actions.resolve(db, "actor", actor, "actor")["name"]
        others = [name for name in store.names_of(db, "actor") if name != runner]
        if others:
            partners = prompts.checkbox(_("Partners (other actors in it):"), [(name, name) for name in others],
                                        echo=_("Partners: {picked}"), none=_("Partners: none"), search=len(others) > 10)
    if not category and not activity_type:
        category = prompts.select(_("Category:"), [(t.choice, t.code) for t in vocab.CATEGORIES.values()])
        types = [(t.code, t.code) for t in vocab.ACTIVITY_TYPES.values() if t.category == category]
        if types:
            activity_type = prompts.select(_("Type:"), [*types, (_("(none of these)"), "")]) or None
    if not (targets or age or gender or internal):
        age = prompts.text(_("Ages (e.g. 6-12, 65-; empty for all ages):"), lambda v: rules.age_range(v, "age"))
        gender = prompts.select(_("Gender:"), [(t.choice, t.code) for t in vocab.GENDERS.values()])
        targets = prompts.checkbox(_("Life situations (pick none for anyone of that age and gender):"),
                                   [(t.choice, t.code) for t in vocab.TARGET_GROUPS.values() if t.code != vocab.EVERYONE],
                                   echo=_("Life situations: {picked}"), short={t.code: t.word for t in vocab.TARGET_GROUPS.values()},
                                   none=_("Life situations: none"))
        if not targets and not (age or "").strip() and gender == "all":
            targets = [vocab.EVERYONE]
    if asking and not focus:
        focus = prompts.select(_("Focus area (LBF):"), [(_("No focus area"), ""), *((vocab.focus_label(t.code), t.code) for t in vocab.FOCUS_AREAS.values())]) or None
    if not on and not (weekdays or date_from or date_until):
        kind = prompts.select(_("When?"), [(_("Every week"), "weekly"), (_("Every 2nd week"), "2"), (_("Every 3rd week"), "3"),
                                           (_("Once a month"), "monthly"), (_("One date"), "once")])
        if kind == "once":
            on = prompts.text(_("Date (for example 2026-09-07):"), lambda v: schedule.parse_date(v, "on"))
        elif kind == "monthly":
            monthly = prompts.select(_("Which weekday of the month?"), [(t.word, t.code) for t in vocab.MONTHLY_POSITIONS.values()])
        elif kind in ("2", "3"):
            every = int(kind)
    if not on and not weekdays:
        weekdays = prompts.checkbox(_("Weekday(s):"), [(t.word, t.code) for t in vocab.WEEKDAYS.values()], echo=_("Weekdays: {picked}"))
    if not start:
        start = prompts.text(_("Starts at (for example 16:00):"), lambda v: schedule.parse_time(v, "start"))
    if not end:
        end = prompts.text(_("Ends at (for example 18:00):"), lambda v: schedule.parse_time(v, "end"))
    if not on and not date_from:
        date_from = prompts.text(_("First date (for example 2026-09-07):"), lambda v: schedule.parse_date(v, "from"))
    if not on and not date_until:
        date_until = prompts.text(_("Last date:"), lambda v: schedule.parse_date(v, "until"))

    spec = actions.build_activity(db, {
        "title": title, "centre": centre, "room": room, "actor": actor, "partners": partners, "category": category,
        "type": activity_type, "age": age, "gender": gender, "target_groups": targets, "internal": internal, "focus": focus, "weekdays": weekdays, "start": start, "end": end,
        "from": date_from, "until": date_until, "every": every, "monthly": monthly, "on": on,
        "include_holidays": include_holidays,
    })
    result = with_conflict_choice(st, lambda p: actions.add_activity(db, spec, p), policy)
    _report(result, spec.title)
    first, last = result.stored[0], result.stored[-1]
    from .. import schedule

    n = len(result.stored)
    values = dict(title=spec.title, id=result.activity_id, room=spec.room['name'], centre=spec.centre['name'], count=n,
                  first=schedule.long_day(first), last=schedule.long_day(last))
    output.message(ngettext("Added activity {title} (id {id}) in {room}, {centre}: {count} date booked, {first}.",
                            "Added activity {title} (id {id}) in {room}, {centre}: {count} dates booked, {first} to {last}.",
                            n).format(**values))


@app.command("book")
def book(
    ctx: typer.Context,
    centre: Annotated[str | None, typer.Option("--centre", "-c", metavar="CENTRE", help="Centre (name or id).")] = None,
    room: Annotated[str | None, typer.Option("--room", "-r", metavar="ROOM", help="Room in that centre.")] = None,
    actor: Annotated[str | None, typer.Option("--actor", "-a", metavar="ACTOR", help="Who books it.")] = None,
    title: Annotated[str | None, typer.Option("--title", metavar="TEXT", help="What it is for.")] = None,
    start: Annotated[str | None, typer.Option("--start", metavar="WHEN", help='Start, e.g. "2026-03-04 16:00" or "4-3-2026 16.00".')] = None,
    end: Annotated[str | None, typer.Option("--end", metavar="WHEN", help='End, e.g. "2026-03-04 18:00", or just "18:00" on the same day.')] = None,
    allow_conflicts: AllowOption = False,
) -> None:
    """Book a room once (a one-off booking, not part of an activity)."""
    from .. import actions, output, prompts, rules, schedule, store

    st = state(ctx)
    prompts.require(
        [f for f, v in (("--centre", centre), ("--room", room), ("--actor", actor), ("--title", title), ("--start", start), ("--end", end)) if not v],
        st.no_input,
    )
    db = st.db()
    if not centre:
        centre = prompts.pick(_("Centre:"), store.names_of(db, "centre"), lambda v: actions.resolve(db, "centre", v, "centre"),
                              _("Centre: {name}"))
    centre_id = actions.resolve(db, "centre", centre, "centre")["id"]
    if not room:
        room = prompts.pick(_("Room:"), store.names_of(db, "room", centre_id),
                            lambda v: actions.resolve(db, "room", v, "room", centre_id), _("Room: {name}"))
    if not actor:
        actor = prompts.pick(_("Booked by (actor):"), store.names_of(db, "actor"), lambda v: actions.resolve(db, "actor", v, "actor"),
                             _("Booked by: {name}"))
    if not title:
        title = prompts.text(_("Title:"), lambda v: rules.text(v, "title"))
    if not start:
        start = prompts.text(_("Starts (for example 2026-03-04 16:00):"), lambda v: schedule.parse_datetime(v, "start"))
    if not end:
        starts = schedule.parse_datetime(start, "start")
        end = prompts.text(_("Ends (18:00, or a date and time):"), lambda v: schedule.parse_end(v, starts, "end"))
    booking = actions.build_booking(db, {"centre": centre, "room": room, "actor": actor, "title": title, "start": start, "end": end})
    policy = conflict_policy(False, allow_conflicts)
    result = with_conflict_choice(st, lambda p: actions.book(db, booking, p), policy)
    _report(result, booking.title)
    output.message(_("Booked {room}, {centre} for {title}: {start}–{end} (booking {id}).").format(
        room=booking.room['name'], centre=booking.centre['name'], title=booking.title, start=output.when(booking.start),
        end=_clock(booking.end), id=result.booking_ids[0]))
