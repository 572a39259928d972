"""`make bench-publish`: publish then unpublish all 300,000 products of one store, on
PostgreSQL and on SQLite, through the background task's own code path.

    python -m benchmarks.bench_publish [--products 300000] [--repeat 1] [--pg-url URL]

1. Create a throw-away PostgreSQL database (BENCH_PUBLISH_DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/letzshop_bench_publish; dropped and created again,
   dropped at the end) and a throw-away SQLite file; migrate both.
2. In a child process per database: one store, N marketplace products bulk-loaded (COPY on
   PostgreSQL, executemany on SQLite), a completed import whose feed contained all of them
   (feed membership), then VACUUM ANALYZE, as autovacuum would after such a load.
3. Time "publish all from this import" and then "unpublish all from this import", each
   as a ``CatalogBulkAction`` run by ``bulk_action_run``: what the worker's task runs.
4. Print one line: ``PUBLISH pg_publish=<products/s> pg_unpublish=... sqlite_publish=... sqlite_unpublish=...``
   (with --repeat N, the best of N rounds: the machine is shared).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._child import report, setup_django
from benchmarks.bench import OUT, migrate, recreate_postgres, run_child

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/letzshop_bench_publish"
TARGETS = {"pg_publish": 50_000, "pg_unpublish": 50_000, "sqlite_publish": 20_000, "sqlite_unpublish": 20_000}


def _product_columns() -> tuple[list[str], list[Any]]:
    """Every column of a marketplace product but id, store and the feed id, with a value."""
    from django.db import connection
    from django.utils import timezone

    from marketplace.models import MarketplaceProduct

    now = timezone.now()
    columns, values = [], []
    for field in MarketplaceProduct._meta.concrete_fields:
        if field.primary_key or field.name in ("store", "marketplace_product_id", "last_import_job"):
            continue
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        value = now if auto else field.get_default()
        if field.name == "title":
            value = "A product of the benchmark"
        if field.name == "price":
            value = 19.99
        columns.append(field.column)
        values.append(field.get_db_prep_save(value, connection))
    return columns, values


def load(products: int) -> tuple[int, int]:
    """The store and a completed import whose feed holds ``products`` new products."""
    from django.db import connection

    from marketplace.models import MarketplaceImportJob
    from stores.models import Store

    store = Store.objects.create(code="bench-publish", name="Benchmark store")
    job = MarketplaceImportJob.objects.create(
        store=store, status=MarketplaceImportJob.Status.COMPLETED, language="fr", source_url="https://example.com/f.csv"
    )
    columns, values = _product_columns()
    all_columns = ["store_id", "marketplace_product_id", "last_import_job_id", *columns]
    rows = ((store.pk, f"SKU-{n:07d}", job.pk, *values) for n in range(products))
    names = ", ".join(all_columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg's own cursor, for COPY
            with raw.copy(f"COPY marketplace_products ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                "INSERT INTO marketplace_feed_membership (import_job_id, product_id) "
                "SELECT %s, id FROM marketplace_products WHERE store_id = %s",
                [job.pk, store.pk],
            )
        else:
            placeholders = ", ".join(["%s"] * len(all_columns))
            cursor.executemany(f"INSERT INTO marketplace_products ({names}) VALUES ({placeholders})", list(rows))
            cursor.execute(
                "INSERT INTO marketplace_feed_membership (import_job_id, product_id) "
                "SELECT %s, id FROM marketplace_products WHERE store_id = %s",
                [job.pk, store.pk],
            )
    # What autovacuum does after a large insert: visibility map, hint bits, statistics.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")  # outside a transaction: Django autocommits here
        else:
            cursor.execute("ANALYZE")
    return store.pk, job.pk


def _vacuum() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE products")


def _explain(store_id: int, job_id: int) -> None:
    """EXPLAIN (ANALYZE, BUFFERS, WAL) of the first chunk's INSERT, rolled back, into
    benchmarks/out/explain-publish.txt (PostgreSQL)."""
    from django.db import connection, transaction

    from catalog import bulk

    if connection.vendor != "postgresql":
        return
    selection = bulk.Selection(store_id=store_id, job_id=job_id)
    sql, params = bulk.publish_sql(selection, next(bulk.chunks(selection)))
    with transaction.atomic(), connection.cursor() as cursor:
        # The foreign keys are DEFERRABLE INITIALLY DEFERRED (Django's choice): checked now,
        # their triggers show in the plan ("Trigger for constraint ...").
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, WAL) " + sql, params)
        plan = "\n".join(line for (line,) in cursor.fetchall())
        transaction.set_rollback(True)
    (OUT / "explain-publish.txt").write_text(plan + "\n")


def child(products: int, explain: bool, ddl: list[str]) -> None:
    setup_django()
    from django.db import connection

    from catalog.bulk_actions import bulk_action_claim, bulk_action_run
    from catalog.models import CatalogBulkAction, Product

    store_id, job_id = load(products)
    with connection.cursor() as cursor:
        for statement in ddl:  # --ddl: a schema variant to compare in the same sitting
            cursor.execute(statement)
    if explain:
        _explain(store_id, job_id)
    timings = {}
    for action in ("publish", "unpublish"):
        _vacuum()
        bulk_action = CatalogBulkAction.objects.create(
            store_id=store_id, action=action, scope="all", job_id=job_id, total=products
        )
        claimed = bulk_action_claim(action_id=bulk_action.pk)
        assert claimed is not None
        started = time.perf_counter()
        done = bulk_action_run(action=claimed)
        timings[action] = time.perf_counter() - started
        assert done.status == "completed" and done.changed == products, (done.status, done.changed, done.error_message)
        if action == "publish":
            assert Product.objects.filter(store_id=store_id).count() == products
    report(
        products=products,
        publish_seconds=round(timings["publish"], 3),
        unpublish_seconds=round(timings["unpublish"], 3),
        publish=round(products / timings["publish"]),
        unpublish=round(products / timings["unpublish"]),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=1, help="rounds; the best of them is reported")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PUBLISH_DATABASE_URL", DEFAULT_PG))
    parser.add_argument("--only", choices=["pg", "sqlite"], help="one database only")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--explain", action="store_true", help="write the first chunk's plan to benchmarks/out/")
    parser.add_argument("--ddl", action="append", default=[], help="SQL run after the load (A/B of a schema change)")
    args = parser.parse_args()
    if args.child:
        child(args.products, args.explain, args.ddl)
        return

    OUT.mkdir(exist_ok=True)
    load_before = os.getloadavg()
    best: dict[str, int] = {}
    child_args = ["--child", "--products", str(args.products), *(["--explain"] if args.explain else [])]
    for statement in args.ddl:
        child_args += ["--ddl", statement]
    for round_number in range(1, args.repeat + 1):
        print(f"round {round_number} of {args.repeat}", file=sys.stderr)
        if args.only != "sqlite":
            recreate_postgres(args.pg_url)
            pg = run_child("benchmarks.bench_publish", child_args, args.pg_url, "PostgreSQL publish + unpublish")
            print(f"    publish {pg['publish']:,}/s, unpublish {pg['unpublish']:,}/s", file=sys.stderr)
            best["pg_publish"] = max(best.get("pg_publish", 0), pg["publish"])
            best["pg_unpublish"] = max(best.get("pg_unpublish", 0), pg["unpublish"])
        if args.only != "pg":
            sqlite_dir = Path(tempfile.mkdtemp(prefix="bench-publish-", dir=OUT))
            sqlite_url = f"sqlite:///{sqlite_dir / 'bench.sqlite3'}"
            try:
                migrate(sqlite_url)
                lite = run_child("benchmarks.bench_publish", child_args, sqlite_url, "SQLite publish + unpublish")
            finally:
                shutil.rmtree(sqlite_dir, ignore_errors=True)
            print(f"    publish {lite['publish']:,}/s, unpublish {lite['unpublish']:,}/s", file=sys.stderr)
            best["sqlite_publish"] = max(best.get("sqlite_publish", 0), lite["publish"])
            best["sqlite_unpublish"] = max(best.get("sqlite_unpublish", 0), lite["unpublish"])
    if args.only != "sqlite":
        _drop_postgres(args.pg_url)

    print()
    print(
        f"{args.products:,} products of one store, publish all then unpublish all from one import "
        f"(best of {args.repeat}; load average before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f})"
    )
    for name, rate in best.items():
        target = TARGETS[name]
        print(f"  {name:<18} {rate:>9,} products/s  target {target:,}: {'met' if rate >= target else 'MISSED'}")
    print()
    print("PUBLISH " + " ".join(f"{name}={best.get(name, 'n/a')}" for name in TARGETS))


def _drop_postgres(url: str) -> None:
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


if __name__ == "__main__":
    main()
