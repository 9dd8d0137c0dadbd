"""Time CSV export and import against sqlite-utils on the same data, in the same run.

    python benchmarks/io.py [--export-size 1000000] [--import-size 100000] [--keep DIR]

export: `medborger export csv bookings` (joins to names, neutralises formulas) against
        `sqlite-utils rows DB bookings --csv` (the raw table), both to /dev/null.
import: `medborger import csv bookings FILE --allow-conflicts` (parses, validates every row,
        resolves names, runs the room-conflict check, one transaction) into a database that has
        the centres, rooms, actors and activities but no bookings, against
        `sqlite-utils insert DB TABLE FILE --csv` of the same file into an empty database.
It prints both ratios and the export's peak memory at both sizes (flat means streaming).
Aims: export ≤ 1.5×, import ≤ 3×, export memory flat.
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


def sqlite_utils() -> str:
    local = Path(sys.executable).parent / "sqlite-utils"
    return str(local) if local.exists() else (shutil.which("sqlite-utils") or sys.exit("sqlite-utils is not installed"))


def timed(command: list[str], stdout=subprocess.DEVNULL) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=stdout, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(command)}\n{proc.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss // 1024


def best(command: list[str], repeat: int) -> tuple[float, int]:
    runs = [timed(command) for _ in range(repeat)]
    return min(t for t, _ in runs), max(m for _, m in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--export-size", type=int, default=1_000_000)
    parser.add_argument("--import-size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="medborger-io-"))
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for size in sorted({args.export_size, args.import_size, 100_000}):
        path = paths[size] = folder / f"overlaps-{size}.db"
        if not path.exists():
            made = generate_in_child(path, size)
            print(f"generated {path.name}: {made}", flush=True)

    # Export
    memory = {}
    for size in sorted({args.import_size, args.export_size}):
        ours, memory[size] = best([medborger(), "--db", str(paths[size]), "export", "csv", "bookings"], args.repeat)
        theirs, _ = best([sqlite_utils(), "rows", str(paths[size]), "bookings", "--csv"], args.repeat)
        print(f"export {size:>9,}: medborger {ours:.2f} s, sqlite-utils {theirs:.2f} s, ratio {ours / theirs:.2f} "
              f"(aim ≤ 1.5), peak memory {memory[size]} MB", flush=True)
    print(f"export memory at {max(memory):,} vs {min(memory):,}: {memory[max(memory)]} MB vs {memory[min(memory)]} MB")

    # Import
    source = paths[args.import_size]
    csv_file = folder / f"bookings-{args.import_size}.csv"
    with open(csv_file, "wb") as out:
        timed([medborger(), "--db", str(source), "export", "csv", "bookings"], stdout=out)
    ours_runs, theirs_runs = [], []
    for _ in range(args.repeat):
        target = folder / "import-target.db"
        shutil.copyfile(source, target)
        conn = sqlite3.connect(target)
        conn.execute("DELETE FROM bookings")
        conn.commit()
        conn.execute("VACUUM")
        conn.close()
        ours_runs.append(timed([medborger(), "--db", str(target), "import", "csv", "bookings", str(csv_file), "--allow-conflicts"])[0])
        raw = folder / "import-raw.db"
        raw.unlink(missing_ok=True)
        theirs_runs.append(timed([sqlite_utils(), "insert", str(raw), "bookings", str(csv_file), "--csv"])[0])
    ours, theirs = min(ours_runs), min(theirs_runs)
    print(f"import {args.import_size:>9,}: medborger {ours:.2f} s, sqlite-utils {theirs:.2f} s, ratio {ours / theirs:.2f} (aim ≤ 3)")
    if not args.keep:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
