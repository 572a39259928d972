from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Product
from catalog.services import product_unpublish
from marketplace.models import MarketplaceImportJob, MarketplaceProduct
from tests.factories.catalog import ProductFactory
from tests.factories.marketplace import MarketplaceImportJobFactory, MarketplaceProductFactory

pytestmark = pytest.mark.django_db


def test_it_removes_products_from_the_catalog_and_keeps_the_imported_data(store, products):
    for mp in products:
        ProductFactory(marketplace_product=mp)

    result = product_unpublish(store=store, marketplace_product_ids=[products[0].pk, products[1].pk])

    assert (result.matched, result.unpublished, result.not_published) == (2, 2, 0)
    assert list(Product.objects.values_list("marketplace_product_id", flat=True)) == [products[2].pk]
    assert MarketplaceProduct.objects.filter(store=store).count() == 3


def test_it_is_idempotent(store, products):
    ProductFactory(marketplace_product=products[0])

    first = product_unpublish(store=store, marketplace_product_ids=[products[0].pk, products[1].pk])
    second = product_unpublish(store=store, marketplace_product_ids=[products[0].pk, products[1].pk])

    assert (first.unpublished, first.not_published) == (1, 1)
    assert (second.unpublished, second.not_published) == (0, 2)


def test_it_rejects_another_stores_products_and_unpublishes_nothing(store, other_store, products):
    ProductFactory(marketplace_product=products[0])
    foreign = ProductFactory(marketplace_product=MarketplaceProductFactory(store=other_store))

    with pytest.raises(ValidationError):
        product_unpublish(store=store, marketplace_product_ids=[products[0].pk, foreign.marketplace_product_id])

    assert Product.objects.count() == 2


def test_it_unpublishes_all_from_a_job(store, products, finished_job):
    for mp in products:
        ProductFactory(marketplace_product=mp)
    later = MarketplaceImportJobFactory(store=store, status=MarketplaceImportJob.Status.COMPLETED)
    kept = ProductFactory(marketplace_product=MarketplaceProductFactory(store=store, last_import_job=later))

    result = product_unpublish(store=store, job=finished_job)

    assert result.unpublished == 3
    assert list(Product.objects.all()) == [kept]


def test_queries_do_not_grow_with_the_number_of_products(store):
    few = [ProductFactory(marketplace_product__store=store).marketplace_product_id for _ in range(3)]
    many = [ProductFactory(marketplace_product__store=store).marketplace_product_id for _ in range(40)]

    with CaptureQueriesContext(connection) as few_queries:
        product_unpublish(store=store, marketplace_product_ids=few)
    with CaptureQueriesContext(connection) as many_queries:
        product_unpublish(store=store, marketplace_product_ids=many)

    assert len(many_queries) == len(few_queries)
    assert not Product.objects.exists()
