from __future__ import annotations

import pytest

from marketplace.models import MarketplaceImportJob
from tests.factories.marketplace import MarketplaceImportJobFactory, MarketplaceProductFactory

Status = MarketplaceImportJob.Status


@pytest.fixture
def finished_job(store):
    """A completed import of the store."""
    return MarketplaceImportJobFactory(store=store, status=Status.COMPLETED)


@pytest.fixture
def products(store, finished_job):
    """Three imported products of the store, created by finished_job, none published."""
    return [
        MarketplaceProductFactory(
            store=store, last_import_job=finished_job, title=title, price=price, brand=brand, gtin=gtin
        )
        for title, price, brand, gtin in [
            ("Apple juice", "3.50", "Moselle Fruits", "4006381333931"),
            ("Bread", "2.20", "Boulangerie Kirchberg", ""),
            ("Cheese", "7.90", "Moselle Fruits", "4012345678901"),
        ]
    ]
