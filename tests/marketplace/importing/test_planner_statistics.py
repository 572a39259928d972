"""Issue 13, item 10: a large load keeps the planner's statistics current by itself, so a
re-import never runs on the plan made for the small table from before (PostgreSQL)."""

from __future__ import annotations

import json
import time

import psycopg
import pytest
from django.db import connection

from marketplace.importing.jobs import import_job_claim
from marketplace.importing.pipeline import run_import
from marketplace.importing.writing.postgresql import ANALYZE_AFTER_ROWS
from marketplace.importing.writing.writer import BatchWriter
from marketplace.models import MarketplaceImportJob, MarketplaceProduct
from tests.factories.marketplace import MarketplaceImportJobFactory
from tests.factories.stores import StoreFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the planner statistics of PostgreSQL"),
]
TABLES = ("marketplace_products", "marketplace_product_translations")


def _planner_rows(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        return float(cursor.fetchone()[0])


def _import(store, tmp_path, rows: int) -> MarketplaceImportJob:
    feed = tmp_path / "big.csv"
    feed.write_text("id,title,price\n" + "".join(f"S-{n},Product {n},{n % 90 + 1}.50\n" for n in range(rows)))
    job = import_job_claim(job_id=MarketplaceImportJobFactory(store=store, language="fr", batch_size=5000).pk)
    run_import(job=job, source_path=feed)
    job.refresh_from_db()
    return job


def test_a_large_first_import_leaves_the_planner_counting_its_rows(store, tmp_path):
    # The rows are uncommitted (the test's transaction), so no autovacuum can have counted
    # them: only the import's own ANALYZE can tell the planner about them.
    rows = 60_000
    job = _import(store, tmp_path, rows)
    assert job.status == MarketplaceImportJob.Status.COMPLETED, job.error_message
    assert MarketplaceProduct.objects.count() == rows
    for table in TABLES:
        assert _planner_rows(table) >= rows * 0.9, table


def _manual_analyzes() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # the view is cached per transaction
        cursor.execute("SELECT sum(analyze_count) FROM pg_stat_user_tables WHERE relname = ANY(%s)", [list(TABLES)])
        return int(cursor.fetchone()[0] or 0)


def test_only_a_large_import_analyzes(store, tmp_path):
    before = _manual_analyzes()
    assert _import(store, tmp_path, 2_000).status == MarketplaceImportJob.Status.COMPLETED
    assert _manual_analyzes() == before
    assert _import(store, tmp_path, 12_000).status == MarketplaceImportJob.Status.COMPLETED
    # The two tables, once or twice: at the end, and after the first 5,000 rows when the
    # planner counted fewer than that (which depends on what ran before in this database).
    assert _manual_analyzes() in (before + 2, before + 4)


def test_a_table_locked_by_another_session_skips_the_analyze_instead_of_waiting(store):
    db = connection.settings_dict
    other = psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        password=db["PASSWORD"] or None,
    )
    try:
        # What a VACUUM or ANALYZE run by hand holds for as long as it runs.
        other.execute("LOCK TABLE marketplace_products IN SHARE UPDATE EXCLUSIVE MODE")
        writer = BatchWriter(job=MarketplaceImportJobFactory(store=store, language="fr"))
        started = time.monotonic()
        assert writer.keep_statistics_current(added=ANALYZE_AFTER_ROWS) is False
        assert time.monotonic() - started < 10
        with connection.cursor() as cursor:  # the connection is fine and the import can go on
            cursor.execute("SELECT count(*) FROM marketplace_products")
    finally:
        other.close()


def _index_fetches() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(idx_tup_fetch), 0) FROM pg_stat_xact_user_tables WHERE relname = %s", [TABLES[0]]
        )
        return int(cursor.fetchone()[0])


def test_a_table_analyzed_while_empty_of_live_rows_does_not_make_each_batch_read_all_before_it(store, tmp_path):
    # What a rolled-back load leaves behind: pages full of dead rows, and an ANALYZE (by
    # autovacuum, say) that counted none alive. The planner then takes the table for empty
    # however much it grows, and any index that matches the batch's query looks as cheap
    # as the unique one.
    MarketplaceProduct.objects.bulk_create(
        MarketplaceProduct(store=store, marketplace_product_id=f"OLD-{n}", title="old", price="1.00")
        for n in range(5_000)
    )
    MarketplaceProduct.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLES[0]}")
    assert _planner_rows(TABLES[0]) == 0
    rows = 20_000
    before = _index_fetches()
    job = _import(store, tmp_path, rows)
    assert job.status == MarketplaceImportJob.Status.COMPLETED, job.error_message
    # One probe per id reads its own product at most; a scan per probe read every row
    # written before it (tens of millions).
    assert _index_fetches() - before < 3 * rows


def _store_lookup_index(store) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (FORMAT JSON) SELECT id FROM marketplace_products"
            " WHERE store_id = %s AND marketplace = %s AND marketplace_product_id = %s",
            [store.id, "Letzshop", "S-1500"],
        )
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return plan[0]["Plan"].get("Index Name", "")


def test_a_stores_first_import_into_a_table_of_other_stores_reads_by_its_unique_key(store, tmp_path):
    # Another store's products, analyzed: the statistics then give this store no rows, and
    # the (store_id, id) index looks as selective as the unique key; each probe of a batch's
    # read would walk every row this load wrote before it.
    other = StoreFactory()
    assert _import(other, tmp_path, 12_000).status == MarketplaceImportJob.Status.COMPLETED
    before = _manual_analyzes()
    feed = tmp_path / "second.csv"
    feed.write_text("id,title,price\n" + "".join(f"S-{n},Product {n},{n % 90 + 1}.50\n" for n in range(3_000)))
    job = import_job_claim(job_id=MarketplaceImportJobFactory(store=store, language="fr", batch_size=1000).pk)
    run_import(job=job, source_path=feed)
    job.refresh_from_db()
    assert job.status == MarketplaceImportJob.Status.COMPLETED, job.error_message
    # One ANALYZE of the two tables after the first batch, and the lookup by the unique key.
    assert _manual_analyzes() == before + 2
    assert _store_lookup_index(store) == "uniq_product_store_marketplace_id"
