"""Time the room report and a week's schedule on PostgreSQL against the same on SQLite.

    python benchmarks/postgres.py --server postgresql://USER@HOST:PORT/postgres [--size 1000000] [--keep DIR]

It generates (or, with --keep, reuses) the overlaps benchmark's municipality of --size bookings
(50 centres, 400 rooms, every room busy six days a week for a year) as a SQLite file, copies it
with `medborger copy --to` into a new database `medborger_bench` on the server (a role that may
create databases; without --server, $MEDBORGER_TEST_PG, as .ci/with-postgres sets it), ANALYZEs
it, and then times, best of --repeat, each in its own process with output to /dev/null:

  room report   medborger overlaps --kind room --json
  schedule      medborger schedule --centre 1 --week N --year Y  (a week in the middle of the year)

on both engines, in turns, and prints the times and PostgreSQL / SQLite. Aim: ≤ 2.0 for both.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from overlaps import generate_in_child, medborger  # noqa: E402

DATABASE = "medborger_bench"


def once(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)
    return time.perf_counter() - start


def week_of(path: Path) -> tuple[int, int]:
    import datetime as dt

    conn = sqlite3.connect(path)
    first = conn.execute("SELECT min(start) FROM bookings").fetchone()[0]
    conn.close()
    day = dt.date.fromisoformat(first[:10]) + dt.timedelta(weeks=20)
    iso = day.isocalendar()
    return iso.week, iso.year


def fresh_database(server: str) -> str:
    import psycopg

    parts = urlsplit(server)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    return urlunsplit((parts.scheme, parts.netloc, "/" + DATABASE, parts.query, ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=os.environ.get("MEDBORGER_TEST_PG"))
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the generated file in this folder")
    parser.add_argument("--database", help="a database that already holds the copy (skips the copy)")
    args = parser.parse_args()
    if not args.server and not args.database:
        sys.exit("give --server postgresql://USER@HOST:PORT/postgres (or set MEDBORGER_TEST_PG)")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="medborger-pgbench-"))
    folder.mkdir(parents=True, exist_ok=True)
    local = folder / f"overlaps-{args.size}.db"
    if not local.exists():
        t = time.perf_counter()
        made = generate_in_child(local, args.size)
        print(f"generated {local.name}: {made} in {time.perf_counter() - t:.1f} s", flush=True)
    import psycopg

    if args.database:
        server = args.database
    else:
        server = fresh_database(args.server)
        t = time.perf_counter()
        subprocess.run([medborger(), "--db", str(local), "copy", "--to", server], check=True)
        print(f"copy --to PostgreSQL: {time.perf_counter() - t:.1f} s", flush=True)
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
    week, year = week_of(local)
    me = medborger()
    commands = {
        "room report": ["overlaps", "--kind", "room", "--json"],
        "schedule": ["schedule", "--centre", "1", "--week", str(week), "--year", str(year)],
    }
    results: dict[str, dict[str, float]] = {}
    for name, command in commands.items():
        runs: dict[str, list[float]] = {"sqlite": [], "postgresql": []}
        for db, engine in ((str(local), "sqlite"), (server, "postgresql")):
            once([me, "--db", db, *command])  # warm caches
        for _ in range(args.repeat):
            for db, engine in ((str(local), "sqlite"), (server, "postgresql")):
                runs[engine].append(once([me, "--db", db, *command]))
        results[name] = {engine: min(times) for engine, times in runs.items()}
        best = results[name]
        print(f"{name:12} SQLite {best['sqlite']:.2f} s, PostgreSQL {best['postgresql']:.2f} s, "
              f"PostgreSQL / SQLite {best['postgresql'] / best['sqlite']:.2f} (aim ≤ 2.0)", flush=True)


if __name__ == "__main__":
    main()
