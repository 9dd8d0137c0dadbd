"""edit, move, cancel, restore, log: keeping the plan true as the season moves."""

from typing import Annotated

import typer

from ..i18n import N_, _, is_danish, ngettext


def _log_time(value: str) -> str:
    """When a change was made, as the table shows it: `03.12.2026 18.13.35` in Danish."""

    if not value or not is_danish():
        return (value or "").replace("T", " ")
    return f"{value[8:10]}.{value[5:7]}.{value[:4]} {value[11:19].replace(':', '.')}"


# What the change log's table says for the codes it keeps (its JSON keeps the codes).
LOG_ACTIONS = {
    "add": N_("added"), "edit": N_("changed"), "remove": N_("removed"), "cancel": N_("cancelled"),
    "restore": N_("restored"), "move": N_("moved"), "import": N_("imported"), "attend": N_("attendance"),
    "erase": N_("erased"), "acknowledge": N_("acknowledged"), "unacknowledge": N_("acknowledgement withdrawn"),
}


def _log_action(code: str | None) -> str:
    return _(LOG_ACTIONS[code]) if code in LOG_ACTIONS else (code or "")


def _clock(moment):
    from ..schedule import clock

    return clock(moment)

from . import app
from .common import AllowOption, SkipOption, conflict_policy, state, with_conflict_choice

edit_app = typer.Typer(help="Change a centre, room, actor, activity (from a date on) or closure.", no_args_is_help=True,
                       rich_markup_mode=None)
app.add_typer(edit_app, name="edit")

YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Show the change; write nothing.")]
NewName = Annotated[str | None, typer.Option("--name", metavar="NEW", help="A new name (the id and history stay).")]
Text = Annotated[str | None, typer.Option(metavar="TEXT")]


def _record(ctx: typer.Context, kind: str, name: str, changes: dict, centre: str | None = None) -> None:
    from .. import editing, output

    result = editing.edit_record(state(ctx).db(), kind, name, changes, centre)
    if not result.new:
        output.message(_("Nothing to change: {name} has these values already.").format(name=result.name))
        return
    for key, value in result.new.items():
        output.message(_("{field}: {old} → {new}").format(
            field=key, old=result.old.get(key) if result.old.get(key) not in (None, "") else "–",
            new=value if value not in (None, "") else "–"))
    output.message(_("Changed {kind} {name} (id {id}).").format(kind=kind, name=result.name, id=result.id))


@edit_app.command("centre")
def edit_centre(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The centre (name or id).")],
    new_name: NewName = None,
    type_: Annotated[str | None, typer.Option("--type", "-t", metavar="CODE", help="housing|library|association|health|other (or Danish).")] = None,
    municipality: Annotated[str | None, typer.Option("--municipality", "--kommune", metavar="NAME")] = None,
    area: Annotated[str | None, typer.Option("--area", "--område", metavar="NAME", help='The housing area; "" clears it.')] = None,
    address: Annotated[str | None, typer.Option("--address", metavar="TEXT", help='"" clears it.')] = None,
    owner: Annotated[str | None, typer.Option("--owner", metavar="NAME", help='"" clears it.')] = None,
    operator: Annotated[str | None, typer.Option("--operator", metavar="NAME", help='"" clears it.')] = None,
    funding_period: Annotated[str | None, typer.Option("--period", metavar="PERIOD", help='The plan\'s LBF funding period: 2019-26 or 2015-18; "" clears it.')] = None,
) -> None:
    """Change or clear a centre's fields; a rename keeps its id, rooms and history."""
    _record(ctx, "centre", name, {"new_name": new_name, "type": type_, "municipality": municipality, "area": area,
                                  "address": address, "owner": owner, "operator": operator, "funding_period": funding_period})


@edit_app.command("room")
def edit_room(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The room (name or id).")],
    centre: Annotated[str | None, typer.Option("--centre", "-c", metavar="CENTRE", help="The room's centre, when names repeat.")] = None,
    new_name: NewName = None,
    capacity: Annotated[str | None, typer.Option("--capacity", metavar="N", help='How many people it seats; "" clears it.')] = None,
) -> None:
    """Change a room's name or capacity; bookings stay."""
    _record(ctx, "room", name, {"new_name": new_name, "capacity": capacity}, centre)


@edit_app.command("actor")
def edit_actor(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The actor (name or id).")],
    new_name: NewName = None,
    sector: Annotated[str | None, typer.Option("--sector", "-s", metavar="CODE", help="The sector (or Danish).")] = None,
    contact: Annotated[str | None, typer.Option("--contact", metavar="NAME", help='Contact person; "" clears it.')] = None,
    email: Annotated[str | None, typer.Option("--email", metavar="EMAIL", help='"" clears it.')] = None,
    phone: Annotated[str | None, typer.Option("--phone", metavar="PHONE", help='"" clears it.')] = None,
) -> None:
    """Change or clear an actor's fields (a new phone number, another contact person)."""
    _record(ctx, "actor", name, {"new_name": new_name, "sector": sector, "contact": contact, "email": email, "phone": phone})


@edit_app.command("activity")
def edit_activity(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The activity (title or id).")],
    centre: Annotated[str | None, typer.Option("--centre", "-c", metavar="CENTRE", help="Its centre, when titles repeat.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", metavar="DATE", help="From this date on (default: today); earlier dates stay as they were.")] = None,
    title: Annotated[str | None, typer.Option("--title", metavar="TEXT", help="A new title.")] = None,
    room: Annotated[str | None, typer.Option("--room", "-r", metavar="ROOM", help="Another room in the centre.")] = None,
    actor: Annotated[str | None, typer.Option("--actor", "-a", metavar="ACTOR", help="Another actor runs it.")] = None,
    partner: Annotated[list[str] | None, typer.Option("--partner", "-p", metavar="ACTOR", help="Add a partner; repeat for more.")] = None,
    no_partner: Annotated[list[str] | None, typer.Option("--no-partner", metavar="ACTOR", help="Take a partner away.")] = None,
    target: Annotated[list[str] | None, typer.Option("--target", "-g", metavar="GROUP", help="Add a target group.")] = None,
    no_target: Annotated[list[str] | None, typer.Option("--no-target", metavar="GROUP", help="Take a target group away.")] = None,
    category: Annotated[str | None, typer.Option("--category", "-k", metavar="CODE")] = None,
    activity_type: Annotated[str | None, typer.Option("--type", "-t", metavar="TYPE", help="The activity type, e.g. lektiehjælp.")] = None,
    age: Annotated[str | None, typer.Option("--age", metavar="MIN-MAX", help="Ages, e.g. 6-12 or 65-.")] = None,
    gender: Annotated[str | None, typer.Option("--gender", metavar="WHO", help="all|female|male (alle, piger/kvinder, drenge/mænd).")] = None,
    internal: Annotated[bool | None, typer.Option("--internal/--not-internal", help="A meeting of the actors themselves, or an offer to residents.")] = None,
    focus: Annotated[str | None, typer.Option("--focus", metavar="CODE")] = None,
    weekday: Annotated[list[str] | None, typer.Option("--weekday", "-d", metavar="DAY", help="New weekday(s), e.g. tirsdag.")] = None,
    start: Annotated[str | None, typer.Option("--start", metavar="TIME")] = None,
    end: Annotated[str | None, typer.Option("--end", metavar="TIME")] = None,
    date_until: Annotated[str | None, typer.Option("--until", metavar="DATE", help="A new last date (earlier ends it sooner).")] = None,
    every: Annotated[int | None, typer.Option("--every", metavar="N", help="Every N weeks (or months with --monthly).")] = None,
    monthly: Annotated[str | None, typer.Option("--monthly", metavar="WHICH", help="first|second|third|fourth|last weekday of the month.")] = None,
    weekly: Annotated[bool, typer.Option("--weekly", help="Weekly again instead of monthly.")] = False,
    on: Annotated[str | None, typer.Option("--on", metavar="DATE", help="Make it one date.")] = None,
    skip_conflicts: SkipOption = False,
    allow_conflicts: AllowOption = False,
    dry_run: DryRunOption = False,
    yes: YesOption = False,
) -> None:
    """Change an activity "this and following": from --from (default today) on.

    A new title, actor, room, partner, target group, category, type, age, gender, focus or
    until keeps every date: the bookings from --from on take the change in place, and a booking
    moved by hand (`medborger move`) keeps its own day, time and room. New weekdays, times,
    --every, --monthly or --on replace the dates from --from on with the new rule's (holidays
    and closures skipped); bookings moved by hand go back to the rule, and the change lists
    them first. Only dates whose room, time or day change, and new dates, are conflict-checked;
    at a terminal a conflict is shown and you choose (as add-activity asks). Earlier dates stay
    as history, and cancelled dates the new rule keeps stay cancelled. A session with
    attendance registered is never moved or removed: such an edit is refused (give a later
    --from)."""
    from .. import editing, output, prompts, schedule

    st = state(ctx)
    db = st.db()
    policy = conflict_policy(skip_conflicts, allow_conflicts)
    effective = schedule.parse_date(date_from, "from") if date_from else schedule.today()
    changes = {"title": title, "room": room, "actor": actor, "partners": partner, "no_partners": no_partner,
               "target_groups": target, "no_target_groups": no_target, "category": category, "focus": focus,
               "type": activity_type, "age": age, "gender": gender, "internal": internal,
               "weekdays": weekday, "start": start, "end": end, "until": date_until, "every": every, "monthly": monthly,
               "weekly": weekly, "on": on}
    ask = not yes and not dry_run and prompts.interactive(st.no_input)
    if not yes and not dry_run and not ask:  # a script: removing or resetting bookings needs --yes, as remove does
        preview = editing.edit_activity(db, name, changes, effective, policy=policy, centre=centre, dry_run=True)
        if preview.removed or preview.reset:
            from ..errors import MissingInput

            if preview.reset:
                raise MissingInput(_("--yes: this change removes {count} bookings and resets {moved} bookings moved by hand "
                                     "(see --dry-run); pass --yes to confirm").format(
                    count=len(preview.removed), moved=len(preview.reset)))
            raise MissingInput(_("--yes: this change removes {count} bookings (see --dry-run); pass --yes to confirm").format(
                count=len(preview.removed)))
    if dry_run or ask:
        chosen = {"policy": policy}

        def attempt(choice: str):
            chosen["policy"] = choice
            return editing.edit_activity(db, name, changes, effective, policy=choice, centre=centre, dry_run=True)

        preview = with_conflict_choice(st, attempt, policy) if ask else attempt(policy)
        policy = chosen["policy"]
        _report_reset(preview)
        output.activity_change(preview)
        if dry_run:
            output.message(_("Dry run: nothing was written."))
            return
        if preview.nothing:
            return
        if not prompts.confirm(_("Make this change?"), default=True):
            output.message(_("Nothing changed."))
            raise typer.Exit(1)
    result = editing.edit_activity(db, name, changes, effective, policy=policy, centre=centre)
    if not ask:
        _report_reset(result)
        output.activity_change(result)


def _report_reset(result) -> None:
    """Name the bookings moved by hand that a new pattern puts back on the rule."""
    from .. import output
    from ..i18n import ngettext

    if result.reset:
        shown = ", ".join(f"{b['id']} ({output.when(b['start'])}, {b['room']})" for b in result.reset)
        output.warning(ngettext("{count} booking moved by hand goes back to the new rule: {bookings}.",
                                "{count} bookings moved by hand go back to the new rule: {bookings}.",
                                len(result.reset)).format(count=len(result.reset), bookings=shown))


@edit_app.command("closure")
def edit_closure(
    ctx: typer.Context,
    closure: Annotated[str, typer.Argument(metavar="ID", help="The closure's id (see `medborger list closures`).")],
    date_from: Annotated[str | None, typer.Option("--from", metavar="DATE", help="First closed day.")] = None,
    date_until: Annotated[str | None, typer.Option("--until", metavar="DATE", help="Last closed day.")] = None,
    reason: Annotated[str | None, typer.Option("--reason", metavar="TEXT")] = None,
    keep_cancelled: Annotated[bool, typer.Option("--keep-cancelled", help="Leave the bookings it no longer covers cancelled.")] = False,
    skip_conflicts: SkipOption = False,
    allow_conflicts: AllowOption = False,
    dry_run: DryRunOption = False,
    yes: YesOption = False,
) -> None:
    """Change a closure's dates or reason. Bookings it cancelled that fall outside it now are
    restored (conflict-checked), unless --keep-cancelled; bookings inside new days are cancelled.
    Dates a series skipped because of the closure (it was entered first) are booked when the
    closure no longer covers them, conflict-checked the same way."""
    closure_change(ctx, closure, {"from": date_from, "until": date_until, "reason": reason}, keep_cancelled,
                    conflict_policy(skip_conflicts, allow_conflicts), dry_run, yes)


def closure_change(ctx, closure, values, keep_cancelled, policy, dry_run, yes) -> None:
    from .. import editing, output, prompts

    st = state(ctx)
    db = st.db()
    ask = not yes and not dry_run and prompts.interactive(st.no_input)
    if ask or dry_run:
        preview = editing.change_closure(db, closure, values, keep_cancelled=keep_cancelled, policy=policy, dry_run=True)
        output.closure_change(preview)
        if dry_run:
            output.message(_("Dry run: nothing was written."))
            return
        _report_booked(preview)
        mine = preview.restore.restored + preview.restore.left_cancelled + preview.booked + preview.left_out
        if mine and not keep_cancelled:
            keep_cancelled = not prompts.confirm(
                _("Restore the {count} bookings the closure no longer covers?").format(count=len(mine)), default=True)
        if not prompts.confirm(_("Make this change?"), default=True):
            output.message(_("Nothing changed."))
            raise typer.Exit(1)
    result = editing.change_closure(db, closure, values, keep_cancelled=keep_cancelled, policy=policy)
    output.closure_change(result)
    _report_booked(result)


def _report_booked(result) -> None:
    """The series dates a closure had kept out (it was entered before them), booked now."""
    from .. import output
    from ..i18n import _, ngettext

    if result.booked_conflicts:
        output.conflicts(result.booked_conflicts, _("Room conflicts"))
    if result.booked:
        shown = ", ".join(f"{p.title} {output.when(p.start)}" for p in result.booked)
        text = ngettext("Would book {count} series date the closure had kept out: {dates}.",
                        "Would book {count} series dates the closure had kept out: {dates}.", len(result.booked)) \
            if result.dry_run else ngettext("Booked {count} series date the closure had kept out: {dates}.",
                                            "Booked {count} series dates the closure had kept out: {dates}.", len(result.booked))
        output.message(text.format(count=len(result.booked), dates=shown))
    if result.left_out:
        output.warning(ngettext("{count} series date stays unbooked because the room is taken.",
                                "{count} series dates stay unbooked because the room is taken.", len(result.left_out))
                       .format(count=len(result.left_out)))


@app.command("move")
def move(
    ctx: typer.Context,
    booking: Annotated[str, typer.Argument(metavar="BOOKING", help="The booking's id (one occurrence of a series too).")],
    room: Annotated[str | None, typer.Option("--room", "-r", metavar="ROOM", help="Another room in the same centre.")] = None,
    start: Annotated[str | None, typer.Option("--start", metavar="WHEN", help='New start: "2026-12-08 17:00", or a time on the same day (the length stays).')] = None,
    end: Annotated[str | None, typer.Option("--end", metavar="WHEN", help='New end: a time on the start day, or a date and time.')] = None,
    allow_conflicts: AllowOption = False,
) -> None:
    """Move one booking to another room or time; it stays linked to its activity."""
    from .. import editing, output

    result = editing.move(state(ctx).db(), booking, room=room, start=start, end=end,
                          policy=conflict_policy(False, allow_conflicts))
    if result.conflicts:
        output.conflicts(result.conflicts, _("Moved although the room is taken"))
    output.message(_("Moved booking {id} ({title}) to {room}, {when}–{end}.").format(
        id=result.booking["id"], title=result.booking["title"], room=result.room, when=output.when(result.start),
        end=_clock(result.end)))


@app.command("cancel")
def cancel(
    ctx: typer.Context,
    bookings: Annotated[list[str] | None, typer.Argument(metavar="BOOKING...", help="Booking ids (see `medborger list bookings`).", show_default=False)] = None,
    activity: Annotated[str | None, typer.Option("--activity", metavar="ACTIVITY", help="Cancel this activity's date given by --on.")] = None,
    on: Annotated[str | None, typer.Option("--on", metavar="DATE", help="With --activity: the date to cancel.")] = None,
    centre: Annotated[str | None, typer.Option("--centre", "-c", metavar="CENTRE", help="The activity's centre, when titles repeat.")] = None,
    reason: Annotated[str | None, typer.Option("--reason", metavar="TEXT", help="Why it is cancelled (kept with the booking).")] = None,
    yes: YesOption = False,
) -> None:
    """Cancel bookings or one occurrence of an activity; they stay on record as cancelled
    (`medborger restore` brings them back)."""
    from .. import actions, output, prompts, schedule
    from ..errors import BadInput

    st = state(ctx)
    db = st.db()
    refs = list(bookings or [])
    if activity or on:
        if not (activity and on):
            raise BadInput(_("--activity and --on go together: the activity and the date to cancel"))
        centre_id = actions.resolve(db, "centre", centre, "centre")["id"] if centre else None
        refs.append(str(actions.occurrence_on(db, activity, schedule.parse_date(on, "on"), centre_id)["id"]))
    if not refs:
        raise BadInput(_("BOOKING: give booking ids, or --activity A --on DATE"))
    if not yes and prompts.interactive(st.no_input):
        rows = [actions.resolve(db, "booking", r, "bookings") for r in refs]
        output.emit([{"id": r["id"], "title": r["name"], "start": r["start"], "centre": r["centre"]} for r in rows],
                    [output.Column("id", _("Booking")), output.Column("title", _("Title")),
                     output.Column("start", _("When"), output.when), output.Column("centre", _("Centre"))],
                    title=_("Will be cancelled"))
        if not prompts.confirm(ngettext("Cancel this booking?", "Cancel these {count} bookings?", len(rows)).format(
                count=len(rows)), default=True):
            output.message(_("Nothing cancelled."))
            raise typer.Exit(1)
    for row, changed in actions.cancel(db, refs, reason):
        when = f"{output.when(row['start'])}–{_clock(row['end'])}"
        if changed:
            output.message(_("Cancelled booking {id}: {title}, {room}, {when}.").format(
                id=row["id"], title=row["title"], room=row["room"], when=when))
        else:
            output.message(_("Booking {id} ({title}, {when}) was already cancelled.").format(
                id=row["id"], title=row["title"], when=when))


@app.command("restore")
def restore(
    ctx: typer.Context,
    bookings: Annotated[list[str], typer.Argument(metavar="BOOKING...", help="Ids of cancelled bookings.")],
    skip_conflicts: SkipOption = False,
    allow_conflicts: AllowOption = False,
) -> None:
    """Make cancelled bookings active again: conflict-checked, and refused inside a closure."""
    from .. import editing, output

    result = editing.restore(state(ctx).db(), bookings, conflict_policy(skip_conflicts, allow_conflicts))
    output.restored(result)
    for row in result.already:
        output.message(_("Booking {id} ({title}) was not cancelled; nothing changed.").format(id=row["id"], title=row["title"]))


@app.command("log")
def log(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option("--since", metavar="DATE", help="Only changes from this date on.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array (with old and new values) instead of a table.")] = False,
) -> None:
    """Every change: when, by which user, with which command, and what changed (old and new)."""
    from .. import actions, output, schedule, vocab

    rows = actions.changes_since(state(ctx).db(), schedule.parse_date(since, "since") if since else None)
    columns = [output.Column("at", _("When"), _log_time), output.Column("user", _("User")),
               output.Column("action", _("Change"), _log_action), output.Column("kind", _("What"), vocab.kind_word), output.Column("row_id", _("Id")),
               output.Column("summary", _("Summary")), output.Column("command", _("Command"), in_table=False),
               output.Column("old", _("Old"), in_table=False), output.Column("new", _("New"), in_table=False)]
    output.emit(rows, columns, "json" if as_json else "table", title=_("Change log"), empty=_("No changes recorded."))
