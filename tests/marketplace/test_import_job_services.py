"""The job services every entry point uses: create, cancel, retry, recover, stats."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.exceptions import ApplicationError, ConflictError
from marketplace.importing.jobs import (
    BatchCounts,
    import_job_add_counts,
    import_job_claim,
    import_job_fail,
    import_job_finish,
    import_job_heartbeat,
)
from marketplace.models import MarketplaceImportJob
from marketplace.services import (
    ImportAlreadyRunning,
    import_job_cancel,
    import_job_create,
    import_job_retry,
    import_job_stats,
    import_jobs_recover_stale,
)
from tests.factories.marketplace import MarketplaceImportErrorFactory, MarketplaceImportJobFactory

pytestmark = pytest.mark.django_db
Status = MarketplaceImportJob.Status
URL = "https://feeds.example.lu/products.csv"


def _create(store, user, **kwargs):
    return import_job_create(store=store, user=user, enqueue=False, **{"source_url": URL, **kwargs})


def test_it_creates_a_pending_job(store, owner):
    job = _create(store, owner, language="fr", batch_size=500)
    assert job.status == Status.PENDING
    assert (job.store, job.user, job.language, job.batch_size, job.marketplace) == (store, owner, "fr", 500, "Letzshop")


def test_it_queues_the_task_only_after_commit(store, owner, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr("marketplace.services.async_task", lambda *args, **kwargs: queued.append(args))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = import_job_create(store=store, user=owner, source_url=URL)
        assert queued == []
    assert len(callbacks) == 1
    assert queued == [("marketplace.tasks.process_marketplace_import", job.pk)]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"batch_size": 99}, "batch_size"),
        ({"batch_size": 5001}, "batch_size"),
        ({"language": "it"}, "language"),
        ({"marketplace": "Amazon"}, "marketplace"),
        ({"source_url": "ftp://feeds.example.lu/x.csv"}, "source_url"),
        ({"source_url": "https://user:secret@feeds.example.lu/x.csv"}, "source_url"),
        ({"source_url": ""}, "source_url"),
    ],
)
def test_it_refuses_bad_input_with_the_field_at_fault(store, owner, kwargs, field):
    with pytest.raises(ValidationError) as excinfo:
        _create(store, owner, **kwargs)
    assert field in excinfo.value.message_dict
    assert not MarketplaceImportJob.objects.exists()


def test_it_refuses_a_url_and_a_file_together(store, owner):
    upload = SimpleUploadedFile("feed.csv", b"id,title\n1,A\n")
    with pytest.raises(ValidationError) as excinfo:
        _create(store, owner, upload=upload)
    assert excinfo.value.message_dict == {"source_url": ["Give the address of your feed or upload a file, not both."]}


def test_it_says_what_is_missing_without_a_url_or_a_file(store, owner):
    with pytest.raises(ValidationError) as excinfo:
        _create(store, owner, source_url="")
    assert excinfo.value.message_dict == {"source_url": ["Give the address of your feed, or upload a file."]}


def test_it_refuses_an_inactive_store(store, owner):
    store.is_active = False
    store.save()
    with pytest.raises(ValidationError) as excinfo:
        _create(store, owner)
    assert "inactive" in str(excinfo.value)


def test_a_second_import_of_the_same_store_and_language_is_a_conflict(store, owner):
    first = _create(store, owner, language="fr")
    with pytest.raises(ImportAlreadyRunning) as excinfo:
        _create(store, owner, language="fr")
    assert isinstance(excinfo.value, ConflictError)  # what the API answers with 409
    assert excinfo.value.extra["job_id"] == first.pk
    assert str(first.pk) in excinfo.value.message
    # Another language of the same store, or the same language of another store, may run.
    _create(store, owner, language="de")


def test_an_uploaded_file_is_kept_for_the_worker(store, owner, settings):
    upload = SimpleUploadedFile("mon flux.csv", b"id,title\n1,A\n")
    job = import_job_create(store=store, user=owner, upload=upload, enqueue=False)
    assert job.source_url == ""
    assert job.source_filename == "mon flux.csv"
    stored = settings.MARKETPLACE_UPLOAD_DIR / job.source_file
    assert stored.read_bytes() == b"id,title\n1,A\n"


def test_an_empty_upload_is_refused(store, owner):
    with pytest.raises(ValidationError):
        import_job_create(store=store, user=owner, upload=SimpleUploadedFile("e.csv", b""), enqueue=False)


def test_cancelling_a_pending_job_cancels_it_at_once(store, owner):
    job = import_job_cancel(job=_create(store, owner))
    assert job.status == Status.CANCELLED
    assert job.completed_at is not None
    # Nothing left for a worker to claim.
    assert import_job_claim(job_id=job.pk) is None


def test_cancelling_a_processing_job_asks_the_worker_to_stop(store, owner):
    job = _create(store, owner)
    import_job_claim(job_id=job.pk)
    job = import_job_cancel(job=job)
    assert job.status == Status.PROCESSING
    assert job.cancel_requested
    assert import_job_heartbeat(job_id=job.pk) is False


def test_a_finished_job_cannot_be_cancelled(store, owner):
    job = MarketplaceImportJobFactory(store=store, status=Status.COMPLETED)
    with pytest.raises(ApplicationError):
        import_job_cancel(job=job)


def test_retry_starts_a_new_job_with_the_same_settings(store, owner, admin_user):
    failed = MarketplaceImportJobFactory(store=store, user=owner, status=Status.FAILED, language="de", batch_size=250)
    retry = import_job_retry(job=failed, user=admin_user)
    assert retry.pk != failed.pk
    assert (retry.source_url, retry.language, retry.batch_size, retry.status) == (
        failed.source_url,
        "de",
        250,
        Status.PENDING,
    )
    assert retry.retried_from == failed
    assert retry.user == admin_user


def test_only_failed_or_cancelled_jobs_can_be_retried(store, owner):
    job = MarketplaceImportJobFactory(store=store, status=Status.COMPLETED)
    with pytest.raises(ApplicationError):
        import_job_retry(job=job, user=owner)


def test_only_one_worker_can_claim_a_job(store, owner):
    job = _create(store, owner)
    first = import_job_claim(job_id=job.pk)
    second = import_job_claim(job_id=job.pk)
    assert first is not None and first.status == Status.PROCESSING and first.attempts == 1
    assert second is None


def test_finish_sets_completed_or_completed_with_errors(store, owner):
    clean = _create(store, owner, language="fr")
    import_job_claim(job_id=clean.pk)
    import_job_add_counts(
        job_id=clean.pk, counts=BatchCounts(imported=3, processed=3), bytes_processed=10, bytes_total=10
    )
    assert import_job_finish(job_id=clean.pk) == Status.COMPLETED
    clean.refresh_from_db()
    assert (clean.imported_count, clean.total_processed, clean.progress_percent) == (3, 3, 100)

    dirty = _create(store, owner, language="de")
    import_job_claim(job_id=dirty.pk)
    import_job_add_counts(
        job_id=dirty.pk, counts=BatchCounts(imported=2, errors=1, processed=3), bytes_processed=5, bytes_total=10
    )
    dirty.refresh_from_db()
    assert dirty.progress_percent == 50
    assert import_job_finish(job_id=dirty.pk) == Status.COMPLETED_WITH_ERRORS


def test_adding_a_batch_counts_every_counter_and_beats_the_heart(store, owner):
    job = _create(store, owner)
    import_job_claim(job_id=job.pk)
    _stale(job, 30)
    counts = BatchCounts(imported=1, updated=2, unchanged=3, errors=4, warnings=5, processed=10)
    assert import_job_add_counts(job_id=job.pk, counts=counts, bytes_processed=30, bytes_total=40)
    assert import_job_add_counts(job_id=job.pk, counts=counts, bytes_processed=40, bytes_total=40)
    job.refresh_from_db()
    assert (
        job.imported_count,
        job.updated_count,
        job.unchanged_count,
        job.error_count,
        job.warning_count,
        job.total_processed,
        job.bytes_processed,
        job.progress_percent,
    ) == (2, 4, 6, 8, 10, 20, 40, 99)
    assert timezone.now() - job.heartbeat_at < timedelta(seconds=5)
    # The heartbeat is stored so that the stale-job query compares it correctly.
    assert import_jobs_recover_stale() == {"failed": 0, "requeued": 0}
    assert MarketplaceImportJob.objects.filter(heartbeat_at__gt=timezone.now() - timedelta(minutes=1)).count() == 1


def test_adding_a_batch_to_a_cancelled_or_finished_job_changes_nothing(store, owner):
    job = _create(store, owner)
    import_job_claim(job_id=job.pk)
    MarketplaceImportJob.objects.filter(pk=job.pk).update(cancel_requested=True)
    assert not import_job_add_counts(
        job_id=job.pk, counts=BatchCounts(imported=1, processed=1), bytes_processed=1, bytes_total=2
    )
    MarketplaceImportJob.objects.filter(pk=job.pk).update(cancel_requested=False, status=Status.FAILED)
    assert not import_job_add_counts(
        job_id=job.pk, counts=BatchCounts(imported=1, processed=1), bytes_processed=1, bytes_total=2
    )
    job.refresh_from_db()
    assert (job.imported_count, job.total_processed) == (0, 0)


def test_fail_records_the_reason(store, owner):
    job = _create(store, owner)
    import_job_claim(job_id=job.pk)
    assert import_job_fail(job_id=job.pk, message="The server answered 404 Not Found.")
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.error_message == "The server answered 404 Not Found."
    assert not import_job_fail(job_id=job.pk, message="again")  # a finished job stays as it is


def _stale(job, minutes):
    MarketplaceImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=minutes))


def test_recovery_requeues_a_job_whose_worker_died(store, owner, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr("marketplace.services.async_task", lambda *args, **kwargs: queued.append(args))
    job = _create(store, owner)
    import_job_claim(job_id=job.pk)
    _stale(job, 11)
    fresh = _create(store, owner, language="de")
    import_job_claim(job_id=fresh.pk)
    with django_capture_on_commit_callbacks(execute=True):
        result = import_jobs_recover_stale()
    assert result == {"failed": 0, "requeued": 1}
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert job.status == Status.PENDING
    assert fresh.status == Status.PROCESSING
    assert queued == [("marketplace.tasks.process_marketplace_import", job.pk)]


def test_recovery_fails_a_job_for_good_after_too_many_attempts(store, owner, settings):
    settings.MARKETPLACE_MAX_ATTEMPTS = 2
    job = _create(store, owner)
    import_job_claim(job_id=job.pk)
    MarketplaceImportJob.objects.filter(pk=job.pk).update(attempts=2)
    _stale(job, 30)
    assert import_jobs_recover_stale() == {"failed": 1, "requeued": 0}
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert "stopped responding" in job.error_message


def test_a_rerun_starts_from_a_clean_slate(store, owner):
    from marketplace.importing.jobs import import_job_reset_for_rerun

    job = _create(store, owner)
    import_job_claim(job_id=job.pk)
    import_job_add_counts(
        job_id=job.pk, counts=BatchCounts(imported=5, errors=1, processed=6), bytes_processed=1, bytes_total=2
    )
    MarketplaceImportErrorFactory(import_job=job)
    import_job_reset_for_rerun(job_id=job.pk)
    job.refresh_from_db()
    assert (job.imported_count, job.error_count, job.total_processed, job.errors.count()) == (0, 0, 0, 0)


def test_stats_count_every_status_in_one_query(store, other_store, django_assert_num_queries):
    for status in (Status.PENDING, Status.COMPLETED, Status.COMPLETED, Status.FAILED):
        MarketplaceImportJobFactory(store=store if status != Status.PENDING else other_store, status=status)
    with django_assert_num_queries(1):
        stats = import_job_stats()
    assert stats["total"] == 4
    assert stats["active"] == 1
    assert stats["completed"] == 2
    assert stats["failed"] == 1
    assert stats["cancelled"] == 0
