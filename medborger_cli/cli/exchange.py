"""export csv|ics and import csv: files for spreadsheets and calendars."""

import os
from pathlib import Path
from typing import Annotated

import typer

from . import app
from .common import CentreFilter, FromOption, UntilOption, WeekOption, YearOption, filter_ids, protected_files, state, window

export_app = typer.Typer(help="Write CSV for spreadsheets or iCalendar for calendars.", no_args_is_help=True, rich_markup_mode=None)
import_app = typer.Typer(help="Read CSV files (as export writes them, or as Excel saves them).", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(export_app, name="export")
app.add_typer(import_app, name="import")

OutOption = Annotated[str | None, typer.Option("-o", "--output", metavar="PATH", help="The file to write (- or nothing: standard output); a folder with --all.")]


OverwriteOption = Annotated[bool, typer.Option("--overwrite", help="Replace the file if it exists (with --all: the files).")]


def _stdout():
    import io
    import sys

    return io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")


@export_app.command("csv")
def export_csv(
    ctx: typer.Context,
    table: Annotated[str | None, typer.Argument(metavar="TABLE", help="centres, rooms, actors, activities, bookings, closures, attendance, overlaps or collaboration.")] = None,
    output_path: OutOption = None,
    all_tables: Annotated[bool, typer.Option("--all", help="Every table, one file each, into the folder given by -o.")] = False,
    centre: CentreFilter = None,
    date_from: FromOption = None,
    date_until: UntilOption = None,
    week: WeekOption = None,
    year: YearOption = None,
    excel: Annotated[bool, typer.Option("--excel", help="For Danish Excel: UTF-8 with BOM, semicolons, CRLF.")] = False,
    raw: Annotated[bool, typer.Option("--raw", help="Do not guard cells that start with = + - @ against running as formulas.")] = False,
    overwrite: OverwriteOption = False,
) -> None:
    """Export a table as CSV (every row unless filtered): names, not ids; a header row always."""
    from .. import csvio, files, output, transfer
    from ..errors import BadInput
    from ..i18n import ngettext

    db = state(ctx).db()
    protected = protected_files(ctx)
    first, last = window(date_from, date_until, week, year, default_from_today=False)
    filters = {"centre_id": filter_ids(db, centre)["centre_id"], "first": first, "last": last}
    if all_tables:
        if table:
            raise BadInput("TABLE: leave it out with --all, which writes every table")
        if not output_path or output_path == "-":
            raise BadInput("-o: --all writes one file per table; give a folder, e.g. -o export/")
        folder = Path(output_path).expanduser()
        files.make_folder(folder, field="output")
        targets = {name: files.check_target(folder / f"{name}.csv", field="output", overwrite=overwrite, protected=protected)
                   for name in csvio.EXPORT_TABLES}  # every file checked before any is written
        counts = files.write_set(targets, lambda n, s: transfer.export_csv(db, n, s, excel=excel, raw=raw, **filters))
        for name, count in counts.items():  # said once all are in place: all or nothing
            output.message(ngettext("{file}: {count} row", "{file}: {count} rows", count).format(file=f"{name}.csv", count=count))
        return
    if not table:
        raise BadInput(f"TABLE: name a table ({', '.join(csvio.EXPORT_TABLES)}) or pass --all -o DIR")
    table = table.strip().lower()
    if table not in csvio.EXPORT_TABLES:
        raise BadInput(f"TABLE: unknown table '{table}'; use one of {', '.join(csvio.EXPORT_TABLES)}")
    if output_path and output_path != "-":
        target = files.user_path(output_path, field="output")
        if target.is_dir():
            target = target / f"{table}.csv"
        checked = files.check_target(target, field="output", overwrite=overwrite, protected=protected)
        count = files.write(checked, lambda s: transfer.export_csv(db, table, s, excel=excel, raw=raw, **filters))
        output.message(f"Wrote {count} row{'s' if count != 1 else ''} to {target}.")
    else:
        stream = _stdout()
        transfer.export_csv(db, table, stream, excel=excel, raw=raw, **filters)
        stream.flush()
        stream.detach()


@import_app.command("csv")
def import_csv(
    ctx: typer.Context,
    table: Annotated[str | None, typer.Argument(metavar="TABLE", help="centres, rooms, actors, closures, activities, bookings or attendance.")] = None,
    file: Annotated[str | None, typer.Argument(metavar="FILE", help="The CSV file (comma or semicolon, UTF-8 or as Excel saves it).")] = None,
    all_dir: Annotated[str | None, typer.Option("--all", metavar="DIR", help="Import every TABLE.csv found in DIR, in order.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row and say what would be added; write nothing.")] = False,
    skip_conflicts: Annotated[bool, typer.Option("--skip-conflicts", help="Import the rows whose room is free; list the others.")] = False,
    allow_conflicts: Annotated[bool, typer.Option("--allow-conflicts", help="Import every row even where the room is taken.")] = False,
    raw: Annotated[bool, typer.Option("--raw", help="Keep a leading apostrophe (the file was exported with --raw).")] = False,
    update: Annotated[bool, typer.Option("--update", help="Rows naming an existing record update it (edit an export in Excel, import it again); new rows are added; nothing is deleted.")] = False,
) -> None:
    """Import rows from CSV: every row is checked first; on any problem nothing is written.

    Bookings need only centre, room, title, actor, start and end. Bookings and activities go
    through the same room-conflict check as add-activity, rows of the same file included.
    """
    from .. import csvio, output, transfer
    from ..errors import BadInput
    from .common import conflict_policy

    policy = conflict_policy(skip_conflicts, allow_conflicts)
    db = state(ctx).db()
    if all_dir:
        if table or file:
            raise BadInput("TABLE: leave TABLE and FILE out with --all DIR")
        folder = Path(all_dir)
        if not folder.is_dir():
            raise BadInput(f"--all: {folder} is not a folder")
        # every TABLE.csv that is there, whatever it is: a pipe or a link to a device is refused
        # when read ("not a regular file"), never passed over as if it were missing
        files = {t: folder / f"{t}.csv" for t in csvio.IMPORT_ORDER if os.path.lexists(folder / f"{t}.csv")}
        if not files:
            raise BadInput(f"--all: {folder} holds none of {', '.join(t + '.csv' for t in csvio.IMPORT_ORDER)}")
    else:
        if not table or not file:
            raise BadInput("TABLE FILE: name a table and a file, e.g. `medborger import csv bookings bookings.csv`, or use --all DIR")
        table = table.strip().lower()
        if table not in csvio.IMPORT_ORDER:
            raise BadInput(f"TABLE: cannot import '{table}'; use one of {', '.join(csvio.IMPORT_ORDER)}")
        files = {table: Path(file)}
    try:
        result = transfer.import_files(db, files, policy=policy, dry_run=dry_run, raw=raw, update=update)
    except transfer.ImportErrors as exc:
        for error in exc.shown:
            output.message(str(error))
        if exc.more:
            output.message(f"… and {exc.more} more")
        raise
    for change in result.updated:
        fields = "; ".join(f"{k}: {'–' if o in (None, '') else o} → {'–' if n in (None, '') else n}" for k, (o, n) in change.fields.items())
        output.message(f"{change.file}: row {change.line}: {change.kind} {change.name} (id {change.id}): {fields}")
    if update:
        output.message(f"{'Would update' if dry_run else 'Updated'} {len(result.updated)} existing record{'s' if len(result.updated) != 1 else ''}.")
    added = ", ".join(f"{n} {t}" for t, n in result.added.items()) or "nothing"
    if result.conflicts:
        verb = {"skip": "skipped", "allow": "imported although the room is taken"}[policy]
        output.conflicts(result.conflicts[:50], f"{len(result.conflicts)} room conflicts ({verb})")
    notes = []
    if result.skipped_conflicts:
        notes.append(f"{result.skipped_conflicts} rows skipped for room conflicts")
    if result.cancelled_by_closures:
        notes.append(f"{result.cancelled_by_closures} existing bookings cancelled by imported closures")
    tail = f"; {'; '.join(notes)}" if notes else ""
    if dry_run:
        output.message(f"Dry run: would add {added}{tail}. Nothing was written.")
    else:
        output.message(f"Imported {added}{tail}.")


@export_app.command("ics")
def export_ics(
    ctx: typer.Context,
    output_path: Annotated[str | None, typer.Option("-o", "--output", metavar="FILE", help="The .ics file to write (- or nothing: standard output).")] = None,
    centre: CentreFilter = None,
    room: Annotated[str | None, typer.Option("--room", "-r", metavar="ROOM", help="Only this room (with --centre when names repeat).")] = None,
    actor: Annotated[str | None, typer.Option("--actor", "-a", metavar="ACTOR", help="Only this actor's activities and bookings.")] = None,
    activity: Annotated[str | None, typer.Option("--activity", metavar="ACTIVITY", help="Only this activity (title or id).")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace FILE if it exists.")] = False,
) -> None:
    """Export an iCalendar file that Outlook, Google and Apple calendars import or subscribe to.

    A recurring activity is one event with a repeat rule and its skipped dates (holidays,
    closures, cancellations); a one-off booking is a single event. Event ids stay the same from
    one export to the next, so a calendar updates instead of duplicating.
    """
    from .. import actions, files, ics, output

    db = state(ctx).db()
    ids = filter_ids(db, centre, room, actor)
    activity_id = actions.resolve(db, "activity", activity, "activity", ids["centre_id"])["id"] if activity else None
    centre_name = actions.resolve(db, "centre", str(ids["centre_id"]), "centre")["name"] if ids["centre_id"] else None
    name = " · ".join(x for x in (centre_name, room, actor, activity) if x) or "medborger"
    target = None
    if output_path and output_path != "-":  # checked before the calendar is built
        target = files.check_target(files.user_path(output_path, field="output"), field="output", overwrite=overwrite, protected=protected_files(ctx))
    data = ics.calendar(db, **ids, activity_id=activity_id, name=name)
    if target:
        files.write_bytes(target, data)
        output.message(f"Wrote {data.count(b'BEGIN:VEVENT')} events to {target.path}.")
    else:
        import sys

        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
