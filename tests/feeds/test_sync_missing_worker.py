"""Scheduled feeds and missing products together, with a real cluster running the checks and
the imports (SPEC 11): a product the feed drops is deactivated and leaves the catalog API,
it comes back when the feed lists it again, and a feed shrunk to 40% is held until Apply."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.services import product_publish
from feeds.dispatch import feeds_dispatch_due
from feeds.models import StoreFeed
from feeds.services import feed_update
from marketplace.models import MarketplaceImportJob, MarketplaceProduct
from tests.worker import running_qcluster, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
PRODUCTS = "/api/v1/store/products"
REMOVAL = "/api/v1/store/marketplace/imports/{}/removal"


def body(numbers) -> bytes:
    rows = "".join(f"SKU-{n:02d},Produit {n},{n}.50 EUR,in stock\n" for n in numbers)
    return ("id,title,price,availability\n" + rows).encode()


def scheduled_import(feed: StoreFeed) -> MarketplaceImportJob:
    """Make the feed due, dispatch it as the every-minute schedule does, and wait for the
    worker's check and import to end."""
    before = MarketplaceImportJob.objects.count()
    StoreFeed.objects.filter(pk=feed.pk).update(next_run_at=timezone.now() - timedelta(seconds=1))
    assert feeds_dispatch_due() == 1
    return wait_for(
        lambda: MarketplaceImportJob.objects.filter(status__in=["completed", "completed_with_errors"])
        .order_by("-id")
        .first()
        if MarketplaceImportJob.objects.filter(status__in=["completed", "completed_with_errors"]).count() > before
        else None,
        timeout=90,
        what="the scheduled import",
    )


def test_a_scheduled_feed_deactivates_what_it_drops_brings_it_back_and_holds_a_mass_removal(
    client, store, owner, feed_endpoint, tmp_path, monkeypatch
):
    monkeypatch.setattr("django_q.conf.Conf.SYNC", False)
    endpoint = feed_endpoint(conditional=False)
    endpoint.change(body(range(1, 11)))
    feed = feed_update(store=store, language="fr", url=endpoint.url, schedule="hours", every_hours=6)
    client.force_login(owner)

    def listed(query: str = "") -> set[str]:
        response = client.get(f"{PRODUCTS}?limit=100{query}", HTTP_X_STORE_CODE=store.code)
        assert response.status_code == 200, response.content
        ids = dict(MarketplaceProduct.objects.values_list("id", "marketplace_product_id"))
        return {ids[item["marketplace_product_id"]] for item in response.json()["items"]}

    with running_qcluster(log_path=tmp_path / "qcluster.log"):
        first = scheduled_import(feed)
        assert (first.trigger, first.is_full_feed, first.imported_count) == ("scheduled", True, 10)
        product_publish(
            store=store, marketplace_product_ids=list(MarketplaceProduct.objects.values_list("id", flat=True))
        )
        assert len(listed("&active=true")) == 10

        # The feed drops one product: deactivated at once (grace 1), out of the catalog API.
        endpoint.change(body(range(1, 10)))
        second = scheduled_import(feed)
        assert (second.missing_count, second.removal_held) == (1, False)
        assert "SKU-10" not in listed() and "SKU-10" not in listed("&active=true")
        assert MarketplaceProduct.objects.filter(marketplace_product_id="SKU-10").exists()  # nothing deleted

        # It is listed again: it comes back by itself.
        endpoint.change(body(range(1, 11)))
        third = scheduled_import(feed)
        assert third.returned_count == 1
        assert "SKU-10" in listed("&active=true")

        # The feed shrinks to 40% of its rows: held, nothing removed until the owner applies it.
        endpoint.change(body(range(1, 5)))
        fourth = scheduled_import(feed)
        assert (fourth.removal_held, fourth.missing_count) == (True, 0)
        assert len(listed("&active=true")) == 10
        response = client.post(REMOVAL.format(fourth.pk), {"action": "apply"}, content_type="application/json")
        assert response.status_code == 200, response.content
        assert listed("&active=true") == {f"SKU-{n:02d}" for n in range(1, 5)}
