"""The only place that turns results into tables, JSON, CSV or HTML, and prints messages.

Data goes to stdout, messages to stderr. Tables are laid out here to fit the terminal (see
"Tables that fit the width"), JSON and CSV are written with the stdlib, HTML pages from the
Jinja2 templates in templates/. Colours follow the conventions Rich follows: none when the
stream is not a terminal, for TERM=dumb or with NO_COLOR (styles such as bold stay);
FORCE_COLOR forces them. Rich itself is not loaded: its import alone took a third of the time
a coordinator may wait for `medborger schedule`.

User text is data: nothing printed here is read as markup or :emoji: codes (nothing is parsed
at all), and characters a terminal would act on or hide (controls, bidi and zero-width
characters) are shown as escapes by `visible`.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from . import schedule, vocab
from .i18n import N_, _, is_danish, language, ngettext, pgettext


KEEP = 100  # a column that is never left out


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    show: Callable[[Any], str] | None = None  # how the table shows the value; JSON/CSV keep it raw
    style: str | None = None
    in_table: bool = True  # False: only in JSON and CSV, where width does not matter
    in_data: bool = True  # False: only in the table (a value composed for reading)
    wrap: bool = True  # False: dates, times, ids and keys, which are never broken
    keep: int = KEEP  # at a narrow width the columns with the lowest `keep` are left out first
    compose: Callable[[dict[str, Any]], Any] | None = None  # a table cell made from the whole row
    cap: int = 24  # the longest word (or `unbroken` text) that widens the column; longer ones break
    align: str = "left"  # "right" for figures

    def __post_init__(self) -> None:
        # The header is written in English where the columns are declared (a msgid of context
        # "column"); the table shows it in the reader's language. JSON and CSV keep the key.
        object.__setattr__(self, "header", pgettext("column", self.header))


class Stream:
    """Standard output or error as this module writes to it: its width and whether it takes
    colours. Looked up at each use (tests swap sys.stdout and sys.stderr)."""

    def __init__(self, stderr: bool = False) -> None:
        self.stderr = stderr

    @property
    def file(self) -> Any:
        return sys.stderr if self.stderr else sys.stdout

    def isatty(self) -> bool:
        try:
            return self.file.isatty()
        except (AttributeError, ValueError):
            return False

    @property
    def width(self) -> int:
        import os

        columns = os.environ.get("COLUMNS", "").strip()
        if columns.isdigit() and int(columns) > 0:
            return int(columns)
        if self.isatty() or os.environ.get("FORCE_COLOR"):
            try:
                return os.get_terminal_size(self.file.fileno()).columns or 80
            except (AttributeError, OSError, ValueError):
                pass
        return 80

    @property
    def height(self) -> int:
        import os

        lines = os.environ.get("LINES", "").strip()
        if lines.isdigit() and int(lines) > 0:
            return int(lines)
        try:
            return os.get_terminal_size(self.file.fileno()).lines or 25
        except (AttributeError, OSError, ValueError):
            return 25

    def styles(self) -> str:
        """"colour", "plain" (bold and the like, no colour: NO_COLOR) or "none"."""
        import os

        if os.environ.get("TERM", "").lower() in ("dumb", "unknown") and not os.environ.get("FORCE_COLOR"):
            return "none"
        if not (os.environ.get("FORCE_COLOR") or self.isatty()):
            return "none"
        return "plain" if os.environ.get("NO_COLOR") else "colour"

    def rich(self) -> Any:
        """A Rich console writing to this stream (Rich is loaded only then)."""
        from rich.console import Console

        return Console(file=_CaptureFile(self), highlight=False, emoji=False, width=self.width,
                       force_terminal=self.styles() != "none", no_color=self.styles() == "plain")

    def print(self, *objects: Any, **options: Any) -> None:
        """For code written against a Rich console: renders Rich objects with Rich (loaded
        only then); medborger's own output goes through `write`."""
        self.rich().print(*objects, **options)

    def write(self, text: str) -> None:
        if not self.stderr and _capture:
            _capture[-1].append(text)
            return
        self.file.write(text)
        self.file.flush()


class _CaptureFile:
    """A file for Rich that writes through `Stream.write` (so the pager sees it too)."""

    def __init__(self, stream: Stream) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return self.stream.isatty()


_SGR = {"bold": "1", "dim": "2", "italic": "3", "underline": "4", "strike": "9"}
_COLOURS = {"red": "31", "green": "32", "yellow": "33", "blue": "34", "magenta": "35", "cyan": "36"}
_capture: list[list[str]] = []  # the output held back for the pager


def _sgr(style: str | None, mode: str) -> str:
    if not style or mode == "none":
        return ""
    codes = [_SGR.get(word) or (_COLOURS.get(word) if mode == "colour" else None) for word in style.split()]
    codes = [c for c in codes if c]
    return f"\x1b[{';'.join(codes)}m" if codes else ""


def render(lines: Sequence[Sequence[tuple[str, str | None]]], stream: Stream) -> str:
    """Lines of (text, style) runs as text for `stream`, with SGR codes where it takes them."""
    mode = stream.styles()
    out = []
    for line in lines:
        parts = []
        merged: list[list[Any]] = []
        for text, style in line:
            if merged and merged[-1][1] == style:
                merged[-1][0] += text
            else:
                merged.append([text, style])
        for text, style in merged:
            text = text.replace(GLUE, " ")
            code = _sgr(style, mode)
            parts.append(f"{code}{text}\x1b[0m" if code else text)
        out.append("".join(parts))
    return "\n".join(out) + "\n"


def _as_flag(field: str) -> str:  # the command line's default; cli may install its own
    return "--" + field.replace("_", "-")


_flag_name: Callable[[str], str] = _as_flag


def flag(field: str) -> str:
    """How the command line names a field in a hint (`json` → `--json`); output itself names no flags."""
    return _flag_name(field)


def set_flag_names(name: Callable[[str], str]) -> None:
    global _flag_name
    _flag_name = name


def console(stderr: bool = False) -> Stream:
    return Stream(stderr)


def reset_consoles() -> None:
    """Forget output held back for a pager (tests swap sys.stdout and sys.stderr between runs)."""
    _capture.clear()


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


def literal(value: Any, style: str | None = None) -> Any:
    """A value as a Rich `Text` (never markup, controls visible), for code that prints Rich
    objects through `console().print`."""
    from rich.text import Text

    text = value if isinstance(value, str) else plain(value)
    return Text("\n".join(visible(line) for line in text.split("\n")), style=style or "")


def message(text: str, style: str | None = None) -> None:
    """A line on stderr, literal: callers put user names into `text`, so it is never read as
    markup, and control characters in it are shown visibly. Style comes from `style` only."""
    stream = Stream(stderr=True)
    stream.write(render([[(visible(text), style)]], stream))


def warning(text: str) -> None:
    message(text, style="yellow")


def error(text: str) -> None:
    """One line on stderr, literal like `message` (it often echoes what was typed)."""
    message(_("Error: {message}").format(message=text), style="bold red")


def plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value  # as it is (an `unbroken` title stays one)
    if isinstance(value, (list, tuple)):
        return ", ".join(plain(v) for v in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def code_label(vocabulary: dict[str, vocab.Term]) -> Callable[[Any], str]:
    def show(value: Any) -> str:
        if isinstance(value, (list, tuple)):
            return ", ".join(vocab.label(vocabulary, v) for v in value)
        return vocab.label(vocabulary, value) if value else ""

    return show


def span(row: dict[str, Any]) -> str:
    """A booking's time for tables: `ons 04.03.2026 16:00–18:00`."""
    from .schedule import clock

    end = clock(row["end"]) if row["end"][:10] == row["start"][:10] else when(row["end"])
    return f"{when(row['start'])}–{end}"


def day_text(value: Any) -> str:
    """An ISO date for tables: `24.12.2026` in Danish (ISO in English, as files have it)."""
    if not value or not is_danish():
        return value or ""
    return f"{value[8:10]}.{value[5:7]}.{value[:4]}"


def when(value: Any) -> str:
    """`2026-03-04T16:00` as `ons. 04.03.2026 16.00` for tables (`Wed 04.03.2026 16:00` in English)."""
    if not value:
        return ""
    from .i18n import language
    from .schedule import WEEKDAYS_SHORT, clock

    moment = dt.datetime.fromisoformat(value)
    return f"{WEEKDAYS_SHORT[language()][moment.weekday()]} {moment:%d.%m.%Y} {clock(moment)}"


# ---------------------------------------------------------------------------------------------
# Tables that fit the width
#
# Tables are laid out here rather than by rich.table: dates, times, ids and keys must never be
# broken, text must wrap at word boundaries only, and a listing of a busy week must print in a
# few milliseconds (rich.table measures and renders every cell several times). A cell is a
# string (`\n` between its parts) or a list of paragraphs, each a list of (text, style) runs.

Run = tuple[str, "str | None"]
Cell = Any  # str | list[list[Run]]
TITLE_CAP = 40  # a title up to this long is kept on one line where it can be
GLUE = "\ue000"  # a space that does not break a line (never in user text: `visible` escapes it)


class Unbroken(str):
    """Text made `visible` already, whose spaces are glue: it wraps only where it must."""


def unbroken(text: str) -> Unbroken:
    """A title kept on one line where the column allows (a wrapped title is hard to find)."""
    return Unbroken(visible(text).replace(" ", GLUE))
GAP = "  "  # between columns
MARGIN = "  "  # before the first column


def _paragraphs(cell: Cell, style: str | None = None) -> list[list[Run]]:
    if isinstance(cell, list):
        return [[(text if isinstance(text, Unbroken) else visible(text), st) for text, st in para] for para in cell]
    if isinstance(cell, Unbroken):
        return [[(cell, style)]]
    text = cell if isinstance(cell, str) else plain(cell)
    return [[(visible(line), style)] for line in text.split("\n")]


def _words(para: list[Run]) -> list[list[Run]]:
    """The words of a paragraph (split at spaces); a word may span runs of different styles."""
    words: list[list[Run]] = []
    current: list[Run] = []
    for text, style in para:
        parts = text.split(" ")
        for i, part in enumerate(parts):
            if i > 0 and current:  # a space ends the word
                words.append(current)
                current = []
            if part:
                current.append((part, style))
    if current:
        words.append(current)
    return words


def cells(text: str) -> int:
    """How many terminal cells `text` takes: a wide character (CJK, most emoji) two, a combining
    mark or format character none."""
    if text.isascii():
        return len(text)
    total, joined = 0, False
    for ch in text:
        total += 0 if joined else _char_cells(ch)  # 👩‍👧: a joined emoji is one picture
        joined = ch == _ZWJ
    return total


@lru_cache(maxsize=4096)
def _char_cells(ch: str) -> int:
    if unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _width(runs: list[Run]) -> int:
    return sum(cells(text) for text, _ in runs)


def _measure(cell: Cell) -> tuple[int, int]:
    """The widest line and the widest word of a cell."""
    if isinstance(cell, str) and "\n" not in cell and cell.isprintable():
        words = [cells(w) for w in cell.split(" ") if w]
        return (sum(words) + len(words) - 1, max(words)) if words else (0, 0)
    widest = longest = 0
    for para in _paragraphs(cell):
        words = [_width(w) for w in _words(para)]
        if words:
            widest = max(widest, sum(words) + len(words) - 1)
            longest = max(longest, max(words))
    return widest, longest


def _fold(word: list[Run], width: int) -> list[list[Run]]:
    """A word longer than the column, cut into pieces of the column's width: at its glue
    (the spaces of `unbroken` text) where it can be, else between characters."""
    chars = [(ch, style) for text, style in word for ch in text]
    pieces: list[list[tuple[str, str | None]]] = []
    current: list[tuple[str, str | None]] = []
    used = 0
    for ch, style in chars:
        w = cells(ch)
        if used + w > width and current:
            glue = max((i for i, (c, _) in enumerate(current) if c == GLUE), default=None)
            if glue is not None and glue > 0:
                pieces.append(current[:glue])
                current = current[glue + 1 :]
            else:
                pieces.append(current)
                current = []
            used = sum(cells(c) for c, _ in current)
            if used + w > width and current:
                pieces.append(current)
                current, used = [], 0
        if ch == GLUE and not current:
            continue  # no glue at the start of a line
        current.append((ch, style))
        used += w
    if current:
        pieces.append(current)
    folded = []
    for piece in pieces:
        runs: list[Run] = []
        for ch, style in piece:
            if runs and runs[-1][1] == style:
                runs[-1] = (runs[-1][0] + ch, style)
            else:
                runs.append((ch, style))
        folded.append(runs)
    return folded


def wrap(cell: Cell, width: int, style: str | None = None) -> list[list[Run]]:
    """A cell as lines of at most `width` cells, broken at spaces only (a word wider than the
    column is folded)."""
    if isinstance(cell, str) and "\n" not in cell and cell.isprintable() and "  " not in cell and cells(cell) <= width:
        return [[(cell.strip(" "), style)]]
    lines: list[list[Run]] = []
    for para in _paragraphs(cell, style):
        line: list[Run] = []
        used = 0
        for word in _words(para):
            w = _width(word)
            if line and used + 1 + w <= width:
                line.append((" ", line[-1][1] if line[-1][1] == word[0][1] else None))
                line.extend(word)
                used += 1 + w
                continue
            if line:
                lines.append(line)
                line, used = [], 0
            if w <= width:
                line, used = list(word), w
            else:
                *full, last = _fold(word, width)
                lines.extend(full)
                line, used = last, _width(last)
        lines.append(line)
    return lines or [[]]


@dataclass
class Layout:
    """How a table fits a width: the columns shown, their widths and the ones left out."""

    shown: list[int]
    widths: list[int]
    left_out: list[str]

    @property
    def fits(self) -> bool:
        return bool(self.shown)


def layout(columns: Sequence[Column], rows: Sequence[Sequence[Cell]], width: int) -> Layout:
    """Widths for `columns` within `width`: every column gets at least its widest word (its
    widest line if it never wraps); the columns with the lowest `keep` are left out until the
    rest fit; what is left over goes to the columns whose text would wrap. `fits` is False
    when even the columns that are never left out do not fit."""
    need, want = [], []
    for i, column in enumerate(columns):
        head_widest, head_longest = _measure(column.header)
        widest, longest = head_longest, head_longest
        for row in rows:
            w, l = _measure(row[i])
            widest, longest = max(widest, w), max(longest, l)
        if column.wrap:
            need.append(max(min(longest, column.cap), head_longest, 1))
            want.append(max(widest, head_widest, need[-1]))
        else:
            need.append(max(widest, head_longest, 1))
            want.append(max(widest, head_widest))
    shown = list(range(len(columns)))
    left_out: list[str] = []

    def total(ids: list[int]) -> int:
        return len(MARGIN) + sum(need[i] for i in ids) + len(GAP) * (len(ids) - 1)

    while shown and total(shown) > width:
        droppable = [i for i in shown if columns[i].keep < KEEP]
        if not droppable:
            return Layout([], [], [columns[i].header for i in range(len(columns)) if i not in shown])
        drop = min(droppable, key=lambda i: (columns[i].keep, -i))
        shown.remove(drop)
        left_out.append(columns[drop].header)
    widths = {i: need[i] for i in shown}
    spare = width - total(shown)
    while spare > 0:  # the narrowest column that wants more grows first: even columns
        growing = [i for i in shown if widths[i] < want[i]]
        if not growing:
            break
        narrowest = min(growing, key=lambda i: (widths[i], i))
        widths[narrowest] += 1
        spare -= 1
    return Layout(shown, [widths[i] for i in shown], [h for h in (c.header for c in columns) if h in left_out])


class Printed:
    """Lines with styles, printed at once as one literal Text."""

    def __init__(self) -> None:
        self.lines: list[list[Run]] = []

    def add(self, runs: list[Run] | None = None) -> None:
        self.lines.append(runs or [])

    def text(self, text: str, width: int, style: str | None = None) -> None:
        for line in wrap(text, width, style):
            self.add(line)

    def print(self, stderr: bool = False) -> None:
        stream = Stream(stderr)
        stream.write(render(self.lines, stream))


def _row_lines(cells: Sequence[Cell], columns: Sequence[Column], widths: Sequence[int], styles: Sequence[str | None]) -> list[list[Run]]:
    wrapped = [wrap(cell, w, st) for cell, w, st in zip(cells, widths, styles)]
    height = max(len(w) for w in wrapped)
    lines = []
    for n in range(height):
        runs: list[Run] = [(MARGIN, None)]
        for i, (cell_lines, w) in enumerate(zip(wrapped, widths)):
            part = cell_lines[n] if n < len(cell_lines) else []
            if i:
                runs.append((GAP, None))
            if columns[i].align == "right":
                runs.append((" " * (w - _width(part)), None))
                runs.extend(part)
                continue
            runs.extend(part)
            if i < len(widths) - 1:
                runs.append((" " * (w - _width(part)), None))
        while runs and runs[-1][0].strip() == "" and runs[-1][1] is None:
            runs.pop()
        lines.append(runs)
    return lines


def table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    *,
    title: str | None = None,
    stderr: bool = False,
    separate: bool | None = None,
    caption: str | None = None,
    width: int | None = None,
    fit: Layout | None = None,
    narrow: tuple[Sequence[Column], Sequence[Sequence[Cell]]] | None = None,
) -> None:
    """Print a table that fits the console's width: columns left out (and named under the table)
    before anything is squeezed; when even the essential ones do not fit, one block per row.
    `fit` gives a layout computed beforehand (to align several tables); `narrow`, columns and
    rows with values stacked, used when `columns` would not fit whole."""
    width = width or console(stderr).width
    fit = fit or layout(columns, rows, width)
    if narrow is not None and (not fit.fits or fit.left_out):
        other = layout(narrow[0], narrow[1], width)
        if other.fits and len(other.left_out) <= len(fit.left_out) + (0 if fit.fits else len(columns)):
            columns, rows, fit = narrow[0], narrow[1], other
    out = Printed()
    if title:
        out.text(title, width, "bold")
        out.add()
    if not fit.fits:
        _records(out, columns, rows, width)
    else:
        shown = [columns[i] for i in fit.shown]
        picked = [[row[i] for i in fit.shown] for row in rows]
        for line in _row_lines([c.header for c in shown], shown, fit.widths, ["bold"] * len(shown)):
            out.add(line)
        out.add([(" " + "━" * (len(MARGIN) - 1 + sum(fit.widths) + len(GAP) * (len(shown) - 1)), "dim")])
        body = [_row_lines(row, shown, fit.widths, [c.style for c in shown]) for row in picked]
        if separate is None:
            separate = any(len(lines) > 1 for lines in body)
        for n, lines in enumerate(body):
            if separate and n:
                out.add()
            for line in lines:
                out.add(line)
        if fit.left_out:
            out.add()
            out.text(
                _("Left out to fit {width} columns: {columns} (a wider window, {json} or {csv} shows them).").format(
                    width=width, columns=", ".join(fit.left_out), json=flag("json"), csv=flag("csv")),
                width, "dim",
            )
    if caption:
        out.add()
        out.text(caption, width, "dim")
    out.add()
    out.print(stderr)


def _records(out: Printed, columns: Sequence[Column], rows: Sequence[Sequence[Cell]], width: int) -> None:
    """Rows too wide for any table: one block per row, a field a line."""
    label = min(max(_measure(c.header)[0] for c in columns), max(8, width // 3))
    value = max(8, width - len(MARGIN) - label - 2)
    for n, row in enumerate(rows):
        if n:
            out.add()
        for column, cell in zip(columns, row):
            lines = wrap(cell, value, column.style)
            heads = wrap(column.header, label, "bold")
            for i in range(max(len(lines), len(heads))):
                head = heads[i] if i < len(heads) else []
                runs = [(MARGIN, None), *head, (" " * (label - _width(head) + 2), None)]
                runs.extend(lines[i] if i < len(lines) else [])
                out.add(runs)


def emit(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[Column],
    fmt: str = "table",
    *,
    title: str | None = None,
    empty: str = N_("Nothing to show."),
    extra_json: Sequence[str] = (),
    raw: bool = False,
    narrow: Sequence[Column] | None = None,
) -> None:
    """Print rows as a table that fits the width (default), a JSON array or CSV with a header
    row (its formula cells guarded unless `raw`). `narrow` is a second set of table columns
    (values stacked in fewer columns) used when `columns` would not fit without leaving one out."""
    data_keys = [c.key for c in columns if c.in_data]
    keys = data_keys + [k for k in extra_json if k not in data_keys]
    if fmt == "json":
        write_json([{k: row.get(k) for k in keys} for row in rows])
    elif fmt == "csv":
        write_csv(rows, data_keys, raw=raw)
    else:
        if not rows:
            message(_(empty))
            return

        def make_cells(shown: Sequence[Column]) -> list[list[Cell]]:
            return [[c.compose(row) if c.compose else (c.show or plain)(row.get(c.key)) for c in shown] for row in rows]

        shown = [c for c in columns if c.in_table]
        body = make_cells(shown)
        if narrow is not None:
            width = console().width
            fit = layout(shown, body, width)
            if not fit.fits or fit.left_out:
                shown = [c for c in narrow if c.in_table]
                body = make_cells(shown)
        table(shown, body, title=_(title) if title else title)


# ---------------------------------------------------------------------------------------------
# The pager


@contextmanager
def paged(enabled: bool = True) -> Iterator[None]:
    """Long output at a terminal goes through a pager, as git's does: `MEDBORGER_PAGER`, else
    `PAGER`, else `less` (with LESS=FRX unless LESS is set). Output that fits the screen, output
    to a pipe or file, `--no-pager` and a pager of "" or "cat" print straight."""
    command = _pager_command() if enabled else None
    if command is None:
        yield
        return
    _capture.append([])
    try:
        yield
    except BaseException:
        Stream().write("".join(_capture.pop()))  # what was printed before the error
        raise
    text = "".join(_capture.pop())
    if text.count("\n") < max(Stream().height - 1, 1) or not _page(command, text):
        Stream().write(text)


def _pager_command() -> str | None:
    import os
    import shlex
    import shutil

    try:
        if not (sys.stdout.isatty() and sys.stdin.isatty()):
            return None
    except (AttributeError, ValueError):
        return None
    command = os.environ.get("MEDBORGER_PAGER", os.environ.get("PAGER", "less"))
    if not command.strip() or command.strip() == "cat":
        return None
    try:
        program = shlex.split(command)[0]
    except ValueError:
        return None
    return command if shutil.which(program) else None


def _page(command: str, text: str) -> bool:
    """Show `text` in the pager; False when the pager could not be started."""
    import os
    import signal
    import subprocess

    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    try:
        proc = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env)
    except OSError:
        return False
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C belongs to the pager
    try:
        try:
            proc.stdin.write(text.encode(sys.stdout.encoding or "utf-8", errors="replace"))
            proc.stdin.close()
        except BrokenPipeError:  # the reader quit before the end
            pass
        proc.wait()
    finally:
        signal.signal(signal.SIGINT, previous)
    return True


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


def check_unopenable(reason: str) -> None:
    """`medborger check` on a file too damaged to open, in plain words, on stdout."""
    from .i18n import _

    sys.stdout.write(_("Integrity: DAMAGED: the file cannot be opened ({why}).\nRestore the latest backup (medborger backup "
                       "makes one); copy this file aside before changing anything.\n").format(why=visible(reason)))


def check_report(result: dict[str, Any]) -> None:
    """`medborger check` in plain words, on stdout."""
    from .i18n import _, is_danish, ngettext, pgettext

    counts = ", ".join(vocab.counted(t, n) for t, n in result["counts"].items())
    integrity = [visible(str(line)) for line in result["integrity"]]
    lines = [
        _("Database: {path}").format(path=visible(str(result["path"]))),
        _("Schema version: {schema} (journal: {mode})").format(schema=result["schema"], mode=result["journal_mode"])
        if "constraint" not in result else _("Schema version: {schema} (PostgreSQL)").format(schema=result["schema"]),
    ]
    if "constraint" in result:
        lines.append(_("Double bookings: refused by the database itself (constraint present)") if result["constraint"] else
                     _("Double bookings: WARNING: the constraint that refuses them is missing; run medborger with an "
                       "account that may change the schema, or ask the municipality's IT"))
    if result.get("integrity_by_server") and not integrity:
        lines.append(_("Integrity: not checked by medborger; the PostgreSQL server keeps its own files sound "
                       "(the references and dates below are checked)"))
    elif integrity == ["ok"]:
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
    for table, n in result.get("invalid_values", {}).items():
        lines.append(ngettext("Values: {count} row of {table} holds a date, time or rule that cannot be read; "
                              "correct or remove it",
                              "Values: {count} rows of {table} hold a date, time or rule that cannot be read; "
                              "correct or remove them", n).format(count=n, table=table))
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
    columns = [
        Column("date", _("Date"), wrap=False), Column("time", _("Time"), wrap=False), Column("new", _("New")),
        Column("other", _("Clashes with")), Column("actor", _("Actor"), keep=50),
        Column("its_time", _("Its time"), wrap=False, keep=60), Column("id", _("Booking"), wrap=False),
    ]
    cells = [
        [when(c.start)[:-6], f"{schedule.clock(c.start)}–{schedule.clock(c.end)}", c.title, c.other_title, c.other_actor,
         f"{schedule.clock(c.other_start)}–{schedule.clock(c.other_end)}", _("new") if c.other_id is None else str(c.other_id)]
        for c in rows  # a booking of the same change has no id yet
    ]
    table(columns, cells, title=title, stderr=True, separate=False)


def skip_reason(text: str | None) -> str:
    """Why a date is skipped, in the reader's words: schedule writes `lukket: Juleferie` and
    `helligdag: Langfredag` (its records keep them so), the table says `closed: Juleferie` in English."""
    if not text:
        return ""
    for mark, words in (("lukket: ", N_("closed: {reason}")), ("helligdag: ", N_("public holiday: {reason}"))):
        if text.startswith(mark):
            return _(words).format(reason=text[len(mark):])
    return text


def skipped_dates(occurrences: Sequence[Any], title: str) -> None:
    columns = [Column("date", _("Date"), wrap=False), Column("why", _("Why"))]
    table(columns, [[when(o.start)[:-6], skip_reason(o.skipped)] for o in occurrences], title=title, stderr=True, separate=False)


# ---------------------------------------------------------------------------------------------
# The week grid


def day_label(day: dt.date) -> str:
    """`Man 07.09` (`Mon 07.09` in English): the weekday's abbreviation and the date."""
    names = [t.word[:3].capitalize() for t in vocab.WEEKDAYS.values()]
    return f"{names[day.weekday()]} {day:%d.%m}"


def _time_runs(b: dict[str, Any], conflicting: set[int]) -> list[Run]:
    """`⚠ 17:00–19:00`: the mark when the booking shares its room at the same time."""
    conflict = b["id"] in conflicting
    end = schedule.clock(b["end"]) if b["end"][:10] == b["start"][:10] else f"{b['end'][8:10]}.{b['end'][5:7]} {schedule.clock(b['end'])}"
    style = "red bold" if conflict else "dim" if b["status"] == "cancelled" else "cyan"
    return ([("⚠ ", "red bold")] if conflict else []) + [(f"{schedule.clock(b['start'])}–{end}", style)]


def _title_runs(b: dict[str, Any], conflicting: set[int]) -> list[Run]:
    """The title; a cancelled booking says so in words, not only by its style."""
    if b["status"] == "cancelled":
        return [(unbroken(b["title"]), "dim strike"), (" " + _("(cancelled)"), "dim")]
    return [(unbroken(b["title"]), "red bold" if b["id"] in conflicting else "bold")]


def _booking_paragraphs(b: dict[str, Any], conflicting: set[int], width: int | None = None) -> list[list[Run]]:
    """Time and title on one line where they fit in `width`, else one under the other; then the actor."""
    time, title = _time_runs(b, conflicting), _title_runs(b, conflicting)
    if width is None or _width(time) + 1 + _width(title) <= width:
        lines = [time + [(" ", None)] + title]
    else:
        lines = [time, title]
    return lines + [[(b["actor"] or "", "dim")]]


def _pages(days: Sequence[dt.date], per_page: int) -> list[list[dt.date]]:
    """`days` in pages of at most `per_page`, as even as they can be (6 days in 3 + 3)."""
    count = -(-len(days) // per_page)
    size = -(-len(days) // count)
    return [list(days[i : i + size]) for i in range(0, len(days), size)]


def week_grid(
    centre: dict[str, Any],
    rooms: Sequence[dict[str, Any]],
    days: Sequence[dt.date],
    bookings: Sequence[dict[str, Any]],
    conflicting: set[int],
    day_notes: dict[dt.date, str],
    width: int | None = None,
) -> None:
    """A centre's week: days across, rooms down, each cell its bookings by time. When the days
    do not fit across the width they come in pages of three or more days, and below that one
    under another; no day and no booking is ever cut off."""
    width = width or console().width
    week = days[0].isocalendar()
    title = _("{centre} · week {week}, {year}").format(centre=centre["name"], week=week.week, year=week.year)
    by_cell: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for b in bookings:
        by_cell.setdefault((b["room_id"], b["start"][:10]), []).append(b)

    def cell(room_id: int, day: dt.date, width: int | None = None) -> list[list[Run]]:
        return [p for b in by_cell.get((room_id, day.isoformat()), []) for p in _booking_paragraphs(b, conflicting, width)]

    def header(day: dt.date) -> Any:
        return [[(unbroken(day_label(day)), None)]] + ([[(day_notes[day], None)]] if day in day_notes else [])

    def grid(shown: Sequence[dt.date], widths: Sequence[int] | None = None) -> tuple[list[Column], list[list[Cell]]]:
        columns = [Column("room", _("Room"), style="bold")] + [Column(d.isoformat(), header(d), cap=TITLE_CAP) for d in shown]
        return columns, [[room["name"], *[cell(room["id"], d, widths[i + 1] if widths else None) for i, d in enumerate(shown)]]
                         for room in rooms]

    for per_page in range(len(days), 2, -1):
        pages = _pages(days, per_page)
        fits = [layout(*grid(page), width) for page in pages]
        if all(fit.fits for fit in fits):
            for n, (page, fit) in enumerate(zip(pages, fits), 1):
                heading = title if len(pages) == 1 else _("{title} · {first} to {last} ({part} of {parts})").format(
                    title=title, first=day_label(page[0]), last=day_label(page[-1]), part=n, parts=len(pages))
                columns, rows = grid(page, fit.widths)
                table(columns, rows, title=heading, separate=True, width=width, fit=fit)
            return
    # Too narrow for three days across: the days one under another, in columns aligned for all;
    # narrower still, the room goes under the title.
    todays = {day: sorted((b for b in bookings if b["start"][:10] == day.isoformat()), key=lambda b: (b["start"], b["room"]))
              for day in days}
    columns = [Column("time", _("Time"), wrap=False), Column("room", _("Room")), Column("what", _("Booking"), cap=TITLE_CAP)]

    def row(b: dict[str, Any]) -> list[Cell]:
        return [[_time_runs(b, conflicting)], b["room"], [_title_runs(b, conflicting), [(b["actor"] or "", "dim")]]]

    every = [row(b) for day in days for b in todays[day]] or [["", "", ""]]
    fit = layout(columns, every, width)
    if not fit.fits or fit.left_out:
        columns = [Column("time", _("Time"), wrap=False), Column("what", _("Booking"), cap=TITLE_CAP)]

        def row(b: dict[str, Any]) -> list[Cell]:  # noqa: F811 - the narrower row
            return [[_time_runs(b, conflicting)], [_title_runs(b, conflicting), [(b["room"], None)], [(b["actor"] or "", "dim")]]]

        fit = layout(columns, [row(b) for day in days for b in todays[day]] or [["", ""]], width)
    out = Printed()
    out.text(title, width, "bold")
    out.add()
    out.print()
    for day in days:
        heading = day_label(day) + (f" · {day_notes[day]}" if day in day_notes else "")
        if todays[day]:
            table(columns, [row(b) for b in todays[day]], title=heading, separate=True, width=width, fit=fit)
        else:
            empty = Printed()
            empty.text(_("{day}: nothing booked").format(day=heading), width, "bold")
            empty.add()
            empty.print()


# ---------------------------------------------------------------------------------------------
# Free rooms

FREE_COLUMNS = ["centre", "room", "capacity", "dates", "free_dates", "colliding_dates", "collisions", "closed_dates"]


def free_row(room: dict[str, Any]) -> dict[str, Any]:
    """A room of `free` as one CSV row: the dates and bookings that collide as lists."""
    return {
        "centre": room["centre"], "room": room["room"], "capacity": room["capacity"], "dates": room["dates"],
        "free_dates": room["free_dates"], "colliding_dates": sorted({c["date"] for c in room["collisions"]}),
        "collisions": [f"{c['date']} {c['start'][11:]}–{c['end'][11:]} {c['title']} ({c['actor']}, id {c['id']})"
                       for c in room["collisions"]],
        "closed_dates": [f"{c['date']} {c['reason']}" for c in room["closed"]],
    }


def _closed_note(room: dict[str, Any], with_year: bool) -> str:
    """`13.10 Efterårsferie; 22.12, 29.12 Juleferie`: the closed dates by reason."""
    by_reason: dict[str, list[str]] = {}
    for c in room["closed"]:
        by_reason.setdefault(c["reason"], []).append(_short(c["date"], with_year))
    return "; ".join(f"{', '.join(days)} {reason}" for reason, days in by_reason.items())


def _short(day: str, with_year: bool) -> str:
    """`2026-09-08` as `08.09` (or `08.09.26` when the period spans two years)."""
    return f"{day[8:10]}.{day[5:7]}" + (f".{day[2:4]}" if with_year else "")


def _collision_groups(room: dict[str, Any], with_year: bool, with_dates: bool = True) -> list[list[Run]]:
    """What collides, one paragraph per booking series: `Lektiecafé 16:00–18:00 (Røde Kors):
    08.09, 15.09`, most dates first."""
    groups: dict[tuple[str, str, str, str], list[str]] = {}
    for c in room["collisions"]:
        end = schedule.clock(c["end"]) if c["end"][:10] == c["start"][:10] else _short(c["end"][:10], True) + " " + schedule.clock(c["end"])
        groups.setdefault((c["title"], c["actor"], schedule.clock(c["start"]), end), []).append(c["date"])
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[1][0]))
    return [[(title, "bold"), (f" {begins}–{end} ", "cyan"), (f"({actor})" + (": " if with_dates else ""), "dim")]
            + ([(", ".join(_short(d, with_year) for d in sorted(set(days))), None)] if with_dates else [])
            for (title, actor, begins, end), days in ordered]


def free_report(report: dict[str, Any], *, dates: Sequence[dt.date], weekdays: Sequence[int], first: dt.date, last: dt.date,
                start: dt.time, end: dt.time, every: int, season: bool, single: bool, with_centre: bool) -> None:
    """`medborger free`: the rooms free on every date, those free on most with what collides,
    then the rest; public holidays and closures said in words."""
    width = console().width
    rooms = report["rooms"]
    with_year = first.year != last.year
    time = f"{schedule.clock(start)}–{schedule.clock(end)}"
    out = Printed()
    if single:
        out.text(_("Rooms free on {day} {date}, {time}.").format(day=schedule.WEEKDAYS_SHORT[language()][first.weekday()], date=f"{first:%d.%m.%Y}", time=time),
                 width, "bold")
    else:
        names = ", ".join(vocab.WEEKDAYS[code].word for code in list(vocab.WEEKDAYS) if vocab.WEEKDAY_INDEX[code] in weekdays)
        heading = (_("Rooms free {time} on {days} from {first} to {last}: {count} dates.") if every == 1 else
                   _("Rooms free {time} on {days} every {every} weeks from {first} to {last}: {count} dates."))
        out.text(heading.format(time=time, days=names, every=every, first=f"{first:%d.%m.%Y}", last=f"{last:%d.%m.%Y}",
                                count=len(dates)), width, "bold")
        if season:
            out.text(_("Until the end of the season (week 26); {until} gives another last date.").format(until=flag("until")), width, "dim")
    if rooms and rooms[0]["holidays"]:
        days = ", ".join(f"{_short(h['date'], with_year)} {h['name']}" for h in rooms[0]["holidays"])
        out.text(_("Public holidays among the dates (an activity skips them unless {include}): {days}.").format(
            days=days, include=flag("include_holidays")),
                 width)
    closures: dict[str, str] = {}
    for r in rooms:
        if r["closed"] and r["centre"] not in closures:
            closures[r["centre"]] = _closed_note(r, with_year)
    for centre, note in closures.items():
        out.text(_("{centre} is closed on some of the dates: {closures}.").format(centre=centre, closures=note), width)
    if report["no_capacity"]:
        names = ", ".join(f"{r['name']} ({r['centre']})" for r in report["no_capacity"])
        out.text(_("Left out, no seat count recorded: {rooms}.").format(rooms=names), width, "dim")
    out.add()
    out.print()
    if not dates:
        message(_("No date in the period falls on that weekday."))
        return
    if not rooms:
        message(_("No room matches; check {centre} and {capacity}.").format(centre=flag("centre"), capacity=flag("capacity")))
        return

    def colliding(room: dict[str, Any]) -> int:
        return len({c["date"] for c in room["collisions"]})

    def rooms_title(singular: str, plural: str, count: int, **values: Any) -> str:
        return ngettext(singular, plural, count).format(count=count, **values)

    free_all = [r for r in rooms if not r["collisions"] and r["free_dates"]]
    closed_all = [r for r in rooms if not r["collisions"] and not r["free_dates"]]
    most = [r for r in rooms if r["collisions"] and not single and colliding(r) * 2 <= len(dates)]
    rest = [r for r in rooms if r["collisions"] and r not in most]
    where = [Column("centre", _("Centre"), keep=60)] if with_centre else []
    seats = Column("capacity", _("Seats"), wrap=False, keep=50)
    room_column = Column("room", _("Room"), style="bold")

    def base(r: dict[str, Any]) -> list[Cell]:
        return ([r["centre"]] if with_centre else []) + [r["room"], "" if r["capacity"] is None else str(r["capacity"])]

    def share(r: dict[str, Any]) -> str:
        return _("{free} of {dates}").format(free=r["free_dates"], dates=r["dates"])

    if free_all:
        title = (rooms_title("Free ({count} room)", "Free ({count} rooms)", len(free_all)) if single else
                 rooms_title("Free on every date ({count} room)", "Free on every date ({count} rooms)", len(free_all)))
        table([*where, room_column, seats], [base(r) for r in free_all], title=title)
    else:
        out = Printed()
        out.text(_("No room is free on that date.") if single else _("No room is free on every date."), width, "bold")
        out.add()
        out.print()
    if most:
        table([*where, room_column, seats, Column("free", _("Free"), wrap=False), Column("what", _("Taken by (dates)"))],
              [base(r) + [share(r), _collision_groups(r, with_year)] for r in most],
              title=rooms_title("Free on most dates, fewest collisions first ({count} room)",
                                "Free on most dates, fewest collisions first ({count} rooms)", len(most)), separate=True)
    if rest and single:
        table([*where, room_column, seats, Column("what", _("Taken by"))],
              [base(r) + [_collision_groups(r, with_year, with_dates=False)] for r in rest],
              title=rooms_title("Taken ({count} room)", "Taken ({count} rooms)", len(rest)), separate=True)
    elif rest:
        def names(r: dict[str, Any]) -> list[list[Run]]:
            who = list(dict.fromkeys((c["title"], c["actor"]) for c in r["collisions"]))
            shown = [[(unbroken(title), "bold"), (f" ({actor})", "dim")] for title, actor in who[:3]]
            if len(who) > 3:
                shown.append([(ngettext("and {more} more", "and {more} more", len(who) - 3).format(more=len(who) - 3), "dim")])
            return shown

        table([*where, room_column, seats, Column("free", _("Free"), wrap=False), Column("what", _("Taken by"))],
              [base(r) + [share(r), names(r)] for r in rest],
              title=rooms_title("Taken on more than half of the dates ({count} room)",
                                "Taken on more than half of the dates ({count} rooms)", len(rest)),
              caption=_("{json} lists every date and booking that collides.").format(json=flag("json")))
    if closed_all:
        table([*where, room_column, seats],
              [base(r) for r in closed_all],
              title=rooms_title("Closed on every date ({count} room)", "Closed on every date ({count} rooms)", len(closed_all)))


# ---------------------------------------------------------------------------------------------
# The coordination reports


def _activity_cell(a: dict[str, Any], with_centre: bool = False) -> list[list[Run]]:
    """An activity as its title (kept whole where the column allows), its centre when findings
    cross centres, and its actors."""
    lines: list[list[Run]] = [[(unbroken(a["title"]), "bold")]]
    if with_centre:
        lines.append([(a["centre"], None)])
    lines.append([(", ".join(a["actors"]), "dim")])
    return lines


def _series_cell(s: dict[str, Any]) -> list[list[Run]]:
    return [[(unbroken(s["title"]), "bold")], [(f"{schedule.clock(s['start'])}–{schedule.clock(s['end'])}", None)], [(s["actor"], "dim")]]


def _dates_cell(f: dict[str, Any]) -> list[list[Run]]:
    """`15 dates:`, `ons 02.09.2026 –`, `ons 16.12.2026`, and the first date's overlap
    `17:00–17:30`, a line each so that no date breaks between its weekday and its day."""
    from .i18n import ngettext

    count, first, last = f["count"], when(f["first"])[:-6], when(f["last"])[:-6]
    times = f"{schedule.clock(f['start'])}–{schedule.clock(f['end'])}" if f["start"][:10] == f["end"][:10] else \
        f"{schedule.clock(f['start'])}–{when(f['end'])}"
    lines = [ngettext("{count} date:", "{count} dates:", count).format(count=count)]
    lines += [first] if count == 1 else [f"{first} –", last]
    return [[(line, None)] for line in [*lines, times]]


def overlap_tables(findings: Sequence[dict[str, Any]], kinds: Sequence[str], show_notes: bool) -> None:
    """One table per kind, most pressing first; each finding says why it is there. Keys and
    dates are never broken; at a narrow width the room conflicts stack their values, and the
    columns that matter least are left out by name."""
    from .i18n import _

    rooms = [f for f in findings if f["kind"] == "room"]
    clashes = [f for f in findings if f["kind"] == "clash"]
    parallel = [f for f in findings if f["kind"] == "parallel"]
    key = Column("key", _("Key"), wrap=False)
    dates = Column("dates", _("Dates"), wrap=False)
    note = [Column("note", _("Acknowledged"), keep=30)] if show_notes else []

    def noted(f: dict[str, Any]) -> list[str]:
        return [f["note"] or ""] if show_notes else []

    if "room" in kinds and rooms:
        columns = [dates, Column("centre", _("Centre"), keep=50), Column("room", _("Room")),
                   Column("a", _("Booking")), Column("b", _("Clashes with")), key, *note]
        cells, stacked = [], []
        for f in rooms:
            a, b = f["series"]
            cells.append([_dates_cell(f), f["centre"], f["room"], _series_cell(a), _series_cell(b), f["key"], *noted(f)])
            stacked.append([_dates_cell(f), [[(f["room"], "bold")], [(f["centre"], "dim")]],
                            _series_cell(a) + [[]] + _series_cell(b), f["key"], *noted(f)])
        narrow = [dates, Column("room", _("Room")), Column("both", _("Bookings")), key, *note]
        table(columns, cells, title=_("Room conflicts ({count}): the same room booked twice").format(count=len(rooms)),
              separate=True, narrow=(narrow, stacked))
    why = Column("why", _("Why"))  # a finding always says why: never left out
    if "clash" in kinds and clashes:
        columns = [Column("a", _("Activity")), Column("b", _("At the same time as")), why, dates, key, *note]
        cells = [[_activity_cell(f["activities"][0]), _activity_cell(f["activities"][1]), f["why"], _dates_cell(f),
                  f["key"], *noted(f)] for f in clashes]
        stacked = [[_activity_cell(f["activities"][0]) + [[]] + _activity_cell(f["activities"][1]), f["why"], _dates_cell(f),
                    f["key"], *noted(f)] for f in clashes]
        table(columns, cells, title=_("Clashes ({count}): the same people, two offers at the same time").format(count=len(clashes)),
              separate=True, narrow=([Column("both", _("Activities")), why, dates, key, *note], stacked))
    if "parallel" in kinds and parallel:
        columns = [Column("a", _("Activity")), Column("b", _("Comparable to")), why, key, *note]
        cells, stacked = [], []
        for f in parallel:
            a, b = f["activities"]
            across = a["centre"] != b["centre"]
            cells.append([_activity_cell(a, across), _activity_cell(b, across), f["why"], f["key"], *noted(f)])
            stacked.append([_activity_cell(a, across) + [[]] + _activity_cell(b, across), f["why"], f["key"], *noted(f)])
        table(columns, cells, title=_("Parallel efforts ({count}): comparable offers by different actors").format(count=len(parallel)),
              separate=True, narrow=([Column("both", _("Activities")), why, key, *note], stacked))


def collaboration_tables(report: Sequence[dict[str, Any]]) -> None:
    from .i18n import _, is_danish, ngettext, pgettext

    sectors = code_label(vocab.SECTORS)
    width = console().width
    for centre in report:
        out = Printed()
        heading = centre["centre"] + (f" · {centre['area']}" if centre["area"] else "")
        out.text(heading, width, "bold")
        out.add([("─" * min(width - 1, max(cells(heading), 20)), "dim")])
        by_sector = ", ".join(f"{n} {sectors(s)}" for s, n in centre["sectors"].items())
        summary = _("{actors} ({by_sector}); {activities}, {joint} run jointly, {cross} of them across sectors.").format(
            actors=vocab.counted("actors", len(centre["actors"])), by_sector=by_sector,
            activities=vocab.counted("activities", centre["activities"]), joint=centre["joint_activities"],
            cross=centre["cross_sector"])
        if centre["internal_meetings"]:
            summary += " " + ngettext("Besides, {count} internal meeting.", "Besides, {count} internal meetings.",
                                      centre["internal_meetings"]).format(count=centre["internal_meetings"])
        out.text(summary, width)
        out.add()
        out.print()
        table([Column("actor", _("Actor")), Column("sector", _("Sector"), keep=60),
               Column("activities", _("Activities"), wrap=False, keep=50), Column("joint", _("Joint"), wrap=False, keep=40),
               Column("for", _("For"), keep=30)],
              [[[[(unbroken(a["name"]), "bold")]], sectors(a["sector"]), str(a["activities"]), str(a["joint"]),
                [[(audience, None)] for audience in a["audiences"]]] for a in centre["actors"]],
              title=_("Actors"))
        if centre["pairs"]:
            table([Column("actor", _("Actor")), Column("with", _("With")), Column("joint", _("Joint activities"))],
                  [[p["actors"][0], p["actors"][1], f"{p['count']}: " + ", ".join(p["activities"])] for p in centre["pairs"]],
                  title=_("Working together"))
        if centre["interfaces"]:
            table([Column("a", _("Actor")), Column("b", _("And")), Column("offers", _("Offers for the same people")),
                   Column("who", _("Who"), keep=50)],
                  [[f"{i['actors'][0]} ({sectors(i['sectors'][0])})", f"{i['actors'][1]} ({sectors(i['sectors'][1])})",
                    [[(" / ".join(pair), None)] for pair in i["activities"]], [[(who, None)] for who in i["audiences"]]]
                   for i in centre["interfaces"]],
                  title=_("Interfaces worth a conversation: offers for the same people, nothing run together"), separate=True)


# ---------------------------------------------------------------------------------------------
# Printable pages (HTML)
#
# The printed plan hangs on a centre's door: its words are in the interface's language (Danish
# unless English is asked for), through `_()` like every other string. The pages are made by
# Jinja2 templates in templates/, self-contained (inline CSS, no network), for A4: the week
# landscape, one page per centre (or room), the agenda portrait. Jinja2 escapes every value: user
# text is never read as HTML.

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 297 - 18, 210 - 19  # A4 landscape inside the margins


def page_day(day: dt.date, with_year: bool = False) -> str:
    """`30. nov` in Danish, `30 Nov` in English (`30. nov 2026`, `30 Nov 2026` with the year)."""
    month = schedule.MONTHS_SHORT["da" if is_danish() else "en"][day.month - 1].rstrip(".")
    return f"{_day_number(day)} {month}" + (f" {day.year}" if with_year else "")


def _day_number(day: dt.date) -> str:
    return f"{day.day}." if is_danish() else str(day.day)  # `30.` is the Danish ordinal


def page_week(monday: dt.date, last: dt.date | None = None) -> str:
    """`Uge 49 · 30. nov – 6. dec 2026`, `Uge 37 · 7.–13. sep 2026` within one month (`Week 49 ·
    30 Nov – 6 Dec 2026`, `Week 37 · 7–13 Sep 2026` in English)."""
    last = last or monday + dt.timedelta(days=6)
    if monday.year != last.year:
        dates = f"{page_day(monday, True)} – {page_day(last, True)}"
    elif monday.month == last.month:
        dates = f"{_day_number(monday)}–{page_day(last, True)}"
    else:
        dates = f"{page_day(monday)} – {page_day(last, True)}"
    return _("Week {week} · {dates}").format(week=monday.isocalendar().week, dates=dates)


def _weekday_names() -> list[str]:
    """`Mandag` ... `Søndag` (`Monday` ... `Sunday`)."""
    return [vocab.label(vocab.WEEKDAYS, code).capitalize() for code in vocab.WEEKDAYS]


def _language() -> str:
    from .i18n import language

    return language()


def _template(name: str) -> Any:
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("medborger_cli", "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    return env.get_template(name)


def _printed() -> str:
    now = dt.datetime.now()
    return _("Printed {date} at {time} · medborger").format(date=f"{now:%d.%m.%Y}", time=f"{now:%H:%M}")


def _lines(text: str, per_line: float) -> int:
    """About how many lines `text` takes in a column of `per_line` characters (words wrap)."""
    if not text:
        return 0
    words = text.split()
    lines, used = 1, 0.0
    for word in words:
        need = len(word) + (1 if used else 0)
        if used and used + need > per_line:
            lines, used = lines + 1, 0.0
            need = len(word)
        lines += int(max(0, need - 1) // max(per_line, 1))
        used = (used + need) if need <= per_line else need % per_line
    return lines


def _font_size(rows: list[dict[str, Any]], days: int, room_mm: float, header_lines: int) -> float:
    """The largest font size (pt) at which the week's table fits one page, by an estimate of its
    height; below 5.5 pt the table goes on over a second page instead (headers repeat)."""
    column_mm = (PAGE_WIDTH_MM - room_mm) / max(days, 1)
    for size in [x / 2 for x in range(20, 10, -1)]:  # 10 pt down to 5.5 pt
        char_mm, line_mm = 0.58 * size * 0.3528, 1.22 * size * 0.3528
        per_line = max((column_mm - 2.6) / char_mm, 4)
        room_line = max((room_mm - 2.6) / char_mm, 4)
        height = 14 + 6 + line_mm * header_lines + 2.5  # the page header, footer, the days' header row
        for row in rows:
            cells = [_lines(row["room"], room_line)]
            for cell in row["cells"]:
                lines = 1.5 if cell["closed"] else 0
                for b in cell["bookings"]:
                    lines += 1 + _lines(b["title"], per_line) + 0.9 * (_lines(b["actor"], per_line / 0.9) + _lines(b["for"], per_line / 0.9))
                    lines += (1 if b["conflict"] else 0) + (1 if b["cancelled"] else 0) + 2.4 / line_mm
                cells.append(lines)
            height += max(cells) * line_mm + 2.2
        if height <= PAGE_HEIGHT_MM * 0.93:
            return size
    return 5.5


def _audience(b: dict[str, Any]) -> str:
    from .coordination import audience_label

    return audience_label(b.get("audience"))


def _page_booking(b: dict[str, Any], conflicting: set[int]) -> dict[str, Any]:
    end = schedule.clock(b["end"]) if b["end"][:10] == b["start"][:10] else f"{page_day(dt.date.fromisoformat(b['end'][:10]))} {schedule.clock(b['end'])}"
    return {
        "time": f"{schedule.clock(b['start'])}–{end}", "title": visible(b["title"]), "actor": visible(b["actor"] or ""),
        "for": _("For: {groups}").format(groups=audience) if (audience := _audience(b)) else "",
        "conflict": b["id"] in conflicting, "cancelled": b["status"] == "cancelled",
    }


def week_page(plan: Any, per_room: bool = False) -> str:
    """The week as a printable HTML page: one A4 landscape page per centre (per room with
    `per_room`), days across, rooms down; holidays and closures marked in words and by hatching."""
    names, week = _weekday_names(), page_week(plan.monday)
    pages = []
    for cw in plan.centres:
        groups = [[room] for room in cw.rooms] if per_room else [cw.rooms]
        for rooms in groups:
            days = []
            for day in cw.days:
                note = cw.notes.get(day, "")
                closed = note.startswith("lukket: ")
                days.append({
                    "date": day, "name": f"{names[day.weekday()]} {page_day(day)}",
                    "closed": _("Closed: {reason}").format(reason=note[len("lukket: "):]) if closed else "",
                    "note": (_("Closed: {reason}").format(reason=note[len("lukket: "):]) if closed else
                             _("Public holiday: {name}").format(name=note) if note else ""),
                })
            rows = []
            for room in rooms:
                cells = []
                for day in days:
                    todays = [b for b in cw.bookings if b["room_id"] == room["id"] and b["start"][:10] == day["date"].isoformat()]
                    cells.append({"closed": day["closed"], "bookings": [_page_booking(b, plan.conflicting) for b in todays]})
                rows.append({"room": visible(room["name"]), "cells": cells})
            longest = max((len(word) for r in rooms for word in r["name"].split()), default=8)
            room_mm = max(20.0, min(48.0, longest * 0.62 * 10 * 0.3528 + 3.5))  # the longest word at 10 pt
            font = _font_size(rows, len(days), room_mm, 1 + any(d["note"] for d in days))
            legend = [_("⚠ Double booking: two bookings of the same room at the same time.")] if any(
                b["conflict"] for r in rows for c in r["cells"] for b in c["bookings"]) else []
            pages.append({
                "name": visible(cw.centre["name"]), "sub": visible(rooms[0]["name"]) if per_room else "",
                "week": week, "days": days, "rows": rows, "font_size": font, "room_width": room_mm,
                "legend": " ".join(legend),
            })
    return _template("week.html.j2").render(
        lang=_language(), title=f"{week} · " + ", ".join(p["name"] for p in pages) if pages else week,
        pages=pages, printed=_printed(),
        labels={"room": _("Room"), "conflict": _("Double booking"), "cancelled": _("Cancelled"),
                "empty": _("No rooms to show this week.")},
    )


def agenda_page(rows: Sequence[dict[str, Any]], first: str | None, last: str | None) -> str:
    """Bookings as a printable agenda (A4 portrait): day by day, each with time, title, room and
    centre, actor and booking id."""
    from .overlaps import Slot, overlapping_pairs

    active = [b for b in rows if b["status"] == "active"]
    conflicting = {s.ref for pair in overlapping_pairs(Slot(b["room_id"], b["start"], b["end"], b["id"]) for b in active) for s in pair}
    names = _weekday_names()
    by_day: dict[str, list[dict[str, Any]]] = {}
    for b in rows:
        by_day.setdefault(b["start"][:10], []).append(b)
    holidays: dict[dt.date, str] = {}
    if by_day:
        from . import schedule

        holidays = schedule.danish_holidays(dt.date.fromisoformat(min(by_day)), dt.date.fromisoformat(max(by_day)))
    days = []
    for day_text, bookings in sorted(by_day.items()):
        day = dt.date.fromisoformat(day_text)
        days.append({
            "name": f"{names[day.weekday()]} {page_day(day, True)}",
            "note": _("Public holiday: {name}").format(name=holidays[day]) if day in holidays else "",
            "bookings": [{**_page_booking(b, conflicting), "room": visible(b["room"]), "centre": visible(b["centre"]), "id": b["id"]}
                         for b in sorted(bookings, key=lambda b: (b["start"], b["centre"], b["room"], b["id"]))],
        })
    if first and last:
        period = f"{page_day(dt.date.fromisoformat(first), True)} – {page_day(dt.date.fromisoformat(last), True)}"
    elif first:
        period = _("from {date}").format(date=page_day(dt.date.fromisoformat(first), True))
    elif last:
        period = _("until {date}").format(date=page_day(dt.date.fromisoformat(last), True))
    else:
        period = ""
    return _template("agenda.html.j2").render(
        lang=_language(), title=_("Bookings"), period=period, days=days, printed=_printed(),
        labels={"time": _("Time"), "what": _("Activity"), "where": _("Room"), "actor": _("Actor"), "id": _("No."),
                "conflict": _("Double booking"), "cancelled": _("cancelled"), "empty": _("No bookings in the period.")},
    )


# ---------------------------------------------------------------------------------------------
# Rich tables of the coordination, change and report commands


def new_table(title: str | None = None, **options: Any):
    from rich import box
    from rich.table import Table

    return Table(title=literal(_(title)) if title else None, box=box.SIMPLE_HEAVY, title_justify="left", title_style="bold", **options)


def _dates_table(title: str, rows: Sequence[tuple[str, str]]) -> None:
    table([Column("date", _("Date"), wrap=False), Column("time", _("Time"), wrap=False)],
          [[when(start)[:-6], f"{schedule.clock(start)}–{schedule.clock(end)}"] for start, end in rows], title=title, stderr=True, separate=False)

def activity_change(result: Any) -> None:
    """What `edit activity` changes (or would, in a dry run): dates removed, added and moved,
    the conflicts, and the fields."""
    from .i18n import _, is_danish, ngettext, pgettext

    if result.removed:
        _dates_table(ngettext("{count} date removed", "{count} dates removed", len(result.removed)).format(
            count=len(result.removed)), [(b["start"], b["end"]) for b in result.removed])
    if result.changed:
        table([Column("date", _("Date"), wrap=False), Column("was", _("Was")), Column("new", _("Becomes"), wrap=False)],
              [[when(new.start)[:-6], f"{schedule.clock(booking['start'])}–{schedule.clock(booking['end'])} {booking['room']}",
                f"{schedule.clock(new.start)}–{schedule.clock(new.end)}"] for booking, new in result.changed],
              title=ngettext("{count} date moved", "{count} dates moved", len(result.changed)).format(count=len(result.changed)),
              stderr=True, separate=False)
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
        message(_("Nothing to change for {title} from {day}.").format(title=result.title, day=schedule.long_day(result.effective)))
        return
    verb = _("Would change") if result.dry_run else _("Changed")
    message(_("{verb} {title} from {day}: {removed} removed, {added} added, {changed} moved; {cancelled} cancelled dates stay cancelled.").format(
        verb=verb, title=result.title, day=schedule.long_day(result.effective), removed=len(result.removed), added=len(result.added),
        changed=len(result.changed), cancelled=len(result.kept_cancelled)))


def restored(result: Any, preview: bool = False) -> None:
    from .i18n import _, is_danish, ngettext, pgettext

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
    from .i18n import _, is_danish, ngettext, pgettext

    if result.unchanged:
        message(_("Nothing to change: the closure is {first}–{last} ({reason}) already.").format(
            first=schedule.long_day(result.date_from), last=schedule.long_day(result.date_until), reason=result.reason))
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
        centre=result.centre, first=schedule.long_day(result.date_from), last=schedule.long_day(result.date_until), reason=result.reason))


def day_sessions(rows: Sequence[dict[str, Any]], day: dt.date) -> None:
    """The sessions of a day with the attendance registered so far (on stderr: a walk's context)."""
    from .i18n import _

    cells = []
    for r in rows:
        registered = _("cancelled") if r["status"] == "cancelled" else ("" if r["attendance"] is None else str(r["attendance"]))
        cells.append([str(r["id"]), f"{schedule.clock(r['start'])}–{schedule.clock(r['end'])}", r["centre"], r["room"],
                      [[(unbroken(r["title"]), "bold")]], registered])
    table([Column("id", _("Booking"), wrap=False), Column("time", _("Time"), wrap=False), Column("centre", _("Centre"), keep=40),
           Column("room", _("Room"), keep=60), Column("title", _("Title")), Column("registered", _("Registered"), wrap=False)],
          cells, title=_("Sessions on {day}").format(day=when(day.isoformat() + "T00:00")[:-6]), stderr=True)


_REPORT_BY_EN = {"focus": N_("Focus area"), "category": N_("Category"), "type": N_("Type"), "actor": N_("Actor"),
                 "centre": N_("Centre"), "target": N_("Target group")}


def _number(value: Any, decimals: int = 0) -> str:
    if value is None:
        return "–"
    point = "," if is_danish() else "."  # 205,5 timer in Danish
    if decimals:
        return f"{value:,.{decimals}f}".replace(",", "\u202f").replace(".", point)
    return f"{value:,}".replace(",", "\u202f")


def _share(value: Any) -> str:
    return "–" if value is None else f"{value * 100:.0f} %"


def _bar(value: int, top: int, width: int = 20) -> list[list[Run]]:
    """A group's attendance as a bar scaled to the largest group's, with the figure after it."""
    length = value / (top or 1) * width
    bar = "█" * int(length) + ("▌" if length - int(length) >= 0.5 else "")
    return [[(bar or "·", "cyan"), (" " + _number(value), "bold")]]


def report_tables(report: dict[str, Any]) -> None:
    """The report in the terminal: per group a row of figures with its attendance as a bar beside
    them; who was reached (gender, age bands); internal meetings apart. Figures are never cut:
    at a narrow width the columns that matter least are left out, and named."""
    from .i18n import _

    by = _(_REPORT_BY_EN[report["by"]])
    resident = [g for g in report["groups"] if not g["internal"]]
    internal = [g for g in report["groups"] if g["internal"]]
    heading = _("Report {first} – {last}, by {by}; sessions up to {held} are held").format(
        first=schedule.long_day(report["first"]), last=schedule.long_day(report["last"]), by=by.lower(),
        held=schedule.long_day(report["held_until"]))
    figure = {"wrap": False, "align": "right"}
    label = Column("label", by, cap=36)  # a focus area's long words are never broken
    columns = [label, Column("activities", _("Activities"), keep=70, **figure),
               Column("held", _("Held"), **figure), Column("cancelled", _("Cancelled"), keep=60, **figure),
               Column("hours", _("Hours"), keep=50, **figure), Column("registered", _("Registered"), keep=40, **figure),
               Column("attendance", _("Attendance"), **figure), Column("average", _("Average"), keep=55, **figure),
               Column("new", _("New"), keep=65, **figure), Column("capacity", _("Capacity use"), keep=45, **figure),
               Column("bar", _("Attendance, as bars"), keep=30, wrap=False)]
    first = True
    for title, groups in ((_("Resident activities"), resident), (_("Internal meetings (counted apart)"), internal)):
        if not groups:
            continue
        top = max(g["attendance_total"] for g in groups)
        rows = [[g["label"], _number(g["activities"]), _number(g["sessions_held"]), _number(g["sessions_cancelled"]),
                 _number(g["hours"], 1), _number(g["sessions_with_attendance"]), _number(g["attendance_total"]),
                 _number(g["attendance_average"], 1), _number(g["new_participants"]), _share(g["capacity_use"]),
                 _bar(g["attendance_total"], top)] for g in groups]
        fit = layout(columns, rows, console().width)
        table(columns, rows, title=f"{heading}\n\n{title}" if first else title, fit=fit)
        first = False
        if columns[-1].header in fit.left_out:  # no room beside the figures: the chart on its own
            table([label, Column("bar", _("Attendance"), wrap=False)],
                  [[g["label"], _bar(g["attendance_total"], top)] for g in groups], separate=False)
        reached = [g for g in groups if g["female"] or g["male"] or g["age_bands"]]
        if reached:
            bands = sorted({b for g in reached for b in g["age_bands"]}, key=lambda b: int(b.split("-")[0]))
            table([label, Column("female", _("Women/girls"), **figure), Column("male", _("Men/boys"), **figure),
                   *(Column(b, _("Age {band}").format(band=b), keep=50, **figure) for b in bands)],
                  [[g["label"], _number(g["female"]), _number(g["male"]), *(_number(g["age_bands"].get(b, 0)) for b in bands)]
                   for g in reached],
                  title=_("Reached: gender and age (of the sessions with attendance)"))
        causes = [g for g in groups if g["sessions_cancelled"] or g["skipped_holiday"] or g["skipped_closure"]]
        if causes:
            table([label, Column("closure", _("Cancelled by a closure"), **figure),
                   Column("other", _("Cancelled otherwise"), **figure), Column("holiday", _("Skipped: public holiday"), **figure),
                   Column("skipped", _("Skipped: closure"), **figure)],
                  [[g["label"], _number(g["cancelled_closure"]), _number(g["cancelled_other"]), _number(g["skipped_holiday"]),
                    _number(g["skipped_closure"])] for g in causes],
                  title=_("Not held: cancelled sessions, and dates skipped for holidays and closures"))
    total = report["total"]
    message(_("In all (resident activities): {activities} activities, {held} sessions held ({registered} with attendance), "
              "{attendance} attendances, {new} new participants; {planned} sessions still planned.").format(
        activities=total["activities"], held=total["sessions_held"], registered=total["sessions_with_attendance"],
        attendance=total["attendance_total"], new=total["new_participants"], planned=total["sessions_planned"]))


# The report page's words for the groupings: those of the terminal, spelled out where a printed
# page has the room for it.
_REPORT_PAGE_BY = {**_REPORT_BY_EN, "type": N_("Activity type"), "centre": N_("Community centre")}


def _page_number(value: Any, decimals: int = 0) -> str:
    """A figure on the report page: `1.234,5` in Danish, `1,234.5` in English; `–` for none."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}" if decimals else f"{value:,}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".") if is_danish() else text


def _page_share(value: Any) -> str:
    """A share on the report page: `43 %` in Danish, `43%` in English; `–` for none."""
    if value is None:
        return "–"
    return f"{value * 100:.0f}" + (" %" if is_danish() else "%")


def _band_label(band: str) -> str:
    """An age band of the report (`6-12`, `65-`) as its column says it: `6–12 år`, `65+ år`
    (`6–12 years`, `65+ years`)."""
    low, _dash, high = band.partition("-")
    return _("{low}–{high} years").format(low=low, high=high) if high else _("{low}+ years").format(low=low)


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
        shown = _page_number(value) if isinstance(value, int) else _page_number(value, 1)
        parts.append(f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{width}" height="{row - 8}" rx="2"></rect>')
        parts.append(f'<text x="{label_width + width + 6}" y="{y + 16}" class="value">{escape(shown)}{escape(unit)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def report_html(report: dict[str, Any], *, scope: str, generated: str) -> str:
    """The report as one self-contained, printable HTML page in the interface's language: tables
    and SVG charts, no script and nothing fetched from the network. Every text is made here, whole
    sentences through `_()`; the template lays them out, and Jinja2 escapes them (`scope` names a
    centre or an area as the user typed it)."""
    from importlib import resources

    import jinja2
    from markupsafe import Markup

    source = (resources.files("medborger_cli") / "templates" / "report.html.j2").read_text(encoding="utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["number"] = _page_number
    env.filters["share"] = _page_share
    resident = [g for g in report["groups"] if not g["internal"]]
    internal = [g for g in report["groups"] if g["internal"]]
    sections = []
    for title, groups in ((_("Resident activities"), resident), (_("Internal meetings (counted apart)"), internal)):
        if not groups:
            continue
        bands = sorted({b for g in groups for b in g["age_bands"]}, key=lambda b: int(b.split("-")[0]))
        sections.append({
            "title": title, "groups": groups, "bands": [{"code": b, "label": _band_label(b)} for b in bands],
            "chart_attendance": Markup(_svg_bars(groups, "attendance_total")),
            "chart_sessions": Markup(_svg_bars(groups, "sessions_held")),
        })
    by = _(_REPORT_PAGE_BY[report["by"]])
    total, n = report["total"], _page_number
    text = {
        "title": _("Report to the steering group {first} – {last}").format(first=report["first"], last=report["last"]),
        "heading": _("Report to the steering group"),
        "period": _("Period: {first} – {last} (held up to and including {held})").format(
            first=report["first"], last=report["last"], held=report["held_until"]),
        "scope": _("Scope: {scope} · Grouped by: {by} · Printed {date}").format(scope=scope, by=by.lower(), date=generated),
        "total": _("In all: {activities} activities, {held} sessions held, {cancelled} cancelled, {hours} hours, "
                   "{attendance} participants at {registered} registered sessions, {new} of them new.").format(
            activities=n(total["activities"]), held=n(total["sessions_held"]), cancelled=n(total["sessions_cancelled"]),
            hours=n(total["hours"], 1), attendance=n(total["attendance_total"]), registered=n(total["sessions_with_attendance"]),
            new=n(total["new_participants"])),
        "empty": _("No activities in the period."),
        "note": _("Attendance is registered as a number per session held, never with names, CPR numbers or ethnicity. "
                  "Cancelled and future sessions have no attendance. Capacity use: participants against the room's places "
                  "at the registered sessions. An activity with several target groups is counted under each of them."),
    }
    # the context `report page`: where the page's Danish is its own (`Afholdt`, `Deltagere`) and
    # not the terminal table's (`Holdt`, `Fremmøde`) for the same English word
    labels = {
        "by": by, "activities": _("Activities"), "held": pgettext("report page", "Held"), "cancelled": _("Cancelled"),
        "hours": _("Hours"), "registered": _("Registered"), "attendance": pgettext("report page", "Attendance"),
        "average": _("Average per session"), "new": _("New"), "capacity": pgettext("report page", "Capacity use"),
        "chart_attendance": pgettext("report page", "Attendance"), "chart_sessions": _("Sessions held"),
        "not_held": _("Not held"), "cancelled_closure": pgettext("report page", "Cancelled by a closure"),
        "cancelled_other": pgettext("report page", "Cancelled otherwise"), "skipped_holiday": _("Skipped: public holiday"),
        "skipped_closure": _("Skipped: closure"), "planned": _("Planned later"),
        "reached": _("Who was reached (at the registered sessions)"), "female": _("Women/girls"), "male": _("Men/boys"),
    }
    return env.from_string(source).render(lang=_language(), text=text, labels=labels, sections=sections)
