"""Every check a change must pass, in one copy: field values, recurrence, closures, room
conflicts and the refuse/skip/allow policy.

Called by every door through which data changes (the commands, the CSV import, and every
later one). Pure: values come in as plain text, numbers or lists, existing bookings and
closures are passed in, and the result is a typed record or a `BadInput`/`Refused`/`Conflict`
naming the logical field (`start`, `weekdays`, `target_groups`, the columns of an import file).
How a field is shown (a flag, a column) is the caller's business.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import schedule, vocab
from .errors import BadInput, Conflict, Refused
from .i18n import N_, _, is_danish, ngettext
from .overlaps import Audience, Slot, conflicts_of

MAX_NAME = 200
MAX_TEXT = 2000
MAX_BOOKING_SPAN = dt.timedelta(days=14)
MAX_CAPACITY = 100_000
POLICIES = ("refuse", "skip", "allow")
YES = ("yes", "ja", "j", "y", "1", "true", "x")
NO = ("no", "nej", "n", "0", "false", "")
STATUSES = {"active": "active", "aktiv": "active", "cancelled": "cancelled", "canceled": "cancelled", "aflyst": "cancelled"}

Values = Mapping[str, Any]


# ---------------------------------------------------------------------------------------------
# Text


def _refused_character(text: str) -> str | None:
    """The first character a name or note must not hold: controls (C0, C1), bidi controls,
    zero-width and other invisible format characters, and bytes that were not UTF-8. A
    zero-width joiner is allowed inside emoji and scripts that need it (between two non-ASCII
    characters)."""
    for i, ch in enumerate(text):
        category = unicodedata.category(ch)
        if category in ("Cc", "Cs", "Co", "Cn", "Zl", "Zp"):
            return ch
        if category == "Cf":
            if ch in "\u200c\u200d" and 0 < i < len(text) - 1 and ord(text[i - 1]) > 127 and ord(text[i + 1]) > 127:
                continue
            return ch
    return None


MAX_RECORD_ID = 2**63 - 1  # the largest id a record can have (SQLite's largest integer)


def record_id(value: Any) -> int | None:
    """The record id `value` names: ASCII digits of a number a record can have; None for
    anything else (`٣`, `²`, a number too large), which is then taken as a name."""
    text = "" if value is None else str(value).strip()
    if not text or not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if number <= MAX_RECORD_ID else None


def text(value: Any, field: str, *, required: bool = True, limit: int = MAX_NAME) -> str | None:
    """Trimmed text with runs of white space folded, in Unicode's composed form (NFC: "é" as
    one character, however it was typed), so that a name is found as it is written; empty is
    an error when required, None otherwise. A stray byte-order mark is dropped; control and
    bidi characters are refused."""
    raw = "" if value is None else str(value)
    raw = unicodedata.normalize("NFC", raw.replace("\ufeff", ""))
    bad = _refused_character(raw.replace("\t", " ").replace("\n", " ").replace("\r", " "))
    if bad is not None:
        if 0xDC80 <= ord(bad) <= 0xDCFF:
            raise BadInput(_("'{text}' holds bytes that are not UTF-8; type it again or save the file as UTF-8").format(text=raw),
                           field=field, value=raw)
        raise BadInput(_("'{text}' contains a control or invisible character ({char}); use plain text").format(text=raw, char=f"U+{ord(bad):04X}"),
                       field=field, value=raw)
    cleaned = " ".join(raw.split())
    if not cleaned:
        if required:
            raise BadInput(_("must not be empty"), field=field, value=raw)
        return None
    if len(cleaned) > limit:
        raise BadInput(_("{count} characters is too long; keep it under {limit}").format(count=len(cleaned), limit=limit), field=field, value=raw)
    return cleaned


def note(value: Any, field: str = "note") -> str | None:
    return text(value, field, required=False, limit=MAX_TEXT)


def _code(vocabulary: dict, value: Any, field: str) -> str:
    return vocab.parse(vocabulary, "" if value is None else str(value), field)


def _codes(vocabulary: dict, values: Any, field: str) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return vocab.parse_many(vocabulary, [str(v) for v in values], field)


def codes_of(kind: str, values: Any, field: str) -> list[str]:
    """Codes of a vocabulary (`target_groups`, `weekdays`, ...) from names, labels or aliases."""
    vocabulary = {"target_groups": vocab.TARGET_GROUPS, "weekdays": vocab.WEEKDAYS, "category": vocab.CATEGORIES}[kind]
    codes = _codes(vocabulary, values, field)
    return sorted(codes, key=list(vocabulary).index) if kind == "weekdays" else codes


def monthly_code(value: Any) -> str:
    return _code(vocab.MONTHLY_POSITIONS, value, "monthly")


def whole_number(value: Any, field: str, low: int, high: int, what: str) -> int | None:
    """A whole number from `low` to `high`, from an int or text; None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise BadInput(_("'{value}' is not {what}").format(value=value, what=_(what)), field=field, value=value)
    if isinstance(value, int):
        number = value
    else:
        shown = str(value).strip()
        if not shown.isdigit() or not shown.isascii():
            raise BadInput(_("'{value}' is not {what}; give a whole number from {low} to {high}").format(value=shown, what=_(what), low=low, high=high), field=field, value=value)
        number = int(shown)
    if not low <= number <= high:
        raise BadInput(_("{value} is not {what}; give a whole number from {low} to {high}").format(value=number, what=_(what), low=low, high=high), field=field, value=value)
    return number


def flag(value: Any, field: str) -> bool:
    """A yes/no value: a bool, or yes/ja/1/x and no/nej/0/empty in a file."""
    if isinstance(value, bool) or value is None:
        return bool(value)
    word = str(value).strip().casefold()
    if word in YES:
        return True
    if word in NO:
        return False
    raise BadInput(_("'{value}' is not yes or no; write yes or no (ja/nej)").format(value=value), field=field, value=value)


# ---------------------------------------------------------------------------------------------
# Centres, rooms, actors, closures


def centre_record(values: Values) -> dict[str, Any]:
    return {
        "name": text(values.get("name"), "name"),
        "type": _code(vocab.CENTRE_TYPES, values.get("type"), "type"),
        "municipality": text(values.get("municipality"), "municipality"),
        **{k: text(values.get(k), k, required=False) for k in ("area", "address", "owner", "operator")},
        "funding_period": funding_period(values.get("funding_period")),
    }


def room_record(values: Values) -> dict[str, Any]:
    return {
        "name": text(values.get("name"), "name"),
        "capacity": whole_number(values.get("capacity"), "capacity", 1, MAX_CAPACITY, N_("a number of people")),
    }


def actor_record(values: Values) -> dict[str, Any]:
    record = {
        "name": text(values.get("name"), "name"),
        "sector": _code(vocab.SECTORS, values.get("sector"), "sector"),
        **{k: text(values.get(k), k, required=False) for k in ("contact", "email", "phone")},
    }
    email, phone = record["email"], record["phone"]
    if email and ("@" not in email or " " in email or email.startswith("@") or email.endswith("@")):
        raise BadInput(_("'{value}' is not an e-mail address; write it as name@example.dk").format(value=email), field="email", value=email)
    if phone and (not all(ch.isdigit() or ch in " +-()./" for ch in phone) or not any(ch.isdigit() for ch in phone)):
        raise BadInput(_("'{value}' is not a phone number; use digits, spaces and +").format(value=phone), field="phone", value=phone)
    return record


def closure_record(values: Values) -> dict[str, Any]:
    first = schedule.parse_date(values.get("from"), "from")
    last = schedule.parse_date(values.get("until"), "until")
    if last < first:
        raise BadInput(_("{until} is before {{field:from}} {first}").format(until=schedule.long_day(last), first=schedule.long_day(first)),
                       field="until", value=values.get("until"))
    return {"date_from": first, "date_until": last, "reason": text(values.get("reason"), "reason")}


# ---------------------------------------------------------------------------------------------
# Activities and bookings


@dataclass(frozen=True)
class ActivityFields:
    """An activity's own values, checked; names of centre, room and actors are resolved apart.

    Who it is for: `age_min`–`age_max` in years (None: no limit), `gender` (all, female, male)
    and `targets`, the life situations (parents, job-seekers, ...). No age, gender `all` and no
    target means open to everyone. `type` is a code of `vocab.ACTIVITY_TYPES` (under
    `category`); `internal` marks a meeting of the actors themselves, not an offer to residents."""

    title: str
    category: str
    targets: list[str]
    focus: str | None
    rule: schedule.Recurrence
    include_holidays: bool
    age_min: int | None = None
    age_max: int | None = None
    gender: str = "all"
    type: str | None = None
    internal: bool = False

    @property
    def audience(self) -> Audience:
        return Audience(self.age_min, self.age_max, self.gender, frozenset(self.targets))


def recurrence(values: Values) -> schedule.Recurrence:
    """The rule from `start`, `end` and either `on` or `weekdays`, `from`, `until`, `every`,
    `monthly`."""
    on = schedule.parse_date(values["on"], "on") if _given(values.get("on")) else None
    weekdays = values.get("weekdays")
    if on is not None and (_given(weekdays) or _given(values.get("from")) or _given(values.get("until")) or _given(values.get("monthly"))):
        raise BadInput(_("is one date; leave out {field:weekdays}, {field:from}, {field:until} and {field:monthly}"), field="on",
                       value=values.get("on"))
    rule = schedule.Recurrence(
        start_time=schedule.parse_time(values.get("start"), "start"),
        end_time=schedule.parse_time(values.get("end"), "end"),
        weekdays=() if on else tuple(schedule.parse_weekdays(_as_list(weekdays), "weekdays")),
        date_from=None if on or not _given(values.get("from")) else schedule.parse_date(values.get("from"), "from"),
        date_until=None if on or not _given(values.get("until")) else schedule.parse_date(values.get("until"), "until"),
        interval=whole_number(values.get("every"), "every", 1, 52, N_("a number of weeks or months")) or 1,
        monthly=_code(vocab.MONTHLY_POSITIONS, values["monthly"], "monthly") if _given(values.get("monthly")) else None,
        on=on,
    )
    rule.validate()
    return rule


MAX_AGE = 120


def age_range(value: Any, field: str = "age") -> tuple[int | None, int | None]:
    """An age range in whole years: `MIN-MAX` (`13-17`), `MIN-` or `MIN+` (`65-`), `-MAX`, one
    age (`16`), or a band's name (`småbørn` 0–5, `børn` 6–12, `unge` 13–17, `unge voksne` 18–29,
    `ældre` 65–). Empty: no limit, (None, None); so is a range from 0 with no upper limit."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, tuple):
        low, high = value
    else:
        shown = str(value).strip()
        compact = shown.replace("–", "-").replace("—", "-").replace(" ", "")
        band = vocab.AGE_BANDS.get(vocab.parse_or_none(vocab.AGE_BANDS, shown) or "")
        if band is not None:
            low, high = band.low, band.high
        else:
            plus = compact.endswith("+")
            body = compact[:-1] if plus else compact
            low_text, dash, high_text = body.partition("-")
            well_formed = body.isascii() and (low_text.isdigit() or (dash and not plus and low_text == "")) and (
                high_text.isdigit() or high_text == "") and not (plus and high_text) and (low_text or high_text)
            if not well_formed:
                bands = ", ".join(f"{b.da if is_danish() else b.code} ({b.low}–{'' if b.high is None else b.high})" for b in vocab.AGE_BANDS.values())
                raise BadInput(_("'{value}' is not an age range; write MIN-MAX in years (0-5, 13-17, 65-) or a band: {bands}")
                               .format(value=shown, bands=bands), field=field, value=value)
            low = int(low_text) if low_text else 0
            high = int(high_text) if high_text else (None if dash or plus else low)
    for number in (low, high):
        if number is not None and not 0 <= number <= MAX_AGE:
            raise BadInput(_("{number} is not an age; give years from 0 to {most}").format(number=number, most=MAX_AGE),
                           field=field, value=value)
    if high is not None and low is not None and high < low:
        raise BadInput(_("{low}-{high} ends before it starts; write the youngest age first ({high}-{low})").format(low=low, high=high),
                       field=field, value=value)
    if not low and high is None:
        return None, None
    return (low or 0), high


def age_text(age_min: int | None, age_max: int | None) -> str | None:
    """How a file and `--age` write a range: `6-12`, `65-`; None for no limit."""
    if age_min is None and age_max is None:
        return None
    return f"{age_min or 0}-{'' if age_max is None else age_max}"


def audience(values: Values, *, required: bool = True) -> tuple[int | None, int | None, str, list[str]]:
    """Who an activity is for, from `age`, `gender` and `target_groups`: (age_min, age_max,
    gender, life situations). `target_groups` also takes the codes from before audiences were
    split (children → 6–12, youth → 13–17, young-adults → 18–29, seniors → 65–, women → female,
    men → male) and `everyone` (open to all: it adds no limit). Several ages in it span from the
    youngest to the oldest; women and men together are all genders. When `age` or `gender` is
    given as well, the two must agree."""
    words = _codes(vocab.TARGET_WORDS, values.get("target_groups"), "target_groups")
    gender_given = _given(values.get("gender"))
    age_given = _given(values.get("age"))
    if required and not words and not gender_given and not age_given:
        raise BadInput(_("say who the activity is for: give {field:age}, {field:gender} or {field:target_groups} "
                         "(a life situation such as forældre or ledige; everyone (alle) when it is open to all)"),
                       field="target_groups")
    groups = [w for w in words if w in vocab.TARGET_GROUPS and w != vocab.EVERYONE]
    ages = [(vocab.AGE_BANDS[w].low, vocab.AGE_BANDS[w].high) for w in words if w in vocab.AGE_BANDS]
    genders = {vocab.LEGACY_TARGETS[w][1] for w in words if w in ("women", "men")}
    age_min, age_max = age_range(values.get("age"))
    if ages:
        implied = age_range((min(a for a, _ in ages), None if any(h is None for _, h in ages) else max(h for _, h in ages)))
        if age_given and (age_min, age_max) != implied:
            raise BadInput(_("{given} disagrees with {{field:target_groups}}, which says {implied}; give the age in one place")
                           .format(given=age_text(age_min, age_max) or _("all ages"), implied=age_text(*implied) or _("all ages")),
                           field="age", value=values.get("age"))
        age_min, age_max = implied
    gender = _code(vocab.GENDERS, values.get("gender"), "gender") if gender_given else "all"
    if genders:
        implied_gender = genders.pop() if len(genders) == 1 else "all"
        if gender_given and gender != implied_gender:
            raise BadInput(_("'{given}' disagrees with {{field:target_groups}}, which says {implied}; give the gender in one place")
                           .format(given=gender, implied=implied_gender), field="gender", value=values.get("gender"))
        gender = implied_gender
    return age_min, age_max, gender, groups


def activity_type(values: Values) -> tuple[str, str | None]:
    """The category and type: a type gives its category; a category given as well must be the type's."""
    kind = None
    if _given(values.get("type")):
        shown = str(values["type"]).strip()
        kind = vocab.ACTIVITY_TYPES.get(vocab.parse_or_none(vocab.ACTIVITY_TYPES, shown) or "")
        if kind is None:
            by_category = "; ".join(
                f"{vocab.CATEGORIES[c].da}: " + ", ".join(t.code for t in vocab.ACTIVITY_TYPES.values() if t.category == c)
                for c in vocab.CATEGORIES if any(t.category == c for t in vocab.ACTIVITY_TYPES.values())
            )
            raise BadInput(_("unknown activity type '{value}'; use one of {types}").format(value=shown, types=by_category),
                           field="type", value=values["type"])
    if _given(values.get("category")):
        category = _code(vocab.CATEGORIES, values.get("category"), "category")
        if kind is not None and kind.category != category:
            raise BadInput(_("{type} is a type of {its} ({code}), not {given}; leave out {{field:category}} or choose another type")
                           .format(type=kind.code, its=vocab.CATEGORIES[kind.category].da, code=kind.category,
                                   given=vocab.CATEGORIES[category].da),
                           field="category", value=values.get("category"))
    elif kind is not None:
        category = kind.category
    else:
        raise BadInput(_("give {field:category} or {field:type} (the type gives its category)"), field="category")
    return category, kind.code if kind else None


def activity_fields(values: Values) -> ActivityFields:
    """Check an activity's values: title, category, type, age, gender, target_groups, internal,
    focus, the rule, include_holidays. An internal meeting (`internal`, or a type such as
    husmøde) need not say who it is for: it is not an offer to residents."""
    title = text(values.get("title"), "title")
    category, kind = activity_type(values)
    internal = flag(values.get("internal"), "internal") or bool(kind and vocab.ACTIVITY_TYPES[kind].internal)
    age_min, age_max, gender, targets = audience(values, required=not internal)
    focus = _code(vocab.FOCUS_AREAS, values["focus"], "focus") if _given(values.get("focus")) else None
    return ActivityFields(
        title=title,
        category=category,
        targets=targets,
        focus=focus,
        rule=recurrence(values),
        include_holidays=flag(values.get("include_holidays"), "include_holidays"),
        age_min=age_min,
        age_max=age_max,
        gender=gender,
        type=kind,
        internal=internal,
    )


def held_occurrences(rule: schedule.Recurrence, closures: Sequence[schedule.Closure], include_holidays: bool) -> schedule.Expansion:
    """The rule's dates with holidays and closures taken out; refused when none is left."""
    expansion = schedule.expand(rule, list(closures), include_holidays)
    if not expansion.held:
        if expansion.occurrences:
            reasons = sorted({o.skipped for o in expansion.skipped})
            raise BadInput(_("every date of the rule is skipped ({reasons}); nothing to book").format(reasons="; ".join(reasons)), field="from")
        raise BadInput(_("no date of the rule ({rule}) falls between {{field:from}} and {{field:until}}").format(rule=rule.describe()), field="weekdays")
    return expansion


@dataclass(frozen=True)
class BookingFields:
    title: str
    start: str  # YYYY-MM-DDTHH:MM
    end: str
    status: str
    note: str | None


def booking_fields(values: Values) -> BookingFields:
    """Check a single booking's values: title, start, end (a time alone is on the start's day),
    status and note."""
    title = text(values.get("title"), "title")
    start = values.get("start")
    start = start if isinstance(start, dt.datetime) else schedule.parse_datetime(start, "start")
    end = values.get("end")
    end = end if isinstance(end, dt.datetime) else schedule.parse_end(end, start, "end")
    if end <= start:
        raise BadInput(_("{end} is not after {{field:start}} {start}").format(end=schedule.moment_text(end), start=schedule.moment_text(start)), field="end",
                       value=values.get("end"))
    if end - start > MAX_BOOKING_SPAN:
        raise BadInput(_("a booking longer than 14 days is almost surely a typo; check the dates"), field="end", value=values.get("end"))
    status_text = str(values.get("status") or "active").strip().casefold()
    if status_text not in STATUSES:
        raise BadInput(_("'{status}' is not a status; use active or cancelled (aktiv, aflyst)").format(status=status_text), field="status",
                       value=values.get("status"))
    return BookingFields(title, schedule.fmt(start), schedule.fmt(end), STATUSES[status_text], note(values.get("note")))


def _given(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, tuple)):
        return any(_given(v) for v in value)
    return True


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


# ---------------------------------------------------------------------------------------------
# Closures


def closure_over(closures: Sequence[schedule.Closure], start: str, end: str) -> schedule.Closure | None:
    """The first closure that covers any day from `start` to `end` (times)."""
    first, last = dt.date.fromisoformat(start[:10]), dt.date.fromisoformat(end[:10])
    return next((c for c in closures if c.date_from <= last and first <= c.date_until), None)


def check_open(closures: Sequence[schedule.Closure], start: str, end: str, centre: str) -> None:
    """Refuse a booking on a day the centre is closed."""
    closure = closure_over(closures, start, end)
    if closure is not None:
        raise Refused(
            _("{centre} is closed {first}–{last} ({reason}); choose another date or remove the closure").format(
                centre=centre, first=schedule.long_day(closure.date_from), last=schedule.long_day(closure.date_until),
                reason=closure.reason),
            field="start",
        )


# ---------------------------------------------------------------------------------------------
# Room conflicts and the refuse/skip/allow policy


@dataclass(frozen=True)
class Proposed:
    """A booking about to be stored. `label` says where it comes from (an import's file and row)."""

    room_id: Any
    start: str
    end: str
    title: str
    actor_id: Any = None
    actor: str = ""
    activity_id: Any = None
    status: str = "active"
    note: str | None = None
    label: str | None = None
    booking_id: Any = None  # an existing booking being moved or restored; None for a new one

    @property
    def shown_title(self) -> str:
        return f"{self.title} ({self.label})" if self.label else self.title


@dataclass(frozen=True)
class Booked:
    """An active booking already stored."""

    id: int
    room_id: int
    start: str
    end: str
    title: str
    actor: str


@dataclass(frozen=True)
class ConflictRow:
    """A proposed booking and the stored (or other proposed) booking it collides with."""

    start: str
    end: str
    title: str
    other_id: int | None
    other_title: str
    other_actor: str
    other_start: str
    other_end: str
    index: int = 0  # of the proposed booking
    other_index: int | None = None  # of the other proposed booking, when it is one


def room_conflicts(proposed: Sequence[Proposed], booked: Sequence[Booked]) -> list[ConflictRow]:
    """Every clash of an active proposed booking with a stored one or with another proposed one,
    by one sort-and-sweep over both."""
    by_id = {b.id: b for b in booked}
    pairs = conflicts_of(
        [Slot(p.room_id, p.start, p.end, i) for i, p in enumerate(proposed) if p.status == "active"],
        [Slot(b.room_id, b.start, b.end, b.id) for b in booked],
    )
    rows = []
    for mine, other in pairs:
        p = proposed[mine.ref]
        if other.proposed:
            q = proposed[other.ref]
            rows.append(ConflictRow(p.start, p.end, p.shown_title, q.booking_id, q.shown_title, q.actor, q.start, q.end,
                                      mine.ref, other.ref))
        else:
            b = by_id[other.ref]
            rows.append(ConflictRow(p.start, p.end, p.shown_title, b.id, b.title, b.actor, b.start, b.end, mine.ref))
    return rows


def span(proposed: Sequence[Proposed]) -> tuple[list[Any], str, str] | None:
    """The rooms and the time span an existing-bookings query must cover, or None."""
    active = [p for p in proposed if p.status == "active"]
    if not active:
        return None
    return sorted({p.room_id for p in active}, key=str), min(p.start for p in active), max(p.end for p in active)


# A refused room conflict, by what would have been done: (one date, several, every date collides).
CONFLICT_TEXTS = {
    "stored": (N_("room conflict: the room is taken at that time; nothing was stored"),
               N_("room conflict: {count} of {total} dates collide with other bookings in the room; nothing was stored"),
               N_("room conflict: every date collides with another booking; nothing was stored")),
    "restored": (N_("room conflict: the room is taken at that time; nothing was restored"),
                 N_("room conflict: {count} of {total} dates collide with other bookings in the room; nothing was restored"),
                 N_("room conflict: every date collides with another booking; nothing was restored")),
    "imported": (N_("room conflict: the room is taken at that time; nothing was imported"),
                 N_("room conflict: {count} of {total} dates collide with other bookings in the room; nothing was imported"),
                 N_("room conflict: every date collides with another booking; nothing was imported")),
    "moved": (N_("room conflict: the room is taken at that time; nothing was moved"),
              N_("room conflict: {count} of {total} dates collide with other bookings in the room; nothing was moved"),
              N_("room conflict: every date collides with another booking; nothing was moved")),
    "changed": (N_("room conflict: the room is taken at that time; nothing was changed"),
                N_("room conflict: {count} of {total} dates collide with other bookings in the room; nothing was changed"),
                N_("room conflict: every date collides with another booking; nothing was changed")),
}


def apply_policy(
    proposed: Sequence[Proposed], conflicts: Sequence[ConflictRow], policy: str, *, allow_empty: bool = False,
    stored_word: str = "stored",
) -> list[Proposed]:
    """What to store under `policy`: refuse stores nothing when anything collides; skip leaves
    out every proposed booking that collides with a stored one, and the later of two proposed
    ones that collide with each other; allow stores everything."""
    if policy not in POLICIES:
        raise BadInput(_("'{policy}' is not a conflict policy; use one of {policies}").format(policy=policy, policies=", ".join(POLICIES)), field="policy")
    if not conflicts or policy == "allow":
        return list(proposed)
    drop = {c.index for c in conflicts if c.other_index is None}
    for c in sorted((c for c in conflicts if c.other_index is not None), key=lambda c: max(c.index, c.other_index)):
        if c.index not in drop and c.other_index not in drop:
            drop.add(max(c.index, c.other_index))
    active = sum(1 for p in proposed if p.status == "active")
    kept = [p for i, p in enumerate(proposed) if i not in drop]
    can_skip = len(drop) < active
    one, many, every = CONFLICT_TEXTS.get(stored_word, CONFLICT_TEXTS["stored"])
    if policy == "refuse":
        total = active
        reason = _(one) if total == 1 else _(many).format(count=len(drop), total=total)
        raise Conflict(reason, list(conflicts), colliding=len(drop), total=total, can_skip=can_skip)
    if not can_skip and not allow_empty:
        raise Conflict(_(every), list(conflicts), colliding=len(drop), total=active, can_skip=False)
    return kept


# ---------------------------------------------------------------------------------------------
# Funding periods and focus areas


def funding_period(value: Any, field: str = "funding_period") -> str | None:
    """An LBF funding period (2019-26, 2015-18), or None when not given."""
    return _code(vocab.FUNDING_PERIODS, value, field) if _given(value) else None


def check_focus_period(focus: str | None, period: str | None, centre: str, field: str = "focus") -> None:
    """A centre given its plan's funding period takes only that period's focus areas."""
    if not focus or not period or focus in vocab.FOCUS_BY_PERIOD[period]:
        return
    allowed = ", ".join(f"{c} ({vocab.focus_label(c, period)})" for c in vocab.FOCUS_BY_PERIOD[period])
    raise BadInput(_("'{focus}' is not a focus area of the plan of {centre} ({period}); use one of {allowed}").format(
        focus=focus, centre=centre, period=vocab.FUNDING_PERIODS[period].da, allowed=allowed), field=field, value=focus)


# ---------------------------------------------------------------------------------------------
# Attendance: counts per held session, never names, CPR numbers or ethnicity

MAX_ATTENDANCE = 100_000
MAX_AGE = 120


@dataclass(frozen=True)
class AttendanceFields:
    count: int
    new: int | None = None
    female: int | None = None
    male: int | None = None
    age_bands: tuple[tuple[str, int], ...] = ()  # ("0-5", 3), ("65-", 4): in age order
    note: str | None = None

    def to_row(self) -> dict[str, Any]:
        import json

        return {"count": self.count, "new": self.new, "female": self.female, "male": self.male,
                "age_bands": json.dumps(dict(self.age_bands)) if self.age_bands else None, "note": self.note}

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> "AttendanceFields":
        import json

        bands = tuple(json.loads(row["age_bands"]).items()) if row.get("age_bands") else ()
        return cls(row["count"], row.get("new"), row.get("female"), row.get("male"), bands, row.get("note"))


def age_band(text: str, field: str = "age_bands") -> tuple[int, int | None]:
    """An age band `MIN-MAX` or `MIN-` (also `MIN+`), in whole years."""
    value = text.strip().replace("–", "-").replace(" ", "")
    if value.endswith("+"):
        value = value[:-1] + "-"
    low, dash, high = value.partition("-")
    if not dash or not low.isdigit() or (high and not high.isdigit()) or not low.isascii() or not high.isascii():
        raise BadInput(_("'{value}' is not an age band; write it as MIN-MAX or MIN- in years, e.g. 0-5, 13-17 or 65-").format(value=text),
                       field=field, value=text)
    first, last = int(low), int(high) if high else None
    if first > MAX_AGE or (last is not None and (last > MAX_AGE or last < first)):
        raise BadInput(_("'{value}' is not an age band; the ages go from 0 to {max}, the lower first").format(value=text, max=MAX_AGE), field=field, value=text)
    return first, last


def age_bands(value: Any, field: str = "age_bands") -> tuple[tuple[str, int], ...]:
    """Age bands with counts: `0-5=3,6-12=10` (or `;` between them, or a list of such); bands
    must not overlap."""
    if value is None:
        return ()
    parts: list[str] = []
    for item in ([value] if isinstance(value, str) else list(value)):
        parts += [p for p in str(item).replace(";", ",").split(",") if p.strip()]
    found: list[tuple[int, int | None, str, int]] = []
    for part in parts:
        band, equals, number = part.partition("=")
        if not equals:
            raise BadInput(_("'{value}' gives no count; write BAND=COUNT, e.g. 6-12=10").format(value=part.strip()), field=field, value=value)
        low, high = age_band(band, field)
        count = whole_number(number, field, 0, MAX_ATTENDANCE, N_("a number of participants"))
        if count is None:
            raise BadInput(_("'{value}' gives no count; write BAND=COUNT, e.g. 6-12=10").format(value=part.strip()), field=field, value=value)
        found.append((low, high, f"{low}-{high if high is not None else ''}", count))
    found.sort(key=lambda b: b[0])
    for (low1, high1, name1, _c1), (low2, _h2, name2, _c2) in zip(found, found[1:]):
        if high1 is None or low2 <= high1:
            raise BadInput(_("the age bands {first} and {second} overlap; give each age once").format(first=name1, second=name2), field=field, value=value)
    return tuple((name, count) for _, _, name, count in found)


def attendance_fields(values: Values) -> AttendanceFields:
    """Check the counts of one session: count, new, female, male, age_bands, note. Counts only:
    there is no field for a name, a CPR number or an ethnicity."""
    count = whole_number(values.get("count"), "count", 0, MAX_ATTENDANCE, N_("a number of participants"))
    if count is None:
        raise BadInput(_("give the number of participants, e.g. 12"), field="count")
    numbers = {}
    for key in ("new", "female", "male"):
        numbers[key] = whole_number(values.get(key), key, 0, MAX_ATTENDANCE, N_("a number of participants"))
        if numbers[key] is not None and numbers[key] > count:
            raise BadInput(_("{number} is more than the {count} who came ({{field:count}})").format(number=numbers[key], count=count), field=key, value=values.get(key))
    if (numbers["female"] or 0) + (numbers["male"] or 0) > count:
        raise BadInput(_("{female} women/girls and {male} men/boys are more than the {count} who came ({{field:count}})").format(
            female=numbers['female'] or 0, male=numbers['male'] or 0, count=count), field="male", value=values.get("male"))
    bands = age_bands(values.get("age_bands"))
    if sum(n for _b, n in bands) > count:
        raise BadInput(_("the age bands add up to {total}, more than the {count} who came ({{field:count}})").format(total=sum(n for _b, n in bands), count=count),
                       field="age_bands", value=values.get("age_bands"))
    text = note(values.get("note"))
    if text and _CPR.search(text):
        raise BadInput(_("looks like a CPR number; attendance is counts only, so leave personal numbers out of the note"),
                       field="note", value=text)
    return AttendanceFields(count, numbers["new"], numbers["female"], numbers["male"], bands, text)


_CPR = re.compile(r"(?<!\d)[0-3]\d[01]\d\d\d[ -]?\d{4}(?!\d)")  # ddmmyy-xxxx, with or without the dash


def check_keeps_attendance(booking: Mapping[str, Any], attended: bool, today: dt.date, *, new_start: str | None = None,
                           cancelling: bool = False, field: str = "booking") -> None:
    """A session with attendance registered was held: it cannot be cancelled, nor moved into the
    future (a future session has no attendance). The counts are cleared first, on purpose."""
    if not attended:
        return
    label = _("{title} {when} (booking {id})").format(title=booking["title"], when=schedule.moment_text(booking["start"]), id=booking["id"])
    if cancelling:
        raise Refused(_("{session} has attendance registered, so it was held; clear its attendance first to cancel it").format(
            session=label), field=field, value=booking["id"])
    if new_start is not None and new_start[:10] > today.isoformat():
        raise Refused(_("{session} has attendance registered; a session moved into the future cannot keep it, so clear its "
                        "attendance first or choose a date up to today").format(session=label), field=field, value=new_start)


def check_edit_keeps_held(title: str, held: Sequence[Mapping[str, Any]]) -> None:
    """An edit of a series does not move or remove its held sessions (those with attendance
    registered, `held`): refused, naming them and the first `from` date that leaves them be."""
    if not held:
        return
    held = sorted(held, key=lambda b: b["start"])
    shown = ", ".join(_("{when} (booking {id})").format(when=schedule.moment_text(b["start"]), id=b["id"]) for b in held[:5])
    after = f"{dt.date.fromisoformat(held[-1]['start'][:10]) + dt.timedelta(days=1):%d.%m.%Y}"  # a form --from takes
    names = {"title": title, "sessions": shown, "after": after}
    if len(held) > 5:
        raise Refused(ngettext("{title} was held on {sessions} and {more} more session with attendance registered; an edit "
                               "does not move or remove held sessions, so give {{field:from}} {after} or later",
                               "{title} was held on {sessions} and {more} more sessions with attendance registered; an edit "
                               "does not move or remove held sessions, so give {{field:from}} {after} or later",
                               len(held) - 5).format(more=len(held) - 5, **names), field="from")
    raise Refused(_("{title} was held on {sessions} with attendance registered; an edit does not move or remove held "
                    "sessions, so give {{field:from}} {after} or later").format(**names), field="from")


def check_attendable(booking: Mapping[str, Any], today: dt.date, field: str = "booking") -> None:
    """Attendance belongs to a held session: not to a cancelled one, nor to one in the future."""
    label = _("{title} {when} (booking {id})").format(title=booking['title'], when=schedule.moment_text(booking['start']), id=booking['id'])
    if booking["status"] == "cancelled":
        raise Refused(_("{session} was cancelled; a cancelled session has no attendance").format(session=label), field=field, value=booking["id"])
    if booking["start"][:10] > today.isoformat():
        raise Refused(_("{session} is in the future; register attendance on the day or after it").format(session=label), field=field,
                      value=booking["id"])
