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
from .i18n import _, ngettext

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

    def __init__(self, stream: TextIO, columns: list[str], *, excel: bool = False, raw: bool = False, table: str | None = None):
        """With `excel`, the file Danish Excel opens: BOM, semicolons, and (given the `table`)
        Danish column names and code words (see DANISH_HEADERS)."""
        self.stream = stream
        self.columns = columns
        self.raw = raw
        self.words = danish_words(table) if excel and table else {}
        self.excel = excel
        if excel:
            stream.write("\ufeff")
        self.writer = csv.writer(stream, delimiter=";" if excel else ",", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        self.writer.writerow([danish_header(table, c) for c in columns] if excel and table else columns)

    def _danish(self, column: str, value: Any) -> Any:
        words = self.words.get(column)
        if not words or value is None:
            return value
        if isinstance(value, bool):
            value = "yes" if value else "no"
        if isinstance(value, (list, tuple)):
            return [words.get(v, v) for v in value]
        return words.get(value, value)

    def write_cells(self, rows: Iterable[tuple]) -> int:
        """Rows whose cells are ready as they are (guarded already, in column order)."""
        count = 0
        batch: list[tuple] = []
        status = self.columns.index("status") if "status" in self.words and "status" in self.columns else None
        for row in rows:
            if status is not None:
                row = (*row[:status], self._danish("status", row[status]), *row[status + 1:])
            batch.append(row)
            if len(batch) == 5000:
                self.writer.writerows(batch)
                count += len(batch)
                batch = []
        self.writer.writerows(batch)
        return count + len(batch)

    def write(self, row: dict[str, Any]) -> None:
        values = [cell(self._danish(c, row.get(c))) for c in self.columns]
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
        raise Undecodable(None, _("is UTF-16; save it as CSV UTF-8"))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    nul = data.find(b"\x00")
    if 0 <= nul < 4096:
        raise Undecodable(None, _("is not a text file; save it from the spreadsheet as CSV UTF-8"))
    if nul >= 0:
        raise Undecodable(_line_of(data, nul), _("holds a NUL byte; the file is damaged, save it again as CSV UTF-8"))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start
    if _UTF8_MULTIBYTE.search(data):  # UTF-8 text with foreign bytes in it: not a cp1252 file
        raise Undecodable(_line_of(data, bad), _("holds the byte {byte}, which is not UTF-8; save the file as CSV UTF-8").format(byte=f"0x{data[bad]:02X}"))
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise Undecodable(
            _line_of(data, exc.start), _("holds the byte {byte}, which is neither UTF-8 nor Windows-1252; save the file as CSV UTF-8").format(byte=f"0x{data[exc.start]:02X}")
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
            where = _("{file}: row {row}").format(file=path, row=exc.line) if exc.line else str(path)
            raise BadInput(f"{where} {exc.reason}", field="file") from None
        delimiter = sniff_delimiter(text)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            raise BadInput(_("{file} is empty; it needs a header row").format(file=path), field="file") from None
        except csv.Error as exc:
            raise BadInput(_("{file} is not readable as CSV ({reason})").format(file=path, reason=exc), field="file") from None
        self.header = [column_of(table, h) for h in header]  # the canonical names, or the Danish of --excel
        seen: set[str] = set()
        for column in self.header:
            if column and column in seen:
                raise BadInput(_("{file}: row 1 (the header) has column '{column}' twice; keep one of them").format(file=path.name, column=column))
            seen.add(column)
        known = COLUMNS[table]
        missing = [c for c in REQUIRED[table] if c not in self.header]
        if missing:
            raise BadInput(ngettext(
                "{file}: row 1 (the header) lacks column {missing}; a {table} file needs {required} (optional: {optional})",
                "{file}: row 1 (the header) lacks columns {missing}; a {table} file needs {required} (optional: {optional})",
                len(missing)).format(file=path.name, missing=", ".join(missing), table=table, required=", ".join(REQUIRED[table]),
                                     optional=", ".join(c for c in known if c not in REQUIRED[table]) or _("none")))
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
                        raise BadInput(_("{file}: row {row}: column {number} holds '{value}' but has no name in the "
                                         "header (row 1); name the column or delete it").format(
                                             file=self.path.name, row=line, number=number, value=cell.strip()))
                row = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(self.header)}
                if len(cells) > len(self.header) and any(c.strip() for c in cells[len(self.header):]):
                    row["__extra__"] = "yes"
                yield line, row
        except csv.Error as exc:
            raise BadInput(_("{file}: row {row}: not readable as CSV ({reason})").format(file=self.path.name, row=line + 1, reason=exc)) from None


def split_list(text: str) -> list[str]:
    """A list cell: `a;b` (or `a, b` when no semicolon is used)."""
    parts = text.split(";") if ";" in text else text.split(",")
    return [p.strip() for p in parts if p.strip()]


# ---------------------------------------------------------------------------------------------
# Danish for Excel: the column names and code words a coordinator reads in a Danish spreadsheet.
# `export csv --excel` writes them; `import csv` reads them as well as the canonical ones, so
# that either file comes back unchanged. They are fixed words of the file format, whatever the
# language of the interface; plain CSV and JSON keep the canonical keys and codes.

DANISH_HEADERS = {
    "name": "Navn", "type": "Type", "municipality": "Kommune", "area": "Område", "address": "Adresse", "owner": "Ejer",
    "operator": "Driftsherre", "funding_period": "Støtteperiode", "centre": "Center", "capacity": "Pladser",
    "sector": "Sektor", "contact": "Kontaktperson", "email": "E-mail", "phone": "Telefon", "from": "Fra", "until": "Til",
    "reason": "Begrundelse", "activity": "Aktivitet", "title": "Titel", "room": "Lokale", "actor": "Aktør",
    "partners": "Samarbejdspartnere", "category": "Kategori", "age": "Alder", "gender": "Køn", "target_groups": "Målgrupper",
    "internal": "Internt møde", "focus": "Indsatsområde", "weekdays": "Ugedage", "start": "Start", "end": "Slut",
    "on": "Dato", "every": "Hver N. uge", "monthly": "Månedlig", "include_holidays": "Også helligdage", "status": "Status",
    "note": "Note", "count": "Deltagere", "new": "Nye", "female": "Kvinder og piger", "male": "Mænd og drenge",
    "age_bands": "Aldersgrupper",
    # the reports (export only)
    "kind": "Slags", "key": "Nøgle", "ages": "Aldre", "first": "Første dato", "last": "Sidste dato",
    "same_time": "Samtidig", "why": "Hvorfor", "a_title": "Titel A", "a_actors": "Aktører A", "a_centre": "Center A",
    "b_title": "Titel B", "b_actors": "Aktører B", "b_centre": "Center B", "acknowledged": "Kvitteret",
    "actor_a": "Aktør A", "sector_a": "Sektor A", "actor_b": "Aktør B", "sector_b": "Sektor B",
    "joint_activities": "Fælles aktiviteter", "activities": "Aktiviteter", "audiences": "Målgrupper i fællesskab",
}
DANISH_HEADERS_OF = {
    "overlaps": {"count": "Antal datoer"},
    "report": {  # medborger report --excel
        "group": "Gruppekode", "label": "Gruppe", "activities": "Aktiviteter", "sessions_held": "Afholdte gange",
        "sessions_planned": "Planlagte gange", "sessions_cancelled": "Aflyste gange", "cancelled_closure": "Aflyst pga. lukning",
        "cancelled_other": "Aflyst i øvrigt", "skipped_holiday": "Sprunget over: helligdag",
        "skipped_closure": "Sprunget over: lukkeperiode", "hours": "Timer", "sessions_with_attendance": "Gange med fremmøde",
        "attendance_total": "Deltagere i alt", "attendance_average": "Gns. pr. gang", "new_participants": "Nye deltagere",
        "age_bands": "Aldersgrupper", "capacity_use": "Kapacitetsudnyttelse",
    },
}


def danish_header(table: str, column: str) -> str:
    return DANISH_HEADERS_OF.get(table, {}).get(column) or DANISH_HEADERS.get(column, column)


def _header_key(text: str) -> str:
    return text.strip().lstrip("\ufeff").strip().lower().replace(" ", "_")


def column_of(table: str, header: str) -> str:
    """The column a header cell names: its key, or the Danish header `--excel` writes."""
    key = _header_key(header)
    if key in COLUMNS.get(table, ()):
        return key
    for column in COLUMNS.get(table, ()):
        if _header_key(danish_header(table, column)) == key:
            return column
    return key


def danish_words(table: str) -> dict[str, dict[str, str]]:
    """For each column of `table` that holds codes: code -> the Danish word."""
    from . import vocab

    def words(vocabulary: dict) -> dict[str, str]:
        return {code: term.da for code, term in vocabulary.items()}

    yes = {"yes": "ja", "no": "nej"}
    return {
        "centres": {"type": words(vocab.CENTRE_TYPES)},
        "actors": {"sector": words(vocab.SECTORS)},
        "activities": {"category": words(vocab.CATEGORIES), "gender": words(vocab.GENDERS),
                       "target_groups": words(vocab.TARGET_GROUPS), "focus": words(vocab.FOCUS_AREAS),
                       "weekdays": words(vocab.WEEKDAYS), "monthly": words(vocab.MONTHLY_POSITIONS),
                       "internal": yes, "include_holidays": yes},
        "bookings": {"status": {"active": "aktiv", "cancelled": "aflyst"}},
        "report": {"internal": yes},
    }.get(table, {})
