from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Product
from catalog.selectors import JobScope
from catalog.services import JobNotFinished, product_publish
from core.exceptions import ConflictError
from marketplace.models import MarketplaceImportJob
from tests.catalog.conftest import contained
from tests.factories.catalog import ProductFactory
from tests.factories.marketplace import MarketplaceImportJobFactory, MarketplaceProductFactory

pytestmark = pytest.mark.django_db
Status = MarketplaceImportJob.Status


def test_it_publishes_selected_products(store, products):
    result = product_publish(store=store, marketplace_product_ids=[products[0].pk, products[2].pk])

    assert (result.matched, result.published, result.already_published) == (2, 2, 0)
    assert set(Product.objects.filter(store=store).values_list("marketplace_product_id", flat=True)) == {
        products[0].pk,
        products[2].pk,
    }


def test_new_products_inherit_everything(store, products):
    product_publish(store=store, marketplace_product_ids=[products[0].pk])

    product = Product.objects.get()
    assert (product.price, product.sale_price, product.availability, product.condition) == (None, None, "", "")
    assert product.is_active and not product.is_featured and product.min_quantity == 1


def test_it_is_idempotent_and_keeps_overrides(store, products):
    existing = ProductFactory(marketplace_product=products[0], price=Decimal("1.00"), is_active=False)

    first = product_publish(store=store, marketplace_product_ids=[p.pk for p in products])
    second = product_publish(store=store, marketplace_product_ids=[p.pk for p in products])

    assert (first.published, first.already_published) == (2, 1)
    assert (second.published, second.already_published) == (0, 3)
    assert Product.objects.filter(store=store).count() == 3
    existing.refresh_from_db()
    assert existing.price == Decimal("1.00") and existing.is_active is False


def test_duplicate_ids_count_once(store, products):
    result = product_publish(store=store, marketplace_product_ids=[products[0].pk, products[0].pk, str(products[0].pk)])

    assert (result.matched, result.published) == (1, 1)


def test_it_rejects_another_stores_products_and_publishes_nothing(store, other_store, products):
    foreign = MarketplaceProductFactory(store=other_store)

    with pytest.raises(ValidationError) as exc:
        product_publish(store=store, marketplace_product_ids=[products[0].pk, foreign.pk, 999_999])

    assert f"{foreign.pk}, 999999" in str(exc.value)
    assert not Product.objects.exists()


def test_another_stores_product_looks_like_a_missing_one(store, other_store):
    foreign = MarketplaceProductFactory(store=other_store)
    missing = foreign.pk + 1000

    with pytest.raises(ValidationError) as foreign_exc:
        product_publish(store=store, marketplace_product_ids=[foreign.pk])
    with pytest.raises(ValidationError) as missing_exc:
        product_publish(store=store, marketplace_product_ids=[missing])

    assert str(foreign_exc.value).replace(str(foreign.pk), "N") == str(missing_exc.value).replace(str(missing), "N")


@pytest.mark.parametrize("bad", [["x"], [None], [0], [-3], [2**63]])
def test_it_rejects_ids_that_are_not_positive_integers(store, bad):
    with pytest.raises(ValidationError):
        product_publish(store=store, marketplace_product_ids=bad)


def test_it_needs_exactly_one_target(store, finished_job):
    with pytest.raises(ValidationError):
        product_publish(store=store)
    with pytest.raises(ValidationError):
        product_publish(store=store, marketplace_product_ids=[1], job=finished_job)


def test_publishing_nothing_is_fine(store):
    result = product_publish(store=store, marketplace_product_ids=[])

    assert (result.matched, result.published) == (0, 0)


def test_queries_do_not_grow_with_the_number_of_products(store):
    few = [MarketplaceProductFactory(store=store).pk for _ in range(3)]
    many = [MarketplaceProductFactory(store=store).pk for _ in range(60)]

    with CaptureQueriesContext(connection) as few_queries:
        product_publish(store=store, marketplace_product_ids=few)
    with CaptureQueriesContext(connection) as many_queries:
        product_publish(store=store, marketplace_product_ids=many)

    assert len(many_queries) == len(few_queries)
    assert Product.objects.filter(store=store).count() == 63


def test_each_chunk_is_one_insert_whatever_its_size(store):
    ids = [MarketplaceProductFactory(store=store).pk for _ in range(25)]

    with CaptureQueriesContext(connection) as one_chunk:
        product_publish(store=store, marketplace_product_ids=ids[:10], chunk_size=10)
    with CaptureQueriesContext(connection) as three_chunks:
        product_publish(store=store, marketplace_product_ids=ids[10:], chunk_size=5)

    def inserts(queries):
        return [q["sql"] for q in queries if q["sql"].startswith("INSERT")]

    assert len(inserts(one_chunk)) == 1 and len(inserts(three_chunks)) == 3
    assert all("INSERT INTO" in sql and "SELECT" in sql and "ON CONFLICT" in sql for sql in inserts(three_chunks))
    # Besides the inserts (and their savepoints), one query validates the ids, whatever their number.
    assert len(three_chunks) - len(one_chunk) == 2 * 3
    assert Product.objects.filter(store=store).count() == 25


# --- publish all from an import ---------------------------------------------------------
def test_it_publishes_every_product_of_a_job(store, products, finished_job):
    result = product_publish(store=store, job=finished_job)

    assert (result.matched, result.published) == (3, 3)


def test_a_reimport_that_changed_nothing_still_publishes_the_unchanged_products(store, products, finished_job):
    """The second import found three rows unchanged (they keep the first job as last_import_job) and created one."""
    reimport = MarketplaceImportJobFactory(store=store, status=Status.COMPLETED, language="fr")
    changed = MarketplaceProductFactory(store=store, last_import_job=reimport)
    contained(reimport, products)

    everything = product_publish(store=store, job=reimport)

    assert (everything.matched, everything.published) == (4, 4)
    assert Product.objects.filter(store=store, marketplace_product=changed).exists()


def test_a_second_language_import_publishes_the_products_its_feedcontained(store, products, finished_job):
    german = MarketplaceImportJobFactory(store=store, status=Status.COMPLETED, language="de")
    contained(german, products[:2])

    result = product_publish(store=store, job=german)

    assert result.published == 2
    # The French import still has all three: a German feed takes none of them away.
    assert product_publish(store=store, job=finished_job).matched == 3


def test_scope_changed_publishes_only_what_the_job_created_or_changed(store, products, finished_job):
    reimport = MarketplaceImportJobFactory(store=store, status=Status.COMPLETED_WITH_ERRORS)
    changed = MarketplaceProductFactory(store=store, last_import_job=reimport)

    result = product_publish(store=store, job=reimport, scope=JobScope.CHANGED)

    assert (result.matched, result.published) == (1, 1)
    assert list(Product.objects.values_list("marketplace_product_id", flat=True)) == [changed.pk]


def test_a_later_import_of_the_language_takes_no_product_away_from_an_earlier_one(store, products, finished_job):
    later = MarketplaceImportJobFactory(store=store, status=Status.COMPLETED, language=finished_job.language)
    contained(later, products[:1])

    assert product_publish(store=store, job=later).matched == 1
    assert product_publish(store=store, job=finished_job).matched == 3


def test_job_publish_ignores_other_stores_products(store, other_store, products, finished_job):
    other_job = MarketplaceImportJobFactory(store=other_store, status=Status.COMPLETED)
    MarketplaceProductFactory(store=other_store, last_import_job=other_job)

    result = product_publish(store=store, job=finished_job)

    assert result.matched == 3
    assert not Product.objects.exclude(store=store).exists()


def test_job_of_another_store_is_refused(store, other_store):
    other_job = MarketplaceImportJobFactory(store=other_store, status=Status.COMPLETED)

    with pytest.raises(ValidationError):
        product_publish(store=store, job=other_job)


@pytest.mark.parametrize("status", [Status.PENDING, Status.PROCESSING])
def test_a_running_job_cannot_be_published_yet(store, status):
    job = MarketplaceImportJobFactory(store=store, status=status)

    with pytest.raises(JobNotFinished) as exc:
        product_publish(store=store, job=job)

    assert isinstance(exc.value, ConflictError)  # what the API answers with 409


@pytest.mark.parametrize("status", [Status.FAILED, Status.CANCELLED])
def test_a_failed_or_cancelled_job_publishes_what_it_did_import(store, status):
    job = MarketplaceImportJobFactory(store=store, status=status)
    MarketplaceProductFactory(store=store, last_import_job=job)

    assert product_publish(store=store, job=job).published == 1


def test_job_publish_goes_chunk_by_chunk(store, finished_job):
    for _ in range(12):
        MarketplaceProductFactory(store=store, last_import_job=finished_job)
    ProductFactory(marketplace_product=MarketplaceProductFactory(store=store, last_import_job=finished_job))

    with CaptureQueriesContext(connection) as queries:
        result = product_publish(store=store, job=finished_job, chunk_size=5)

    assert (result.matched, result.published, result.already_published) == (13, 12, 1)
    # three full-or-partial chunks, one INSERT ... SELECT each; the ids never reach Python
    assert len([q for q in queries if q["sql"].startswith("INSERT")]) == 3
    assert not [q for q in queries if q["sql"].startswith("SELECT") and "LIMIT" in q["sql"] and "COUNT" not in q["sql"]]


def test_the_model_refuses_another_stores_marketplace_product(store, other_store):
    product = Product(store=store, marketplace_product=MarketplaceProductFactory(store=other_store))

    with pytest.raises(ValidationError) as exc:
        product.full_clean()

    assert "marketplace_product" in exc.value.message_dict
