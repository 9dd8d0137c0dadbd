"""Personal data: where a person is mentioned, erasing them, and scrubbing the file afterwards."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only a type: reading commands never load sqlite-utils
    from sqlite_utils import Database

from .sql import name_key


# Where a person can appear: personal fields of actors, and free text anywhere.
PERSONAL_FIELDS = {"actors": ("contact", "email", "phone")}
FREE_TEXT = {
    "centres": ("name", "address", "owner", "operator"),
    "rooms": ("name",),
    "actors": ("name",),
    "activities": ("title",),
    "bookings": ("title", "note"),
    "closures": ("reason",),
    "acknowledgements": ("note",),
}


def person_mentions(db: Database, needle: str) -> list[dict[str, Any]]:
    """Every stored value that contains `needle` (case-insensitive): table, row, column, value."""
    key = name_key(needle)
    found = []
    for table, columns in {**FREE_TEXT, "actors": FREE_TEXT["actors"] + PERSONAL_FIELDS["actors"]}.items():
        id_column = "key" if table == "acknowledgements" else "id"
        for column in columns:
            for row_id, value in db.execute(
                f'SELECT {id_column}, "{column}" FROM {table} WHERE "{column}" IS NOT NULL'
            ).fetchall():
                if key in name_key(str(value)):
                    found.append({"table": table, "id": row_id, "column": column, "value": value,
                                  "personal": column in PERSONAL_FIELDS.get(table, ())})
    return found


def erase_person(db: Database, needle: str, replacement: str) -> list[dict[str, Any]]:
    """Erase a person: an actor's contact, e-mail and phone go together when any of them names
    the person, and every mention of the person (or of those values) is cut out of free text.
    Call inside `write(db)`; then `scrub(db)` so the old values leave the file and journal too."""
    import re

    hits = person_mentions(db, needle)
    actor_ids = sorted({h["id"] for h in hits if h["personal"]})
    needles = {" ".join(needle.split())}
    changed = []
    for actor_id in actor_ids:
        row = db.execute("SELECT contact, email, phone FROM actors WHERE id = ?", [actor_id]).fetchone()
        for column, value in zip(PERSONAL_FIELDS["actors"], row):
            if value:
                needles.add(" ".join(str(value).split()))
                changed.append({"table": "actors", "id": actor_id, "column": column, "value": value, "personal": True, "new": None})
        db.execute("UPDATE actors SET contact = NULL, email = NULL, phone = NULL WHERE id = ?", [actor_id])
    patterns = [re.compile(re.escape(n).replace("\\ ", r"\s+"), re.IGNORECASE) for n in sorted(needles, key=len, reverse=True)]
    seen: set[tuple] = set()
    for text in needles:
        for hit in person_mentions(db, text):
            where = (hit["table"], hit["id"], hit["column"])
            if hit["personal"] or where in seen:
                continue
            seen.add(where)
            new = str(hit["value"])
            for pattern in patterns:
                new = pattern.sub(replacement, new)
            if new == hit["value"]:
                new = replacement
            id_column = "key" if hit["table"] == "acknowledgements" else "id"
            if hit["table"] in ("centres", "rooms", "actors") and hit["column"] == "name":
                taken = db.execute(f"SELECT 1 FROM {hit['table']} WHERE name_key = ? AND id != ?", [name_key(new), hit["id"]]).fetchone()
                if taken:
                    new = f"{new} ({hit['id']})"
                db.execute(f"UPDATE {hit['table']} SET name_key = ? WHERE id = ?", [name_key(new), hit["id"]])
            db.execute(f'UPDATE {hit["table"]} SET "{hit["column"]}" = ? WHERE {id_column} = ?', [new, hit["id"]])
            changed.append({**hit, "new": new})
    return changed


def scrub(db: Database) -> None:
    """Rewrite the file and empty the write-ahead log: nothing deleted stays readable on disk."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("VACUUM")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
