"""attend and report: who came (as counts, never names), and the report to the steering group."""

from typing import Annotated

import typer

from ..i18n import N_, _, ngettext


def _long_day(day):
    from ..schedule import long_day

    return long_day(day)


def _clock(moment):
    from ..schedule import clock

    return clock(moment)

from . import app
from .common import CentreFilter, CsvOption, FromOption, JsonOption, RawOption, UntilOption, state

CountOption = Annotated[int | None, typer.Option("--count", "-n", metavar="N", help="How many took part (a count, never names).")]


def _read_lines(file: str | None) -> tuple[str, list[tuple[str, str, str]]]:
    """`BOOKING,COUNT` lines from a file or standard input (`-`): (where, booking, count) each.
    Blank lines and lines starting with # are passed over; so is a header `booking,count`."""
    import sys
    from pathlib import Path

    from .. import csvio, files
    from ..errors import BadInput

    if file and file != "-":
        name = Path(file).name
        try:
            text = csvio.decode(files.read_bytes(Path(file), field="file"), name)
        except csvio.Undecodable as exc:
            raise BadInput(_("{file}: {reason}").format(file=file, reason=exc.reason), field="file") from None
    else:
        name, text = "stdin", sys.stdin.read()
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        parts = [p.strip() for p in stripped.replace(";", ",").replace("\t", ",").split(",")]
        if number == 1 and parts[0].casefold() in ("booking", "booking_id", "id"):
            continue
        if len(parts) != 2:
            raise BadInput(_("{file}: row {row}: write BOOKING,COUNT (e.g. 123,14), not '{text}'").format(file=name, row=number, text=stripped), field="file")
        entries.append((f"{name}:{number}", parts[0], parts[1]))
    return name, entries


@app.command("attend")
def attend(
    ctx: typer.Context,
    booking: Annotated[str | None, typer.Argument(metavar="BOOKING", help="The session's booking id (see `medborger list bookings`).", show_default=False)] = None,
    count: CountOption = None,
    new: Annotated[int | None, typer.Option("--new", metavar="N", help="Of them, how many came for the first time.")] = None,
    age_bands: Annotated[list[str] | None, typer.Option("--age-band", metavar="BAND=N", help="Counts by age, e.g. 0-5=3,6-12=10 or 65-=4; repeat or separate by commas.")] = None,
    female: Annotated[int | None, typer.Option("--female", metavar="N", help="Of them, women and girls.")] = None,
    male: Annotated[int | None, typer.Option("--male", metavar="N", help="Of them, men and boys.")] = None,
    note: Annotated[str | None, typer.Option("--note", metavar="TEXT", help="A note on the session (no names or personal data).")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove what was registered for BOOKING.")] = False,
    today: Annotated[bool, typer.Option("--today", help="Today's sessions: asked one by one at a terminal; else BOOKING,COUNT lines.")] = False,
    on: Annotated[str | None, typer.Option("--on", metavar="DATE", help="As --today, for the sessions of DATE.")] = None,
    centre: CentreFilter = None,
    file: Annotated[str | None, typer.Option("--file", "-f", metavar="FILE", help="Read BOOKING,COUNT lines from FILE (- for standard input).")] = None,
) -> None:
    """Register how many took part in a held session: counts only, never names, CPR numbers or
    ethnicity. Registering again corrects it (the new counts replace the old, and the change
    log keeps both). A cancelled session, or one in the future, has no attendance.

    With --today or --on DATE at a terminal, the day's sessions are asked one by one (Enter
    skips one); in a script, or with --file, `BOOKING,COUNT` lines are read from the file or
    standard input and registered all together, or none when one is wrong.
    """
    from .. import actions, output, prompts, schedule
    from ..errors import BadInput

    st = state(ctx)
    db = st.db()
    day = None
    if today and on:
        raise BadInput(_("--on: give --today or --on DATE, not both"))
    if today:
        day = schedule.today()
    elif on:
        day = schedule.parse_date(on, "on")
    details = {"count": count, "new": new, "female": female, "male": male, "age_bands": age_bands, "note": note}
    if day is not None or file:
        if booking:
            raise BadInput(_("BOOKING: leave it out with --today, --on or --file, which cover several sessions"))
        if any(v is not None for v in details.values()) or clear:
            raise BadInput(_("--count: with --today, --on or --file the counts come from the terminal or the lines read"))
        centre_id = actions.resolve(db, "centre", centre, "centre")["id"] if centre else None
        if day is not None and not file and prompts.interactive(st.no_input):
            _walk(db, day, centre)
            return
        _name, entries = _read_lines(file)
        from ..transfer import ImportErrors

        try:
            done = actions.attend_many(db, entries, day=day, centre_id=centre_id)
        except ImportErrors as exc:
            for error in exc.shown:
                output.message(str(error))
            raise BadInput(ngettext("{count} problem in the lines read; nothing was registered",
                                    "{count} problems in the lines read; nothing was registered",
                                    len(exc.errors)).format(count=len(exc.errors))) from None
        total = sum(a.new["count"] for a in done)
        output.message(ngettext("Registered the attendance of {count} session ({total} participants).",
                                "Registered the attendance of {count} sessions ({total} participants).", len(done)).format(
            count=len(done), total=total))
        return
    if centre:
        raise BadInput(_("--centre: it goes with --today or --on"))
    if clear:
        if not booking:
            raise BadInput(_("BOOKING: name the session whose attendance to clear"))
        if any(v is not None for v in details.values()):
            raise BadInput(_("--clear: give no counts with it"))
        result = actions.clear_attendance(db, booking)
        output.message(_("Cleared the attendance of {title}, {start} (booking {id}).").format(
            title=result.booking["title"], start=output.when(result.booking["start"]), id=result.booking["id"]))
        return
    prompts.require([f for f, v in (("BOOKING", booking), ("--count", count)) if v is None], st.no_input)
    if booking is None:
        booking = prompts.text(_("Booking id:"), lambda v: actions.resolve(db, "booking", v, "booking"))
    if count is None:
        from .. import rules

        details["count"] = prompts.text(_("How many took part:"), lambda v: rules.whole_number(
            v, "count", 0, rules.MAX_ATTENDANCE, "a number of participants"))
    result = actions.attend(db, booking, details)
    _said(result)


def _said(result) -> None:
    from .. import output

    b = result.booking
    count = result.new["count"]
    if result.old is None:
        text = ngettext("Registered {count} participant at {title}, {room}, {start} (booking {id}).",
                        "Registered {count} participants at {title}, {room}, {start} (booking {id}).", count)
    else:
        text = ngettext("Corrected {title}, {room}, {start} (booking {id}) to {count} participant (was {old}).",
                        "Corrected {title}, {room}, {start} (booking {id}) to {count} participants (was {old}).", count)
    output.message(text.format(count=count, title=b["title"], room=b["room"], start=output.when(b["start"]), id=b["id"],
                               old=result.old["count"] if result.old else ""))


def _walk(db, day, centre) -> None:
    """At a terminal: the day's sessions one by one, each asked its count (Enter skips it);
    each answer is saved at once, so an interruption keeps what was entered."""
    from .. import actions, output, prompts, rules, schedule

    rows = actions.sessions_of_day(db, day, centre)
    if not rows:
        output.message(_("No sessions on {day}.").format(day=_long_day(day)))
        return
    output.day_sessions(rows, day)
    held = [r for r in rows if r["status"] == "active"]
    if day > schedule.today():
        output.message(_("{day} is in the future; attendance is registered on the day or after it.").format(day=_long_day(day)))
        return
    saved = 0
    for number, row in enumerate(held, 1):
        already = "" if row["attendance"] is None else _(" (registered: {count})").format(count=row["attendance"])
        question = _("{number}/{total} {time} {title}, {room}{already}: how many took part (Enter skips)?").format(
            number=number, total=len(held), time=_clock(row["start"]), title=row["title"], room=row["room"], already=already)
        answer = prompts.optional(question, lambda v: rules.whole_number(v, "count", 0, rules.MAX_ATTENDANCE,
                                                                         "a number of participants"))
        if answer is None:
            continue
        _said(actions.attend(db, row["id"], {"count": answer}))
        saved += 1
    output.message(ngettext("Registered {count} session of {total}.", "Registered {count} sessions of {total}.", saved).format(
        count=saved, total=len(held)))


@app.command("report")
def report(
    ctx: typer.Context,
    date_from: FromOption = None,
    date_until: UntilOption = None,
    season: Annotated[str | None, typer.Option("--season", metavar="YYYY/YY", help="A season, week 33 to week 26: 2026/27.")] = None,
    quarter: Annotated[str | None, typer.Option("--quarter", metavar="YYYYQN", help="A quarter: 2027Q1.")] = None,
    centre: CentreFilter = None,
    area: Annotated[str | None, typer.Option("--area", metavar="NAME", help="Only the centres in this area (boligområde).")] = None,
    by: Annotated[str, typer.Option("--by", metavar="GROUP", help="focus, category, type, actor, centre or target (who an activity is for: each life situation it names, everyone for an open offer, else its ages and gender, e.g. 13-17 female).")] = "focus",
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
    excel: Annotated[bool, typer.Option("--excel", help="CSV for Danish Excel: Danish column names and words, UTF-8 with BOM, semicolons, CRLF.")] = False,
    html: Annotated[bool, typer.Option("--html", help="A self-contained, printable page for the steering group (with -o).")] = False,
    output_path: Annotated[str | None, typer.Option("-o", "--output", metavar="PATH", help="Write to this file instead of standard output.")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace the file if it exists.")] = False,
    raw: RawOption = False,
) -> None:
    """The report to the steering group: per focus area (or category, type, actor, centre,
    target group) the activities, the sessions held and cancelled (and why), the hours, the
    attendance registered and whom it reached, and the use of the rooms. Internal meetings are
    counted apart. By default the season that holds today; sessions up to today are held.

    --json prints one object per group (`group` is its code), --csv and --excel a row per
    group, --html -o rapport.html a page with tables and charts to print.
    """
    import datetime as dt
    import io
    import json
    import sys

    from .. import coordination, csvio, files, output, schedule
    from ..errors import BadInput
    from ..i18n import _
    from .common import protected_files

    formats = [name for name, on in (("--json", as_json), ("--csv", as_csv), ("--excel", excel), ("--html", html)) if on]
    if len(formats) > 1:
        raise BadInput(_("{flags}: choose one of them").format(flags=", ".join(formats)))
    by_code = (by or "").strip().lower()
    if by_code not in coordination.REPORT_BY:
        raise BadInput(_("'{value}' is not a grouping; use one of {known}").format(value=by, known=", ".join(coordination.REPORT_BY)),
                       field="by")
    st = state(ctx)
    db = st.db()
    today = schedule.today()
    first, last = coordination.report_window(date_from, date_until, season, quarter, today)
    centre_row = None
    if centre:
        from .. import actions

        centre_row = actions.resolve(db, "centre", centre, "centre")
    scope = coordination.ReportScope(first=first, last=last, by=by_code, centre_id=centre_row["id"] if centre_row else None,
                                     area=area.strip() if area else None, today=today)
    target = None
    if output_path and output_path != "-":
        target = files.check_target(files.user_path(output_path, field="output"), field="output", overwrite=overwrite,
                                    protected=protected_files(ctx))
    elif html:
        raise BadInput(_("-o: --html writes a page; give its file, e.g. -o rapport.html"))
    result = coordination.attendance_report(db, scope)

    def write(fill) -> None:
        if target:
            files.write(target, fill)
            output.message(_("Wrote the report to {path}.").format(path=target.path))
        else:
            stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
            fill(stream)
            stream.flush()
            stream.detach()

    if as_json:
        write(lambda s: s.write(json.dumps(result["groups"], ensure_ascii=False, indent=2) + "\n"))
    elif as_csv or excel:
        write(lambda s: csvio.Writer(s, coordination.REPORT_FIELDS, excel=excel, raw=raw, table="report").write_all(coordination.report_rows(result)))
    elif html:
        where = " · ".join(part for part in (centre_row["name"] if centre_row else None,
                                              _("area {area}").format(area=scope.area) if scope.area else None) if part)
        page = output.report_html(result, scope=where or _("the whole municipality"), generated=schedule.today().strftime("%d.%m.%Y"))
        write(lambda s: s.write(page))
    elif target:
        raise BadInput(_("-o: give --json, --csv, --excel or --html to write a file"))
    elif not result["groups"]:
        output.message(_("No sessions between {first} and {last}.").format(first=_long_day(first), last=_long_day(last)))
    else:
        output.report_tables(result)
