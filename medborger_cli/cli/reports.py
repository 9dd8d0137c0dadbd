"""overlaps, acknowledge, collaboration: what a coordinator brings to the coordination meeting."""

from typing import Annotated

import typer

from ..i18n import N_, _, ngettext

from . import app
from .common import (
    CentreFilter,
    CsvOption,
    FromOption,
    JsonOption,
    NoPagerOption,
    RawOption,
    UntilOption,
    WeekOption,
    YearOption,
    filter_ids,
    output_format,
    state,
    window,
)


def _scope(db, centre, area, date_from, date_until, week, year):
    from ..coordination import Scope

    first, last = window(date_from, date_until, week, year, default_from_today=True)
    centre_id = filter_ids(db, centre)["centre_id"]
    return Scope(first=first, last=last, centre_id=centre_id, area=area.strip() if area else None)


@app.command("overlaps")
def overlaps(
    ctx: typer.Context,
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", metavar="KIND", help="room, parallel or clash; repeat for more (default: all three)."),
    ] = None,
    centre: CentreFilter = None,
    area: Annotated[str | None, typer.Option("--area", metavar="NAME", help="Only centres in this area.")] = None,
    date_from: FromOption = None,
    date_until: UntilOption = None,
    week: WeekOption = None,
    year: YearOption = None,
    show_all: Annotated[bool, typer.Option("--all", help="Also show acknowledged findings, with their notes.")] = False,
    resolve: Annotated[bool, typer.Option("--resolve", help="Walk through the open findings and act on each (at a terminal).")] = False,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
    raw: RawOption = False,
    no_pager: NoPagerOption = False,
) -> None:
    """Room conflicts, parallel efforts and clashes, from today on by default.

    room: one room booked twice at the same time; one finding per pair of activities (or one-off
    bookings) in a room, with every date. parallel: two offers of the same type (else category)
    for audiences that overlap, in the same area, by actors who share nobody. clash: two offers
    in one centre for audiences that overlap, by actors who share nobody, at the same time.
    Audiences overlap when their ages overlap, their genders fit and they share a life situation
    or neither has one; an offer open to everyone meets only open offers of its type. Internal
    meetings are never parallel efforts or clashes.
    """
    from .. import coordination, output
    from ..errors import BadInput

    fmt = output_format(as_json, as_csv)
    kinds = []
    for value in kind or []:
        for part in value.split(","):
            code = part.strip().lower()
            if code not in coordination.KINDS:
                raise BadInput(_("--kind: unknown kind '{kind}'; use room, parallel or clash").format(kind=part.strip()))
            if code not in kinds:
                kinds.append(code)
    kinds = kinds or list(coordination.KINDS)
    st = state(ctx)
    db = st.db()
    scope = _scope(db, centre, area, date_from, date_until, week, year)
    if resolve:
        _resolve(st, db, kinds, scope)
        return
    findings = coordination.overlaps(db, kinds, scope, include_acknowledged=show_all)
    if fmt == "json":
        output.write_json(findings)
    elif fmt == "csv":
        output.write_csv(coordination.overlap_rows(findings), coordination.OVERLAP_COLUMNS, raw=raw)
    else:
        with output.paged(not no_pager):
            output.overlap_tables(findings, kinds, show_notes=show_all)
    summary = coordination.summary(findings, kinds)
    if not show_all and _any_acknowledged(db):
        summary = _("{summary} (acknowledged ones hidden; --all shows them)").format(summary=summary)
    output.message(summary)


def _any_acknowledged(db) -> bool:
    from .. import store

    return bool(store.acknowledgements(db))


def _resolve(st, db, kinds, scope) -> None:
    from .. import actions, coordination, output, prompts, rules
    from ..errors import MissingInput

    if not prompts.interactive(st.no_input):
        raise MissingInput("--resolve: needs a terminal; in scripts use `medborger acknowledge KEY --note TEXT` or `medborger cancel ID`")
    findings = coordination.overlaps(db, kinds, scope)
    if not findings:
        output.message(_("Nothing to resolve: {summary}.").format(summary=coordination.summary(findings, kinds)))
        return
    cancelled: set[int] = set()
    done = 0
    for number, finding in enumerate(findings, 1):
        colliding = []  # per side of a room finding: (booking id, start) on the dates not settled yet
        if finding["kind"] == "room":
            open_dates = [o for o in finding["occurrences"] if not cancelled & set(o["bookings"])]
            if not open_dates:
                continue  # every date was settled by a cancellation before
            colliding = [[(o["bookings"][i], o["start"]) for o in open_dates] for i in (0, 1)]
        output.overlap_tables([finding], kinds, show_notes=False)
        choices = [(_("Acknowledge it, with a note"), "ack")]
        for i, (side, dates) in enumerate(zip(finding.get("series", []), colliding)):
            if len(dates) == 1:
                label = _("Cancel {title} ({actor}) on {date}").format(
                    title=side["title"], actor=side["actor"], date=output.when(dates[0][1]))
            else:
                label = _("Cancel {title} ({actor}) on all {count} dates, {first} – {last}").format(
                    title=side["title"], actor=side["actor"], count=len(dates), first=output.when(dates[0][1]),
                    last=output.when(dates[-1][1]))
            choices.append((label, f"cancel:{i}"))
        choices += [(_("Skip"), "skip"), (_("Stop here"), "stop")]
        choice = prompts.select(_("Finding {number} of {total} ({key}):").format(number=number, total=len(findings), key=finding["key"]),
                                choices)
        if choice == "stop":
            break
        if choice == "ack":
            note = prompts.text(_("Note (why it is fine):"), lambda v: rules.text(v, "note", limit=rules.MAX_TEXT))
            actions.acknowledge(db, [finding["key"]], note)
            output.message(_("Acknowledged {key}.").format(key=finding["key"]))
            done += 1
        elif choice.startswith("cancel:"):
            ids = sorted({booking for booking, _start in colliding[int(choice.split(":")[1])]})
            actions.cancel_bookings(db, ids, "cancelled from the overlaps report")
            cancelled.update(ids)
            output.message(ngettext("Cancelled booking {ids}.", "Cancelled {count} bookings: {ids}.", len(ids)).format(
                count=len(ids), ids=", ".join(map(str, ids))))
            done += 1
    left = coordination.overlaps(db, kinds, scope)
    output.message(_("Resolved {done}; open now: {summary}.").format(done=done, summary=coordination.summary(left, kinds)))


@app.command("acknowledge")
def acknowledge(
    ctx: typer.Context,
    keys: Annotated[list[str], typer.Argument(metavar="KEY...", help="Keys of findings from `medborger overlaps`, e.g. room-3f9a0c12d4.")],
    note: Annotated[str | None, typer.Option("--note", metavar="TEXT", help="Why it is fine, e.g. 'different languages'.")] = None,
    undo: Annotated[bool, typer.Option("--undo", help="Take the acknowledgements back; the findings show again.")] = False,
) -> None:
    """Mark known, intended findings so that they stop cluttering the report.

    An acknowledgement covers every date of the finding, also dates added later. Give several
    keys to acknowledge them in one go; `overlaps --json` lists the keys for a script to pick from.
    """
    from .. import actions, output, prompts, rules

    st = state(ctx)
    db = st.db()
    if undo:
        for key in keys:
            if actions.withdraw_acknowledgement(db, key):
                output.message(_("{key} shows in the report again.").format(key=key))
            else:
                output.message(_("{key} was not acknowledged; nothing changed.").format(key=key))
        return
    prompts.require([] if note else ["--note"], st.no_input)
    if not note:
        note = prompts.text(_("Note (why it is fine):"), lambda v: rules.text(v, "note", limit=rules.MAX_TEXT))
    done = actions.acknowledge(db, keys, note)
    new = sum(1 for _, is_new in done if is_new)
    updated = len(done) - new
    if updated:
        text = ngettext("Acknowledged {count} finding, updated the note of {updated}; `medborger overlaps --all` shows them with the note.",
                        "Acknowledged {count} findings, updated the note of {updated}; `medborger overlaps --all` shows them with the note.",
                        new)
    else:
        text = ngettext("Acknowledged {count} finding; `medborger overlaps --all` shows it with the note.",
                        "Acknowledged {count} findings; `medborger overlaps --all` shows them with the note.", new)
    output.message(text.format(count=new, updated=updated))


@app.command("collaboration")
def collaboration(
    ctx: typer.Context,
    centre: CentreFilter = None,
    date_from: FromOption = None,
    date_until: UntilOption = None,
    week: WeekOption = None,
    year: YearOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
    raw: RawOption = False,
    no_pager: NoPagerOption = False,
) -> None:
    """The centre as a meeting place: actors by sector, joint activities, and interfaces worth a
    conversation (actors whose offers are for the same people but who run nothing together,
    ranked by how many of their offers meet). Internal meetings are counted apart."""
    from .. import coordination, output

    fmt = output_format(as_json, as_csv)
    db = state(ctx).db()
    report = coordination.collaboration(db, _scope(db, centre, None, date_from, date_until, week, year))
    if fmt == "json":
        output.write_json(report)
    elif fmt == "csv":
        output.write_csv(coordination.collaboration_rows(report), coordination.COLLABORATION_COLUMNS, raw=raw)
    elif not report:
        output.message(_("No activities in that window."))
    else:
        with output.paged(not no_pager):
            output.collaboration_tables(report)
