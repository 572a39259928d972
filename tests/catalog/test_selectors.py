from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from catalog.selectors import (
    JobScope,
    catalog_brand_list,
    catalog_counts,
    catalog_item_filter,
    catalog_item_get,
    catalog_job_get,
    catalog_job_products,
    catalog_job_publish_preview,
)
from marketplace.models import MarketplaceImportJob
from tests.factories.catalog import ProductFactory
from tests.factories.marketplace import MarketplaceImportJobFactory, MarketplaceProductFactory

pytestmark = pytest.mark.django_db


def _titles(qs) -> list[str]:
    return [item.title for item in qs]


def test_effective_values_are_the_override_else_the_imported_value(store):
    mp = MarketplaceProductFactory(
        store=store, price=Decimal("10.00"), sale_price=Decimal("8.00"), availability="in_stock", condition="new"
    )
    ProductFactory(marketplace_product=mp, price=Decimal("9.00"), availability="backorder")

    item = catalog_item_filter(store=store).get()

    assert (item.effective_price, item.effective_sale_price) == (Decimal("9.00"), Decimal("8.00"))
    assert (item.effective_availability, item.effective_condition) == ("backorder", "new")
    assert (item.price, item.availability) == (Decimal("10.00"), "in_stock")
    assert item.is_published and item.catalog_product_id is not None


def test_unpublished_products_show_imported_values(store, products):
    item = catalog_item_filter(store=store, filters={"q": "Bread"}).get()

    assert not item.is_published
    assert item.catalog_product_id is None and item.is_active is None
    assert item.effective_price == Decimal("2.20")


def test_it_never_shows_another_stores_products_or_catalog_rows(store, other_store, products):
    foreign = MarketplaceProductFactory(store=other_store, title="Apple juice")
    # A catalog row of another store on this store's product must not count as published here.
    # PostgreSQL's composite foreign key refuses such a row (catalog migration 0004, tested in
    # test_bulk_actions); SQLite's schema still lets one in, so the selector must ignore it.
    if connection.vendor != "postgresql":
        ProductFactory(store=other_store, marketplace_product=products[0])
    ProductFactory(marketplace_product=foreign)

    items = list(catalog_item_filter(store=store, filters={"q": "apple"}))

    assert [item.pk for item in items] == [products[0].pk]
    assert not items[0].is_published


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"q": "moselle"}, ["Apple juice", "Cheese"]),
        ({"q": "4006381"}, ["Apple juice"]),
        ({"q": "bREAD"}, ["Bread"]),
        ({"brand": "moselle fruits"}, ["Apple juice", "Cheese"]),
        ({"published": True}, ["Apple juice", "Cheese"]),
        ({"published": False}, ["Bread"]),
        ({"active": True}, ["Apple juice"]),
        ({"active": False}, ["Cheese"]),
        ({"featured": True}, ["Cheese"]),
        ({"availability": "preorder"}, ["Cheese"]),
        ({"availability": "in_stock"}, ["Apple juice", "Bread"]),
    ],
)
def test_filters(store, products, filters, expected):
    ProductFactory(marketplace_product=products[0])
    ProductFactory(marketplace_product=products[2], is_active=False, is_featured=True, availability="preorder")

    assert _titles(catalog_item_filter(store=store, filters=filters)) == expected


def test_search_by_feed_id(store, products):
    assert _titles(catalog_item_filter(store=store, filters={"q": products[1].marketplace_product_id})) == ["Bread"]


def test_job_filter_is_what_the_job_created_or_changed(store, products, finished_job):
    later = MarketplaceImportJobFactory(store=store, status=MarketplaceImportJob.Status.COMPLETED)
    MarketplaceProductFactory(store=store, last_import_job=later, title="Dates")

    assert _titles(catalog_item_filter(store=store, filters={"job": later.pk})) == ["Dates"]
    assert _titles(catalog_item_filter(store=store, filters={"job": finished_job})) == [
        "Apple juice",
        "Bread",
        "Cheese",
    ]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("title", ["Apple juice", "Bread", "Cheese"]),
        ("-title", ["Cheese", "Bread", "Apple juice"]),
        ("price", ["Bread", "Cheese", "Apple juice"]),  # Apple juice has its own price 9.99
        ("-price", ["Apple juice", "Cheese", "Bread"]),
        ("unknown", ["Apple juice", "Bread", "Cheese"]),
    ],
)
def test_ordering_uses_effective_values(store, products, ordering, expected):
    ProductFactory(marketplace_product=products[0], price=Decimal("9.99"))

    assert _titles(catalog_item_filter(store=store, ordering=ordering)) == expected


def test_products_without_price_sort_last_both_ways(store, products):
    MarketplaceProductFactory(store=store, title="Aaa no price", price=None)

    assert _titles(catalog_item_filter(store=store, ordering="price"))[-1] == "Aaa no price"
    assert _titles(catalog_item_filter(store=store, ordering="-price"))[-1] == "Aaa no price"


def test_a_list_page_is_one_query_whatever_its_length(store):
    for i in range(30):
        product = ProductFactory(marketplace_product__store=store)
        if i % 2:
            product.delete()

    with CaptureQueriesContext(connection) as short:
        items = list(catalog_item_filter(store=store)[:2])
        [(item.effective_price, item.is_published, item.is_active) for item in items]
    with CaptureQueriesContext(connection) as long:
        items = list(catalog_item_filter(store=store)[:30])
        [(item.effective_price, item.is_published, item.is_active) for item in items]

    assert len(short) == len(long) == 1


def test_catalog_item_get_answers_404_for_other_stores(store, other_store):
    foreign = ProductFactory(marketplace_product__store=other_store)

    with pytest.raises(Http404):
        catalog_item_get(store=store, product_id=foreign.pk)
    assert catalog_item_get(store=other_store, product_id=foreign.pk).pk == foreign.marketplace_product_id


def test_catalog_job_get_answers_404_for_other_stores(store, other_store):
    job = MarketplaceImportJobFactory(store=other_store)

    with pytest.raises(Http404):
        catalog_job_get(store=store, job_id=job.pk)


def test_counts(store, products):
    ProductFactory(marketplace_product=products[0])
    ProductFactory(marketplace_product=products[1], is_active=False)

    assert catalog_counts(store=store) == {"imported": 3, "published": 2, "inactive": 1, "unpublished": 1, "active": 1}


def test_job_products_and_preview(store, products, finished_job, reimport):
    ProductFactory(marketplace_product=products[0])

    assert catalog_job_products(store=store, job=reimport).count() == 4
    assert catalog_job_products(store=store, job=reimport, scope=JobScope.CHANGED).count() == 1
    preview = catalog_job_publish_preview(store=store, job=reimport)
    assert (preview.all, preview.all_unpublished, preview.changed, preview.changed_unpublished) == (4, 3, 1, 1)


def test_brands_are_listed_in_reading_order_accents_and_case_aside(store, other_store):
    for brand in ["Zeta", "Éislek", "eis", "Ardennes", "Lëtz", "Éislek", "", "lux"]:
        MarketplaceProductFactory(store=store, brand=brand)
    MarketplaceProductFactory(store=other_store, brand="Other")

    assert catalog_brand_list(store=store) == ["Ardennes", "eis", "Éislek", "Lëtz", "lux", "Zeta"]


@pytest.mark.parametrize("language", ["de", "fr", "en"])
def test_german_brands_follow_the_dictionary_order_in_every_language(store, language):
    for brand in ["Zwilling", "Stroh", "Straßenmode", "Bäckerei", "Strasser", "Ärzteblatt"]:
        MarketplaceProductFactory(store=store, brand=brand)

    with translation.override(language):
        brands = catalog_brand_list(store=store)

    assert brands == ["Ärzteblatt", "Bäckerei", "Straßenmode", "Strasser", "Stroh", "Zwilling"]
