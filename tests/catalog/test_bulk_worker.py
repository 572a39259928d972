"""Publishing at scale with real processes: a `qcluster` worker runs the background
publish the API queued, a cluster start recovers a stale one, and on SQLite an import
starts while a large publish runs (short transactions: nothing waits for the whole action)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from catalog import bulk
from catalog.bulk_actions import bulk_action_claim, bulk_action_run
from catalog.models import CatalogBulkAction, Product
from marketplace.models import FeedMembership, MarketplaceImportJob, MarketplaceProduct
from marketplace.services import import_job_create
from tests.worker import running_qcluster, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
Status = MarketplaceImportJob.Status
BulkStatus = CatalogBulkAction.Status


def _import_with_products(store, count: int) -> MarketplaceImportJob:
    """A completed import whose feed held ``count`` new products (written in bulk, as the importer does)."""
    job = MarketplaceImportJob.objects.create(
        store=store, status=Status.COMPLETED, language="fr", source_url="https://feeds.example.lu/big.csv"
    )
    MarketplaceProduct.objects.bulk_create(
        [
            MarketplaceProduct(store=store, marketplace_product_id=f"SKU-{n:06d}", title=f"P{n}", last_import_job=job)
            for n in range(count)
        ],
        batch_size=2000,
    )
    FeedMembership.objects.bulk_create(
        [
            FeedMembership(import_job=job, product_id=pk)
            for pk in MarketplaceProduct.objects.values_list("id", flat=True)
        ],
        batch_size=2000,
    )
    return job


def _finished(action_id: int) -> CatalogBulkAction | None:
    action = CatalogBulkAction.objects.get(pk=action_id)
    return action if not action.is_active else None


@pytest.mark.worker
def test_a_worker_runs_the_large_publish_the_api_queued(store, owner, password, settings, qcluster):
    settings.MARKETPLACE_PUBLISH_SYNC_LIMIT = 10
    job = _import_with_products(store, 500)
    client = APIClient()
    token = client.post(
        "/api/v1/auth/token",
        {"username": owner.username, "password": password, "store_code": store.code},
        format="json",
    ).json()["access"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    response = client.post("/api/v1/store/products/publish", {"job_id": job.pk}, format="json")

    assert response.status_code == 202, response.content
    action_id = response.json()["bulk_action_id"]
    done = wait_for(lambda: _finished(action_id), timeout=90, what="the worker to run the bulk action")
    assert (done.status, done.done, done.changed) == (BulkStatus.COMPLETED, 500, 500), done.error_message
    assert Product.objects.filter(store=store).count() == 500
    progress = client.get(f"/api/v1/store/products/bulk-actions/{action_id}").json()
    assert (progress["status"], progress["progress_percent"]) == ("completed", 100)


@pytest.mark.worker
def test_a_cluster_start_recovers_a_stale_bulk_action(store, settings, tmp_path, monkeypatch):
    monkeypatch.setattr("django_q.conf.Conf.SYNC", False)
    job = _import_with_products(store, 300)
    old = timezone.now() - timedelta(hours=1)
    # A worker claimed it and vanished: processing, one attempt, a heartbeat an hour old.
    action = CatalogBulkAction.objects.create(
        store=store,
        action="publish",
        scope="all",
        job=job,
        total=300,
        status=BulkStatus.PROCESSING,
        attempts=1,
        heartbeat_at=old,
        started_at=old,
        enqueued_at=old,
    )

    with running_qcluster(log_path=tmp_path / "qcluster.log"):
        done = wait_for(lambda: _finished(action.pk), timeout=90, what="the recovered bulk action to finish")

    assert (done.status, done.attempts, done.changed) == (BulkStatus.COMPLETED, 2, 300), done.error_message
    assert Product.objects.filter(store=store).count() == 300


# --- SQLite: an import starts while a large publish runs ----------------------------------
@pytest.fixture
def short_busy_timeout(settings):
    """New SQLite connections wait at most half a second for the write lock, so that a
    writer held up longer fails with "database is locked" instead of waiting 30 s.
    (PostgreSQL has no database-wide writer lock: there the test shows the same overlap.)"""
    if connection.vendor != "sqlite":
        yield
        return
    options = connection.settings_dict["OPTIONS"]
    before = options.get("timeout")
    options["timeout"] = 0.5
    connection.close()
    yield
    options["timeout"] = before
    connection.close()


def _start_import(store, owner) -> MarketplaceImportJob:
    return import_job_create(
        store=store,
        user=owner,
        upload=SimpleUploadedFile("feed.csv", b"id,title\nA-1,Apple\n"),
        language="fr",
        enqueue=False,
    )


def _in_thread(target) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            target()
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def test_an_import_starts_while_a_large_publish_runs(store, owner, short_busy_timeout, monkeypatch):
    job = _import_with_products(store, 3000)
    action = CatalogBulkAction.objects.create(store=store, action="publish", scope="all", job=job, total=3000)
    claimed = bulk_action_claim(action_id=action.pk)
    assert claimed is not None
    # Stretch the action to seconds (30 chunks, 50 ms apart) without touching its
    # transactions: the pause is taken between chunks, where the real action commits.
    next_chunk = bulk._next_chunk

    def slow_next_chunk(*args, **kwargs):
        time.sleep(0.05)
        return next_chunk(*args, **kwargs)

    monkeypatch.setattr(bulk, "_next_chunk", slow_next_chunk)
    thread, errors = _in_thread(lambda: bulk_action_run(action=claimed, chunk_size=100))
    try:
        wait_for(
            lambda: CatalogBulkAction.objects.filter(pk=action.pk, done__gt=0).exists(),
            timeout=30,
            interval=0.02,
            what="the first chunk",
        )
        started = _start_import(store, owner)  # would raise OperationalError: database is locked
        during = CatalogBulkAction.objects.get(pk=action.pk)
    finally:
        thread.join(timeout=60)

    assert not errors, errors
    assert started.status == Status.PENDING
    assert during.status == BulkStatus.PROCESSING and 0 < during.done < 3000  # the import started mid-action
    done = CatalogBulkAction.objects.get(pk=action.pk)
    assert (done.status, done.changed) == (BulkStatus.COMPLETED, 3000)
    assert Product.objects.filter(store=store).count() == 3000


def test_the_check_above_sees_a_long_transaction(store, owner, short_busy_timeout):
    """The control of the test above: one transaction held for a second (what publishing
    everything in one transaction did) makes the import start fail under the same timeout."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's single writer lock")
    holding = threading.Event()

    def hold_the_write_lock() -> None:
        with transaction.atomic():  # IMMEDIATE: takes the write lock at once
            MarketplaceProduct.objects.filter(store=store).update(title="held")
            holding.set()
            time.sleep(1.5)

    thread, errors = _in_thread(hold_the_write_lock)
    try:
        assert holding.wait(timeout=30)
        with pytest.raises(OperationalError, match="locked"):
            _start_import(store, owner)
    finally:
        thread.join(timeout=30)
    assert not errors, errors
