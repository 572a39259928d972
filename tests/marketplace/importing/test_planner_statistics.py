"""Issue 13, item 10: a large load keeps the planner's statistics current by itself, so a
re-import never runs on the plan made for the small table from before (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import connection

from marketplace.importing.jobs import import_job_claim
from marketplace.importing.pipeline import run_import
from marketplace.models import MarketplaceImportJob, MarketplaceProduct
from tests.factories.marketplace import MarketplaceImportJobFactory

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the planner statistics of PostgreSQL")]


def _planner_rows(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        return float(cursor.fetchone()[0])


def test_a_large_first_import_leaves_the_planner_counting_its_rows(store, tmp_path):
    with connection.cursor() as cursor:
        for table in ("marketplace_products", "marketplace_product_translations"):
            # As on a server whose autovacuum is off or not yet round.
            cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
    rows = 60_000
    feed = tmp_path / "big.csv"
    feed.write_text("id,title,price\n" + "".join(f"S-{n},Product {n},{n % 90 + 1}.50\n" for n in range(rows)))
    job = MarketplaceImportJobFactory(store=store, language="fr", batch_size=5000)
    job = import_job_claim(job_id=job.pk)
    run_import(job=job, source_path=feed)
    job.refresh_from_db()
    assert job.status == MarketplaceImportJob.Status.COMPLETED, job.error_message
    assert MarketplaceProduct.objects.count() == rows
    # Analyzed during the load and at its end: the planner knows the table's real size.
    assert _planner_rows("marketplace_products") >= rows * 0.9
    assert _planner_rows("marketplace_product_translations") >= rows * 0.9
