"""No job is lost: a task the broker dropped, a broker down at creation, a killed cluster
with tasks queued, and an import that lost its database connection all end in a
finished import, run once, with a clean run's counters (SPEC 7 recovery, SPEC 9)."""

from __future__ import annotations

import signal
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from marketplace.models import MarketplaceImportJob, MarketplaceProduct
from marketplace.services import import_job_create, import_jobs_recover
from tests.redisserver import private_redis
from tests.worker import kill_process_group, running_qcluster, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
Status = MarketplaceImportJob.Status
FINISHED = (Status.COMPLETED, Status.COMPLETED_WITH_ERRORS, Status.FAILED, Status.CANCELLED)


def _feed(rows: int, prefix: str = "K") -> bytes:
    lines = ["id,title,description,price,availability,brand"]
    lines += [f"{prefix}-{n},Product {n},{'x' * 300},{n % 500 + 1}.99 EUR,in stock,Brand {n % 7}" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def _upload_job(store, owner, *, rows: int, language: str, prefix: str) -> MarketplaceImportJob:
    upload = SimpleUploadedFile(f"{prefix}.csv", _feed(rows, prefix))
    return import_job_create(store=store, user=owner, upload=upload, language=language, batch_size=200)


def _all_finished(job_ids: list[int]) -> list[MarketplaceImportJob] | None:
    jobs = list(MarketplaceImportJob.objects.filter(pk__in=job_ids).order_by("pk"))
    return jobs if all(job.status in FINISHED for job in jobs) else None


def _time_passes(job_ids: list[int], *, seconds: int) -> None:
    """Age the jobs' hand-over and heartbeat as if `seconds` went by."""
    past = timezone.now() - timedelta(seconds=seconds)
    MarketplaceImportJob.objects.filter(pk__in=job_ids).update(enqueued_at=past)
    MarketplaceImportJob.objects.filter(pk__in=job_ids, status=Status.PROCESSING).update(heartbeat_at=past)


def _use_redis_broker(monkeypatch, url: str) -> None:
    # The test process queues exactly as a web process with REDIS_URL set would.
    monkeypatch.setattr("django_q.conf.Conf.SYNC", False)
    monkeypatch.setattr("django_q.conf.Conf.ORM", None)
    monkeypatch.setattr("django_q.conf.Conf.REDIS", url)


def test_a_killed_cluster_with_queued_tasks_leaves_no_job_pending(store, owner, tmp_path, monkeypatch, settings):
    monkeypatch.setattr("django_q.conf.Conf.SYNC", False)
    settings.MARKETPLACE_PENDING_REQUEUE_SECONDS = 10
    big = _upload_job(store, owner, rows=20_000, language="fr", prefix="FR")
    queued = [_upload_job(store, owner, rows=300, language=lang, prefix=lang.upper()) for lang in ("en", "de")]

    def under_way() -> bool:
        big.refresh_from_db()
        return big.status == Status.PROCESSING and big.total_processed > 0

    with running_qcluster(log_path=tmp_path / "first.log", extra_env={"Q_WORKERS": "1"}) as first:
        wait_for(under_way, timeout=90, interval=0.05, what="the first import to be under way")
        kill_process_group(first, signal.SIGKILL)
        first.wait(timeout=10)
    ids = [big.pk] + [job.pk for job in queued]
    assert MarketplaceImportJob.objects.filter(pk__in=[j.pk for j in queued], status=Status.PENDING).count() == 2
    # django-q2 holds the queued tasks locked for `retry` (an hour): only the recovery frees the jobs.
    _time_passes(ids, seconds=settings.MARKETPLACE_STALE_JOB_SECONDS + 1)
    with running_qcluster(log_path=tmp_path / "second.log"):
        jobs = wait_for(lambda: _all_finished(ids), timeout=180, what="every job to finish")
    assert [job.status for job in jobs] == [Status.COMPLETED] * 3, [job.error_message for job in jobs]
    assert [job.total_processed for job in jobs] == [20_000, 300, 300]
    assert [job.attempts for job in jobs] == [2, 1, 1]  # nothing ran twice to the end
    assert MarketplaceProduct.objects.filter(store=store).count() == 20_600


def test_tasks_lost_in_a_redis_restart_are_enqueued_again(store, owner, tmp_path, monkeypatch, settings):
    settings.MARKETPLACE_PENDING_REQUEUE_SECONDS = 10
    with private_redis() as redis:
        _use_redis_broker(monkeypatch, redis.url)
        jobs = [_upload_job(store, owner, rows=300, language=lang, prefix="R") for lang in ("fr", "en")]
        ids = [job.pk for job in jobs]
        redis.stop()  # no persistence: the two queued tasks are gone
        redis.start()
        _time_passes(ids, seconds=11)
        with running_qcluster(log_path=tmp_path / "redis.log", redis_url=redis.url):
            finished = wait_for(lambda: _all_finished(ids), timeout=90, what="both jobs to finish")
    assert [job.status for job in finished] == [Status.COMPLETED, Status.COMPLETED]
    assert [job.attempts for job in finished] == [1, 1]
    assert MarketplaceProduct.objects.filter(store=store).count() == 300  # the same ids, two languages


def test_an_import_started_while_redis_is_down_is_accepted_and_runs_once_it_is_back(
    store, owner, tmp_path, monkeypatch
):
    with private_redis() as redis:
        _use_redis_broker(monkeypatch, redis.url)
        redis.stop()
        client = APIClient()
        client.force_login(owner)
        response = client.post(
            "/api/v1/store/marketplace/import",
            {"file": SimpleUploadedFile("feed.csv", _feed(300)), "language": "fr"},
            format="multipart",
        )
        assert response.status_code == 202, response.content
        job = MarketplaceImportJob.objects.get(pk=response.json()["job_id"])
        assert (job.status, job.enqueued_at) == (Status.PENDING, None)  # committed, not handed over
        redis.start()
        with running_qcluster(log_path=tmp_path / "back.log", redis_url=redis.url):
            finished = wait_for(lambda: _all_finished([job.pk]), timeout=90, what="the job to run")
    assert finished[0].status == Status.COMPLETED
    assert finished[0].total_processed == 300
    assert finished[0].attempts == 1


def test_recovery_hands_a_refused_job_over_again_at_once_and_others_only_when_old(store, owner, monkeypatch, settings):
    queued: list[tuple[object, ...]] = []
    monkeypatch.setattr("marketplace.services.async_task", lambda *args, **kwargs: queued.append(args))
    settings.MARKETPLACE_PENDING_REQUEUE_SECONDS = 120
    refused = _upload_job(store, owner, rows=10, language="fr", prefix="A")
    recent = _upload_job(store, owner, rows=10, language="en", prefix="B")
    old = _upload_job(store, owner, rows=10, language="de", prefix="C")
    queued.clear()
    MarketplaceImportJob.objects.filter(pk=refused.pk).update(enqueued_at=None)
    MarketplaceImportJob.objects.filter(pk=old.pk).update(enqueued_at=timezone.now() - timedelta(seconds=121))
    assert import_jobs_recover()["reenqueued"] == 2
    assert sorted(args[1] for args in queued) == [refused.pk, old.pk]
    assert recent.pk not in [args[1] for args in queued]


def test_orphaned_downloads_are_swept_by_the_recovery(db, settings):
    import os
    import time

    directory = settings.MARKETPLACE_DOWNLOAD_DIR
    directory.mkdir(parents=True)
    orphan = directory / "feed-dead.download"
    orphan.write_bytes(b"x" * 1000)
    old = time.time() - settings.MARKETPLACE_STALE_JOB_SECONDS - 5
    os.utime(orphan, (old, old))
    live = directory / "feed-live.download"
    live.write_bytes(b"y")
    other = directory / "keep.txt"
    other.write_bytes(b"z")
    os.utime(other, (old, old))
    assert import_jobs_recover()["swept_files"] == 1
    assert not orphan.exists()
    assert live.exists() and other.exists()


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="pg_terminate_backend is PostgreSQL's")
def test_an_import_whose_database_connection_is_killed_is_rerun_at_once(store, owner, tmp_path, monkeypatch):
    monkeypatch.setattr("django_q.conf.Conf.SYNC", False)
    rows = 20_000
    job = _upload_job(store, owner, rows=rows, language="fr", prefix="PG")

    def writing() -> bool:
        job.refresh_from_db()
        return job.status == Status.PROCESSING and job.total_processed > 0

    with running_qcluster(log_path=tmp_path / "pg.log", extra_env={"Q_WORKERS": "1"}):
        wait_for(writing, timeout=90, interval=0.05, what="the import to be writing")

        def terminate_importing_connection() -> bool:
            with connection.cursor() as cursor:
                # The importing connection is the only one besides ours that touches the
                # import's tables; the cluster's own connections query django_q's.
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid() AND query ILIKE %s AND query NOT ILIKE %s",
                    ["%marketplace_%", "%django_q%"],
                )
                return bool(cursor.fetchall())

        wait_for(terminate_importing_connection, timeout=30, interval=0.02, what="the importing connection")
        # Well inside the 10-minute stale window: the worker itself puts the job back.
        finished = wait_for(lambda: _all_finished([job.pk]), timeout=90, what="the re-run to finish")[0]
    assert finished.status == Status.COMPLETED, finished.error_message
    assert finished.attempts == 2
    assert (finished.total_processed, finished.error_count) == (rows, 0)
    assert finished.imported_count + finished.updated_count + finished.unchanged_count == rows
    assert MarketplaceProduct.objects.filter(store=store).count() == rows
