"""Helpers of the missing-product tests: full and partial imports of a store's feed, run
in the foreground as the worker runs them (claimed, then `run_import`)."""

from __future__ import annotations

from pathlib import Path

from marketplace.models import MarketplaceImportJob, MarketplaceProduct
from tests.api.conftest import client_for  # noqa: F401  (the API tests' fixture)
from tests.marketplace.importing.conftest import import_file, product_row, write_feed


def feed(tmp_path: Path, numbers, name: str, **values: str) -> Path:
    return write_feed(tmp_path / f"{name}.csv", [product_row(n, **values) for n in numbers])


def run(
    store, tmp_path: Path, numbers, *, full: bool = True, language: str = "fr", **values: str
) -> MarketplaceImportJob:
    name = f"feed-{MarketplaceImportJob.objects.count()}"
    job = import_file(store, feed(tmp_path, numbers, name, **values), language=language, is_full_feed=full)
    assert job.status in ("completed", "completed_with_errors"), (job.status, job.error_message)
    return job


def product(store, n: int) -> MarketplaceProduct:
    return MarketplaceProduct.objects.get(store=store, marketplace_product_id=f"SKU-{n:04d}")
