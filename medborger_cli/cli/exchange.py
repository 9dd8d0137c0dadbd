"""export csv|ics and import csv: files for spreadsheets and calendars."""

import os
from pathlib import Path
from typing import Annotated

import typer

from ..i18n import N_, _, ngettext

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
    excel: Annotated[bool, typer.Option("--excel", help="For Danish Excel: Danish column names and words (boligområdebaseret, aflyst, mandag), UTF-8 with BOM, semicolons, CRLF.")] = False,
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
            raise BadInput(_("TABLE: leave it out with --all, which writes every table"))
        if not output_path or output_path == "-":
            raise BadInput(_("-o: --all writes one file per table; give a folder, e.g. -o export/"))
        folder = Path(output_path).expanduser()
        files.make_folder(folder, field="output")
        targets = {name: files.check_target(folder / f"{name}.csv", field="output", overwrite=overwrite, protected=protected)
                   for name in csvio.EXPORT_TABLES}  # every file checked before any is written
        counts = files.write_set(targets, lambda n, s: transfer.export_csv(db, n, s, excel=excel, raw=raw, **filters))
        for name, count in counts.items():  # said once all are in place: all or nothing
            output.message(ngettext("{file}: {count} row", "{file}: {count} rows", count).format(file=f"{name}.csv", count=count))
        return
    if not table:
        raise BadInput(_("TABLE: name a table ({tables}) or pass --all -o DIR").format(tables=", ".join(csvio.EXPORT_TABLES)))
    table = table.strip().lower()
    if table not in csvio.EXPORT_TABLES:
        raise BadInput(_("TABLE: unknown table '{table}'; use one of {tables}").format(table=table, tables=", ".join(csvio.EXPORT_TABLES)))
    if output_path and output_path != "-":
        target = files.user_path(output_path, field="output")
        if target.is_dir():
            target = target / f"{table}.csv"
        checked = files.check_target(target, field="output", overwrite=overwrite, protected=protected)
        count = files.write(checked, lambda s: transfer.export_csv(db, table, s, excel=excel, raw=raw, **filters))
        output.message(ngettext("Wrote {count} row to {file}.", "Wrote {count} rows to {file}.", count).format(count=count, file=target))
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
    update: Annotated[bool, typer.Option("--update", help="Rows naming an existing record update it (edit an export in Excel, import it again); new rows are added; nothing is deleted. A booking or closure row is matched by an id column when the file has one, else by the one record it can mean (a booking: its centre, day and title, with its start or its end kept).")] = False,
) -> None:
    """Import rows from CSV: every row is checked first; on any problem nothing is written.

    Bookings need only centre, room, title, actor, start and end. Bookings and activities go
    through the same room-conflict check as add-activity, rows of the same file included.
    """
    from .. import csvio, output, transfer, vocab
    from ..errors import BadInput
    from .common import conflict_policy

    policy = conflict_policy(skip_conflicts, allow_conflicts)
    db = state(ctx).db()
    if all_dir:
        if table or file:
            raise BadInput(_("TABLE: leave TABLE and FILE out with --all DIR"))
        folder = Path(all_dir)
        if not folder.is_dir():
            raise BadInput(_("--all: {folder} is not a folder").format(folder=folder))
        # every TABLE.csv that is there, whatever it is: a pipe or a link to a device is refused
        # when read ("not a regular file"), never passed over as if it were missing
        files = {t: folder / f"{t}.csv" for t in csvio.IMPORT_ORDER if os.path.lexists(folder / f"{t}.csv")}
        if not files:
            raise BadInput(_("--all: {folder} holds none of {files}").format(folder=folder, files=", ".join(t + ".csv" for t in csvio.IMPORT_ORDER)))
    else:
        if not table or not file:
            raise BadInput(_("TABLE FILE: name a table and a file, e.g. `medborger import csv bookings bookings.csv`, or use --all DIR"))
        table = table.strip().lower()
        if table not in csvio.IMPORT_ORDER:
            raise BadInput(_("TABLE: cannot import '{table}'; use one of {tables}").format(table=table, tables=", ".join(csvio.IMPORT_ORDER)))
        files = {table: Path(file)}
    try:
        result = transfer.import_files(db, files, policy=policy, dry_run=dry_run, raw=raw, update=update)
    except transfer.ImportErrors as exc:
        for error in exc.shown:
            output.message(str(error))
        if exc.more:
            output.message(_("… and {count} more").format(count=exc.more))
        raise
    for change in result.updated:
        fields = "; ".join(f"{k}: {'–' if o in (None, '') else o} → {'–' if n in (None, '') else n}" for k, (o, n) in change.fields.items())
        output.message(_("{file}: row {row}: {kind} {name} (id {id}): {fields}").format(
            file=change.file, row=change.line, kind=vocab.kind_word(change.kind), name=change.name, id=change.id, fields=fields))
    if update:
        n = len(result.updated)
        output.message((ngettext("Would update {count} existing record.", "Would update {count} existing records.", n) if dry_run else
                        ngettext("Updated {count} existing record.", "Updated {count} existing records.", n)).format(count=n))
    added = ", ".join(vocab.counted(t, n) for t, n in result.added.items()) or _("nothing")
    if result.conflicts:
        n = len(result.conflicts)
        output.conflicts(result.conflicts[:50], (
            ngettext("{count} room conflict (skipped)", "{count} room conflicts (skipped)", n) if policy == "skip" else
            ngettext("{count} room conflict (imported although the room is taken)",
                     "{count} room conflicts (imported although the room is taken)", n)).format(count=n))
    notes = []
    if result.skipped_conflicts:
        notes.append(ngettext("{count} row skipped for room conflicts", "{count} rows skipped for room conflicts",
                              result.skipped_conflicts).format(count=result.skipped_conflicts))
    if result.cancelled_by_closures:
        notes.append(ngettext("{count} existing booking cancelled by imported closures",
                              "{count} existing bookings cancelled by imported closures",
                              result.cancelled_by_closures).format(count=result.cancelled_by_closures))
    tail = f"; {'; '.join(notes)}" if notes else ""
    if dry_run:
        output.message(_("Dry run: would add {what}. Nothing was written.").format(what=added + tail))
    else:
        output.message(_("Imported {what}.").format(what=added + tail))


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
        n = data.count(b"BEGIN:VEVENT")
        output.message(ngettext("Wrote {count} event to {file}.", "Wrote {count} events to {file}.", n).format(count=n, file=target.path))
    else:
        import sys

        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
