"""Domain errors. Each carries its exit code; one handler in cli/ prints them as one line.

Exit codes: 0 ok, 1 refused by the domain, 2 bad usage or bad input, 130 interrupted.
"""

from __future__ import annotations

from typing import Any


class MedborgerError(Exception):
    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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
    """Room conflicts stop a booking; `conflicts` holds them for the report."""

    def __init__(self, message: str, conflicts: list[Any]):
        super().__init__(message)
        self.conflicts = conflicts


class StoreError(MedborgerError):
    """The database file cannot be used as it is (not a database, newer schema, read-only)."""

    exit_code = 2
