"""CSV that Danish spreadsheets read: dialects, formula-injection guard, reading what Excel saves.

Export is RFC 4180 (UTF-8, comma, CRLF) by default, or with `excel=True` what Danish Excel opens
by double-click (UTF-8 with BOM, semicolon, CRLF). A text cell that a spreadsheet would run as a
formula gets one leading apostrophe; import takes exactly that one away again.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from . import files
from .errors import BadInput

# What each table's file holds, in order. Lists inside a cell are separated by ";".
COLUMNS: dict[str, list[str]] = {
    "centres": ["name", "type", "municipality", "area", "address", "owner", "operator", "funding_period"],
    "rooms": ["centre", "name", "capacity"],
    "actors": ["name", "sector", "contact", "email", "phone"],
    "closures": ["centre", "from", "until", "reason"],
    "activities": [
        "centre", "activity", "title", "room", "actor", "partners", "category", "type", "age", "gender", "target_groups",
        "internal", "focus", "weekdays", "start", "end", "from", "until", "on", "every", "monthly", "include_holidays",
    ],
    "bookings": ["centre", "room", "title", "actor", "start", "end", "status", "activity", "note"],
    "attendance": ["centre", "room", "title", "start", "count", "new", "female", "male", "age_bands", "note"],
}
REQUIRED: dict[str, list[str]] = {
    "centres": ["name", "type", "municipality"],
    "rooms": ["centre", "name"],
    "actors": ["name", "sector"],
    "closures": ["centre", "from", "until", "reason"],
    # category or type, and age, gender or target_groups: checked row by row (rules.activity_fields)
    "activities": ["centre", "title", "room", "actor", "start", "end"],
    "bookings": ["centre", "room", "title", "actor", "start", "end"],
    "attendance": ["centre", "room", "start", "count"],
}
IMPORT_ORDER = ["centres", "rooms", "actors", "closures", "activities", "bookings", "attendance"]
EXPORT_TABLES = IMPORT_ORDER + ["overlaps", "collaboration"]

FORMULA_STARTS = "=+-@\t\r"  # what a spreadsheet would run as a formula
GUARD_MARK = "'"
FORMULA_GUARD = (FORMULA_STARTS, GUARD_MARK)
_DANGEROUS = re.compile(f"^{GUARD_MARK}*[{re.escape(FORMULA_STARTS)}]")
_ADDED = re.compile(f"^{GUARD_MARK}+[{re.escape(FORMULA_STARTS)}]")


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet would run (=, +, -, @, tab, CR first; also after apostrophes,
    so that the round trip stays exact) gets one apostrophe in front."""
    if isinstance(value, str) and _DANGEROUS.match(value):
        return "'" + value
    return value


def restore(value: str) -> str:
    """Take away the one apostrophe that `neutralise` added."""
    if _ADDED.match(value):
        return value[1:]
    return value


def cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


class Writer:
    """Writes rows to a text stream in one of the two dialects, one row at a time."""

    def __init__(self, stream: TextIO, columns: list[str], *, excel: bool = False, raw: bool = False):
        self.stream = stream
        self.columns = columns
        self.raw = raw
        self.excel = excel
        if excel:
            stream.write("\ufeff")
        self.writer = csv.writer(stream, delimiter=";" if excel else ",", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        self.writer.writerow(columns)

    def write_cells(self, rows: Iterable[tuple]) -> int:
        """Rows whose cells are ready as they are (guarded already, in column order)."""
        count = 0
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) == 5000:
                self.writer.writerows(batch)
                count += len(batch)
                batch = []
        self.writer.writerows(batch)
        return count + len(batch)

    def write(self, row: dict[str, Any]) -> None:
        values = [cell(row.get(c)) for c in self.columns]
        if self.excel:  # Danish Excel reads 13.75 as a date or a thousand: write 13,75
            values = [repr(v).replace(".", ",") if isinstance(v, float) else v for v in values]
        if not self.raw:
            values = [neutralise(v) for v in values]
        self.writer.writerow(values)

    def write_all(self, rows: Iterable[dict[str, Any]]) -> int:
        count = 0
        for row in rows:
            self.write(row)
            count += 1
        return count


class Undecodable(ValueError):
    """The bytes are not text medborger reads: `line` is where (1-based; None: the whole file),
    `reason` says why and what to do."""

    def __init__(self, line: int | None, reason: str):
        super().__init__(reason)
        self.line = line
        self.reason = reason


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _line_of(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1


def is_utf16(data: bytes) -> bool:
    """A byte-order mark, or NUL bytes on every other byte as UTF-16 text without one has."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    sample = data[:4096]
    if len(sample) < 4:
        return False
    even, odd = sample[0::2], sample[1::2]
    nul_even, nul_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    return max(nul_even, nul_odd) > 0.3 and min(nul_even, nul_odd) < 0.05


def decode(data: bytes, name: str = "") -> str:
    """UTF-8 (with or without BOM); what older Excel saves on Danish Windows (cp1252) otherwise.

    Raises Undecodable for UTF-16, for NUL bytes, for a mix of UTF-8 and other bytes and for
    bytes Windows-1252 does not define."""
    if is_utf16(data):
        raise Undecodable(None, "is UTF-16; save it as CSV UTF-8")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    nul = data.find(b"\x00")
    if 0 <= nul < 4096:
        raise Undecodable(None, "is not a text file; save it from the spreadsheet as CSV UTF-8")
    if nul >= 0:
        raise Undecodable(_line_of(data, nul), "holds a NUL byte; the file is damaged, save it again as CSV UTF-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start
    if _UTF8_MULTIBYTE.search(data):  # UTF-8 text with foreign bytes in it: not a cp1252 file
        raise Undecodable(_line_of(data, bad), f"holds the byte 0x{data[bad]:02X}, which is not UTF-8; save the file as CSV UTF-8")
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise Undecodable(
            _line_of(data, exc.start), f"holds the byte 0x{data[exc.start]:02X}, which is neither UTF-8 nor Windows-1252; save the file as CSV UTF-8"
        ) from None


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab, from the header line."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


class Table:
    """A CSV file read for import: header mapped to our columns, rows with their line numbers."""

    def __init__(self, path: Path, table: str, *, raw: bool = False):
        self.path = path
        self.table = table
        data = files.read_bytes(path, field="file")
        try:
            text = decode(data, str(path))
        except Undecodable as exc:
            where = f": row {exc.line}" if exc.line else ""
            raise BadInput(f"{path}{where} {exc.reason}", field="file") from None
        delimiter = sniff_delimiter(text)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            raise BadInput(f"{path} is empty; it needs a header row", field="file") from None
        except csv.Error as exc:
            raise BadInput(f"{path} is not readable as CSV ({exc})", field="file") from None
        self.header = [h.strip().lstrip("\ufeff").strip().lower().replace(" ", "_") for h in header]
        seen: set[str] = set()
        for column in self.header:
            if column and column in seen:
                raise BadInput(f"{path.name}: row 1 (the header) has column '{column}' twice; keep one of them")
            seen.add(column)
        known = COLUMNS[table]
        missing = [c for c in REQUIRED[table] if c not in self.header]
        if missing:
            raise BadInput(
                f"{path.name}: row 1 (the header) lacks column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)}; a {table} file needs {', '.join(REQUIRED[table])} (optional: "
                f"{', '.join(c for c in known if c not in REQUIRED[table]) or 'none'})"
            )
        self.raw = raw
        self._reader = reader

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(line number as a spreadsheet shows it, row); blank lines are passed over."""
        line = 1
        try:
            for values in self._reader:
                line += 1
                if not any(v.strip() for v in values):
                    continue
                cells = [v if self.raw else restore(v) for v in values]
                for number, (name, cell) in enumerate(zip(self.header, cells), 1):
                    # an unnamed column may only be empty (as Excel leaves cleared columns): a value
                    # under it would be read by no one, silently
                    if not name and cell.strip():
                        raise BadInput(f"{self.path.name}: row {line}: column {number} holds '{cell.strip()}' but has no "
                                       "name in the header (row 1); name the column or delete it")
                row = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(self.header)}
                if len(cells) > len(self.header) and any(c.strip() for c in cells[len(self.header):]):
                    row["__extra__"] = "yes"
                yield line, row
        except csv.Error as exc:
            raise BadInput(f"{self.path.name}: row {line + 1}: not readable as CSV ({exc})") from None


def split_list(text: str) -> list[str]:
    """A list cell: `a;b` (or `a, b` when no semicolon is used)."""
    parts = text.split(";") if ";" in text else text.split(",")
    return [p.strip() for p in parts if p.strip()]
