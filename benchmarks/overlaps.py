"""Time `medborger overlaps --json` against a CSV export of the same bookings and a bare scan.

    python benchmarks/overlaps.py [--sizes 100000 1000000] [--keep DIR]

For each size it generates a municipality's year: 50 centres in 25 areas, 400 rooms, 500 actors,
weekly activities from a catalogue of typical offers (each with its type, ages, gender, life
situations; the house meeting internal), from next week on (every room busy six days a week),
and a few thousand one-off bookings laid over them as conflicts. Then, in the same run, it times

  report: `medborger --db DB overlaps --json` (all three kinds), output to /dev/null
  export: `medborger --db DB export csv bookings`, output to /dev/null: the same bookings read
          and written once, the yardstick of the issue
  scan:   the floor no report can beat: `SELECT room_id, start, end FROM bookings
          ORDER BY room_id, start`, every row fetched into Python

each in its own process, and prints report/export, report/scan, time at 1M / time at 100k and
the peak memory (max RSS) of the report. Aims: report ≤ 0.75× export, memory ≤ 250 MB,
1M/100k ≤ 12.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# A catalogue of the weekly offers of DOMAIN.md: (title, category, type, ages, gender, life
# situations, internal); ages None: all ages. Open offers have no ages, gender or situation.
OFFERS = [
    ("Lektiecafé", "learning", "lektiehjælp", (6, 17), "all", [], False),
    ("Lektiehjælp", "learning", "lektiehjælp", (6, 12), "all", [], False),
    ("Sprogcafé", "learning", "sprogundervisning", (18, None), "female", ["newcomers"], False),
    ("IT-hjælp", "learning", "IT-hjælp", (65, None), "all", [], False),
    ("9. klasse for voksne", "learning", "voksenundervisning", (18, None), "all", [], False),
    ("Jobcafé", "employment", "jobcafé", (18, None), "all", ["job-seekers"], False),
    ("Jobklub", "employment", "jobcafé", (18, 29), "all", ["job-seekers"], False),
    ("Lommepengejob", "employment", "lommepengejob", (13, 17), "all", [], False),
    ("Åben rådgivning", "advice", "åben rådgivning", None, "all", [], False),
    ("Anonym rådgivning", "advice", "åben rådgivning", None, "all", [], False),
    ("Forældrecafé", "advice", None, None, "all", ["parents"], False),
    ("Pigeklub", "community", "klub", (13, 17), "female", [], False),
    ("Kvindeklub", "community", "klub", (18, None), "female", [], False),
    ("Fædregruppe", "community", "netværksgruppe", None, "male", ["parents"], False),
    ("Seniorcafé", "community", "café", (65, None), "all", [], False),
    ("Syklub", "culture", "kreativt værksted", (18, None), "female", [], False),
    ("Fællesspisning", "community", "fællesspisning", None, "all", [], False),
    ("Mødregruppe", "health", "forældreforløb", None, "female", ["parents"], False),
    ("Sundhedstjek", "advice", "sundhedsrådgivning", (18, None), "male", [], False),
    ("Rygestopkursus", "health", "rygestop", (18, None), "all", [], False),
    ("KOL-hold", "health", "sundhedsforløb", (50, None), "all", [], False),
    ("Seniortræning", "health", "motion", (65, None), "all", [], False),
    ("Ungeklub", "prevention", "ungeåbent", (13, 17), "all", [], False),
    ("Gadeplan", "prevention", "gadeplan", (13, 24), "all", [], False),
    ("Drengeklub", "community", "klub", (13, 17), "male", [], False),
    ("Kreaværksted", "culture", "kreativt værksted", (6, 12), "all", [], False),
    ("Fortællestund", "culture", "fortælling og læsning", (3, 8), "all", [], False),
    ("Husmøde", "democracy", "husmøde", None, "all", [], True),
]
SECTORS = ["housing-social", "housing-org", "municipal", "volunteer", "resident", "health", "education", "police"]
SLOTS = [("08:00", "09:30"), ("09:30", "11:00"), ("11:00", "12:30"), ("12:30", "14:00"),
         ("14:00", "15:30"), ("15:30", "17:00"), ("17:00", "18:30"), ("18:30", "20:00")]


def medborger() -> str:
    local = Path(sys.executable).parent / "medborger"
    return str(local) if local.exists() else (shutil.which("medborger") or sys.exit("install medborger first"))


def generate(path: Path, occurrences: int, seed: int = 7) -> dict[str, int]:
    """Write a database of about `occurrences` active bookings, through medborger's own schema."""
    rng = random.Random(seed)
    subprocess.run([medborger(), "--db", str(path), "init"], check=True, capture_output=True)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    created = dt.datetime.now().isoformat(timespec="seconds")
    monday = dt.date.today() - dt.timedelta(days=dt.date.today().weekday()) + dt.timedelta(days=7)
    weeks = 52
    centres, rooms_per_centre = 50, 8
    with conn:
        conn.executemany(
            "INSERT INTO centres (id, name, name_key, type, municipality, area, created_at) VALUES (?, ?, ?, 'other', 'Bench', ?, ?)",
            [(c, f"Centre {c}", f"centre {c}", f"Area {c // 2}", created) for c in range(1, centres + 1)],
        )
        conn.executemany(
            "INSERT INTO rooms (id, centre_id, name, name_key) VALUES (?, ?, ?, ?)",
            [((c - 1) * rooms_per_centre + r, c, f"Room {r}", f"room {r}") for c in range(1, centres + 1) for r in range(1, rooms_per_centre + 1)],
        )
        conn.executemany(
            "INSERT INTO actors (id, name, name_key, sector) VALUES (?, ?, ?, ?)",
            [(a, f"Actor {a}", f"actor {a}", rng.choice(SECTORS)) for a in range(1, 501)],
        )
    # Activities: every room is busy in eight slots a day, six days a week. In each slot an
    # offer runs on one to four weekdays (a Lektiecafé Monday to Thursday, a Seniorcafé on
    # Fridays). In an area each offer has its usual actor; one activity in twenty is run by
    # another local actor: that is where parallel efforts and clashes come from.
    per_week = max(1, round(occurrences / (centres * rooms_per_centre * weeks)))
    slots = [(d, s) for s in range(len(SLOTS)) for d in range(6)][:per_week]
    area_actors = {area: rng.sample(range(1, 501), 16) for area in range(centres // 2 + 1)}
    usual = {(area, offer): rng.choice(actors) for area, actors in area_actors.items() for offer in range(len(OFFERS))}
    activity_rows, partner_rows, target_rows, booking_rows = [], [], [], []
    activity_id = booking_id = 0
    for centre in range(1, centres + 1):
        area = (centre - 1) // 2
        for room in range((centre - 1) * rooms_per_centre + 1, centre * rooms_per_centre + 1):
            by_slot: dict[int, list[int]] = {}
            for day, slot in slots:
                by_slot.setdefault(slot, []).append(day)
            for slot, days in by_slot.items():
                while days:
                    take = min(len(days), rng.choice([1, 1, 2, 3, 4]))
                    chunk, days = days[:take], days[take:]
                    offer = rng.randrange(len(OFFERS))
                    title, category, kind, ages, gender, groups, internal = OFFERS[offer]
                    lead = usual[(area, offer)] if rng.random() > 0.05 else rng.choice(area_actors[area])
                    activity_id += 1
                    start, end = SLOTS[slot]
                    activity_rows.append((activity_id, f"{title} {activity_id}", f"{title.lower()} {activity_id}", centre, room,
                                          lead, category, kind, *(ages or (None, None)), gender, int(internal), start, end,
                                          monday.isoformat(),
                                          (monday + dt.timedelta(weeks=weeks) - dt.timedelta(days=1)).isoformat(), created,
                                          ",".join(("mon", "tue", "wed", "thu", "fri", "sat", "sun")[d] for d in sorted(chunk))))
                    if rng.random() < 0.3:
                        partner_rows.append((activity_id, rng.choice([a for a in area_actors[area] if a != lead])))
                    target_rows += [(activity_id, t) for t in groups]
                    for week in range(weeks):
                        for day in chunk:
                            day_date = monday + dt.timedelta(weeks=week, days=day)
                            booking_id += 1
                            booking_rows.append((booking_id, room, lead, activity_id, title,
                                                 f"{day_date}T{start}", f"{day_date}T{end}", created))
    # Some thousand conflicts: one-off bookings laid over existing ones, half an hour in.
    conflicts = max(100, len(booking_rows) // 500)
    for _ in range(conflicts):
        victim = booking_rows[rng.randrange(len(booking_rows))]
        start = dt.datetime.fromisoformat(victim[5]) + dt.timedelta(minutes=30)
        booking_id += 1
        booking_rows.append((booking_id, victim[1], victim[2], None, "Extra", start.strftime("%Y-%m-%dT%H:%M"),
                             (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), created))
    with conn:
        conn.executemany(
            "INSERT INTO activities (id, title, name_key, centre_id, room_id, actor_id, category, type, age_min, age_max, "
            "gender, internal, start_time, end_time, date_from, date_until, created_at, weekdays) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            activity_rows,
        )
        conn.executemany("INSERT OR IGNORE INTO activity_partners VALUES (?, ?)", partner_rows)
        conn.executemany("INSERT OR IGNORE INTO activity_targets VALUES (?, ?)", target_rows)
        conn.executemany(
            'INSERT INTO bookings (id, room_id, actor_id, activity_id, title, start, "end", created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
            booking_rows,
        )
    conn.execute("ANALYZE")
    conn.close()
    return {"activities": len(activity_rows), "bookings": len(booking_rows), "one-off conflicts": conflicts}


SCAN = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
n = 0
for row in conn.execute('SELECT room_id, start, "end" FROM bookings WHERE status = \\'active\\' ORDER BY room_id, start'):
    n += 1
print(n)
"""


def timed(command: list[str]) -> tuple[float, int, float]:
    """Wall time, peak RSS (MB) and CPU time (user + system) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(command)}")
    return elapsed, usage.ru_maxrss // 1024, usage.ru_utime + usage.ru_stime


def measure(path: Path, repeat: int) -> dict[str, float]:
    """The best of `repeat` runs of each, taken in turns so that a busy moment hits all three."""
    report_cmd = [medborger(), "--db", str(path), "overlaps", "--json"]
    export_cmd = [medborger(), "--db", str(path), "export", "csv", "bookings"]
    scan_cmd = [sys.executable, "-c", SCAN, str(path)]
    timed(scan_cmd)  # warm the page cache
    runs: dict[str, list] = {"report": [], "export": [], "scan": []}
    for _ in range(repeat):
        for name, command in (("report", report_cmd), ("export", export_cmd), ("scan", scan_cmd)):
            runs[name].append(timed(command))
    best = {name: min(t for t, _, _ in found) for name, found in runs.items()}
    cpu = {f"{name}_cpu": min(c for _, _, c in found) for name, found in runs.items()}
    return {**best, **cpu, "memory": max(m for _, m, _ in runs["report"])}


def generate_in_child(path: Path, occurrences: int) -> dict[str, int]:
    """Generate in a separate process: a child forked from a big parent reports the parent's
    memory as its own peak, so the timing process must stay small."""
    import json

    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); from overlaps import generate; "
        "from pathlib import Path; print(json.dumps(generate(Path(sys.argv[2]), int(sys.argv[3]))))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(Path(__file__).resolve().parent), str(path), str(occurrences)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the generated databases in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="medborger-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    results = {}
    for size in args.sizes:
        path = folder / f"overlaps-{size}.db"
        if not path.exists():
            t = time.perf_counter()
            made = generate_in_child(path, size)
            print(f"generated {path.name}: {made} in {time.perf_counter() - t:.1f} s", flush=True)
        results[size] = r = measure(path, args.repeat)
        print(f"{size:>9,} occurrences: report {r['report']:.2f} s, export {r['export']:.2f} s, scan {r['scan']:.2f} s, "
              f"report/export {r['report'] / r['export']:.2f} (aim ≤ 0.75), report/scan {r['report'] / r['scan']:.2f}, "
              f"peak memory {r['memory']} MB (aim ≤ 250)", flush=True)
        print(f"{'':>9}  CPU time: report {r['report_cpu']:.2f} s, export {r['export_cpu']:.2f} s, "
              f"report/export {r['report_cpu'] / r['export_cpu']:.2f} (steadier than wall time on a busy machine)", flush=True)
    if len(args.sizes) >= 2:
        small, large = min(args.sizes), max(args.sizes)
        print(f"time at {large:,} / time at {small:,}: {results[large]['report'] / results[small]['report']:.1f} (aim ≤ 12)")
    if not args.keep:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
