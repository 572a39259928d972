"""Where the time goes: rows per second of each in-process stage on its own, no database.

    python -m benchmarks.stages --feed FILE

Each line adds one stage to the previous one, so the differences are the stage costs.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from benchmarks._child import report, setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feed", type=Path, required=True)
    args = parser.parse_args()
    setup_django()

    from marketplace.importing.decoding import open_feed, row_hash
    from marketplace.importing.mapping import resolve_columns
    from marketplace.importing.normalizers import RowNormalizer
    from marketplace.importing.row_values import prepare

    def run(stage: int) -> tuple[int, float]:
        started = time.perf_counter()
        rows = 0
        with open_feed(args.feed) as feed:
            normalizer = RowNormalizer(resolve_columns(feed.header))
            for _number, cells in feed.records():
                rows += 1
                if stage >= 1:
                    row_hash(cells)
                if stage >= 2:
                    result = normalizer.normalize(cells)
                    if stage >= 3 and result.record is not None:
                        prepare(result.record)
        return rows, time.perf_counter() - started

    names = ["open_feed + records()", "+ raw row hash", "+ normalize", "+ serialize + content hash"]
    rates = {}
    for stage, name in enumerate(names):
        rows, seconds = run(stage)
        rates[name] = round(rows / seconds)
        print(f"{name:<32} {rows / seconds:>10,.0f} rows/s  ({seconds:.2f} s)")
    report(stages=rates)


if __name__ == "__main__":
    main()
