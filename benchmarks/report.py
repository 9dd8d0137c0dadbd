"""Time `medborger report` for a year and the whole municipality against `export csv bookings`.

    python benchmarks/report.py [--size 1000000] [--repeat 3] [--keep DIR]

It generates the overlaps benchmark's municipality (50 centres, 400 rooms, a year of weekly
activities: about a million bookings), registers attendance (counts, new participants, gender
and, on every fourth, age bands) on half of the bookings, and takes the last generated day as
today (MEDBORGER_TODAY), so that the whole year is held. Then it times, each in its own process
with output to /dev/null:

  report: `medborger report --from FIRST --until LAST --json` (every group, the skipped dates)
  export: `medborger export csv bookings` (the same bookings, as a spreadsheet gets them)

and prints report/export. Aim: ≤ 1.0.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from overlaps import generate_in_child, medborger  # noqa: E402  (the same generated municipality)


def add_attendance(path: Path) -> tuple[str, str, int]:
    """Attendance on every second booking; returns the first and last day and the rows added."""
    conn = sqlite3.connect(path)
    first, last = (v[:10] for v in conn.execute("SELECT min(start), max(start) FROM bookings").fetchone())
    with conn:
        conn.execute(
            "INSERT OR IGNORE INTO attendance (booking_id, count, new, female, male, age_bands, note, recorded_at) "
            "SELECT id, 10 + id % 17, id % 3, 5 + id % 7, 5, "
            "CASE WHEN id % 4 = 0 THEN '{\"6-12\": 4, \"13-17\": 3, \"30-64\": 3}' END, NULL, '2026-01-01T00:00:00' "
            "FROM bookings WHERE id % 2 = 0"
        )
    added = conn.execute("SELECT count(*) FROM attendance").fetchone()[0]
    conn.execute("ANALYZE")
    conn.close()
    return first, last, added


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, _usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(command)}\n{proc.stderr.read().decode()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="medborger-report-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"report-{args.size}.db"
    if not path.exists():
        made = generate_in_child(path, args.size)
        print(f"generated {path.name}: {made}", flush=True)
    first, last, added = add_attendance(path)
    print(f"attendance on {added:,} bookings; the year {first} – {last}", flush=True)
    env = {**os.environ, "MEDBORGER_TODAY": last}
    report_cmd = [medborger(), "--db", str(path), "report", "--from", first, "--until", last, "--json"]
    export_cmd = [medborger(), "--db", str(path), "export", "csv", "bookings"]
    timed(export_cmd, env)  # warm the page cache
    reports = [timed(report_cmd, env) for _ in range(args.repeat)]
    exports = [timed(export_cmd, env) for _ in range(args.repeat)]
    ours, theirs = min(reports), min(exports)
    print(f"report {ours:.2f} s, export csv bookings {theirs:.2f} s, report/export {ours / theirs:.2f} (aim ≤ 1.0)")
    if not args.keep:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
