"""Micro-benchmark of the pure import stages, run by hand (not a test).

    .venv/bin/python -m benchmarks.bench_parsing [--rows 100000] [--feed PATH]

Reports rows/s for open_feed + records + row_hash (decode) and for RowNormalizer.normalize alone,
over the ~45-column Google Shopping feed of benchmarks/generate_feed.py (written to a temporary
directory unless --feed is given).
"""

from __future__ import annotations

import argparse
import csv
import gc
import tempfile
import time
from pathlib import Path

from benchmarks.generate_feed import write_feed
from marketplace.importing.decoding import open_feed, row_hash
from marketplace.importing.mapping import resolve_columns
from marketplace.importing.normalizers import RowNormalizer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--feed", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.feed or write_feed(Path(tmp) / "feed.csv", args.rows)
        size = path.stat().st_size

        # Rows are not kept during the timed pass: holding 100k lists makes the garbage collector
        # walk them again and again, which the pipeline (batches of 1,000) never pays.
        started, cpu = time.perf_counter(), time.process_time()
        count = 0
        with open_feed(path) as feed:
            header = feed.header
            for _row_number, cells in feed.records():
                row_hash(cells)
                count += 1
        decode_seconds, decode_cpu = time.perf_counter() - started, time.process_time() - cpu

        with open_feed(path) as feed:
            rows = [cells for _row_number, cells in feed.records()]
        gc.freeze()  # same reason: the rows are input, not garbage to scan

        # Reference on the same machine and moment: the stdlib csv.reader alone, no hashing.
        started, cpu = time.perf_counter(), time.process_time()
        with path.open(encoding="utf-8", newline="") as handle:
            baseline_count = sum(1 for _ in csv.reader(handle)) - 1
        baseline_cpu = time.process_time() - cpu

        normalizer = RowNormalizer(resolve_columns(header))
        started, cpu = time.perf_counter(), time.process_time()
        errors = warnings = 0
        for cells in rows:
            result = normalizer.normalize(cells)
            errors += result.record is None
            warnings += bool(result.issues) and result.record is not None
        normalize_seconds, normalize_cpu = time.perf_counter() - started, time.process_time() - cpu

    print(f"{count} rows, {len(header)} columns, {size / 1e6:.1f} MB ({size / count:.0f} bytes/row)")
    # CPU time is the fairer number on a shared machine; wall time is what a user waits.
    print(
        f"decode+hash: {count / decode_seconds:,.0f} rows/s wall, {count / decode_cpu:,.0f} rows/s CPU "
        f"({size / 1e6 / decode_cpu:.0f} MB/s CPU)"
    )
    print(f"csv.reader alone (reference): {baseline_count / baseline_cpu:,.0f} rows/s CPU")
    print(
        f"normalize:   {count / normalize_seconds:,.0f} rows/s wall, {count / normalize_cpu:,.0f} rows/s CPU; "
        f"{errors} rows skipped, {warnings} kept with warnings"
    )


if __name__ == "__main__":
    main()
