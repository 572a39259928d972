"""Child process: Python's csv.reader over the feed and nothing else (a reference point)."""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

from benchmarks._child import report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feed", type=Path, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    with args.feed.open(encoding="utf-8", newline="") as handle:
        rows = sum(1 for _ in csv.reader(handle)) - 1
    seconds = time.perf_counter() - started
    report(seconds=round(seconds, 3), rows=rows, rows_per_s=round(rows / seconds))


if __name__ == "__main__":
    main()
