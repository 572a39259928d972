"""Publishing with the real import engine: overrides survive re-imports, everything else follows the feed."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from catalog.models import Product
from catalog.selectors import JobScope, catalog_item_filter
from catalog.services import product_publish, product_update_overrides
from marketplace.importing.jobs import import_job_claim
from marketplace.importing.pipeline import run_import
from marketplace.models import MarketplaceImportJob, MarketplaceProduct
from tests.factories.marketplace import MarketplaceImportJobFactory

pytestmark = pytest.mark.django_db
Status = MarketplaceImportJob.Status

FIRST_FEED = """id,title,price,availability,brand,gtin
WINE-1,Riesling Grand Premier Cru,10.00 EUR,in stock,Domaine Alice,
WINE-2,Pinot Gris,20.00 EUR,in stock,Domaine Alice,
WINE-3,Crémant de Luxembourg,30.00 EUR,in stock,Caves Bravo,
"""
# WINE-1 and WINE-2 change price, WINE-3 is unchanged, WINE-4 is new.
SECOND_FEED = """id,title,price,availability,brand,gtin
WINE-1,Riesling Grand Premier Cru,11.00 EUR,out of stock,Domaine Alice,
WINE-2,Pinot Gris,21.00 EUR,in stock,Domaine Alice,
WINE-3,Crémant de Luxembourg,30.00 EUR,in stock,Caves Bravo,
WINE-4,Auxerrois,8.50 EUR,in stock,Caves Bravo,
"""


def _import(store, tmp_path: Path, text: str, *, language: str = "fr") -> MarketplaceImportJob:
    path = tmp_path / f"feed-{language}-{len(list(tmp_path.iterdir()))}.csv"
    path.write_text(text, encoding="utf-8")
    job = MarketplaceImportJobFactory(store=store, language=language, batch_size=100)
    claimed = import_job_claim(job_id=job.pk)
    assert claimed is not None
    run_import(job=claimed, source_path=path)
    claimed.refresh_from_db()
    assert claimed.status == Status.COMPLETED, claimed.error_message
    return claimed


def _catalog(store) -> dict[str, tuple[Decimal | None, str, bool]]:
    return {
        item.marketplace_product_id: (item.effective_price, item.effective_availability, item.is_published)
        for item in catalog_item_filter(store=store)
    }


def test_a_reimport_updates_what_is_not_overridden_and_keeps_every_override(store, tmp_path):
    first = _import(store, tmp_path, FIRST_FEED)
    assert product_publish(store=store, job=first).published == 3
    riesling = Product.objects.select_related("marketplace_product").get(
        marketplace_product__marketplace_product_id="WINE-1"
    )
    product_update_overrides(product=riesling, data={"price": Decimal("9.00")})

    second = _import(store, tmp_path, SECOND_FEED)

    assert (second.imported_count, second.updated_count, second.unchanged_count) == (1, 2, 1)
    assert _catalog(store) == {
        "WINE-1": (Decimal("9.00"), "out_of_stock", True),  # own price kept, availability follows the feed
        "WINE-2": (Decimal("21.00"), "in_stock", True),
        "WINE-3": (Decimal("30.00"), "in_stock", True),
        "WINE-4": (Decimal("8.50"), "in_stock", False),  # new: not published until the store says so
    }
    riesling.refresh_from_db()
    assert riesling.price == Decimal("9.00")
    assert MarketplaceProduct.objects.get(marketplace_product_id="WINE-1").price == Decimal("11.00")


def test_publish_all_from_a_reimport_includes_the_products_it_found_unchanged(store, tmp_path):
    first = _import(store, tmp_path, FIRST_FEED)
    second = _import(store, tmp_path, SECOND_FEED)

    # The unchanged product still names the first import as the one that last wrote it.
    assert MarketplaceProduct.objects.get(marketplace_product_id="WINE-3").last_import_job_id == first.pk
    changed = product_publish(store=store, job=second, scope=JobScope.CHANGED)
    everything = product_publish(store=store, job=second)

    assert (changed.matched, changed.published) == (3, 3)
    assert (everything.matched, everything.published, everything.already_published) == (4, 1, 3)


def test_publish_all_from_a_second_language_import_of_the_same_products(store, tmp_path):
    _import(store, tmp_path, FIRST_FEED, language="fr")
    english = _import(store, tmp_path, FIRST_FEED.replace("Pinot Gris", "Pinot Grey"), language="en")

    result = product_publish(store=store, job=english)

    assert result.published == 3
