"""Time `medborger --help` against `sqlite-utils --help` in the same run and print the ratio.

    python benchmarks/startup.py [--runs 30]

Both commands are the console scripts installed next to this Python. Runs alternate between
the two so that machine noise hits both alike; the median of each is compared. Aim: ≤ 0.7.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def script(name: str) -> str:
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        sys.exit(f"{name} is not installed; run `pip install .` first")
    return found


def once(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    ours, theirs = [script("medborger"), "--help"], [script("sqlite-utils"), "--help"]
    once(ours), once(theirs)  # warm the file cache
    a, b = [], []
    for _ in range(args.runs):
        a.append(once(ours))
        b.append(once(theirs))
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"medborger --help     median {ma * 1000:7.1f} ms  (min {min(a) * 1000:.1f})")
    print(f"sqlite-utils --help  median {mb * 1000:7.1f} ms  (min {min(b) * 1000:.1f})")
    print(f"ratio of medians     {ma / mb:.2f}  (aim: ≤ 0.70)")
    print(f"ratio of minimums    {min(a) / min(b):.2f}  (less noisy on a busy machine)")


if __name__ == "__main__":
    main()
