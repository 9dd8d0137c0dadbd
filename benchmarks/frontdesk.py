"""Time the front-desk commands against `sqlite-utils --help`, and a week's listing on a big
database against a small one that holds the same week.

    python benchmarks/frontdesk.py [--size 1000000] [--rounds 15] [--keep DIR]

It generates (or, with --keep, reuses) the overlaps benchmark's municipality of --size bookings
(50 centres, 400 rooms, every room busy six days a week for a year), and from it a small
database with the same centres, rooms, actors and activities but only the bookings of the week
measured, so that both print exactly the same. It also loads the bundled sample. Then, in
rounds, each command runs right after a run of the reference, `sqlite-utils --help`:

  schedule    medborger schedule --centre 1 --week N --year Y
  list        medborger list bookings --centre 1 --week N --year Y
  free        medborger free --weekday tirsdag --start 17 --end 19 --centre 1 (20 weeks)
  book        medborger book --centre 1 --room "Room 1" ... (a free half hour, a new one each run)

on the big database, the first three also on the sample, and `list` on the small database right
after `list` on the big one. It prints, per command, the median over the rounds of the ratio to
the reference run next to it (the noise of a busy machine hits both), and the median of the
ratio big/small for the week's listing. Output goes to /dev/null, as through a pipe.

Aims: schedule, list and free ≤ 1.5× the reference; book ≤ 2×; big/small ≤ 1.10.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from overlaps import generate_in_child, medborger  # noqa: E402  (the same generated municipality)

AIMS = {"schedule": 1.5, "list": 1.5, "free": 1.5, "book": 2.0}


def script(name: str) -> str:
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        sys.exit(f"{name} is not installed; run `pip install -e '.[test]'` first")
    return found


# Bytecode is written and used, as after `pip install` (an editable install run with
# PYTHONDONTWRITEBYTECODE=1 would compile every module of medborger at every start).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def once(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=ENV)
    return time.perf_counter() - start


def measured_week(path: Path) -> dt.date:
    """The Monday of a week in the middle of the generated year."""
    conn = sqlite3.connect(path)
    first = conn.execute("SELECT min(start) FROM bookings").fetchone()[0]
    conn.close()
    day = dt.date.fromisoformat(first[:10])
    return day - dt.timedelta(days=day.weekday()) + dt.timedelta(weeks=20)


def small_copy(big: Path, small: Path, monday: dt.date) -> None:
    """The big database with only the bookings of the week from `monday`."""
    source = sqlite3.connect(big)
    target = sqlite3.connect(small)
    source.backup(target)
    source.close()
    sunday = monday + dt.timedelta(days=7)
    with target:
        target.execute("DELETE FROM bookings WHERE start < ? OR start >= ?", [monday.isoformat(), sunday.isoformat()])
    target.execute("VACUUM")
    target.execute("ANALYZE")
    target.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the generated databases in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="medborger-frontdesk-"))
    folder.mkdir(parents=True, exist_ok=True)
    big = folder / f"overlaps-{args.size}.db"
    if not big.exists():
        t = time.perf_counter()
        made = generate_in_child(big, args.size)
        print(f"generated {big.name}: {made} in {time.perf_counter() - t:.1f} s", flush=True)
    monday = measured_week(big)
    iso = monday.isocalendar()
    small = folder / f"week-{iso.year}-{iso.week}.db"
    if not small.exists():
        small_copy(big, small, monday)
    writable = folder / "book.db"
    shutil.copyfile(big, writable)
    sample = folder / "sample.db"
    if not sample.exists():
        subprocess.run([medborger(), "--db", str(sample), "load-sample"], check=True, capture_output=True)

    me, reference = medborger(), [script("sqlite-utils"), "--help"]
    week = ["--week", str(iso.week), "--year", str(iso.year)]
    tuesday = monday + dt.timedelta(days=1)
    free = ["free", "--weekday", "tirsdag", "--start", "17", "--end", "19", "--centre", "1",
            "--from", tuesday.isoformat(), "--until", (tuesday + dt.timedelta(weeks=19)).isoformat()]
    sample_free = ["free", "--weekday", "tirsdag", "--start", "17", "--end", "19", "--centre", "1",
                   "--from", "2026-09-01", "--until", "2027-01-31"]
    commands = {
        "schedule": [me, "--db", str(big), "schedule", "--centre", "1", *week],
        "list": [me, "--db", str(big), "list", "bookings", "--centre", "1", *week],
        "free": [me, "--db", str(big), *free],
        "schedule (sample)": [me, "--db", str(sample), "schedule", "--centre", "1", "--week", "37", "--year", "2026"],
        "list (sample)": [me, "--db", str(sample), "list", "bookings", "--centre", "1", "--week", "37", "--year", "2026"],
        "free (sample)": [me, "--db", str(sample), *sample_free],
    }
    booked = [0]

    def book() -> list[str]:
        day = monday + dt.timedelta(weeks=2, days=booked[0])  # 06:00 is before every generated slot
        booked[0] += 1
        return [me, "--db", str(writable), "book", "--centre", "1", "--room", "Room 1", "--actor", "1",
                "--title", "Benchmark", "--start", f"{day.isoformat()} 06:00", "--end", "06:30"]

    once(reference)  # warm the file cache, write the bytecode
    for name, command in list(commands.items()):
        try:
            once(command)
        except subprocess.CalledProcessError:  # an older medborger without the command
            print(f"{name}: not available in this medborger", flush=True)
            del commands[name]
    once(book())
    ratios: dict[str, list[float]] = {name: [] for name in [*commands, "book"]}
    times: dict[str, list[float]] = {name: [] for name in [*commands, "book", "reference"]}
    scale: list[float] = []
    small_list = [me, "--db", str(small), "list", "bookings", "--centre", "1", *week]
    small_schedule = [me, "--db", str(small), "schedule", "--centre", "1", *week]
    scale_schedule: list[float] = []
    for _ in range(args.rounds):
        for name, command in [*commands.items(), ("book", None)]:
            ref = once(reference)
            took = once(command or book())
            ratios[name].append(took / ref)
            times[name].append(took)
            times["reference"].append(ref)
        big_took = once(commands["list"])
        scale.append(big_took / once(small_list))
        big_took = once(commands["schedule"])
        scale_schedule.append(big_took / once(small_schedule))

    ref_ms = statistics.median(times["reference"]) * 1000
    print(f"\n{args.size:,} bookings; week {iso.week} of {iso.year}; {args.rounds} rounds; "
          f"sqlite-utils --help median {ref_ms:.0f} ms\n")
    print(f"{'command':<20} {'median ms':>9} {'× reference':>12}  aim")
    for name in [*commands, "book"]:
        aim = AIMS.get(name.split(" ")[0])
        ratio = statistics.median(ratios[name])
        verdict = "" if aim is None else f"≤ {aim:.1f}  {'ok' if ratio <= aim else 'MISSED'}"
        print(f"{name:<20} {statistics.median(times[name]) * 1000:>9.0f} {ratio:>12.2f}  {verdict}")
    for label, values in (("list bookings", scale), ("schedule", scale_schedule)):
        ratio = statistics.median(values)
        print(f"{label} for the week, {args.size:,} bookings / that week alone: {ratio:.2f}  "
              f"(aim ≤ 1.10  {'ok' if ratio <= 1.10 else 'MISSED'})")
    writable.unlink()
    if not args.keep:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
