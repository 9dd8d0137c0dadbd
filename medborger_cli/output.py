"""The only place that turns results into Rich tables, JSON or CSV, and prints messages.

Data goes to stdout, messages to stderr. JSON and CSV are written with the stdlib, never
through Rich. Rich honours NO_COLOR and a stdout that is not a terminal by itself.

User text is data: nothing printed here is read as Rich markup or :emoji: codes. Every table
cell, title and message is a `rich.text.Text`, and characters a terminal would act on or hide
(controls, bidi and zero-width characters) are shown as escapes by `visible`.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from . import vocab


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    show: Callable[[Any], str] | None = None  # how the table shows the value; JSON/CSV keep it raw
    style: str | None = None
    in_table: bool = True  # False: only in JSON and CSV, where width does not matter
    in_data: bool = True  # False: only in the table (a value composed for reading)


_consoles: dict[bool, Any] = {}


def console(stderr: bool = False):
    if stderr not in _consoles:
        from rich.console import Console

        _consoles[stderr] = Console(stderr=stderr, highlight=False, emoji=False)
    return _consoles[stderr]


def reset_consoles() -> None:
    """Forget the consoles (tests swap sys.stdout and sys.stderr between runs)."""
    _consoles.clear()


_ZWJ = "\u200d"


def visible(text: str) -> str:
    """`text` with every character that a terminal would act on or hide written as an escape:
    C0 and C1 controls (ESC as `\\x1b`), DEL, bidi and zero-width characters (`\\u202e`), line
    and paragraph separators, unassigned and private-use code points. Letters (æøå), emoji,
    combining marks and spaces stay as they are; so does a zero-width joiner inside an emoji."""
    if text.isprintable():
        return text
    shown = []
    for i, ch in enumerate(text):
        if ch.isprintable() or unicodedata.category(ch) == "Zs" or (ch == _ZWJ and _joins_emoji(text, i)):
            shown.append(ch)
        else:
            code = ord(ch)
            if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (Python's surrogateescape)
                code -= 0xDC00
            shown.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return "".join(shown)


def _joins_emoji(text: str, i: int) -> bool:
    """A zero-width joiner between two pictographs (👩‍💻), which is how such emoji are written."""
    if i == 0 or i + 1 >= len(text):
        return False
    before, after = text[i - 1], text[i + 1]
    return (before == "\ufe0f" or unicodedata.category(before) in ("So", "Sk")) and unicodedata.category(after) == "So"


def literal(value: Any, style: str | None = None):
    """A value as a Rich `Text`: printed as it is (never markup), with `visible` characters.
    Line breaks (ours, between parts of a cell) are kept."""
    from rich.text import Text

    text = value if isinstance(value, str) else plain(value)
    return Text("\n".join(visible(line) for line in text.split("\n")), style=style or "")


def message(text: str, style: str | None = None) -> None:
    """A line on stderr, literal: callers put user names into `text`, so it is never read as
    markup, and control characters in it are shown visibly. Style comes from `style` only."""
    from rich.text import Text

    console(stderr=True).print(Text(visible(text), style=style or ""), soft_wrap=True)


def warning(text: str) -> None:
    message(text, style="yellow")


def error(text: str) -> None:
    """One line on stderr, literal like `message` (it often echoes what was typed)."""
    message(f"Error: {text}", style="bold red")


def plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(plain(v) for v in value)
    if isinstance(value, bool):
        return "ja" if value else "nej"
    return str(value)


def code_label(vocabulary: dict[str, vocab.Term]) -> Callable[[Any], str]:
    def show(value: Any) -> str:
        if isinstance(value, (list, tuple)):
            return ", ".join(vocab.label(vocabulary, v) for v in value)
        return vocab.label(vocabulary, value) if value else ""

    return show


def span(row: dict[str, Any]) -> str:
    """A booking's time for tables: `ons 04.03.2026 16:00–18:00`."""
    end = row["end"][11:] if row["end"][:10] == row["start"][:10] else when(row["end"])
    return f"{when(row['start'])}–{end}"


def when(value: Any) -> str:
    """`2026-03-04T16:00` as `ons 04.03.2026 16:00` for tables."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value)
    day = list(vocab.WEEKDAYS.values())[moment.weekday()].da[:3]
    return f"{day} {moment:%d.%m.%Y %H:%M}"


def emit(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[Column],
    fmt: str = "table",
    *,
    title: str | None = None,
    empty: str = "Nothing to show.",
    extra_json: Sequence[str] = (),
    raw: bool = False,
) -> None:
    """Print rows as a Rich table (default), a JSON array or CSV with a header row (its formula
    cells guarded unless `raw`)."""
    data_keys = [c.key for c in columns if c.in_data]
    keys = data_keys + [k for k in extra_json if k not in data_keys]
    if fmt == "json":
        write_json([{k: row.get(k) for k in keys} for row in rows])
    elif fmt == "csv":
        write_csv(rows, data_keys, raw=raw)
    else:
        if not rows:
            message(empty)
            return
        shown = [c for c in columns if c.in_table]
        table = new_table(title)
        for column in shown:
            table.add_column(column.header, style=column.style, overflow="fold")
        for row in rows:
            table.add_row(*[literal((c.show or plain)(row.get(c.key))) for c in shown])
        console().print(table)


def new_table(title: str | None = None, **options: Any):
    from rich import box
    from rich.table import Table

    return Table(title=literal(title) if title else None, box=box.SIMPLE_HEAVY, title_justify="left", title_style="bold", **options)


def write_json(data: Any) -> None:
    """A JSON array with one item a line: readable, and written by json's fast C encoder."""
    if isinstance(data, list):
        if not data:
            sys.stdout.write("[]\n")
            return
        encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder for all items
        write = sys.stdout.write
        write("[\n")
        for start in range(0, len(data), 1000):
            chunk = data[start : start + 1000]
            write(",\n".join(map(encode, chunk)) + (",\n" if start + 1000 < len(data) else "\n"))
        write("]\n")
    else:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def write_csv(rows: Sequence[dict[str, Any]], keys: Sequence[str], *, raw: bool = False) -> None:
    """`--csv` of a listing or report: cells as `export csv` writes them (lists with ;, yes/no,
    a text cell a spreadsheet would run as a formula guarded by an apostrophe unless `raw`)."""
    from .csvio import cell, neutralise

    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(keys)
    for row in rows:
        values = [cell(row.get(k)) for k in keys]
        writer.writerow(values if raw else [neutralise(v) for v in values])


def check_report(result: dict[str, Any]) -> None:
    """`medborger check` in plain words, on stdout."""
    from .i18n import _, ngettext

    counts = ", ".join(f"{n} {t}" for t, n in result["counts"].items())
    integrity = [visible(str(line)) for line in result["integrity"]]
    lines = [
        _("Database: {path}").format(path=visible(str(result["path"]))),
        _("Schema version: {schema} (journal: {mode})").format(schema=result["schema"], mode=result["journal_mode"]),
    ]
    if integrity == ["ok"]:
        lines.append(_("Integrity: ok"))
    else:
        lines.append(ngettext("Integrity: DAMAGED in {count} place. Restore the latest backup (medborger backup makes one); "
                              "copy this file aside before changing anything.",
                              "Integrity: DAMAGED in {count} places. Restore the latest backup (medborger backup makes one); "
                              "copy this file aside before changing anything.", len(integrity)).format(count=len(integrity)))
        lines += ["  " + line for line in integrity[:20]]
    if result["foreign_keys"]:
        lines.append(ngettext("References: {count} row points at something that is gone",
                              "References: {count} rows point at something that is gone",
                              len(result["foreign_keys"])).format(count=len(result["foreign_keys"])))
    else:
        lines.append(_("References: ok"))
    for table, n in result.get("dates_outside", {}).items():
        lines.append(ngettext("Dates: {count} row of {table} has a date outside 1990–2199; correct or remove it",
                              "Dates: {count} rows of {table} have a date outside 1990–2199; correct or remove them",
                              n).format(count=n, table=table))
    if result.get("storage"):
        lines.append(_("Storage: WARNING: the file is on {where}. SQLite's journal works only for programs on one "
                       "computer; two coordinators on different computers can lose or damage each other's changes. "
                       "Keep the file on a local disk, or use a shared server (see README, Shared server).").format(
                           where=visible(result["storage"])))
    lines.append(_("Holds: {counts}").format(counts=counts))
    sys.stdout.write("\n".join(lines) + "\n")


# ---------------------------------------------------------------------------------------------
# Reports of the write commands


def conflicts(rows: Sequence[Any], title: str) -> None:
    """The clashes of a proposed booking, all in one table, on stderr."""
    table = new_table(title)
    for header in ("Date", "Time", "New", "Clashes with", "Actor", "Its time", "Booking"):
        table.add_column(header, overflow="fold")
    for c in rows:
        table.add_row(*map(literal, (
            when(c.start)[:-6],
            f"{c.start[11:]}–{c.end[11:]}",
            c.title,
            c.other_title,
            c.other_actor,
            f"{c.other_start[11:]}–{c.other_end[11:]}",
            c.other_id,
        )))
    console(stderr=True).print(table)


def skipped_dates(occurrences: Sequence[Any], title: str) -> None:
    table = new_table(title)
    table.add_column("Date")
    table.add_column("Why")
    for o in occurrences:
        table.add_row(literal(when(o.start)[:-6]), literal(o.skipped))
    console(stderr=True).print(table)


# ---------------------------------------------------------------------------------------------
# The week grid


def week_grid(
    centre: dict[str, Any],
    rooms: Sequence[dict[str, Any]],
    days: Sequence[dt.date],
    bookings: Sequence[dict[str, Any]],
    conflicting: set[int],
    day_notes: dict[dt.date, str],
) -> None:
    """One table for a centre: days across, rooms down; each cell lists its bookings by time."""
    from rich.text import Text

    week = days[0].isocalendar()
    table = new_table(f"{centre['name']} · week {week.week}, {week.year}", show_lines=True, expand=False)
    table.add_column("Room", style="bold", no_wrap=True)
    names = [t.da[:3].capitalize() for t in vocab.WEEKDAYS.values()]
    for day in days:
        header = f"{names[day.weekday()]} {day:%d.%m}"
        if day in day_notes:
            header += f"\n{day_notes[day]}"
        table.add_column(literal(header), overflow="fold", min_width=12)
    for room in rooms:
        cells = []
        for day in days:
            cell = Text()
            todays = [b for b in bookings if b["room_id"] == room["id"] and b["start"][:10] == day.isoformat()]
            for b in todays:
                if cell:
                    cell.append("\n")
                style = "red bold" if b["id"] in conflicting else ("dim strike" if b["status"] == "cancelled" else "")
                mark = "⚠ " if b["id"] in conflicting else ""
                cell.append(f"{mark}{b['start'][11:]}–{b['end'][11:]} ", style=style or "cyan")
                cell.append(visible(b["title"]), style=style or "bold")
                cell.append(f"\n{visible(b['actor'] or '')}", style="dim" if not style else style)
            cells.append(cell)
        table.add_row(literal(room["name"]), *cells)
    console().print(table)


# ---------------------------------------------------------------------------------------------
# The coordination reports


def _activity_cell(a: dict[str, Any], with_centre: bool = False) -> str:
    where = f" · {a['centre']}" if with_centre else ""
    return f"{a['title']}{where}\n" + ", ".join(a["actors"])


def _series_cell(s: dict[str, Any]) -> str:
    return f"{s['title']} ({s['start'][11:]}–{s['end'][11:]})\n{s['actor']}"


def _dates_cell(f: dict[str, Any]) -> str:
    """`15 dates: ons 02.09.2026 – ons 16.12.2026` and the first date's overlap, `17:00–17:30`."""
    from .i18n import ngettext

    count, first, last = f["count"], when(f["first"])[:-6], when(f["last"])[:-6]
    times = f"{f['start'][11:]}–{f['end'][11:]}" if f["start"][:10] == f["end"][:10] else f"{f['start'][11:]}–{when(f['end'])}"
    if count == 1:
        return ngettext("{count} date: {first}", "{count} dates: {first}", count).format(count=count, first=first) + "\n" + times
    return ngettext("{count} date: {first} – {last}", "{count} dates: {first} – {last}", count).format(
        count=count, first=first, last=last) + "\n" + times


def overlap_tables(findings: Sequence[dict[str, Any]], kinds: Sequence[str], show_notes: bool) -> None:
    """One Rich table per kind, most pressing first; each finding says why it is there."""
    from .i18n import _

    out = console()
    rooms = [f for f in findings if f["kind"] == "room"]
    clashes = [f for f in findings if f["kind"] == "clash"]
    parallel = [f for f in findings if f["kind"] == "parallel"]

    def note_column(table) -> None:
        if show_notes:
            table.add_column(_("Acknowledged"), overflow="fold")

    def note(f: dict[str, Any]) -> list[str]:
        return [f["note"] or ""] if show_notes else []

    if "room" in kinds and rooms:
        table = new_table(_("Room conflicts ({count}): the same room booked twice").format(count=len(rooms)), show_lines=True)
        for header in (_("Dates"), _("Centre"), _("Room"), _("Booking"), _("Clashes with"), _("Key")):
            table.add_column(header, overflow="fold")
        note_column(table)
        for f in rooms:
            a, b = f["series"]
            table.add_row(*map(literal, (
                _dates_cell(f), f["centre"], f["room"], _series_cell(a), _series_cell(b), f["key"], *note(f),
            )))
        out.print(table)
    if "clash" in kinds and clashes:
        table = new_table(_("Clashes ({count}): the same people, two offers at the same time").format(count=len(clashes)),
                          show_lines=True)
        for header in (_("Activity"), _("At the same time as"), _("Why"), _("Dates"), _("Key")):
            table.add_column(header, overflow="fold")
        note_column(table)
        for f in clashes:
            a, b = f["activities"]
            table.add_row(*map(literal, (
                _activity_cell(a), _activity_cell(b), f["why"], _dates_cell(f), f["key"], *note(f),
            )))
        out.print(table)
    if "parallel" in kinds and parallel:
        table = new_table(_("Parallel efforts ({count}): comparable offers by different actors").format(count=len(parallel)),
                          show_lines=True)
        for header in (_("Activity"), _("Comparable to"), _("Why"), _("Key")):
            table.add_column(header, overflow="fold")
        note_column(table)
        for f in parallel:
            a, b = f["activities"]
            across = a["centre"] != b["centre"]
            table.add_row(*map(literal, (
                _activity_cell(a, across), _activity_cell(b, across), f["why"], f["key"], *note(f),
            )))
        out.print(table)


def collaboration_tables(report: Sequence[dict[str, Any]]) -> None:
    from .i18n import _, ngettext

    out = console()
    sectors = code_label(vocab.SECTORS)
    for centre in report:
        from rich.rule import Rule

        out.print(Rule(literal(f"{centre['centre']}" + (f" · {centre['area']}" if centre["area"] else "")), align="left"))
        by_sector = ", ".join(f"{n} {sectors(s)}" for s, n in centre["sectors"].items())
        out.print(literal(
            f"{len(centre['actors'])} actors ({by_sector}); {centre['activities']} activities, "
            f"{centre['joint_activities']} run jointly, {centre['cross_sector']} of them across sectors."
            + (" " + ngettext("Besides, {count} internal meeting.", "Besides, {count} internal meetings.", centre["internal_meetings"])
               .format(count=centre["internal_meetings"]) if centre["internal_meetings"] else "")
        ))
        table = new_table("Actors")
        for header in ("Actor", "Sector", "Activities", "Joint", _("For")):
            table.add_column(header, overflow="fold")
        for a in centre["actors"]:
            table.add_row(*map(literal, (a["name"], sectors(a["sector"]), str(a["activities"]), str(a["joint"]), "; ".join(a["audiences"]))))
        out.print(table)
        if centre["pairs"]:
            table = new_table("Working together")
            for header in ("Actor", "With", "Joint activities"):
                table.add_column(header, overflow="fold")
            for p in centre["pairs"]:
                table.add_row(*map(literal, (p["actors"][0], p["actors"][1], f"{p['count']}: " + ", ".join(p["activities"]))))
            out.print(table)
        if centre["interfaces"]:
            table = new_table(_("Interfaces worth a conversation: offers for the same people, nothing run together"))
            for header in ("Actor", "And", _("Offers for the same people"), _("Who")):
                table.add_column(header, overflow="fold")
            for i in centre["interfaces"]:
                table.add_row(*map(literal, (
                    f"{i['actors'][0]} ({sectors(i['sectors'][0])})",
                    f"{i['actors'][1]} ({sectors(i['sectors'][1])})",
                    "\n".join(" / ".join(pair) for pair in i["activities"]),
                    "; ".join(i["audiences"]),
                )))
            out.print(table)


# ---------------------------------------------------------------------------------------------
# Changes: edit activity, closures, restore


def _dates_table(title: str, rows: Sequence[tuple[str, str]]) -> None:
    from .i18n import _

    table = new_table(title)
    table.add_column(_("Date"), no_wrap=True)
    table.add_column(_("Time"), no_wrap=True)
    for start, end in rows:
        table.add_row(literal(when(start)[:-6]), literal(f"{start[11:]}–{end[11:]}"))
    console(stderr=True).print(table)


def activity_change(result: Any) -> None:
    """What `edit activity` changes (or would, in a dry run): dates removed, added and moved,
    the conflicts, and the fields."""
    from .i18n import _, ngettext

    if result.removed:
        _dates_table(ngettext("{count} date removed", "{count} dates removed", len(result.removed)).format(
            count=len(result.removed)), [(b["start"], b["end"]) for b in result.removed])
    if result.changed:
        table = new_table(ngettext("{count} date moved", "{count} dates moved", len(result.changed)).format(count=len(result.changed)))
        for header in (_("Date"), _("Was"), _("Becomes")):
            table.add_column(header, no_wrap=True)
        for booking, new in result.changed:
            table.add_row(literal(when(new.start)[:-6]), literal(f"{booking['start'][11:]}–{booking['end'][11:]} {booking['room']}"),
                          literal(f"{new.start[11:]}–{new.end[11:]}"))
        console(stderr=True).print(table)
    if result.added:
        _dates_table(ngettext("{count} date added", "{count} dates added", len(result.added)).format(count=len(result.added)),
                     [(p.start, p.end) for p in result.added])
    if result.conflicts:
        conflicts(result.conflicts, _("Room conflicts"))
    if result.left_out:
        warning(ngettext("{count} date left out because the room is taken.", "{count} dates left out because the room is taken.",
                         len(result.left_out)).format(count=len(result.left_out)))
    for key, (old, new) in result.fields_changed.items():
        message(_("{field}: {old} → {new}").format(field=key, old="–" if old in (None, "") else old,
                                                   new="–" if new in (None, "") else new))
    if result.nothing:
        message(_("Nothing to change for {title} from {day}.").format(title=result.title, day=result.effective.isoformat()))
        return
    verb = _("Would change") if result.dry_run else _("Changed")
    message(_("{verb} {title} from {day}: {removed} removed, {added} added, {changed} moved; {cancelled} cancelled dates stay cancelled.").format(
        verb=verb, title=result.title, day=result.effective.isoformat(), removed=len(result.removed), added=len(result.added),
        changed=len(result.changed), cancelled=len(result.kept_cancelled)))


def restored(result: Any, preview: bool = False) -> None:
    from .i18n import _, ngettext

    if preview:
        if result.restored:
            message(ngettext("Would restore {count} booking: {ids}.", "Would restore {count} bookings: {ids}.",
                             len(result.restored)).format(count=len(result.restored), ids=", ".join(str(b["id"]) for b in result.restored)))
        return
    if result.conflicts:
        conflicts(result.conflicts, _("Room conflicts"))
    if result.restored:
        message(ngettext("Restored {count} booking: {ids}.", "Restored {count} bookings: {ids}.", len(result.restored)).format(
            count=len(result.restored), ids=", ".join(str(b["id"]) for b in result.restored)))
    if result.left_cancelled:
        warning(ngettext("{count} booking stays cancelled because the room is taken: {ids}.",
                         "{count} bookings stay cancelled because the room is taken: {ids}.", len(result.left_cancelled)).format(
            count=len(result.left_cancelled), ids=", ".join(str(b["id"]) for b in result.left_cancelled)))


def closure_change(result: Any) -> None:
    from .i18n import _, ngettext

    if result.unchanged:
        message(_("Nothing to change: the closure is {first}–{last} ({reason}) already.").format(
            first=result.date_from.isoformat(), last=result.date_until.isoformat(), reason=result.reason))
        return
    restored(result.restore, preview=result.dry_run)
    if result.restore.taken_over:
        message(ngettext("{count} booking stays cancelled: another closure covers it.",
                         "{count} bookings stay cancelled: another closure covers them.", len(result.restore.taken_over)).format(
            count=len(result.restore.taken_over)))
    if result.kept_cancelled:
        message(ngettext("{count} booking it no longer covers stays cancelled.", "{count} bookings it no longer covers stay cancelled.",
                         len(result.kept_cancelled)).format(count=len(result.kept_cancelled)))
    if result.cancelled:
        _dates_table(ngettext("{count} booking cancelled", "{count} bookings cancelled", len(result.cancelled)).format(
            count=len(result.cancelled)), [(b["start"], b["end"]) for b in result.cancelled])
    if result.removed:
        text = _("Removed the closure of {centre} {first}–{last} ({reason}).")
    else:
        text = _("{centre} is closed {first}–{last} ({reason}).")
    message((_("Dry run: ") if result.dry_run else "") + text.format(
        centre=result.centre, first=result.date_from.isoformat(), last=result.date_until.isoformat(), reason=result.reason))


# ---------------------------------------------------------------------------------------------
# Attendance and the report to the steering group


def day_sessions(rows: Sequence[dict[str, Any]], day: dt.date) -> None:
    """The sessions of a day with the attendance registered so far (on stderr: a walk's context)."""
    from .i18n import _

    table = new_table(_("Sessions on {day}").format(day=when(day.isoformat() + "T00:00")[:-6]))
    for header in (_("Booking"), _("Time"), _("Centre"), _("Room"), _("Title"), _("Registered")):
        table.add_column(header, overflow="fold")
    for r in rows:
        registered = _("cancelled") if r["status"] == "cancelled" else ("" if r["attendance"] is None else str(r["attendance"]))
        table.add_row(*map(literal, (r["id"], f"{r['start'][11:]}–{r['end'][11:]}", r["centre"], r["room"], r["title"],
                                     registered)))
    console(stderr=True).print(table)


_REPORT_BY_EN = {"focus": "Focus area", "category": "Category", "type": "Type", "actor": "Actor", "centre": "Centre",
                 "target": "Target group"}


def _number(value: Any, decimals: int = 0) -> str:
    if value is None:
        return "–"
    if decimals:
        return f"{value:,.{decimals}f}".replace(",", "\u202f")
    return f"{value:,}".replace(",", "\u202f")


def _share(value: Any) -> str:
    return "–" if value is None else f"{value * 100:.0f} %"


def _bars(groups: Sequence[dict[str, Any]], width: int = 30):
    """A bar per group: its attendance, scaled to the largest; Rich text, no extra dependency."""
    from rich.table import Table
    from rich.text import Text

    from .i18n import _

    top = max((g["attendance_total"] for g in groups), default=0) or 1
    chart = Table.grid(padding=(0, 1))
    chart.title = literal(_("Attendance"))
    chart.title_style = "bold"
    chart.add_column(no_wrap=True, max_width=28, overflow="ellipsis")
    chart.add_column(no_wrap=True)
    for g in groups:
        length = g["attendance_total"] / top * width
        bar = "█" * int(length) + ("▌" if length - int(length) >= 0.5 else "")
        chart.add_row(literal(g["label"]), Text(bar or "·", style="cyan").append(f" {_number(g['attendance_total'])}", style="bold"))
    return chart


def report_tables(report: dict[str, Any]) -> None:
    """The report in the terminal: per group a table row with a bar chart beside it; who was
    reached (gender, age bands); internal meetings apart."""
    from rich.table import Table

    from .i18n import _

    out = console()
    resident = [g for g in report["groups"] if not g["internal"]]
    internal = [g for g in report["groups"] if g["internal"]]
    heading = _("Report {first} – {last}, by {by}; sessions up to {held} are held").format(
        first=report["first"], last=report["last"], by=_REPORT_BY_EN[report["by"]].lower(), held=report["held_until"])
    for title, groups in ((_("Resident activities"), resident), (_("Internal meetings (counted apart)"), internal)):
        if not groups:
            continue
        table = new_table(f"{heading}\n{title}" if groups is resident or not resident else title)
        for header, justify in ((_REPORT_BY_EN[report["by"]], "left"), (_("Activities"), "right"), (_("Held"), "right"),
                                (_("Cancelled"), "right"), (_("Hours"), "right"), (_("Registered"), "right"),
                                (_("Attendance"), "right"), (_("Average"), "right"), (_("New"), "right"),
                                (_("Capacity use"), "right")):
            table.add_column(header, justify=justify, overflow="fold", no_wrap=justify == "right")
        for g in groups:
            table.add_row(*map(literal, (
                g["label"], _number(g["activities"]), _number(g["sessions_held"]), _number(g["sessions_cancelled"]),
                _number(g["hours"], 1), _number(g["sessions_with_attendance"]), _number(g["attendance_total"]),
                _number(g["attendance_average"], 1), _number(g["new_participants"]), _share(g["capacity_use"]),
            )))
        chart = _bars(groups)
        if out.measure(table).maximum + out.measure(chart).maximum + 4 <= out.width:
            side = Table.grid(padding=(0, 4))
            side.add_row(table, chart)
            out.print(side)
        else:  # too narrow to stand beside each other: the chart below the table
            out.print(table)
            out.print(chart)
        reached = [g for g in groups if g["female"] or g["male"] or g["age_bands"]]
        if reached:
            bands = sorted({b for g in reached for b in g["age_bands"]}, key=lambda b: int(b.split("-")[0]))
            who = new_table(_("Reached: gender and age (of the sessions with attendance)"))
            for header in (_REPORT_BY_EN[report["by"]], _("Women/girls"), _("Men/boys"), *(_("Age {band}").format(band=b) for b in bands)):
                who.add_column(header, justify="left" if header == _REPORT_BY_EN[report["by"]] else "right")
            for g in reached:
                who.add_row(*map(literal, (g["label"], _number(g["female"]), _number(g["male"]),
                                           *(_number(g["age_bands"].get(b, 0)) for b in bands))))
            out.print(who)
        causes = [g for g in groups if g["sessions_cancelled"] or g["skipped_holiday"] or g["skipped_closure"]]
        if causes:
            why = new_table(_("Not held: cancelled sessions, and dates skipped for holidays and closures"))
            for header in (_REPORT_BY_EN[report["by"]], _("Cancelled by a closure"), _("Cancelled otherwise"),
                           _("Skipped: public holiday"), _("Skipped: closure")):
                why.add_column(header, justify="left" if header == _REPORT_BY_EN[report["by"]] else "right")
            for g in causes:
                why.add_row(*map(literal, (g["label"], _number(g["cancelled_closure"]), _number(g["cancelled_other"]),
                                           _number(g["skipped_holiday"]), _number(g["skipped_closure"]))))
            out.print(why)
    total = report["total"]
    message(_("In all: {activities} activities, {held} sessions held ({registered} with attendance), {attendance} "
              "attendances, {new} new participants; {planned} sessions still planned.").format(
        activities=total["activities"], held=total["sessions_held"], registered=total["sessions_with_attendance"],
        attendance=total["attendance_total"], new=total["new_participants"], planned=total["sessions_planned"]))


_REPORT_BY_DA = {"focus": "Indsatsområde", "category": "Kategori", "type": "Aktivitetstype", "actor": "Aktør",
                 "centre": "Medborgercenter", "target": "Målgruppe"}


def _svg_bars(groups: Sequence[dict[str, Any]], key: str, unit: str = "") -> str:
    """A horizontal bar chart as inline SVG (no script, no network): one bar per group."""
    from html import escape

    row, label_width, bar_width = 26, 230, 360
    top = max((g[key] or 0 for g in groups), default=0) or 1
    height = row * len(groups) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{label_width + bar_width + 90}" '
             f'height="{height}" viewBox="0 0 {label_width + bar_width + 90} {height}" class="chart">']
    for i, g in enumerate(groups):
        y = 5 + i * row
        value = g[key] or 0
        width = max(1, round(value / top * bar_width)) if value else 0
        label = g["label"] if len(g["label"]) <= 34 else g["label"][:33] + "…"
        shown = f"{value:,}".replace(",", ".") if isinstance(value, int) else f"{value:.1f}".replace(".", ",")
        parts.append(f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{width}" height="{row - 8}" rx="2"></rect>')
        parts.append(f'<text x="{label_width + width + 6}" y="{y + 16}" class="value">{escape(shown)}{escape(unit)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def report_html(report: dict[str, Any], *, scope: str, generated: str) -> str:
    """The report as one self-contained, printable HTML page in Danish: tables and SVG charts,
    no script and nothing fetched from the network."""
    from importlib import resources

    import jinja2
    from markupsafe import Markup

    def dk(value: Any, decimals: int = 0) -> str:
        if value is None:
            return "–"
        text = f"{value:,.{decimals}f}" if decimals else f"{value:,}"
        return text.replace(",", "X").replace(".", ",").replace("X", ".")

    def pct(value: Any) -> str:
        return "–" if value is None else f"{value * 100:.0f} %"

    source = (resources.files("medborger_cli") / "templates" / "report.html.j2").read_text(encoding="utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["dk"] = dk
    env.filters["pct"] = pct
    resident = [g for g in report["groups"] if not g["internal"]]
    internal = [g for g in report["groups"] if g["internal"]]
    sections = []
    for title, groups in (("Aktiviteter for beboerne", resident), ("Interne møder (tælles for sig)", internal)):
        if not groups:
            continue
        bands = sorted({b for g in groups for b in g["age_bands"]}, key=lambda b: int(b.split("-")[0]))
        sections.append({
            "title": title, "groups": groups, "bands": bands,
            "chart_attendance": Markup(_svg_bars(groups, "attendance_total")),
            "chart_sessions": Markup(_svg_bars(groups, "sessions_held")),
        })
    return env.from_string(source).render(
        report=report, sections=sections, by_label=_REPORT_BY_DA[report["by"]], scope=scope, generated=generated,
        total=report["total"],
    )
