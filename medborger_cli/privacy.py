"""Personal data (GDPR): where a person is mentioned, and erasing exactly that.

`plan()` decides every value an erase will change; `privacy show` prints that plan and `privacy
erase` applies the same plan, so what is shown is what is changed. A person is matched by whole
words (a name), by the digits of a phone number, or by an e-mail address (case-insensitively),
never by a part of a word. An actor's contact person, e-mail and phone are one record: when one of
them names the person, all three are emptied, and their values are cut out of free text too.
The store only reads and writes the values it is given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from . import rules, store
from .errors import BadInput

REPLACEMENT = "[slettet]"
# Where a person can appear: the contact record of actors, and free text anywhere.
CONTACT_FIELDS = ("contact", "email", "phone")
FREE_TEXT = {
    "centres": ("name", "address", "owner", "operator"),
    "rooms": ("name",),
    "actors": ("name",),
    "activities": ("title",),
    "bookings": ("title", "note"),
    "closures": ("reason",),
    "acknowledgements": ("note",),
    "attendance": ("note",),
    "changes": ("summary", "old", "new", "command"),  # the change log keeps old values: they go too
}
MIN_PHONE_DIGITS = 6


@dataclass(frozen=True)
class Change:
    table: str
    id: Any
    column: str
    value: str
    new: str | None  # None: emptied
    personal: bool  # a contact field (else a mention in free text)

    def as_dict(self) -> dict[str, Any]:
        return {"table": self.table, "id": self.id, "column": self.column, "value": self.value, "new": self.new,
                "personal": self.personal}


@dataclass
class Plan:
    needle: str
    people: list[dict[str, Any]] = field(default_factory=list)  # the contact records that match
    changes: list[Change] = field(default_factory=list)


class Needle:
    """What identifies a person in text: a name (whole words), a phone number (its digits) or an
    e-mail address."""

    def __init__(self, text: str):
        self.text = " ".join(text.split())
        digits = re.sub(r"\D", "", self.text)
        self.kind = ("email" if "@" in self.text else
                     "phone" if len(digits) >= MIN_PHONE_DIGITS and re.fullmatch(r"[\d\s+()./-]+", self.text) else
                     "name")
        if self.kind == "phone":
            national = digits[2:] if digits.startswith("45") and len(digits) == 10 else digits
            national = national[4:] if national.startswith("0045") else national
            # the national number, with or without +45 / 0045, digits apart by spaces, dots or dashes
            spaced = r"[\s./-]?".join(national)
            self.pattern = re.compile(rf"(?<![\d+])(?:(?:\+|00)45[\s./-]?)?{spaced}(?!\d)")
        elif self.kind == "email":
            self.pattern = re.compile(rf"(?<![\w.+-]){re.escape(self.text)}(?![\w.-]*\w)", re.IGNORECASE)
        else:
            words = r"\s+".join(re.escape(w) for w in self.text.split())
            self.pattern = re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE)

    def found_in(self, value: Any) -> bool:
        return value is not None and bool(self.pattern.search(str(value)))

    def cut(self, value: str) -> str:
        return self.pattern.sub(REPLACEMENT, value)


def _needle(text: str) -> Needle:
    value = rules.text(text, "name")
    needle = Needle(value)
    if needle.kind == "name" and len(re.sub(r"\W", "", value)) < 3:
        raise BadInput("give at least three letters of the person's name, or an e-mail or phone number", field="name",
                       value=text)
    return needle


def plan(db: Database, text: str, person: int | None = None) -> Plan:
    """Everything an erase of `text` would change. When several contact records match, the
    plan lists them in `people` and changes nothing until `person` (an actor's id) says which."""
    needle = _needle(text)
    result = Plan(needle.text)
    contacts = [r for r in store.contact_records(db) if any(needle.found_in(r[c]) for c in CONTACT_FIELDS)]
    result.people = [{"id": r["id"], "actor": r["name"], **{c: r[c] for c in CONTACT_FIELDS}} for r in contacts]
    if person is not None:
        contacts = [r for r in contacts if r["id"] == person]
        if not contacts:
            raise BadInput(f"actor {person} holds no contact data matching '{needle.text}'", field="person", value=person)
    elif len({_who(r) for r in contacts}) > 1:
        return result  # several people: the caller must choose
    needles = [needle]
    for record in contacts:
        for column in CONTACT_FIELDS:
            if record[column]:
                result.changes.append(Change("actors", record["id"], column, record[column], None, True))
                needles.append(Needle(record[column]))
    if person is not None:
        needles = needles[1:]  # the chosen person's own values; the typed text may fit others too
    for table, columns in FREE_TEXT.items():
        for row_id, column, value in store.text_values(db, table, columns):
            new = value
            for n in sorted(needles, key=lambda n: len(n.text), reverse=True):
                new = n.cut(new)
            if new != value:
                result.changes.append(Change(table, row_id, column, value, new, False))
    return result


def _who(record: dict[str, Any]) -> tuple:
    """Two contact records are the same person when their values agree (e.g. one contact for
    two actors)."""
    return tuple((record[c] or "").casefold() for c in CONTACT_FIELDS)


@dataclass
class Erased:
    plan: Plan
    rewritten: bool  # the old values are gone from the file and its journal
    pending: str | None = None  # why not (another program reading, a full disk)
    copies: list[Path] = field(default_factory=list)  # automatic copies that may still hold the data


def erase(db: Database, path: Path, text: str, person: int | None = None) -> Erased:
    """Apply the plan in one transaction, then rewrite the file so the old values leave it."""
    import sqlite3

    with store.write(db):
        result = plan(db, text, person)
        if result.people and not result.changes:
            return Erased(result, rewritten=False)
        for change in result.changes:
            store.set_text_value(db, change.table, change.id, change.column, change.new)
    rewritten, pending = False, None
    try:
        rewritten = store.scrub(db)
        if not rewritten:
            pending = "another program is reading the database"
    except sqlite3.OperationalError as exc:
        pending = str(exc)
    return Erased(result, rewritten, pending, automatic_copies(path))


def scrub(db: Database) -> bool:
    return store.scrub(db)


def automatic_copies(path: Path) -> list[Path]:
    """The copies medborger made beside the database before upgrading it."""
    return sorted(p for p in path.parent.glob(f"{path.name}.before-*.bak") if p.is_file())
