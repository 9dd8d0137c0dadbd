"""The bundled sample: the four case centres of the CFBU report, season 2026/27.

The CSV files live in `sample_data/` at the top of the repository and are installed inside
the package as `medborger_cli/sample_data`. They are ordinary import files: loading goes through
`import csv`, in one transaction, so either the whole sample is stored or nothing is.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from importlib import resources
from pathlib import Path

from sqlite_utils import Database

from . import schedule, store
from .errors import Refused

# The sample's attendance covers the sessions up to this date; it is loaded as of this date
# whatever the clock says, so that the sample loads the same everywhere.
ATTENDANCE_UNTIL = dt.date(2026, 11, 27)


def _files():
    installed = resources.files("medborger_cli") / "sample_data"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / "sample_data"  # a source checkout


def read(name: str) -> list[dict[str, str]]:
    text = (_files() / name).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def load(db: Database) -> dict[str, int]:
    """Load the sample through the CSV import (its files are import files): activities get their
    dates from their rules, bookings.csv adds the one-off bookings, conflicts are kept."""
    from . import transfer

    if not store.is_empty(db):
        names = {store.name_key(r["name"]) for r in store.centres(db)}
        if {store.name_key(r["name"]) for r in read("centres.csv")} <= names:
            return {}  # the sample is there already: loading it again changes nothing
        raise Refused(
            "the database already holds data; load the sample into an empty one, e.g. "
            "`medborger {field:db} sample.db load-sample`"
        )
    files = {table: _files() / f"{table}.csv" for table in ("centres", "rooms", "actors", "closures", "activities", "bookings")}
    files["attendance"] = _files() / "attendance.csv"  # a term of attendance, for sessions up to ATTENDANCE_UNTIL
    transfer.import_files(db, files, policy="allow", generate_occurrences=True, today=max(ATTENDANCE_UNTIL, schedule.today()))
    return store.counts(db)
