"""`make bench-floor`: what PostgreSQL alone needs to store a fresh import's rows.

    python -m benchmarks.server_floor [--rows 100000] [--repeat 3]

1. Import the benchmark feed with this project's importer into a new database
   (BENCH_DATABASE_URL, dropped and created again), as `make bench` does.
2. Dump the products and translations it wrote (COPY ... TO, in a temporary folder).
3. Replay them into the real tables with COPY ... FROM: no Python between the file and the
   server, so this is the least time any importer of these rows into this schema needs on
   this machine. Each replay runs in a transaction that empties the tables first and is
   rolled back at the end, after `SET CONSTRAINTS ALL IMMEDIATE` has run the deferred
   foreign-key checks a commit would run; the database is left as the import left it.
4. Replay again without one part of the schema at a time (dropped inside that transaction,
   so also rolled back), to show what each part costs.

The best of --repeat runs of each is printed, with the rows per second it allows.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import cast

import psycopg

from benchmarks import bench
from benchmarks.generate_feed import ensure_feed

PRODUCTS = "marketplace_products"
TRANSLATIONS = "marketplace_product_translations"
_CHUNK = 1024 * 1024


def _foreign_keys(cur: psycopg.Cursor, table: str) -> dict[str, str]:
    """{constraint name: referenced table} for the table's foreign keys."""
    cur.execute(
        "SELECT conname, confrelid::regclass::text FROM pg_constraint WHERE contype = 'f' AND conrelid = %s::regclass",
        [table],
    )
    return dict(cur.fetchall())


def _secondary_indexes(cur: psycopg.Cursor, table: str) -> list[str]:
    """The table's indexes that back no constraint (primary key, unique)."""
    cur.execute(
        "SELECT i.indexrelid::regclass::text FROM pg_index i"
        " WHERE i.indrelid = %s::regclass AND NOT EXISTS"
        " (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        [table],
    )
    return [row[0] for row in cur.fetchall()]


def _variants(cur: psycopg.Cursor) -> list[tuple[str, list[str], bool]]:
    """(label, DDL run before the replay, whether the translations are replayed)."""
    product_fks = _foreign_keys(cur, PRODUCTS)
    translation_fks = _foreign_keys(cur, TRANSLATIONS)

    def drop_fk(table: str, names: list[str]) -> list[str]:
        return [f'ALTER TABLE {table} DROP CONSTRAINT "{name}"' for name in names]

    by_target = {target: name for name, target in product_fks.items()}
    variants: list[tuple[str, list[str], bool]] = [("the schema as it is", [], True)]
    for target in sorted(by_target):
        variants.append((f"without the products -> {target} FK", drop_fk(PRODUCTS, [by_target[target]]), True))
    variants.append(("without the translations -> products FK", drop_fk(TRANSLATIONS, list(translation_fks)), True))
    variants.append(
        (
            "without any of these FKs",
            drop_fk(PRODUCTS, list(product_fks)) + drop_fk(TRANSLATIONS, list(translation_fks)),
            True,
        )
    )
    variants.append(
        (
            "without the products' secondary indexes",
            [f"DROP INDEX {name}" for name in _secondary_indexes(cur, PRODUCTS)],
            True,
        )
    )
    variants.append(("without the translations (texts stored once)", [], False))
    return variants


def _dump(cur: psycopg.Cursor, table: str, path: Path) -> None:
    with path.open("wb") as out, cur.copy(f"COPY {table} TO STDOUT") as copy:
        for data in copy:
            out.write(data)


def _load(cur: psycopg.Cursor, table: str, path: Path) -> float:
    started = time.perf_counter()
    with cur.copy(f"COPY {table} FROM STDIN") as copy, path.open("rb") as data:
        while chunk := data.read(_CHUNK):
            copy.write(chunk)
    return time.perf_counter() - started


def _replay(
    conn: psycopg.Connection, ddl: list[str], files: dict[str, Path], with_translations: bool
) -> tuple[float, float, float]:
    """(products COPY, translations COPY, deferred checks) in seconds; rolled back."""
    bench.settle_postgres(bench.SETTLE_URL)
    with conn.cursor() as cur:
        cur.execute("BEGIN")
        try:
            cur.execute("SET LOCAL synchronous_commit = off")
            for statement in ddl:
                cur.execute(statement)
            cur.execute(f"TRUNCATE {PRODUCTS}, {TRANSLATIONS} CASCADE")
            products = _load(cur, PRODUCTS, files[PRODUCTS])
            translations = _load(cur, TRANSLATIONS, files[TRANSLATIONS]) if with_translations else 0.0
            started = time.perf_counter()
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            checks = time.perf_counter() - started
        finally:
            cur.execute("ROLLBACK")
    return products, translations, checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_DATABASE_URL", bench.DEFAULT_PG))
    args = parser.parse_args()

    bench.OUT.mkdir(exist_ok=True)
    bench.SETTLE_URL = args.pg_url
    feed = ensure_feed(bench.OUT, args.rows)
    print("preparing the database and importing the feed ...", file=sys.stderr)
    bench.recreate_postgres(args.pg_url)
    imported = bench.ours(feed, args.pg_url, "bench", "ours, PostgreSQL, fresh")

    with (
        tempfile.TemporaryDirectory(prefix="bench-floor-", dir=bench.OUT) as folder,
        psycopg.connect(args.pg_url, autocommit=True) as conn,
    ):
        files = {table: Path(folder) / f"{table}.copy" for table in (PRODUCTS, TRANSLATIONS)}
        with conn.cursor() as cur:
            for table, path in files.items():
                _dump(cur, table, path)
            cur.execute(f"SELECT count(*) FROM {PRODUCTS}")
            rows = cast("tuple[int]", cur.fetchone())[0]  # SELECT count(*) always answers one row
            variants = _variants(cur)
        results = []
        for label, ddl, with_translations in variants:
            print(f"  replaying: {label} ...", file=sys.stderr)
            runs = [_replay(conn, ddl, files, with_translations) for _ in range(args.repeat)]
            results.append((label, min(runs, key=sum)))

    print(
        f"\n{rows:,} products and their translations, as our fresh import wrote them "
        f"({imported['rows_per_s']:,} rows/s in that import); best of {args.repeat}:\n"
    )
    print(
        f"{'replayed with COPY, no Python':50s} {'products':>9s} {'transl.':>8s} {'FK checks':>9s}"
        f" {'total':>7s} {'rows/s':>8s}"
    )
    for label, (products, translations, checks) in results:
        total = products + translations + checks
        print(f"{label:50s} {products:8.2f}s {translations:7.2f}s {checks:8.2f}s {total:6.2f}s {rows / total:8,.0f}")
    baseline = sum(results[0][1])
    print(f"\nFLOOR rows_per_s={rows / baseline:.0f} seconds={baseline:.2f} (the schema as it is)")


if __name__ == "__main__":
    main()
