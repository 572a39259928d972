"""The Django admin's change lists: columns, filters, search, and no query per row."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketplace.models import MarketplaceImportJob
from tests.factories.accounts import UserFactory
from tests.factories.catalog import ProductFactory
from tests.factories.marketplace import (
    MarketplaceImportErrorFactory,
    MarketplaceImportJobFactory,
    MarketplaceProductFactory,
)
from tests.factories.stores import StoreFactory, StoreMembershipFactory

pytestmark = pytest.mark.django_db
Status = MarketplaceImportJob.Status


def _make_jobs(n: int) -> None:
    for i in range(n):
        store = StoreFactory()
        MarketplaceImportJobFactory(store=store, user=UserFactory(), status=Status.COMPLETED, error_count=i % 3)


def _make_errors(n: int) -> None:
    for _ in range(n):
        MarketplaceImportErrorFactory(import_job=MarketplaceImportJobFactory(store=StoreFactory()))


def _make_products(n: int) -> None:
    for _ in range(n):
        MarketplaceProductFactory(store=StoreFactory())


def _make_catalog(n: int) -> None:
    for _ in range(n):
        ProductFactory(marketplace_product=MarketplaceProductFactory(store=StoreFactory()))


def _make_users(n: int) -> None:
    for _ in range(n):
        user = UserFactory()
        StoreMembershipFactory(user=user, store=StoreFactory())
        StoreMembershipFactory(user=user, store=StoreFactory())


def _make_stores(n: int) -> None:
    for _ in range(n):
        StoreMembershipFactory(store=StoreFactory(letzshop_csv_url_fr="https://x.example/fr.csv"))


def _make_memberships(n: int) -> None:
    for _ in range(n):
        StoreMembershipFactory(store=StoreFactory())


CHANGELISTS = [
    ("admin:marketplace_marketplaceimportjob_changelist", _make_jobs),
    ("admin:marketplace_marketplaceimporterror_changelist", _make_errors),
    ("admin:marketplace_marketplaceproduct_changelist", _make_products),
    ("admin:catalog_product_changelist", _make_catalog),
    ("admin:accounts_user_changelist", _make_users),
    ("admin:stores_store_changelist", _make_stores),
    ("admin:stores_storemembership_changelist", _make_memberships),
]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("url_name", "make"), CHANGELISTS, ids=[name.split(":")[1] for name, _ in CHANGELISTS])
def test_a_change_list_runs_as_many_queries_for_50_rows_as_for_5(
    admin_client_root, url_name, make, django_assert_max_num_queries
):
    url = reverse(url_name)
    make(5)
    with_five = _queries(admin_client_root, url)
    make(45)
    with django_assert_max_num_queries(with_five):
        response = admin_client_root.get(url)
    assert response.status_code == 200


def test_the_job_list_shows_store_counters_creator_and_duration(admin_client_root, store, owner):
    from datetime import timedelta

    from django.utils import timezone

    started = timezone.now() - timedelta(seconds=75)
    job = MarketplaceImportJobFactory(
        store=store,
        user=owner,
        status=Status.COMPLETED_WITH_ERRORS,
        imported_count=120,
        updated_count=7,
        error_count=3,
        warning_count=2,
        total_processed=130,
        started_at=started,
        completed_at=started + timedelta(seconds=75),
    )
    response = admin_client_root.get(reverse("admin:marketplace_marketplaceimportjob_changelist"))
    content = response.content.decode()
    assert "Alpha Store" in content
    assert "Completed with errors" in content
    assert "alice" in content
    assert "1 min 15 s" in content
    errors_url = reverse("admin:marketplace_marketplaceimporterror_changelist") + f"?job={job.pk}"
    assert errors_url in content
    # No "add" button: jobs are started from /admin/marketplace.
    assert reverse("admin:marketplace_marketplaceimportjob_add") not in content


def test_the_job_list_filters(admin_client_root, store, other_store, owner, admin_user):
    url = reverse("admin:marketplace_marketplaceimportjob_changelist")
    mine = MarketplaceImportJobFactory(store=store, user=admin_user, status=Status.FAILED, language="de")
    theirs = MarketplaceImportJobFactory(store=other_store, user=owner, status=Status.COMPLETED, language="fr")

    def ids(query: str) -> set[int]:
        response = admin_client_root.get(url + query)
        assert response.status_code == 200
        return {job.pk for job in response.context["cl"].result_list}

    assert ids("") == {mine.pk, theirs.pk}
    assert ids("?status__exact=failed") == {mine.pk}
    assert ids("?language__exact=fr") == {theirs.pk}
    assert ids(f"?store__id__exact={other_store.pk}") == {theirs.pk}
    assert ids("?creator=me") == {mine.pk}
    assert ids("?creator=store") == {theirs.pk}
    assert ids("?marketplace__exact=Letzshop") == {mine.pk, theirs.pk}
    assert ids("?created_at__gte=2000-01-01+00:00:00%2B00:00") == {mine.pk, theirs.pk}
    assert ids("?q=bravo") == {theirs.pk}
    assert ids(f"?q={mine.source_url.rsplit('/', 1)[1]}") == {mine.pk}


def test_the_job_change_page_is_read_only_and_links_to_its_errors(admin_client_root, store):
    job = MarketplaceImportJobFactory(store=store, error_count=4, warning_count=1, status=Status.COMPLETED_WITH_ERRORS)
    response = admin_client_root.get(reverse("admin:marketplace_marketplaceimportjob_change", args=[job.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert 'name="imported_count"' not in content  # counters are read-only
    assert "4 error(s), 1 warning(s)" in content
    assert reverse("admin_pages:import-detail", args=[job.pk]) in content


def test_the_error_list_filters_by_job_type_and_severity(admin_client_root, store):
    job = MarketplaceImportJobFactory(store=store)
    other_job = MarketplaceImportJobFactory(store=store, language="de")
    error = MarketplaceImportErrorFactory(import_job=job, row_number=5)
    warning = MarketplaceImportErrorFactory(
        import_job=job, row_number=3, severity="warning", error_type="validation_error"
    )
    elsewhere = MarketplaceImportErrorFactory(import_job=other_job)
    url = reverse("admin:marketplace_marketplaceimporterror_changelist")

    def ids(query: str) -> list[int]:
        response = admin_client_root.get(url + query)
        assert response.status_code == 200
        return [e.pk for e in response.context["cl"].result_list]

    assert ids(f"?job={job.pk}") == [warning.pk, error.pk]  # in row order
    assert ids("") == [elsewhere.pk, warning.pk, error.pk]  # newest first
    assert ids("?severity__exact=warning") == [warning.pk]
    assert ids("?error_type__exact=missing_title") == [elsewhere.pk, error.pk]
    assert f"Job #{job.pk}".encode() in admin_client_root.get(url + f"?job={job.pk}").content


def test_the_product_list_searches_and_filters(admin_client_root, store, other_store):
    lamp = MarketplaceProductFactory(
        store=store,
        title="Desk lamp",
        marketplace_product_id="LS-1",
        gtin="4006381333931",
        brand="Kirchberg Design",
        availability="in_stock",
    )
    mug = MarketplaceProductFactory(
        store=other_store,
        title="Coffee mug",
        marketplace_product_id="LS-2",
        brand="Maison Moselle",
        availability="out_of_stock",
    )
    url = reverse("admin:marketplace_marketplaceproduct_changelist")

    def ids(query: str) -> set[int]:
        response = admin_client_root.get(url + query)
        assert response.status_code == 200
        return {p.pk for p in response.context["cl"].result_list}

    assert ids("?q=lamp") == {lamp.pk}
    assert ids("?q=LS-2") == {mug.pk}
    assert ids("?q=4006381333931") == {lamp.pk}
    assert ids("?brand=kirchberg+design") == {lamp.pk}
    assert ids("?availability__exact=out_of_stock") == {mug.pk}
    assert ids(f"?store__id__exact={store.pk}") == {lamp.pk}
    page = admin_client_root.get(url + "?brand=Maison+Moselle&availability__exact=out_of_stock").content.decode()
    # The brand box keeps the other filters when submitted again.
    assert 'name="availability__exact" value="out_of_stock"' in page
    assert 'name="brand" value="Maison Moselle"' in page


def test_the_catalog_list_shows_effective_values(admin_client_root, store):
    from decimal import Decimal

    product = ProductFactory(
        marketplace_product=MarketplaceProductFactory(store=store, title="Wool scarf", price=Decimal("19.99"))
    )
    overridden = ProductFactory(
        marketplace_product=MarketplaceProductFactory(store=store, title="Teapot"), price=Decimal("5.00")
    )
    response = admin_client_root.get(reverse("admin:catalog_product_changelist") + "?q=scarf")
    content = response.content.decode()
    assert "Wool scarf" in content and "19.99" in content
    assert "Teapot" not in content
    response = admin_client_root.get(reverse("admin:catalog_product_changelist"))
    assert "5.00" in response.content.decode()
    assert {p.pk for p in response.context["cl"].result_list} == {product.pk, overridden.pk}


def test_the_user_list_shows_store_memberships(admin_client_root, owner, store):
    url = reverse("admin:accounts_user_changelist") + f"?memberships__store__id__exact={store.pk}"
    response = admin_client_root.get(url)
    content = response.content.decode()
    assert "alpha (owner)" in content


def test_the_store_list_links_to_settings_import_and_jobs(admin_client_root, store, owner):
    content = admin_client_root.get(reverse("admin:stores_store_changelist")).content.decode()
    assert reverse("admin_pages:store-edit", args=[store.code]) in content
    assert reverse("admin_pages:marketplace") + f"?store={store.code}" in content
