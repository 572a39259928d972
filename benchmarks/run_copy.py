"""Child process: PostgreSQL's own COPY of the feed into a plain table, the floor.

    python -m benchmarks.run_copy --feed FILE --dsn postgres://...

The table has one text column per feed column and no index: no importer that also has to
parse, validate and index can be faster than this.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import psycopg

from benchmarks._child import report

_CHUNK = 1024 * 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feed", type=Path, required=True)
    parser.add_argument("--dsn", required=True)
    args = parser.parse_args()
    with args.feed.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    columns = ", ".join(f"c{i} text" for i in range(len(header)))
    with psycopg.connect(args.dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_copy_floor")
        conn.execute(f"CREATE TABLE bench_copy_floor ({columns})")
        started = time.perf_counter()
        with conn.transaction(), conn.cursor() as cursor:
            with (
                cursor.copy("COPY bench_copy_floor FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
                args.feed.open("rb") as feed,
            ):
                while chunk := feed.read(_CHUNK):
                    copy.write(chunk)
            rows = cursor.rowcount
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE bench_copy_floor")
    report(seconds=round(seconds, 3), rows=rows, rows_per_s=round(rows / seconds))


if __name__ == "__main__":
    main()
