"""overlaps, acknowledge, collaboration: what a coordinator brings to the coordination meeting."""

from typing import Annotated

import typer

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
    """Room conflicts, parallel efforts and target-group clashes, from today on by default.

    room: one room booked twice at the same time. parallel: two activities of the same category
    for a shared target group in the same area, run by actors who share nobody. clash: two
    activities in one centre for a shared target group, by different actors, at the same time.
    """
    from .. import coordination, output
    from ..errors import BadInput

    fmt = output_format(as_json, as_csv)
    kinds = []
    for value in kind or []:
        for part in value.split(","):
            code = part.strip().lower()
            if code not in coordination.KINDS:
                raise BadInput(f"--kind: unknown kind '{part.strip()}'; use room, parallel or clash")
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
    output.message(coordination.summary(findings, kinds) + ("" if show_all else " (acknowledged ones hidden; --all shows them)" if _any_acknowledged(db) else ""))


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
        output.message("Nothing to resolve: " + coordination.summary(findings, kinds) + ".")
        return
    cancelled: set[int] = set()
    done = 0
    for number, finding in enumerate(findings, 1):
        if finding["kind"] == "room" and any(b["id"] in cancelled for b in finding["bookings"]):
            continue
        output.overlap_tables([finding], kinds, show_notes=False)
        choices = [("Acknowledge it, with a note", "ack")]
        if finding["kind"] == "room":
            for b in finding["bookings"]:
                choices.append((f"Cancel booking {b['id']}: {b['title']} ({b['actor']}) {output.when(b['start'])}", f"cancel:{b['id']}"))
        choices += [("Skip", "skip"), ("Stop here", "stop")]
        choice = prompts.select(f"Finding {number} of {len(findings)} ({finding['key']}):", choices)
        if choice == "stop":
            break
        if choice == "ack":
            note = prompts.text("Note (why it is fine):", lambda v: rules.text(v, "note", limit=rules.MAX_TEXT))
            actions.acknowledge(db, [finding["key"]], note)
            output.message(f"Acknowledged {finding['key']}.")
            done += 1
        elif choice.startswith("cancel:"):
            booking_id = int(choice.split(":")[1])
            actions.cancel(db, str(booking_id), "cancelled from the overlaps report")
            cancelled.add(booking_id)
            output.message(f"Cancelled booking {booking_id}.")
            done += 1
    left = coordination.overlaps(db, kinds, scope)
    output.message(f"Resolved {done}; open now: {coordination.summary(left, kinds)}.")


@app.command("acknowledge")
def acknowledge(
    ctx: typer.Context,
    keys: Annotated[list[str], typer.Argument(metavar="KEY...", help="Keys of findings from `medborger overlaps`, e.g. room-3f9a0c12d4.")],
    note: Annotated[str | None, typer.Option("--note", metavar="TEXT", help="Why it is fine, e.g. 'different languages'.")] = None,
    undo: Annotated[bool, typer.Option("--undo", help="Take the acknowledgements back; the findings show again.")] = False,
) -> None:
    """Mark known, intended findings so that they stop cluttering the report.

    Give several keys to acknowledge a weekly double booking in one go; `overlaps --json` lists
    the keys for a script to pick from.
    """
    from .. import actions, output, prompts, rules

    st = state(ctx)
    db = st.db()
    if undo:
        for key in keys:
            if actions.withdraw_acknowledgement(db, key):
                output.message(f"{key} shows in the report again.")
            else:
                output.message(f"{key} was not acknowledged; nothing changed.")
        return
    prompts.require([] if note else ["--note"], st.no_input)
    if not note:
        note = prompts.text("Note (why it is fine):", lambda v: rules.text(v, "note", limit=rules.MAX_TEXT))
    done = actions.acknowledge(db, keys, note)
    new = sum(1 for _, is_new in done if is_new)
    output.message(
        f"Acknowledged {new} finding{'s' if new != 1 else ''}"
        + (f", updated the note of {len(done) - new}" if len(done) > new else "")
        + "; `medborger overlaps --all` shows them with the note."
    )


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
    conversation (actors serving a shared target group who run nothing together)."""
    from .. import coordination, output

    fmt = output_format(as_json, as_csv)
    db = state(ctx).db()
    report = coordination.collaboration(db, _scope(db, centre, None, date_from, date_until, week, year))
    if fmt == "json":
        output.write_json(report)
    elif fmt == "csv":
        output.write_csv(coordination.collaboration_rows(report), coordination.COLLABORATION_COLUMNS, raw=raw)
    elif not report:
        output.message("No activities in that window.")
    else:
        with output.paged(not no_pager):
            output.collaboration_tables(report)
