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
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from . import rules, store
from .errors import BadInput
from .i18n import _, ngettext

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
    needles: list[Any] = field(default_factory=list)  # what identifies the person in text


class Needle:
    """What identifies a person in text: a name (whole words), a phone number (its digits) or an
    e-mail address."""

    def __init__(self, text: str):
        self.text = unicodedata.normalize("NFC", " ".join(text.split()))
        digits = re.sub(r"\D", "", self.text)
        self.kind = ("email" if "@" in self.text else
                     "phone" if len(digits) >= MIN_PHONE_DIGITS and re.fullmatch(r"[\d\s+()./-]+", self.text) else
                     "name")
        if self.kind == "phone":
            national = digits[2:] if digits.startswith("45") and len(digits) == 10 else digits
            national = national[4:] if national.startswith("0045") else national
            # the national number, with or without +45 / 0045, digits apart by spaces, dots or dashes
            spaced = r"[\s./-]?".join(national)
            # a whole number: no digit before or after it, even past a space ("98 76 54" is not "98 76 54 32")
            self.pattern = re.compile(rf"(?<![\d+])(?<!\d[\s./-])(?:(?:\+|00)45[\s./-]?)?{spaced}(?![\s./-]?\d)")
        elif self.kind == "email":
            self.pattern = re.compile(rf"(?<![\w.+-]){re.escape(self.text)}(?![\w.-]*\w)", re.IGNORECASE)
        else:
            words = r"\s+".join(re.escape(w) for w in self.text.split())
            # the Danish genitive is the same name: "Hanne Zylbersteins kursus", "Lars' hold"
            # (never a longer word: "Zylbersteinsen" is another person); the ending is kept
            self.pattern = re.compile(rf"(?<!\w){words}(?P<genitive>s|['’]s?)?(?!\w)", re.IGNORECASE)

    def found_in(self, value: Any) -> bool:
        return value is not None and bool(self.pattern.search(unicodedata.normalize("NFC", str(value))))

    def cut(self, value: str) -> str:
        """`value` with every mention replaced; unchanged (in whatever form it was stored) when
        there is none. A value stored decomposed (NFD) is matched, and cut, in composed form."""
        composed = unicodedata.normalize("NFC", value)
        cut = self.pattern.sub(lambda m: REPLACEMENT + ((m.groupdict().get("genitive") or "") if self.kind == "name" else ""),
                               composed)
        return value if cut == composed else cut


def _needle(text: str) -> Needle:
    value = rules.text(text, "name")
    needle = Needle(value)
    if needle.kind == "name" and len(re.sub(r"\W", "", value)) < 3:
        raise BadInput(_("give at least three letters of the person's name, or an e-mail or phone number"), field="name",
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
            raise BadInput(_("actor {person} holds no contact data matching '{text}'").format(person=person, text=needle.text), field="person", value=person)
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
    needles += [Needle(v) for v in _earlier_values(db, {r["id"] for r in contacts}) if v]
    needles = sorted({n.text.casefold(): n for n in needles}.values(), key=lambda n: len(n.text), reverse=True)
    result.needles = needles
    for table, columns in FREE_TEXT.items():
        for row_id, column, value in store.text_values(db, table, columns):
            if table == "changes" and column in ("old", "new"):
                new = _cut_json(value, needles)
            elif table == "changes" and column == "command":
                new = _cut_command(value, needles)
            else:
                new = _cut(value, needles)
            if new != value:
                result.changes.append(Change(table, row_id, column, value, new, False))
    return result


def _cut(text: str, needles: list[Needle]) -> str:
    for n in needles:
        text = n.cut(text)
    return text


def _cut_command(text: str, needles: list[Needle]) -> str:
    """A logged command line is shell-quoted (`--contact 'Anne O'"'"'Brien'`): cut inside each of
    its arguments, so that no quoting hides a name, and quote them again."""
    import shlex

    try:
        words = shlex.split(text)
    except ValueError:
        return _cut(text, needles)
    cut = [_cut(word, needles) for word in words]
    return text if cut == words else shlex.join(cut)


def _cut_json(text: str, needles: list[Needle]) -> str:
    """The change log's old and new values are JSON: cut inside each string, never in the syntax
    (a name with a quote is stored escaped)."""
    import json

    try:
        data = json.loads(text)
    except ValueError:
        return _cut(text, needles)

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return _cut(value, needles)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    cut = walk(data)
    return text if cut == data else json.dumps(cut, ensure_ascii=False, default=str)


def _earlier_values(db: Database, actor_ids: set[int]) -> list[str]:
    """Contact values these actors had before (a changed phone number): the change log keeps them."""
    import json

    found = []
    for entry in store.changes(db):
        if entry["kind"] != "actor" or entry["row_id"] not in actor_ids:
            continue
        for side in ("old", "new"):
            data = json.loads(entry[side]) if entry[side] else {}
            found += [str(data[c]) for c in CONTACT_FIELDS if isinstance(data, dict) and data.get(c)]
    return found


def _who(record: dict[str, Any]) -> tuple:
    """Two contact records are the same person when their values agree (e.g. one contact for
    two actors)."""
    return tuple((record[c] or "").casefold() for c in CONTACT_FIELDS)


@dataclass
class Erased:
    plan: Plan
    rewritten: bool  # the old values are gone from the file and its journal
    pending: str | None = None  # why not (another program reading, a full disk)
    damaged: bool = False  # the file failed SQLite's quick check: it cannot be rewritten, restore a backup
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
        from . import actions

        actions.log(db, "erase", "person", None, command=_cut_command(actions.WHO.command or "medborger", result.needles), summary=ngettext(
            "Erased {count} value of a person's data (privacy erase)", "Erased {count} values of a person's data (privacy erase)",
            len(result.changes)).format(count=len(result.changes)), new={"values": len(result.changes)})
    store.mark_unscrubbed()  # committed: an interrupt from here on must say the old values may remain
    rewritten, pending, damaged = False, None, False
    try:
        rewritten = store.scrub(db)
        if not rewritten:
            pending = "another program is reading the database"
    except sqlite3.DatabaseError as exc:  # SQLite says "disk is full" of a damaged file too: look
        found = store.quick_check(db)
        damaged = found != ["ok"]
        pending = " ".join(str(found[0]).replace("*** in database main ***", "").split())[:80] if damaged else str(exc)
    if not rewritten and db.dialect == "postgresql":
        pending = _("only the owner of the tables may rewrite them; the server's own clean-up (VACUUM) removes the "
                    "old row versions later, or the municipality's IT can run VACUUM FULL")
    return Erased(result, rewritten, pending, damaged=damaged, copies=automatic_copies(path))


def scrub(db: Database) -> bool:
    return store.scrub(db)


def automatic_copies(path: Path) -> list[Path]:
    """The copies medborger made beside the database before upgrading it."""
    if not isinstance(path, Path):
        return []  # a server's database: no copies beside a file
    return sorted(p for p in path.parent.glob(f"{path.name}.before-*.bak") if p.is_file())
