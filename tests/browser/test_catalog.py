"""The catalog in a real browser: after an import, the owner publishes everything from it,
sets their own price on one product, re-imports a feed whose prices changed, and sees their
own price kept while the other prices follow the feed. Saves the README's screenshots."""

from __future__ import annotations

import os

import pytest

from catalog.models import Product
from marketplace.models import MarketplaceImportJob

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
Status = MarketplaceImportJob.Status

FIRST_FEED = """id,title,price,availability,brand,gtin
WINE-1,Riesling Grand Premier Cru,10.00 EUR,in stock,Domaine Alice,
WINE-2,Pinot Gris,20.00 EUR,in stock,Domaine Alice,
WINE-3,Crémant de Luxembourg,30.00 EUR,in stock,Caves Bravo,
"""
SECOND_FEED = """id,title,price,availability,brand,gtin
WINE-1,Riesling Grand Premier Cru,11.00 EUR,in stock,Domaine Alice,
WINE-2,Pinot Gris,21.00 EUR,in stock,Domaine Alice,
WINE-3,Crémant de Luxembourg,30.00 EUR,in stock,Caves Bravo,
WINE-4,Auxerrois,8.50 EUR,in stock,Caves Bravo,
"""


def _import_through_the_portal(page, store, url: str) -> MarketplaceImportJob:
    """Start an import from the Marketplace Import page and wait for the worker to finish it."""
    before = set(MarketplaceImportJob.objects.filter(store=store).values_list("pk", flat=True))
    page.get_by_role("navigation", name="Store").get_by_role("link", name="Marketplace Import").click()
    page.wait_for_url(f"**/store/{store.code}/marketplace")
    page.get_by_label("CSV feed URL").fill(url)
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Start import").click()
    page.wait_for_selector(".msg-success")
    job = MarketplaceImportJob.objects.filter(store=store).exclude(pk__in=before).get()
    page.wait_for_selector(f"#job-row-{job.pk}[data-status=completed]", timeout=90_000)
    job.refresh_from_db()
    return job


def _price_cell(page, sku: str):
    return page.locator(f"tr[data-product='{sku}'] [data-testid=price]")


def test_an_owner_publishes_an_import_overrides_a_price_and_reimports(
    live_server, feed_server, qcluster, page, login, screenshot, store, owner
):
    feed_server.route("/wines-v1.csv", FIRST_FEED.encode(), headers={"Content-Type": "text/csv; charset=utf-8"})
    feed_server.route("/wines-v2.csv", SECOND_FEED.encode(), headers={"Content-Type": "text/csv; charset=utf-8"})
    login(page, "alice")

    # An import brings three products in; the catalog page shows them, not yet published.
    first = _import_through_the_portal(page, store, feed_server.url("/wines-v1.csv"))
    assert first.imported_count == 3
    page.get_by_role("navigation", name="Store").get_by_role("link", name="All Products").click()
    page.wait_for_url(f"**/store/{store.code}/products")
    assert page.locator("[data-testid=count-unpublished] .stat-value").inner_text() == "3"
    assert page.locator(".badge.state-unpublished").count() == 3

    # Filter by the import, then "Publish all from this import".
    page.get_by_label("Import").select_option(str(first.pk))
    page.wait_for_url(f"**/store/{store.code}/products?*job={first.pk}*")
    page.get_by_role("link", name="Publish all from this import…").click()
    page.wait_for_url(f"**/products/publish-job/{first.pk}")
    assert page.locator("[data-testid=preview-all] strong").inner_text() == "3"
    screenshot.both(page, "catalog-publish-import")
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url("**/products?published=yes")
    assert page.locator(".msg-success").inner_text() == f"Published 3 products from import #{first.pk}."
    assert page.locator(".badge.state-published").count() == 3
    assert Product.objects.filter(store=store).count() == 3

    # The owner sets their own price on the Riesling.
    page.get_by_role("link", name="Riesling Grand Premier Cru").click()
    page.get_by_label("Price", exact=True).fill("9.00")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".msg-success")
    assert page.locator("[data-testid=effective-price]").inner_text().startswith("€9.00")
    assert page.locator("[data-testid=imported-price]").inner_text() == "€10.00"
    screenshot.both(page, "catalog-product")

    # The shop's feed changes two prices and adds a wine; the owner imports it again.
    second = _import_through_the_portal(page, store, feed_server.url("/wines-v2.csv"))
    assert (second.imported_count, second.updated_count, second.unchanged_count) == (1, 2, 1)

    # Their own price is kept; the other prices follow the feed; the new wine waits to be published.
    page.get_by_role("navigation", name="Store").get_by_role("link", name="All Products").click()
    page.wait_for_url(f"**/store/{store.code}/products")
    riesling = _price_cell(page, "WINE-1")
    assert riesling.locator(".value").inner_text() == "€9.00"
    assert "your price" in riesling.inner_text()
    assert "Imported: €11.00" in riesling.locator(".badge-override").get_attribute("title")
    assert _price_cell(page, "WINE-2").locator(".value").inner_text() == "€21.00"
    assert _price_cell(page, "WINE-3").locator(".value").inner_text() == "€30.00"
    assert page.locator("tr[data-product='WINE-4'] .badge.state-unpublished").is_visible()
    screenshot.both(page, "catalog-all-products")

    # Select the new wine and publish it; the bulk buttons wait for a selection.
    publish_selected = page.get_by_role("button", name="Publish selected", exact=True)
    assert publish_selected.is_disabled()
    page.locator("tr[data-product='WINE-4'] input[name=ids]").check()
    assert page.locator("#selected-count").inner_text().strip() == "· 1 selected"
    publish_selected.click()
    page.wait_for_selector(".msg-success")
    assert page.locator(".msg-success").inner_text() == "Published 1 product."
    assert page.locator(".badge.state-published").count() == 4
    assert Product.objects.get(marketplace_product__marketplace_product_id="WINE-1").price == 9
