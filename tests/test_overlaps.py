"""Room overlap detection against a brute-force reference."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from medborger_cli.overlaps import Slot, conflicts_of, overlapping_pairs

BASE = dt.datetime(2026, 9, 7, 8, 0)


def at(minutes: int) -> str:
    return (BASE + dt.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


slots = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 600), st.integers(1, 240)).map(
        lambda t: (t[0], at(t[1]), at(t[1] + t[2]))
    ),
    max_size=40,
)


def brute(items):
    found = set()
    for i, a in enumerate(items):
        for j, b in enumerate(items):
            if i < j and a.room == b.room and a.start < b.end and b.start < a.end:
                found.add(frozenset((a.ref, b.ref)))
    return found


@settings(max_examples=200, deadline=None)
@given(slots)
def test_sweep_finds_exactly_the_brute_force_pairs(raw):
    items = [Slot(room, s, e, i) for i, (room, s, e) in enumerate(raw)]
    got = [frozenset((a.ref, b.ref)) for a, b in overlapping_pairs(items)]
    assert len(got) == len(set(got))
    assert set(got) == brute(items)


def test_touching_ends_are_no_overlap():
    items = [Slot("Salen", at(0), at(60), 1), Slot("Salen", at(60), at(120), 2), Slot("Køkkenet", at(0), at(120), 3)]
    assert list(overlapping_pairs(items)) == []


@settings(max_examples=100, deadline=None)
@given(slots, slots)
def test_conflicts_of_a_proposal_leave_out_old_pairs(new, old):
    proposed = [Slot(r, s, e, ("new", i)) for i, (r, s, e) in enumerate(new)]
    existing = [Slot(r, s, e, ("old", i)) for i, (r, s, e) in enumerate(old)]
    got = {frozenset((a.ref, b.ref)) for a, b in conflicts_of(proposed, existing)}
    expected = {pair for pair in brute(proposed + existing) if any(ref[0] == "new" for ref in pair)}
    assert got == expected
