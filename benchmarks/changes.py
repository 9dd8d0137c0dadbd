"""Time the changing commands on a municipality of 1,000,000 bookings against `sqlite-utils --help`.

    python benchmarks/changes.py [--size 1000000] [--runs 9] [--keep DIR]

The database is the overlaps benchmark's generator (a year of weekly offers in 400 rooms). Each
round runs, in alternation with `sqlite-utils --help`:

  edit:    `edit activity ID --from D --start T --end T --allow-conflicts --yes`, one weekly series for
           the rest of its season, switching between two times so that every run really changes it
  move:    `move BOOKING --start T --allow-conflicts`, switching between two times
  restore: `cancel BOOKING` (untimed), then `restore BOOKING --allow-conflicts`

and prints the median of the per-round ratios. Aim: each at most 2 (a write does more than a read).
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from overlaps import generate_in_child, medborger  # noqa: E402


def run(command: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {' '.join(command)}\n{result.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the generated database in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="medborger-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"overlaps-{args.size}.db"
    if not path.exists():
        print(f"generating {path.name} ...", flush=True)
        generate_in_child(path, args.size)
    work = folder / "changes.db"  # the edits go to a copy: the generated municipality stays as made for the others
    shutil.copyfile(path, work)
    path = work
    base = [medborger(), "--db", str(path)]
    subprocess.run(base + ["check", "--json"], stdout=subprocess.DEVNULL)  # migrate once, untimed
    conn = sqlite3.connect(path)
    activity, first = conn.execute(
        "SELECT activity_id, min(start) FROM bookings WHERE activity_id IS NOT NULL GROUP BY activity_id "
        "ORDER BY activity_id LIMIT 1").fetchone()
    middle = conn.execute("SELECT start FROM bookings WHERE activity_id = ? ORDER BY start LIMIT 1 OFFSET 10",
                          [activity]).fetchone()[0]
    booking = conn.execute("SELECT id FROM bookings WHERE activity_id = ? AND start >= ? ORDER BY start LIMIT 1 OFFSET 3",
                           [activity, middle]).fetchone()[0]
    conn.close()
    reference = [shutil.which("sqlite-utils") or sys.exit("pip install sqlite-utils"), "--help"]
    times = ["06:00", "06:30"]
    ratios: dict[str, list[float]] = {"edit": [], "move": [], "restore": []}
    for n in range(args.runs):
        t = times[n % 2]
        ref = run(reference)
        ratios["edit"].append(run(base + ["edit", "activity", str(activity), "--from", middle[:10], "--start", t,
                                          "--end", "07:00", "--allow-conflicts", "--yes"]) / ref)
        ref = run(reference)
        ratios["move"].append(run(base + ["move", str(booking), "--start", t, "--allow-conflicts"]) / ref)
        run(base + ["cancel", str(booking), "--yes"])
        ref = run(reference)
        ratios["restore"].append(run(base + ["restore", str(booking), "--allow-conflicts"]) / ref)
    for name, values in ratios.items():
        print(f"{name:8} median {statistics.median(values):.2f}× sqlite-utils --help "
              f"(min {min(values):.2f}, max {max(values):.2f}; aim ≤ 2)")
    if not args.keep:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
