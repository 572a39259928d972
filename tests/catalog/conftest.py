from __future__ import annotations

import pytest

from marketplace.models import FeedMembership, MarketplaceImportJob, MarketplaceProductTranslation
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


def contained(job: MarketplaceImportJob, products) -> None:
    """Leave ``products`` as an import of ``job``'s language whose feed contained them, unchanged."""
    for product in products:
        MarketplaceProductTranslation.objects.get_or_create(
            product=product, language=job.language, defaults={"title": product.title}
        )
        FeedMembership.objects.get_or_create(import_job=job, product=product)


@pytest.fixture
def reimport(store, products, finished_job):
    """A later completed import of the same language: it created one product and found the
    three ``products`` unchanged (they keep finished_job as their last_import_job)."""
    job = MarketplaceImportJobFactory(store=store, status=Status.COMPLETED, language=finished_job.language)
    MarketplaceProductFactory(store=store, last_import_job=job)
    contained(job, products)
    return job
