"""A real `qcluster` imports feeds end to end, over the ORM broker and over Redis, and a
worker killed with SIGKILL mid-import leaves a job that is recovered without duplicates."""

from __future__ import annotations

import os
import signal
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from marketplace.models import MarketplaceImportJob, MarketplaceProduct
from marketplace.services import import_job_create
from tests.worker import kill_process_group, running_qcluster, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
Status = MarketplaceImportJob.Status
FINISHED = (Status.COMPLETED, Status.COMPLETED_WITH_ERRORS, Status.FAILED, Status.CANCELLED)


def _job_finished(job_id: int) -> MarketplaceImportJob | None:
    job = MarketplaceImportJob.objects.get(pk=job_id)
    return job if job.status in FINISHED else None


@pytest.fixture
def live_feeds(live_server, demo_feeds, settings):
    """The live server's own demo feeds, allowed past the private-address block.

    Request it before `qcluster` so the worker starts with the allowance.
    """
    settings.MARKETPLACE_FETCH_ALLOWED_HOSTS = [live_server.url.removeprefix("http://")]
    return live_server


def _demo_import(live_server, store, owner) -> MarketplaceImportJob:
    return import_job_create(
        store=store,
        user=owner,
        source_url=f"{live_server.url}/demo-feeds/letzshop-en.csv",
        language="en",
        batch_size=100,
    )


def _assert_demo_import(job: MarketplaceImportJob) -> None:
    assert job.status == Status.COMPLETED_WITH_ERRORS, job.error_message
    # 301 data rows: 300 products, one missing title, one bad price, one duplicate id.
    assert job.total_processed == 301
    assert job.imported_count == 298
    assert job.error_count == 3
    assert job.warning_count >= 2  # a bad check digit and a spreadsheet-mangled GTIN
    assert job.detected_encoding.startswith("utf-8")
    assert job.detected_delimiter == ","
    assert MarketplaceProduct.objects.filter(store=job.store).count() == 298
    rows = sorted(job.errors.filter(severity="error").values_list("row_number", "error_type"))
    assert rows == [(11, "missing_title"), (21, "parse_error"), (302, "validation_error")]


def test_a_worker_imports_a_feed_downloaded_over_http_via_the_orm_broker(live_feeds, store, owner, qcluster):
    job = _demo_import(live_feeds, store, owner)
    finished = wait_for(lambda: _job_finished(job.pk), timeout=90, what="the import to finish")
    _assert_demo_import(finished)
    assert finished.started_at and finished.completed_at and finished.attempts == 1


def test_a_worker_imports_a_feed_via_the_redis_broker(live_feeds, store, owner, tmp_path, monkeypatch):
    import redis as redis_lib

    redis_url = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
    try:
        redis_lib.from_url(redis_url, socket_connect_timeout=2).ping()
    except redis_lib.RedisError:
        pytest.skip(f"no Redis at {redis_url}")
    # The test process queues into Redis exactly as the web process would with REDIS_URL set
    # (a Redis database of its own, emptied first, keeps other runs' tasks out).
    redis_lib.from_url(redis_url).flushdb()
    monkeypatch.setattr("django_q.conf.Conf.SYNC", False)
    monkeypatch.setattr("django_q.conf.Conf.ORM", None)
    monkeypatch.setattr("django_q.conf.Conf.REDIS", redis_url)
    log = tmp_path / "qcluster-redis.log"
    with running_qcluster(log_path=log, redis_url=redis_url):
        job = _demo_import(live_feeds, store, owner)
        finished = wait_for(lambda: _job_finished(job.pk), timeout=90, what="the import over Redis to finish")
    _assert_demo_import(finished)


def _big_feed(rows: int) -> bytes:
    lines = ["id,title,description,price,availability,brand"]
    lines += [f"K-{n},Product {n},{'x' * 300},{n % 500 + 1}.99 EUR,in stock,Brand {n % 7}" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def test_a_killed_worker_leaves_a_job_that_is_recovered_without_duplicates(
    store, owner, tmp_path, monkeypatch, settings
):
    monkeypatch.setattr("django_q.conf.Conf.SYNC", False)
    rows = 30_000
    upload = SimpleUploadedFile("big.csv", _big_feed(rows))
    job = import_job_create(store=store, user=owner, upload=upload, language="fr", batch_size=200)

    def some_progress() -> bool:
        job.refresh_from_db()
        return job.status == Status.PROCESSING and 0 < job.total_processed < rows

    with running_qcluster(log_path=tmp_path / "first.log") as first:
        wait_for(some_progress, timeout=90, interval=0.05, what="the import to be under way")
        kill_process_group(first, signal.SIGKILL)
        first.wait(timeout=10)
    job.refresh_from_db()
    assert job.status == Status.PROCESSING  # nobody told the database: the worker just vanished
    partial = MarketplaceProduct.objects.filter(store=store).count()
    assert 0 < partial < rows

    # Time passes: the heartbeat is now older than MARKETPLACE_STALE_JOB_SECONDS.
    MarketplaceImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    # A new cluster recovers it at start-up and re-runs it from a clean slate.
    with running_qcluster(log_path=tmp_path / "second.log"):
        finished = wait_for(lambda: _job_finished(job.pk), timeout=180, what="the recovered import to finish")
        # The task removes the upload just after it records the job's end: wait for that
        # before the cluster stops, or the test races the worker.
        upload_path = settings.MARKETPLACE_UPLOAD_DIR / finished.source_file
        wait_for(lambda: not upload_path.exists(), timeout=30, what="the upload to be removed")
    assert finished.status == Status.COMPLETED, finished.error_message
    assert finished.attempts == 2
    assert finished.total_processed == rows
    assert finished.imported_count + finished.unchanged_count + finished.updated_count == rows
    assert MarketplaceProduct.objects.filter(store=store).count() == rows
    ids = MarketplaceProduct.objects.filter(store=store).values_list("marketplace_product_id", flat=True)
    assert len(set(ids)) == rows
    # The upload is removed once the job has ended.
    assert not upload_path.exists()
