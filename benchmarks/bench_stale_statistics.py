"""Issue 13, item 10: a big load into a table whose planner statistics are stale (PostgreSQL).

    .venv/bin/python -m benchmarks.bench_stale_statistics [--rows 100000]

With autovacuum off on the product tables (as on a server where it is off, or not yet
round), a store first imports a small feed (the tables are analyzed at that size), then a
big one, then the big one again with changed values. Prints rows/s of each step and what
the planner believes the tables hold afterwards. Without the importer's own ANALYZE the
re-import ran on the plan of the small table.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import cast

import psycopg

from benchmarks.bench import DEFAULT_PG, ours, recreate_postgres
from benchmarks.generate_feed import write_feed

TABLES = ("marketplace_products", "marketplace_product_translations")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pg-url", default=DEFAULT_PG.rsplit("/", 1)[0] + "/letzshop_bench_stale")
    args = parser.parse_args()
    recreate_postgres(args.pg_url)
    with psycopg.connect(args.pg_url, autocommit=True) as conn:
        for table in TABLES:
            conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
    with tempfile.TemporaryDirectory() as tmp:
        small = write_feed(Path(tmp) / "small.csv", 500)
        big = write_feed(Path(tmp) / "big.csv", args.rows)
        changed = write_feed(Path(tmp) / "changed.csv", args.rows, seed=7)
        for label, feed in (("small first import", small), ("big import", big), ("big re-import, changed", changed)):
            result = ours(feed, args.pg_url, "stale", label)
            print(
                f"{label:<26} {result['rows']:>8,} rows  {result['rows_per_s']:>8,} rows/s  "
                f"imported={result['imported']:,} updated={result.get('updated', '?')}"
            )
    with psycopg.connect(args.pg_url, autocommit=True) as conn:
        for table in TABLES:
            # cast: the benchmark's own tables exist, so pg_class has their row.
            planned = cast(
                "tuple[int]",
                conn.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table]).fetchone(),
            )[0]
            print(f"planner rows of {table}: {planned:,}")
    name = args.pg_url.rsplit("/", 1)[1]
    with psycopg.connect(args.pg_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
