"""Publishing at scale (issue 15): set-based writes, the sync / background threshold, the
bulk action's progress (API and page), tenancy, roles and the recovery of a stale action."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from catalog import bulk
from catalog.bulk_actions import bulk_action_claim, bulk_action_run, catalog_bulk_request
from catalog.models import CatalogBulkAction, Product
from catalog.services import product_publish, product_unpublish
from marketplace.models import MarketplaceImportJob
from marketplace.services import import_jobs_recover
from tests.catalog.conftest import contained
from tests.factories.catalog import ProductFactory
from tests.factories.marketplace import MarketplaceImportJobFactory, MarketplaceProductFactory

pytestmark = pytest.mark.django_db
Status = MarketplaceImportJob.Status
BulkStatus = CatalogBulkAction.Status
API = "/api/v1/store/products"


def _job_with_products(store, count: int, language: str = "fr"):
    job = MarketplaceImportJobFactory(store=store, status=Status.COMPLETED, language=language)
    products = [MarketplaceProductFactory(store=store, last_import_job=job) for _ in range(count)]
    return job, products


def _published_ids(store) -> set[int]:
    return set(Product.objects.filter(store=store).values_list("marketplace_product_id", flat=True))


# --- the set-based writes (catalog.bulk) -------------------------------------------------
def test_the_bulk_insert_ignores_another_stores_ids(store, other_store):
    own = MarketplaceProductFactory(store=store)
    foreign = MarketplaceProductFactory(store=other_store)

    published = bulk.run(bulk.Selection(store_id=store.pk, ids=tuple(sorted([own.pk, foreign.pk]))), publish=True)

    assert published == 1
    assert _published_ids(store) == {own.pk}
    assert not Product.objects.filter(marketplace_product=foreign).exists()


def test_the_bulk_delete_leaves_another_stores_catalog_alone(store, other_store):
    own = ProductFactory(marketplace_product__store=store)
    foreign = ProductFactory(marketplace_product__store=other_store)
    ids = tuple(sorted([own.marketplace_product_id, foreign.marketplace_product_id]))

    unpublished = bulk.run(bulk.Selection(store_id=store.pk, ids=ids), publish=False)

    assert unpublished == 1
    assert list(Product.objects.all()) == [foreign]


def test_job_scope_counts_after_an_import_in_another_language_and_already_published(store):
    french, products = _job_with_products(store, 7)
    german = MarketplaceImportJobFactory(store=store, status=Status.COMPLETED, language="de")
    contained(german, products[:3])
    ProductFactory(marketplace_product=products[0])

    result = product_publish(store=store, job=german, chunk_size=2)

    assert (result.matched, result.published, result.already_published) == (3, 2, 1)
    # The French import still names all seven: the German one took none of them away.
    french_result = product_publish(store=store, job=french, chunk_size=2)
    assert (french_result.matched, french_result.published, french_result.already_published) == (7, 4, 3)
    assert _published_ids(store) == {p.pk for p in products}


def test_job_scope_unpublish_counts(store):
    job, products = _job_with_products(store, 5)
    for product in products[:3]:
        ProductFactory(marketplace_product=product)

    result = product_unpublish(store=store, job=job, chunk_size=2)

    assert (result.matched, result.unpublished, result.not_published) == (5, 3, 2)
    assert not Product.objects.exists()


def test_ids_scope_counts(store, other_store):
    products = [MarketplaceProductFactory(store=store) for _ in range(4)]
    ProductFactory(marketplace_product=products[1])

    result = product_publish(store=store, marketplace_product_ids=[p.pk for p in products], chunk_size=3)

    assert (result.matched, result.published, result.already_published) == (4, 3, 1)


@pytest.mark.parametrize("scope", ["all", "changed"])
def test_job_publish_queries_do_not_grow_with_the_number_of_products(store, scope):
    few_job, _ = _job_with_products(store, 3)
    many_job, _ = _job_with_products(store, 40)

    with CaptureQueriesContext(connection) as few:
        product_publish(store=store, job=few_job, scope=scope)
    with CaptureQueriesContext(connection) as many:
        product_publish(store=store, job=many_job, scope=scope)

    assert len(many) == len(few)
    assert Product.objects.filter(store=store).count() == 43


def test_job_unpublish_queries_do_not_grow_with_the_number_of_products(store):
    few_job, few_products = _job_with_products(store, 3)
    many_job, many_products = _job_with_products(store, 40)
    for product in few_products + many_products:
        ProductFactory(marketplace_product=product)

    with CaptureQueriesContext(connection) as few:
        product_unpublish(store=store, job=few_job)
    with CaptureQueriesContext(connection) as many:
        product_unpublish(store=store, job=many_job)

    assert len(many) == len(few)
    assert not Product.objects.exists()


# --- the threshold: in the request, or a background bulk action --------------------------
@pytest.fixture
def token_client(password):
    def make(user, store_code: str = "alpha") -> APIClient:
        client = APIClient()
        response = client.post(
            "/api/v1/auth/token",
            {"username": user.username, "password": password, "store_code": store_code},
            format="json",
        )
        assert response.status_code == 200, response.content
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
        return client

    return make


@pytest.fixture
def small_limit(settings):
    settings.MARKETPLACE_PUBLISH_SYNC_LIMIT = 3
    return 3


def test_up_to_the_limit_the_api_publishes_at_once(token_client, owner, store, small_limit):
    job, _ = _job_with_products(store, 3)

    response = token_client(owner).post(f"{API}/publish", {"job_id": job.pk}, format="json")

    assert response.status_code == 200
    assert response.json() == {"matched": 3, "published": 3, "already_published": 0}
    assert not CatalogBulkAction.objects.exists()


def test_above_the_limit_the_api_answers_202_and_a_worker_publishes(
    token_client, owner, store, small_limit, django_capture_on_commit_callbacks
):
    job, products = _job_with_products(store, 5)
    ProductFactory(marketplace_product=products[0])
    client = token_client(owner)

    # The unit tests run django-q2 tasks inline (Conf.SYNC): the task runs when the request commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{API}/publish", {"job_id": job.pk}, format="json")

    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending" and body["total"] == 5
    progress = client.get(f"{API}/bulk-actions/{body['bulk_action_id']}")
    assert progress.status_code == 200
    data = progress.json()
    assert (data["status"], data["action"], data["scope"], data["job_id"]) == ("completed", "publish", "all", job.pk)
    assert (data["total"], data["done"], data["changed"], data["unchanged"], data["progress_percent"]) == (
        5,
        5,
        4,
        1,
        100,
    )
    assert _published_ids(store) == {p.pk for p in products}


def test_above_the_limit_unpublish_by_ids_answers_202(
    token_client, owner, store, small_limit, django_capture_on_commit_callbacks
):
    products = [ProductFactory(marketplace_product__store=store).marketplace_product for _ in range(4)]

    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(owner).post(
            f"{API}/unpublish", {"marketplace_product_ids": [p.pk for p in products]}, format="json"
        )

    assert response.status_code == 202
    action = CatalogBulkAction.objects.get(pk=response.json()["bulk_action_id"])
    assert (action.status, action.scope, action.changed, action.user) == ("completed", "ids", 4, owner)
    assert not Product.objects.exists()


def test_unknown_ids_are_a_400_before_anything_is_queued(token_client, owner, store, other_store, small_limit):
    products = [MarketplaceProductFactory(store=store) for _ in range(4)]
    foreign = MarketplaceProductFactory(store=other_store)

    response = token_client(owner).post(
        f"{API}/publish", {"marketplace_product_ids": [*(p.pk for p in products), foreign.pk]}, format="json"
    )

    assert response.status_code == 400
    assert str(foreign.pk) in str(response.json())
    assert not CatalogBulkAction.objects.exists() and not Product.objects.exists()


def test_a_second_background_action_of_the_store_is_409(token_client, owner, store, small_limit):
    job, _ = _job_with_products(store, 5)
    running = CatalogBulkAction.objects.create(
        store=store, action="publish", scope="all", job=job, total=5, status=BulkStatus.PROCESSING
    )

    response = token_client(owner).post(f"{API}/unpublish", {"job_id": job.pk}, format="json")

    assert response.status_code == 409
    assert response.json()["bulk_action_id"] == running.pk
    assert CatalogBulkAction.objects.count() == 1


def test_read_only_staff_cannot_start_one(token_client, client, staff_member, store, small_limit):
    job, _ = _job_with_products(store, 5)

    api = token_client(staff_member).post(f"{API}/publish", {"job_id": job.pk}, format="json")
    client.force_login(staff_member)
    page = client.post(f"/store/alpha/products/publish-job/{job.pk}", {"scope": "all"})
    selected = client.post("/store/alpha/products/unpublish", {"ids": [str(job.pk)]})

    assert (api.status_code, page.status_code, selected.status_code) == (403, 403, 403)
    assert not CatalogBulkAction.objects.exists() and not Product.objects.exists()


# --- the progress endpoint and page, and tenancy ------------------------------------------
@pytest.fixture
def running_action(store):
    job, _ = _job_with_products(store, 10)
    return CatalogBulkAction.objects.create(
        store=store, action="publish", scope="all", job=job, total=10, done=4, changed=4, status=BulkStatus.PROCESSING
    )


def test_the_progress_endpoint_reports_a_running_action(token_client, staff_member, running_action):
    response = token_client(staff_member).get(f"{API}/bulk-actions/{running_action.pk}/")

    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["done"], data["total"], data["progress_percent"]) == ("processing", 4, 10, 40)


@pytest.mark.parametrize("action_id", ["999999", "abc", "0", "-1", "1" * 25])
def test_unknown_bulk_actions_are_404(token_client, owner, running_action, action_id):
    assert token_client(owner).get(f"{API}/bulk-actions/{action_id}").status_code == 404


def test_another_stores_bulk_action_is_404_through_the_api_and_the_page(
    token_client, client, outsider, other_store, running_action
):
    assert token_client(outsider, "bravo").get(f"{API}/bulk-actions/{running_action.pk}").status_code == 404
    client.force_login(outsider)
    assert client.get(f"/store/bravo/products/bulk-actions/{running_action.pk}").status_code == 404
    assert client.get(f"/store/alpha/products/bulk-actions/{running_action.pk}").status_code == 404


def test_the_progress_page_shows_a_bar_that_refreshes_while_it_runs(client, staff_member, running_action):
    client.force_login(staff_member)

    page = client.get(f"/store/alpha/products/bulk-actions/{running_action.pk}")
    partial = client.get(f"/store/alpha/products/bulk-actions/{running_action.pk}", headers={"HX-Request": "true"})

    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="40"' in html and "4 of 10 products" in html and "hx-trigger" in html
    assert partial.status_code == 200 and "<html" not in partial.content.decode()
    running_action.status = BulkStatus.COMPLETED
    running_action.done = 10
    running_action.save()
    done = client.get(f"/store/alpha/products/bulk-actions/{running_action.pk}").content.decode()
    assert "hx-trigger" not in done and "Published 4 products" in done and 'value="100"' in done


def test_the_page_sends_a_large_publish_to_the_progress_page(
    client, owner, store, small_limit, django_capture_on_commit_callbacks
):
    job, products = _job_with_products(store, 5)
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/store/alpha/products/publish-job/{job.pk}", {"scope": "all"})

    action = CatalogBulkAction.objects.get()
    assert response.status_code == 302 and response.url == f"/store/alpha/products/bulk-actions/{action.pk}"
    assert action.status == BulkStatus.COMPLETED and _published_ids(store) == {p.pk for p in products}


def test_the_page_publishes_a_small_selection_at_once(client, owner, store, small_limit):
    products = [MarketplaceProductFactory(store=store) for _ in range(2)]
    client.force_login(owner)

    response = client.post("/store/alpha/products/publish", {"ids": [str(p.pk) for p in products]}, follow=True)

    assert "Published 2 products." in [str(m) for m in response.context["messages"]]
    assert not CatalogBulkAction.objects.exists()


# --- recovery ----------------------------------------------------------------------------
def _stale(action: CatalogBulkAction, settings) -> None:
    old = timezone.now() - timedelta(seconds=settings.MARKETPLACE_STALE_JOB_SECONDS + 60)
    CatalogBulkAction.objects.filter(pk=action.pk).update(status=BulkStatus.PROCESSING, heartbeat_at=old)


def test_the_import_recovery_reruns_a_stale_bulk_action_from_where_it_stopped(
    store, settings, django_capture_on_commit_callbacks
):
    job, products = _job_with_products(store, 6)
    action = CatalogBulkAction.objects.create(store=store, action="publish", scope="all", job=job, total=6)
    claimed = bulk_action_claim(action_id=action.pk)
    assert claimed is not None
    # The worker committed one chunk of two products (and its progress), then died.
    first_two = sorted(p.pk for p in products)[:2]
    product_publish(store=store, marketplace_product_ids=first_two)
    CatalogBulkAction.objects.filter(pk=action.pk).update(cursor=first_two[-1], done=2, changed=2)
    _stale(action, settings)

    with django_capture_on_commit_callbacks(execute=True):
        result = import_jobs_recover()

    assert result["bulk_actions_requeued"] == 1
    action.refresh_from_db()
    assert (action.status, action.attempts, action.done, action.changed) == (BulkStatus.COMPLETED, 2, 6, 6)
    assert _published_ids(store) == {p.pk for p in products}


def test_a_stale_bulk_action_out_of_attempts_fails_with_a_message(store, settings):
    job, _ = _job_with_products(store, 3)
    action = CatalogBulkAction.objects.create(
        store=store, action="unpublish", scope="all", job=job, total=3, attempts=settings.MARKETPLACE_MAX_ATTEMPTS
    )
    _stale(action, settings)

    result = import_jobs_recover()

    action.refresh_from_db()
    assert result["bulk_actions_failed"] == 1
    assert action.status == BulkStatus.FAILED and "stopped responding" in action.error_message
    assert action.completed_at is not None


def test_a_live_bulk_action_is_left_alone(store, settings):
    job, _ = _job_with_products(store, 3)
    action = CatalogBulkAction.objects.create(
        store=store,
        action="publish",
        scope="all",
        job=job,
        total=3,
        status=BulkStatus.PROCESSING,
        heartbeat_at=timezone.now(),
        enqueued_at=timezone.now(),
    )

    result = import_jobs_recover()

    action.refresh_from_db()
    assert action.status == BulkStatus.PROCESSING
    assert (result["bulk_actions_requeued"], result["bulk_actions_failed"]) == (0, 0)


def test_a_failing_action_records_why(store):
    job, _ = _job_with_products(store, 3)
    action = CatalogBulkAction.objects.create(store=store, action="publish", scope="all", job=None, total=3)
    claimed = bulk_action_claim(action_id=action.pk)
    assert claimed is not None

    done = bulk_action_run(action=claimed)

    assert done.status == BulkStatus.FAILED and "deleted" in done.error_message


def test_catalog_bulk_request_rejects_an_unknown_action(store):
    with pytest.raises(ValueError):
        catalog_bulk_request(store=store, user=None, action="explode", marketplace_product_ids=[1])


def test_postgresql_refuses_a_product_published_by_another_store(store, other_store):
    """The composite foreign key (catalog migration 0004): the store of a catalog row must be
    the store of its marketplace product."""
    if connection.vendor != "postgresql":
        pytest.skip("the composite foreign key is PostgreSQL's")
    from django.db import IntegrityError, transaction

    foreign = MarketplaceProductFactory(store=other_store)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        Product.objects.create(store=store, marketplace_product=foreign)


def test_deleting_a_marketplace_product_unpublishes_it(store):
    product = ProductFactory(marketplace_product__store=store)

    product.marketplace_product.delete()

    assert not Product.objects.exists()


def test_a_failing_recovery_of_another_app_does_not_stop_the_import_recovery(store):
    from marketplace.signals import recovery_requested

    def broken(sender, **kwargs):
        raise RuntimeError("boom")

    recovery_requested.connect(broken, dispatch_uid="test-broken-recovery")
    try:
        result = import_jobs_recover()
    finally:
        recovery_requested.disconnect(dispatch_uid="test-broken-recovery")

    assert {"failed", "requeued", "reenqueued", "swept_files", "bulk_actions_failed"} <= set(result)
