"""Domain errors. Each carries its exit code; one handler in cli/ prints them as one line.

An error is about a *field* (`start`, `weekdays`, `target_groups`: the logical name, the same
as the column of an import file), not about a flag: the command line renders the field as its
flag (`--start`), the importer as `bookings.csv: row 3, column start`, a translation in its own
words. A reason may name another field as `{field:NAME}`; the renderer puts that field's label
there. No code parses a message.

Exit codes: 0 ok, 1 refused by the domain, 2 bad usage or bad input, 130 interrupted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .i18n import _, ngettext

_FIELD_REF = re.compile(r"\{field:([a-z_]+)\}")


def plain_label(field: str) -> str:
    """A field under its own name: what a message says where no interface renders it."""
    return field


class MedborgerError(Exception):
    exit_code = 1

    def __init__(self, reason: str, *, field: str | None = None, value: Any = None):
        super().__init__(reason)
        self.reason = reason
        self.field = field
        self.value = value

    def render(self, label: Callable[[str], str] = plain_label, *, with_field: bool = True) -> str:
        """The one-line message, each field named by `label(field)`."""
        reason = _FIELD_REF.sub(lambda m: label(m.group(1)), self.reason)
        if self.field and with_field:
            return f"{label(self.field)}: {reason}"
        return reason

    @property
    def message(self) -> str:
        return self.render()

    def __str__(self) -> str:
        return self.render()


class BadInput(MedborgerError):
    """A value the user gave is wrong: a field, what was given and what would be valid."""

    exit_code = 2


class NotFound(BadInput):
    pass


class Ambiguous(BadInput):
    pass


class MissingInput(BadInput):
    """Required values are missing and no prompt may be shown."""


class Refused(MedborgerError):
    """The domain refuses: dependants in the way, a closed centre, a non-empty database."""

    exit_code = 1


class Conflict(Refused):
    """Room conflicts stop a change. `conflicts` holds them for the report; `colliding` of
    `total` proposed dates collide; `can_skip` says whether leaving those out would leave any
    date to store. The interface adds how to go on (its own flags or choices)."""

    def __init__(self, reason: str, conflicts: list[Any], *, colliding: int = 0, total: int = 0, can_skip: bool = False):
        super().__init__(reason, field=None)
        self.conflicts = conflicts
        self.colliding = colliding
        self.total = total
        self.can_skip = can_skip


class StoreError(MedborgerError):
    """The database file cannot be used as it is (not a database, newer schema, read-only)."""

    exit_code = 2


class Unreachable(StoreError):
    """The database server cannot be reached or refuses the login: which server, what to check."""

    exit_code = 1


class Damaged(StoreError):
    """The database file is damaged: what it holds cannot be trusted; restore a backup."""

    exit_code = 1


MAX_ERRORS_SHOWN = 50


@dataclass
class RowError:
    file: str
    line: int
    column: str | None
    reason: str

    def __str__(self) -> str:
        if self.column:
            return _("{file}: row {row}, column {column}: {reason}").format(file=self.file, row=self.line, column=self.column,
                                                                          reason=self.reason)
        return _("{file}: row {row}: {reason}").format(file=self.file, row=self.line, reason=self.reason)


class ImportErrors(BadInput):
    """Every problem found in the files; nothing was written."""

    def __init__(self, errors: list[RowError]):
        shown = errors[:MAX_ERRORS_SHOWN]
        more = len(errors) - len(shown)
        n, several = len(errors), len({e.file for e in errors}) > 1
        text = (ngettext("{count} problem in the files; nothing was imported", "{count} problems in the files; nothing was imported", n)
                if several else
                ngettext("{count} problem in the file; nothing was imported", "{count} problems in the file; nothing was imported", n))
        text = text.format(count=n)
        if more:
            text = _("{message} (the first {count} are listed)").format(message=text, count=len(shown))
        super().__init__(text)
        self.errors = errors
        self.shown = shown
        self.more = more
