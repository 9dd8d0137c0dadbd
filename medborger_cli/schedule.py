"""Dates, times, weeks and recurrence: pure functions over plain data.

Accepts Danish and ISO spellings (`2026-03-04`, `4-3-2026`, `04.03.2026`, `4/3/2026`; `16:00`,
`16.00`, `16`), expands weekly and monthly rules with dateutil, and skips Danish public
holidays (the `holidays` package's Denmark calendar) and the centre's closures.
Times are local Europe/Copenhagen wall-clock strings `YYYY-MM-DDTHH:MM`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

from . import vocab
from .errors import BadInput
from .i18n import N_, _

MAX_SPAN_DAYS = 3 * 366  # a rule longer than three years is almost surely a typo
ISO_MINUTES = "%Y-%m-%dT%H:%M"

_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DATE_DK = re.compile(r"^(\d{1,2})[-./](\d{1,2})[-./](\d{4})$")
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?(?:[:.]00)?$")  # Excel may add ":00" seconds


FIRST_YEAR, LAST_YEAR = 1990, 2199  # dates outside are typos (or attacks), not plans
_RELATIVE = re.compile(r"^\+(\d{1,4})$")
DATE_FORMS = N_("2026-03-04, 4-3-2026, 04.03.2026, today, tomorrow (i dag, i morgen) or +7 (days from today)")


def parse_date(text: str | None, field_name: str) -> dt.date:
    """A date as ISO, Danish (`4-3-2026`, `04.03.2026`), `i dag`/`today`, `i morgen`/`tomorrow`
    or `+N` days from today, from 1990 to 2199."""
    value = (text or "").strip()
    lowered = " ".join(value.casefold().split())
    if lowered in ("today", "i dag", "idag"):
        return today()
    if lowered in ("tomorrow", "i morgen", "imorgen"):
        return today() + dt.timedelta(days=1)
    relative = _RELATIVE.match(lowered)
    if relative:
        return today() + dt.timedelta(days=int(relative.group(1)))
    m = _DATE_ISO.match(value)
    if m:
        year, month, day = (int(g) for g in m.groups())
    else:
        m = _DATE_DK.match(value)
        if not m:
            raise BadInput(_("'{value}' is not a date; write it as {forms}").format(value=value or _("(empty)"), forms=_(DATE_FORMS)), field=field_name, value=text)
        day, month, year = (int(g) for g in m.groups())
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadInput(_("'{value}' is not a year medborger plans for; use a year from {first} to {last}").format(
            value=value, first=FIRST_YEAR, last=LAST_YEAR), field=field_name, value=text)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise BadInput(_("'{value}' is not a real date (day {day}, month {month}, year {year})").format(value=value, day=day, month=month, year=year), field=field_name,
                       value=text) from None


def parse_time(text: str | None, field_name: str) -> dt.time:
    value = (text or "").strip()
    m = _TIME.match(value)
    if not m:
        raise BadInput(_("'{value}' is not a time; write it as 16:00 or 16.00").format(value=value or _("(empty)")), field=field_name, value=text)
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if hour > 23 or minute > 59:
        raise BadInput(_("'{value}' is not a time of day; use 00:00 to 23:59").format(value=value), field=field_name, value=text)
    return dt.time(hour, minute)


def parse_datetime(text: str | None, field_name: str) -> dt.datetime:
    """`2026-03-04 16:00`, `2026-03-04T16:00`, `4-3-2026 16.00`."""
    value = (text or "").strip()
    parts = value.replace("T", " ", 1).split() if _DATE_ISO.match(value.split("T")[0]) else value.split()
    if len(parts) != 2:
        raise BadInput(
            _("'{value}' needs a date and a time, for example \"2026-03-04 16:00\" or \"4-3-2026 16.00\"").format(value=value or _("(empty)")),
            field=field_name, value=text,
        )
    day = parse_date(parts[0], field_name)
    time = parse_time(parts[1], field_name)
    return dt.datetime.combine(day, time)


def parse_end(text: str | None, start: dt.datetime, field_name: str) -> dt.datetime:
    """An end: a date and a time, or a time alone (`18:00`), which is on the start's day."""
    value = (text or "").strip()
    if value and " " not in value and "T" not in value and "-" not in value and "/" not in value and value.count(".") <= 1:
        return dt.datetime.combine(start.date(), parse_time(value, field_name))
    return parse_datetime(value, field_name)


def fmt(moment: dt.datetime) -> str:
    return moment.strftime(ISO_MINUTES)


WEEKDAYS_SHORT = {"da": ("man.", "tirs.", "ons.", "tors.", "fre.", "lør.", "søn."),
                  "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
MONTHS_SHORT = {"da": ("jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec."),
                "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")}


def long_day(day: dt.date | str) -> str:
    """A date for messages: `man. 7. dec. 2026` (`Mon 7 Dec 2026` in English); ISO stays in files."""
    from .i18n import language

    if not day:
        return ""
    day = dt.date.fromisoformat(day[:10]) if isinstance(day, str) else day
    lang = language()
    weekday, month = WEEKDAYS_SHORT[lang][day.weekday()], MONTHS_SHORT[lang][day.month - 1]
    return f"{weekday} {day.day}. {month} {day.year}" if lang == "da" else f"{weekday} {day.day} {month} {day.year}"


def clock(moment: dt.datetime | dt.time | str) -> str:
    """A time of day for reading: `17.00` in Danish, `17:00` in English."""
    from .i18n import language

    if isinstance(moment, str):
        text = moment[11:16] if len(moment) > 5 else moment[:5]
    else:
        text = moment.strftime("%H:%M")
    return text.replace(":", ".") if language() == "da" else text


def moment_text(moment: dt.datetime | str) -> str:
    """A date and time for messages: `07.12.2026 17.00` (`07.12.2026 17:00` in English)."""
    moment = dt.datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return f"{moment:%d.%m.%Y} {clock(moment)}"


def parse_weekdays(values: list[str], field_name: str) -> list[int]:
    codes = vocab.parse_many(vocab.WEEKDAYS, values, field_name)
    return sorted(vocab.WEEKDAY_INDEX[c] for c in codes)


def weekday_codes(indexes: list[int]) -> str:
    codes = list(vocab.WEEKDAYS)
    return ",".join(codes[i] for i in sorted(indexes))


def week_window(week: int, year: int | None = None) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of ISO week `week` of `year` (default: this ISO year)."""
    if year is None:
        year = today().isocalendar().year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadInput(_("{year} is not a year medborger plans for; use a year from {first} to {last}").format(year=year, first=FIRST_YEAR, last=LAST_YEAR),
                       field="year", value=year)
    last_week = dt.date(year, 12, 28).isocalendar().week
    if not 1 <= week <= last_week:
        raise BadInput(_("{year} has weeks 1 to {last}, not {week}").format(year=year, last=last_week, week=week), field="week", value=week)
    monday = dt.date.fromisocalendar(year, week, 1)
    return monday, monday + dt.timedelta(days=6)


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday of the Gregorian calendar (the Meeus/Jones/Butcher algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_shift) // 451
    month, day = divmod(h + weekday_shift - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


# Days after Easter Sunday of the moving public holidays, with their names as the `holidays`
# package's Denmark calendar gives them in Danish.
_AFTER_EASTER = (
    (-3, "Skærtorsdag"), (-2, "Langfredag"), (0, "Påskedag"), (1, "Anden påskedag"),
    (26, "Store bededag"), (39, "Kristi himmelfartsdag"), (49, "Pinsedag"), (50, "Anden pinsedag"),
)
LAST_STORE_BEDEDAG = 2023  # abolished from 2024


@lru_cache(maxsize=64)
def _holidays_for(year: int) -> dict[dt.date, str]:
    """Denmark's public holidays in `year`: the `holidays` package's calendar (a test compares
    the two for every year medborger plans for), computed here because importing that package
    takes longer than a whole `medborger schedule` may."""
    easter = easter_sunday(year)
    found = {dt.date(year, 1, 1): "Nytårsdag"}
    for days, name in _AFTER_EASTER:
        if name == "Store bededag" and year > LAST_STORE_BEDEDAG:
            continue
        found[easter + dt.timedelta(days=days)] = name
    found[dt.date(year, 12, 25)] = "Juledag"
    found[dt.date(year, 12, 26)] = "Anden juledag"
    return dict(sorted(found.items()))


def danish_holidays(first: dt.date, last: dt.date) -> dict[dt.date, str]:
    """Denmark's public holidays from `first` to `last` (both inclusive), by date."""
    found: dict[dt.date, str] = {}
    for year in range(first.year, last.year + 1):
        found.update((d, n) for d, n in _holidays_for(year).items() if first <= d <= last)
    return found


@dataclass(frozen=True)
class Closure:
    date_from: dt.date
    date_until: dt.date
    reason: str
    id: int | None = field(default=None, compare=False)  # the stored closure's, where there is one

    @classmethod
    def from_row(cls, row: dict) -> "Closure":
        return cls(dt.date.fromisoformat(row["date_from"]), dt.date.fromisoformat(row["date_until"]), row["reason"],
                   row.get("id"))

    def to_row(self) -> dict:
        return {"date_from": self.date_from.isoformat(), "date_until": self.date_until.isoformat(), "reason": self.reason}

    def covers(self, day: dt.date) -> bool:
        return self.date_from <= day <= self.date_until


@dataclass(frozen=True)
class Recurrence:
    """When an activity happens. Either `on` (a single date) or a weekly/monthly rule."""

    start_time: dt.time
    end_time: dt.time
    weekdays: tuple[int, ...] = ()
    date_from: dt.date | None = None
    date_until: dt.date | None = None
    interval: int = 1
    monthly: str | None = None  # first|second|third|fourth|last
    on: dt.date | None = None

    @classmethod
    def from_row(cls, row: dict) -> "Recurrence":
        """The rule as the store keeps it on an activity row (weekdays as codes, ISO dates)."""
        single = bool(row["single_date"])
        return cls(
            start_time=dt.time.fromisoformat(row["start_time"]),
            end_time=dt.time.fromisoformat(row["end_time"]),
            weekdays=() if single else tuple(parse_weekdays([row["weekdays"]], "weekdays")),
            date_from=None if single else dt.date.fromisoformat(row["date_from"]),
            date_until=None if single else dt.date.fromisoformat(row["date_until"]),
            interval=row["interval"],
            monthly=row["monthly"],
            on=dt.date.fromisoformat(row["date_from"]) if single else None,
        )

    def to_row(self) -> dict:
        """The columns of an activity row that hold the rule; `from_row(to_row())` is the rule."""
        single = self.on is not None
        return {
            "weekdays": weekday_codes([self.on.weekday()] if single else list(self.weekdays)),
            "start_time": self.start_time.strftime("%H:%M"),
            "end_time": self.end_time.strftime("%H:%M"),
            "date_from": (self.on if single else self.date_from).isoformat(),
            "date_until": (self.on if single else self.date_until).isoformat(),
            "interval": self.interval,
            "monthly": self.monthly,
            "single_date": int(single),
        }

    def validate(self) -> None:
        if self.end_time <= self.start_time:
            raise BadInput(
                _("{end} is not after {{field:start}} {start}; an activity ends on the day it starts").format(
                    end=clock(self.end_time), start=clock(self.start_time)),
                field="end",
            )
        if self.on is not None:
            return
        if not self.weekdays:
            raise BadInput(_("give at least one weekday, for example mandag"), field="weekdays")
        if self.date_from is None or self.date_until is None:
            missing = "from" if self.date_from is None else "until"
            raise BadInput(_("a recurring activity needs both {field:from} and {field:until}, or {field:on} for one date"),
                           field=missing)
        if self.date_until < self.date_from:
            raise BadInput(_("{until} is before {{field:from}} {first}").format(until=long_day(self.date_until), first=long_day(self.date_from)), field="until")
        if (self.date_until - self.date_from).days > MAX_SPAN_DAYS:
            raise BadInput(_("the rule spans more than three years; register one season at a time"), field="until")
        if self.interval < 1 or self.interval > 52:
            raise BadInput(_("{value} is not a number of weeks or months from 1 to 52").format(value=self.interval), field="every")
        if self.monthly is not None and self.monthly not in vocab.MONTHLY_NTH:
            raise BadInput(_("use one of {values}").format(values=", ".join(vocab.MONTHLY_NTH)), field="monthly")

    def dates(self) -> list[dt.date]:
        """Every date the rule names, before holidays and closures are taken out."""
        self.validate()
        if self.on is not None:
            return [self.on]
        from dateutil import rrule

        days = [rrule.weekday(i) for i in self.weekdays]
        if self.monthly:
            nth = vocab.MONTHLY_NTH[self.monthly]
            freq, byweekday = rrule.MONTHLY, [d(nth) for d in days]
        else:
            freq, byweekday = rrule.WEEKLY, days
        start = dt.datetime.combine(self.date_from, dt.time())
        if not self.monthly and self.interval > 1:
            # Count "every N weeks" from the ISO week of --from, whatever weekday --from is.
            start = start - dt.timedelta(days=start.weekday())
        rule = rrule.rrule(
            freq,
            dtstart=start,
            until=dt.datetime.combine(self.date_until, dt.time()),
            interval=self.interval,
            byweekday=byweekday,
            wkst=rrule.MO,
        )
        return [d.date() for d in rule if d.date() >= self.date_from]

    def describe(self, iso: bool = False) -> str:
        """The rule in words: `mandag 16.00–18.00, 10.08.2026–21.06.2027` in Danish, `Monday
        16:00–18:00, 10.08.2026–21.06.2027` in English; with `iso` the dates and times as ISO,
        for JSON and CSV (the words stay the reader's)."""
        from .i18n import _

        names = "/".join(vocab.WEEKDAYS[c].word for c in weekday_codes(list(self.weekdays)).split(",") if c)
        readable = not iso
        times = (f"{clock(self.start_time)}–{clock(self.end_time)}" if readable else
                 f"{self.start_time:%H:%M}–{self.end_time:%H:%M}")
        day = (lambda d: f"{d:%d.%m.%Y}") if readable else (lambda d: d.isoformat())
        if self.on is not None:
            return f"{day(self.on)} {times}"
        if self.monthly:
            position = vocab.MONTHLY_POSITIONS[self.monthly].word
            every = (_("{position} {days} of the month").format(position=position, days=names) if self.interval == 1 else
                     _("{position} {days} of the month, every {interval} months").format(position=position, days=names, interval=self.interval))
        else:
            every = names if self.interval == 1 else _("{days} every {interval} weeks").format(days=names, interval=self.interval)
        return f"{every} {times}, {day(self.date_from)}–{day(self.date_until)}"


@dataclass(frozen=True)
class Occurrence:
    day: dt.date
    start: str
    end: str
    skipped: str | None = None  # why it is not held: "helligdag: Langfredag", "lukket: Juleferie"


@dataclass
class Expansion:
    occurrences: list[Occurrence] = field(default_factory=list)

    @property
    def held(self) -> list[Occurrence]:
        return [o for o in self.occurrences if o.skipped is None]

    @property
    def skipped(self) -> list[Occurrence]:
        return [o for o in self.occurrences if o.skipped is not None]


def expand(rule: Recurrence, closures: list[Closure] = (), include_holidays: bool = False) -> Expansion:
    """The rule's occurrences, each either held or skipped with its reason."""
    dates = rule.dates()
    holidays = {} if include_holidays or not dates else danish_holidays(dates[0], dates[-1])
    result = Expansion()
    for day in dates:
        reason = None
        closure = next((c for c in closures if c.covers(day)), None)
        if closure is not None:
            reason = f"lukket: {closure.reason}"
        elif day in holidays:
            reason = f"helligdag: {holidays[day]}"
        result.occurrences.append(
            Occurrence(
                day=day,
                start=fmt(dt.datetime.combine(day, rule.start_time)),
                end=fmt(dt.datetime.combine(day, rule.end_time)),
                skipped=reason,
            )
        )
    return result


# ---------------------------------------------------------------------------------------------
# Today, seasons and quarters (the attendance rules and the report)


def today() -> dt.date:
    """The date medborger takes as today: `MEDBORGER_TODAY` (an ISO date) when set, so that
    tests and demonstrations need not depend on the clock, else the system date."""
    import os

    value = os.environ.get("MEDBORGER_TODAY", "").strip()
    if value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise BadInput(_("'{value}' is not an ISO date (2026-11-27)").format(value=value), field="MEDBORGER_TODAY", value=value) from None
    return dt.date.today()


_SEASON = re.compile(r"^(\d{4})\s*[/-]\s*(\d{2}|\d{4})$")
_QUARTER = re.compile(r"^(\d{4})\s*-?\s*[qk]([1-4])$", re.IGNORECASE)


def season_window(text: str | None, field_name: str = "season") -> tuple[dt.date, dt.date]:
    """A season `2026/27` (or 2026/2027, 2026-27): Monday of ISO week 33 of the first year to
    Sunday of ISO week 26 of the next, as DOMAIN.md has it."""
    value = (text or "").strip()
    m = _SEASON.match(value)
    if not m:
        raise BadInput(_("'{value}' is not a season; write it as 2026/27").format(value=value or _("(empty)")), field=field_name, value=text)
    first = int(m.group(1))
    second = int(m.group(2)) if len(m.group(2)) == 4 else (first // 100) * 100 + int(m.group(2))
    if second != first + 1 or not FIRST_YEAR <= first < LAST_YEAR:
        raise BadInput(_("'{value}' is not a season; a season runs from one year into the next, e.g. 2026/27").format(value=value),
                       field=field_name, value=text)
    return dt.date.fromisocalendar(first, 33, 1), dt.date.fromisocalendar(second, 26, 7)


def season_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The season a day falls in (the weeks between two seasons go with the one that follows)."""
    end = dt.date.fromisocalendar(day.year, 26, 7)
    start_year = day.year - 1 if day <= end else day.year
    return dt.date.fromisocalendar(start_year, 33, 1), dt.date.fromisocalendar(start_year + 1, 26, 7)


def quarter_window(text: str | None, field_name: str = "quarter") -> tuple[dt.date, dt.date]:
    """A quarter `2027Q1` (or 2027-Q1, 2027K1): its first and last day."""
    value = (text or "").strip()
    m = _QUARTER.match(value)
    if not m:
        raise BadInput(_("'{value}' is not a quarter; write it as 2027Q1").format(value=value or _("(empty)")), field=field_name, value=text)
    year, q = int(m.group(1)), int(m.group(2))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadInput(_("'{value}' is not a year medborger plans for").format(value=value), field=field_name, value=text)
    first = dt.date(year, 3 * q - 2, 1)
    last = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - dt.timedelta(days=1)
    return first, last


def occurs_on(rule: Recurrence, day: dt.date) -> bool:
    """Whether the rule names `day` (before holidays and closures are taken out), without
    expanding it: the same dates as `rule.dates()`."""
    if rule.on is not None:
        return day == rule.on
    if rule.date_from is None or rule.date_until is None or not rule.date_from <= day <= rule.date_until:
        return False
    if day.weekday() not in rule.weekdays:
        return False
    if rule.monthly:
        months = (day.year - rule.date_from.year) * 12 + day.month - rule.date_from.month
        if months % rule.interval:
            return False
        nth = vocab.MONTHLY_NTH[rule.monthly]
        if nth == -1:
            return (day + dt.timedelta(days=7)).month != day.month
        return (day.day - 1) // 7 + 1 == nth
    if rule.interval > 1:
        weeks = ((day - dt.timedelta(days=day.weekday())) - (rule.date_from - dt.timedelta(days=rule.date_from.weekday()))).days // 7
        return weeks % rule.interval == 0
    return True
