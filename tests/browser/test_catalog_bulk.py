"""A large "publish all from this import" in a real browser: the page goes to the progress
page, whose bar a real worker fills without a reload."""

from __future__ import annotations

import os

import pytest

from catalog.models import CatalogBulkAction, Product
from tests.catalog.test_bulk_worker import _import_with_products

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_large_publish_shows_a_progress_bar_until_it_is_done(
    live_server, qcluster, page, login, screenshot, store, owner, settings
):
    settings.MARKETPLACE_PUBLISH_SYNC_LIMIT = 100  # the live server runs in this process
    job = _import_with_products(store, 3000)
    login(page, "alice")

    page.goto(f"{live_server.url}/store/{store.code}/products/publish-job/{job.pk}")
    assert "published in the background" in page.locator("main").inner_text()
    page.get_by_role("button", name="Publish").click()

    page.wait_for_url(f"**/store/{store.code}/products/bulk-actions/*")
    action = CatalogBulkAction.objects.get(store=store)
    bar = page.locator("[data-testid=bulk-progress]")
    assert bar.count() == 1 and bar.get_attribute("max") == "100"
    # The worker runs it; the section refreshes itself (htmx) until the action has ended.
    page.wait_for_selector("[data-testid=bulk-action][data-status=completed]", timeout=90_000)
    assert page.locator("[data-testid=bulk-percent]").inner_text() == "100%"
    assert "Published 3,000 products" in page.locator("[data-testid=bulk-action]").inner_text()
    screenshot.both(page, "catalog-bulk-publish")
    action.refresh_from_db()
    assert action.status == CatalogBulkAction.Status.COMPLETED
    assert Product.objects.filter(store=store).count() == 3000
