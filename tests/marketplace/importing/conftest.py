"""Helpers the import engine's tests share: feeds written as a store would export them,
jobs claimed as a worker claims them, and records shaped like the normalizer's output."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from marketplace.importing.jobs import import_job_claim
from marketplace.importing.pipeline import run_import
from marketplace.importing.schema import ATTRIBUTES, Kind
from marketplace.models import MarketplaceImportJob
from tests.factories.marketplace import MarketplaceImportJobFactory

Status = MarketplaceImportJob.Status
HEADER = ["id", "title", "description", "link", "price", "availability", "gtin", "brand"]


def product_row(n: int, **values: str) -> list[str]:
    row = {
        "id": f"SKU-{n:04d}",
        "title": f"Produit {n}",
        "description": f"Description {n}",
        "link": f"https://shop.example.lu/{n}",
        "price": f"{n}.99 EUR",
        "availability": "in stock",
        "gtin": "",
        "brand": "Maison Moselle",
    }
    row.update(values)
    return [row[column] for column in HEADER]


def write_feed(path: Path, rows: list[list[str]], header: list[str] = HEADER, delimiter: str = ",") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def claimed_job(store, language: str = "fr", batch_size: int = 1000, **fields: Any) -> MarketplaceImportJob:
    MarketplaceImportJob.objects.filter(store=store, language=language, status__in=["pending", "processing"]).update(
        status=Status.COMPLETED
    )
    job = MarketplaceImportJobFactory(store=store, language=language, batch_size=batch_size, **fields)
    claimed = import_job_claim(job_id=job.id)
    assert claimed is not None
    return claimed


def import_file(store, path: Path, **job_fields: Any) -> MarketplaceImportJob:
    job = claimed_job(store, **job_fields)
    run_import(job=job, source_path=path)
    job.refresh_from_db()
    return job


def counters(job: MarketplaceImportJob) -> tuple[int, ...]:
    return (
        job.imported_count,
        job.updated_count,
        job.unchanged_count,
        job.error_count,
        job.warning_count,
        job.total_processed,
    )


_EMPTY = {Kind.URL_LIST: list, Kind.PRICE: lambda: None, Kind.BOOL: lambda: None, Kind.INT: lambda: None}


def record(identifier: str, **values: Any) -> dict[str, Any]:
    """A record shaped like RowNormalizer's output."""
    data: dict[str, Any] = {a.name: _EMPTY.get(a.kind, str)() for a in ATTRIBUTES}
    data.update(currency="EUR", sale_price_currency="", extra_attributes={})
    data.update(
        marketplace_product_id=identifier,
        title=f"Titre {identifier}",
        description="Une description.",
        link=f"https://shop.example.lu/fr/{identifier}",
        price=Decimal("19.99"),
        availability="in_stock",
        condition="new",
        brand="Maison Moselle",
    )
    data.update(values)
    return data
