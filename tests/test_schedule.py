"""Dates, times, weeks and recurrence across Danish holidays and closures."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medborger_cli import schedule
from medborger_cli.errors import BadInput
from medborger_cli.schedule import Closure, Recurrence

pytestmark = pytest.mark.engines


@pytest.mark.parametrize("text", ["2026-03-04", "4-3-2026", "04.03.2026", "4/3/2026", " 04-03-2026 "])
def test_dates_in_danish_and_iso_spelling(text):
    assert schedule.parse_date(text, "--from") == dt.date(2026, 3, 4)


@pytest.mark.parametrize("text", ["31-02-2026", "2026-13-01", "32.01.2026", "tomorrowish", "", "4-3-26"])
def test_bad_dates_name_the_field(text):
    with pytest.raises(BadInput) as err:
        schedule.parse_date(text, "--until")
    assert err.value.message.startswith("--until:")


@pytest.mark.parametrize("text,expected", [("16:00", dt.time(16)), ("16.00", dt.time(16)), ("9.30", dt.time(9, 30)), ("7", dt.time(7)), ("17:30:00", dt.time(17, 30))])
def test_times(text, expected):
    assert schedule.parse_time(text, "--start") == expected


@pytest.mark.parametrize("text", ["24:30", "25:00", "16:60", "16:5", "kl 16", "", "17:30:15"])
def test_bad_times(text):
    with pytest.raises(BadInput, match="^--start:"):
        schedule.parse_time(text, "--start")


def test_datetime_accepts_iso_and_danish():
    assert schedule.parse_datetime("2026-03-04T16:00", "--start") == dt.datetime(2026, 3, 4, 16)
    assert schedule.parse_datetime("4-3-2026 16.30", "--start") == dt.datetime(2026, 3, 4, 16, 30)
    with pytest.raises(BadInput, match="needs a date and a time"):
        schedule.parse_datetime("2026-03-04", "--start")


def test_iso_weeks():
    assert schedule.week_window(33, 2026) == (dt.date(2026, 8, 10), dt.date(2026, 8, 16))
    assert schedule.week_window(53, 2026) == (dt.date(2026, 12, 28), dt.date(2027, 1, 3))
    with pytest.raises(BadInput, match="weeks 1 to 52"):
        schedule.week_window(53, 2027)


def weekly(weekdays, start, until, **kw):
    return Recurrence(
        start_time=dt.time(16), end_time=dt.time(18), weekdays=tuple(weekdays), date_from=start, date_until=until, **kw
    )


def test_weekly_skips_danish_public_holidays_but_not_grundlovsdag():
    # Thursdays and Mondays around Easter 2027 (Skærtorsdag 25/3, 2. påskedag 29/3) and 5 June.
    rule = weekly([0, 3], dt.date(2027, 3, 22), dt.date(2027, 4, 1))
    exp = schedule.expand(rule)
    assert [o.day for o in exp.held] == [dt.date(2027, 3, 22), dt.date(2027, 4, 1)]
    assert {o.day: o.skipped for o in exp.skipped} == {
        dt.date(2027, 3, 25): "helligdag: Skærtorsdag",
        dt.date(2027, 3, 29): "helligdag: Anden påskedag",
    }
    june = schedule.expand(Recurrence(dt.time(10), dt.time(12), on=dt.date(2026, 6, 5)))
    assert [o.day for o in june.held] == [dt.date(2026, 6, 5)]  # Grundlovsdag is no public holiday


def test_store_bededag_is_gone_from_2024():
    rule = Recurrence(dt.time(10), dt.time(12), on=dt.date(2025, 5, 16))  # would have been Store bededag
    assert schedule.expand(rule).held


def test_include_holidays_keeps_them():
    rule = weekly([3], dt.date(2027, 3, 22), dt.date(2027, 3, 28))
    assert schedule.expand(rule).held == []
    assert len(schedule.expand(rule, include_holidays=True).held) == 1


def test_closures_skip_with_their_reason():
    rule = weekly([2], dt.date(2026, 12, 1), dt.date(2027, 1, 15))
    closure = Closure(dt.date(2026, 12, 21), dt.date(2027, 1, 1), "Juleferie")
    exp = schedule.expand(rule, [closure])
    assert [o.day.isoformat() for o in exp.held] == ["2026-12-02", "2026-12-09", "2026-12-16", "2027-01-06", "2027-01-13"]
    assert [o.skipped for o in exp.skipped] == ["lukket: Juleferie", "lukket: Juleferie"]


def test_every_second_week_counts_from_the_first_week():
    rule = weekly([0], dt.date(2026, 8, 12), dt.date(2026, 9, 30), interval=2)  # from a Wednesday
    days = [o.day.isoformat() for o in schedule.expand(rule).held]
    assert days == ["2026-08-24", "2026-09-07", "2026-09-21"]


@pytest.mark.parametrize(
    "position,expected",
    [
        ("first", ["2026-09-03", "2026-10-01", "2026-11-05", "2026-12-03"]),
        ("last", ["2026-09-24", "2026-10-29", "2026-11-26", "2026-12-31"]),
    ],
)
def test_monthly_on_the_nth_weekday(position, expected):
    rule = weekly([3], dt.date(2026, 9, 1), dt.date(2026, 12, 31), monthly=position)
    assert [o.day.isoformat() for o in schedule.expand(rule).held] == expected


@pytest.mark.parametrize(
    "rule,field",
    [
        (Recurrence(dt.time(18), dt.time(16), on=dt.date(2026, 3, 4)), "end"),
        (weekly([0], dt.date(2026, 3, 4), dt.date(2026, 3, 1)), "until"),
        (weekly([], dt.date(2026, 3, 1), dt.date(2026, 3, 4)), "weekdays"),
        (weekly([0], dt.date(2026, 1, 1), dt.date(2030, 1, 1)), "until"),
        (weekly([0], dt.date(2026, 1, 1), dt.date(2026, 2, 1), interval=0), "every"),
    ],
)
def test_impossible_rules_name_the_field(rule, field):
    with pytest.raises(BadInput) as err:
        rule.validate()
    assert err.value.field == field  # the logical field; each interface names it its own way
    assert "--" not in err.value.message


@settings(max_examples=150, deadline=None)
@given(
    start=st.dates(dt.date(2024, 1, 1), dt.date(2028, 12, 31)),
    length=st.integers(0, 200),
    weekdays=st.sets(st.integers(0, 6), min_size=1),
    interval=st.integers(1, 4),
    closure_at=st.integers(0, 200),
    closure_len=st.integers(0, 20),
)
def test_weekly_expansion_matches_a_day_by_day_reference(start, length, weekdays, interval, closure_at, closure_len):
    until = start + dt.timedelta(days=length)
    closure = Closure(start + dt.timedelta(days=closure_at), start + dt.timedelta(days=closure_at + closure_len), "x")
    rule = weekly(sorted(weekdays), start, until, interval=interval)
    got = [o.day for o in schedule.expand(rule, [closure]).held]

    holidays = schedule.danish_holidays(start, until)
    first_monday = start - dt.timedelta(days=start.weekday())
    expected = []
    day = start
    while day <= until:
        weeks_in = (day - first_monday).days // 7
        if day.weekday() in weekdays and weeks_in % interval == 0 and day not in holidays and not closure.covers(day):
            expected.append(day)
        day += dt.timedelta(days=1)
    assert got == expected


def test_public_holidays_are_the_holidays_package_calendar():
    """schedule computes Denmark's public holidays itself (the package is slow to import); they
    must be the package's, for every year the package covers."""
    import holidays

    for year in range(schedule.FIRST_YEAR, 2101):
        package = dict(holidays.country_holidays("DK", years=[year], language="da").items())
        assert schedule.danish_holidays(dt.date(year, 1, 1), dt.date(year, 12, 31)) == package, year
