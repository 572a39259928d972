"""Every write to import jobs that a user or the platform asks for.

The API, the portal pages, the Django admin and the `import_feed` command all call these,
so the rules (active store, one active import per store and language, roles) hold for
every entry point.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from accounts.models import User
from core.exceptions import ConflictError
from marketplace.importing.fetching import FetchError, validate_feed_url
from marketplace.importing.jobs import import_job_ended, import_job_fail
from marketplace.models import Marketplace, MarketplaceImportJob
from marketplace.outcomes import language_in_sentence, status_in_sentence
from marketplace.signals import recovery_requested
from stores.models import Language, Store

logger = logging.getLogger(__name__)
Status = MarketplaceImportJob.Status

BATCH_SIZE_MIN = 100
BATCH_SIZE_MAX = 5000
BATCH_SIZE_DEFAULT = 1000
TASK_PATH = "marketplace.tasks.process_marketplace_import"


class ImportAlreadyRunning(ConflictError):
    """An import of the same store and language is pending or processing."""

    def __init__(self, job: MarketplaceImportJob) -> None:
        values = {"language": language_in_sentence(job.language), "id": job.pk}
        if job.status == Status.PENDING:
            message = _("An import of this store's %(language)s feed is already pending (job %(id)s).") % values
        else:
            message = _("An import of this store's %(language)s feed is already processing (job %(id)s).") % values
        super().__init__(message, extra={"job_id": job.pk, "job_status": job.status})
        self.job = job


class ImportJobNotCancellable(ConflictError):
    """The job has already ended."""


class ImportJobNotRetryable(ConflictError):
    """The job is still running or completed cleanly, or its uploaded file is gone."""


def _active_job(*, store: Store, language: str) -> MarketplaceImportJob | None:
    return (
        MarketplaceImportJob.objects.filter(
            store=store, language=language, status__in=MarketplaceImportJob.ACTIVE_STATUSES
        )
        .order_by("-id")
        .first()
    )


def _validate_job_input(*, store: Store, marketplace: str, language: str, batch_size: int) -> None:
    errors: dict[str, list[str]] = {}
    if not store.is_active:
        errors["store"] = [_("This store is inactive and cannot start imports.")]
    if marketplace not in Marketplace.values:
        errors["marketplace"] = [
            _("Unknown marketplace %(value)s; only Letzshop is supported.") % {"value": repr(marketplace)}
        ]
    if language not in Language.values:
        errors["language"] = [_("Unknown language %(value)s; choose fr, en or de.") % {"value": repr(language)}]
    if not BATCH_SIZE_MIN <= batch_size <= BATCH_SIZE_MAX:
        errors["batch_size"] = [
            _("Batch size must be between %(min)s and %(max)s.") % {"min": BATCH_SIZE_MIN, "max": BATCH_SIZE_MAX}
        ]
    if errors:
        raise ValidationError(errors)


def _save_upload(upload: UploadedFile) -> str:
    """Keep an uploaded feed on disk for the worker; return its name under the upload dir."""
    upload_dir = Path(settings.MARKETPLACE_UPLOAD_DIR)
    upload_dir.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.feed"
    with open(upload_dir / name, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return name


def _keep_fetched(path: Path) -> str:
    """Move a feed the sync downloaded into the upload directory; return its name there."""
    upload_dir = Path(settings.MARKETPLACE_UPLOAD_DIR)
    upload_dir.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.feed"
    Path(path).replace(upload_dir / name)
    return name


def _configured_feed_url(store: Store, language: str) -> str:
    """The store's feed address for the language as an import would store it ("" if none or unusable)."""
    configured = store.feed_url(language)
    if not configured:
        return ""
    try:
        return feed_url_clean(configured)
    except ValidationError:
        return ""


def feed_url_clean(source_url: str) -> str:
    """A feed address checked without network access and normalized, or ValidationError
    with the one sentence that says what is wrong (the API checks it beside its other
    fields, so that every mistake is reported in one answer)."""
    try:
        source_url = validate_feed_url(source_url)
    except FetchError as exc:
        raise ValidationError(exc.message, code="source_url") from None
    # Normalizing can lengthen the address ("https://x.lu?q" gains a "/"); PostgreSQL refuses an overlong value.
    max_length = cast(int, MarketplaceImportJob._meta.get_field("source_url").max_length)  # a URLField's is set
    if len(source_url) > max_length:
        raise ValidationError(
            _("The feed address is longer than %(max)s characters.") % {"max": max_length}, code="source_url"
        )
    return source_url


def import_job_create(
    *,
    store: Store,
    user: User | None,
    source_url: str = "",
    upload: UploadedFile | None = None,
    marketplace: str = Marketplace.LETZSHOP,
    language: str = Language.ENGLISH,
    batch_size: int = BATCH_SIZE_DEFAULT,
    enqueue: bool = True,
    trigger: str = MarketplaceImportJob.Trigger.MANUAL,
    complete_catalog: bool = False,
    fetched_file: Path | None = None,
    feed_etag: str = "",
    feed_last_modified: str = "",
    source_sha256: str = "",
    dry_run: bool = False,
) -> MarketplaceImportJob:
    """Create a pending import job and queue it for a worker.

    `dry_run`: a check of the feed (issue 18), run by the same worker path, which writes
    no product. It obeys the same rules (one active job per store and language: a check
    run beside an import would compare with a catalog that is changing under it).

    Raises ValidationError for input the user can fix and ImportAlreadyRunning when
    the same store and language already has an active import.

    Feed sync (SPEC 11): `fetched_file` is a feed the sync already downloaded from
    `source_url` (moved into the upload directory, so the worker does not download it a
    second time), with its validators and hash. The job is a full feed when the sync
    started it, when the user ticked `complete_catalog`, or when the URL is the store's
    configured feed of that language (Quick Fill).
    """
    _validate_job_input(store=store, marketplace=marketplace, language=language, batch_size=batch_size)
    if source_url and upload:
        raise ValidationError({"source_url": [_("Give the address of your feed or upload a file, not both.")]})
    if not source_url and not upload:
        raise ValidationError({"source_url": [_("Give the address of your feed, or upload a file.")]})
    if source_url:
        try:
            source_url = feed_url_clean(source_url)
        except ValidationError as exc:
            raise ValidationError({"source_url": exc.messages}) from None
    if upload is not None and upload.size == 0:
        raise ValidationError({"file": [_("The uploaded file is empty.")]})
    # cast: an uploaded file's size is set by Django's upload handlers (and checked just above).
    if upload is not None and cast(int, upload.size) > settings.MARKETPLACE_MAX_DOWNLOAD_BYTES:
        limit_mb = settings.MARKETPLACE_MAX_DOWNLOAD_BYTES // (1024 * 1024)
        raise ValidationError({"file": [_("The file is larger than the %(limit)s MB limit.") % {"limit": limit_mb}]})

    active = _active_job(store=store, language=language)
    if active is not None:
        raise ImportAlreadyRunning(active)

    if fetched_file is not None:
        source_file = _keep_fetched(fetched_file)
    else:
        source_file = _save_upload(upload) if upload is not None else ""
    is_full_feed = (
        complete_catalog
        or trigger != MarketplaceImportJob.Trigger.MANUAL
        or (bool(source_url) and source_url == _configured_feed_url(store, language))
    )
    try:
        with transaction.atomic():
            job = MarketplaceImportJob.objects.create(
                store=store,
                user=user,
                marketplace=marketplace,
                source_url=source_url,
                source_file=source_file,
                source_filename=(upload.name or "")[:255] if upload is not None else "",
                language=language,
                batch_size=batch_size,
                trigger=trigger,
                is_full_feed=is_full_feed,
                feed_etag=feed_etag,
                feed_last_modified=feed_last_modified,
                source_sha256=source_sha256,
                dry_run=dry_run,
                # Handed to the broker below, or to a caller that runs it in the foreground.
                enqueued_at=timezone.now(),
            )
            if enqueue:
                # Queue only after commit so the worker can read the row.
                transaction.on_commit(lambda: import_job_enqueue(job_id=job.pk))
    except IntegrityError:
        # Lost a race with another request: the partial unique index said no.
        if source_file:
            (Path(settings.MARKETPLACE_UPLOAD_DIR) / source_file).unlink(missing_ok=True)
        active = _active_job(store=store, language=language)
        if active is None:
            raise
        raise ImportAlreadyRunning(active) from None
    logger.info(
        "%s job %s created for store %s (%s) by %s",
        "Check" if dry_run else "Import",
        job.pk,
        store.code,
        language,
        user,
    )
    return job


def import_job_enqueue(*, job_id: int) -> bool:
    """Hand a pending job's task to the broker; return whether the broker took it.

    A broker that is down (Redis restarting, the database broker unreachable) must not
    turn a committed job into an error for the user: the job stays pending with no
    `enqueued_at`, and the recovery hands it over again once the broker answers.
    """
    now = timezone.now()
    MarketplaceImportJob.objects.filter(id=job_id, status=Status.PENDING).update(enqueued_at=now)
    try:
        async_task(TASK_PATH, job_id, task_name=f"import-{job_id}-{uuid.uuid4().hex[:8]}")
    except Exception:  # any broker failure: redis-py, the ORM broker's database errors...
        logger.warning(
            "Import job %s: the task broker did not take the task; the recovery will retry", job_id, exc_info=True
        )
        try:
            MarketplaceImportJob.objects.filter(id=job_id, enqueued_at=now).update(enqueued_at=None)
        except DatabaseError:
            # Then enqueued_at stays set and the job is handed over again once it is old.
            logger.warning("Import job %s: could not record the failed hand-over", job_id)
        return False
    return True


def import_job_requeue_after_database_loss(*, job_id: int, attempts: int, wait_seconds: float | None = None) -> bool:
    """Put a job whose import lost the database back in the queue as soon as it answers.

    Left alone, such a job would sit `processing` for the whole stale window before the
    recovery re-ran it. Here the worker waits for the database (reconnecting with a
    growing pause, for at most the stale window) and hands the job over again at once;
    the re-run starts from a clean slate, so its counters are a clean run's. A job out of
    attempts is failed instead. Return whether the job was handed back or failed.
    """
    deadline = time.monotonic() + (wait_seconds if wait_seconds is not None else settings.MARKETPLACE_STALE_JOB_SECONDS)
    pause = 0.5
    while True:
        with contextlib.suppress(DatabaseError):
            connections.close_all()
        try:
            if attempts >= settings.MARKETPLACE_MAX_ATTEMPTS:
                return import_job_fail(
                    job_id=job_id,
                    message=(
                        f"The database connection was lost during this import on {attempts} attempts. "
                        "Products imported before it are kept; retry the import."
                    ),
                )
            now = timezone.now()
            reset = MarketplaceImportJob.objects.filter(id=job_id, status=Status.PROCESSING, attempts=attempts).update(
                status=Status.PENDING, updated_at=now, enqueued_at=now
            )
            if reset:
                logger.warning("Import job %s lost its database connection; queued again", job_id)
                import_job_enqueue(job_id=job_id)
            return bool(reset)
        except DatabaseError:
            if time.monotonic() + pause > deadline:
                # The stale-job recovery takes over once the database is back.
                logger.error("Import job %s: the database stayed unreachable; left to the recovery", job_id)
                return False
            time.sleep(pause)
            pause = min(pause * 2, 10.0)


def import_job_cancel(*, job: MarketplaceImportJob) -> MarketplaceImportJob:
    """Stop a job: a pending one at once, a processing one within seconds (the worker checks)."""
    if not job.is_active:
        raise ImportJobNotCancellable(
            _("Job %(id)s is %(status)s and cannot be cancelled.")
            % {"id": job.pk, "status": status_in_sentence(job.status)}
        )
    now = timezone.now()
    # A pending job has no worker yet: cancel it directly. A processing one is told to stop.
    if MarketplaceImportJob.objects.filter(id=job.pk, status=Status.PENDING).update(
        status=Status.CANCELLED, cancel_requested=True, completed_at=now, updated_at=now
    ):
        import_job_ended(job_id=job.pk)
    MarketplaceImportJob.objects.filter(id=job.pk, status=Status.PROCESSING).update(
        cancel_requested=True, updated_at=now
    )
    job.refresh_from_db()
    logger.info("Import job %s: cancel requested (now %s)", job.pk, job.status)
    return job


def import_job_retry(*, job: MarketplaceImportJob, user: User | None) -> MarketplaceImportJob:
    """Start a new job with the same source and settings as a failed or cancelled one.

    A new job keeps the history (the old job keeps its errors and reason). An uploaded
    file is gone once its job ended, so only URL imports can be retried.
    """
    if job.status not in (Status.FAILED, Status.CANCELLED, Status.COMPLETED_WITH_ERRORS):
        raise ImportJobNotRetryable(
            _("Only failed, cancelled or partly failed jobs can be retried; job %(id)s is %(status)s.")
            % {"id": job.pk, "status": status_in_sentence(job.status)}
        )
    if not job.source_url:
        raise ImportJobNotRetryable(_("This job imported an uploaded file, which is not kept: upload it again."))
    new_job = import_job_create(
        store=job.store,
        user=user,
        source_url=job.source_url,
        marketplace=job.marketplace,
        language=job.language,
        batch_size=job.batch_size,
        # A retry of a complete catalog is one as well (SPEC 11: it may make products missing).
        complete_catalog=job.is_full_feed,
        # A retried check is a check again.
        dry_run=job.dry_run,
    )
    MarketplaceImportJob.objects.filter(id=new_job.pk).update(retried_from=job)
    new_job.retried_from = job
    return new_job


def import_jobs_recover_stale(*, now: Any = None) -> dict[str, int]:
    """Recover jobs whose worker died: re-run them, or fail them after too many attempts.

    A processing job whose heartbeat is older than MARKETPLACE_STALE_JOB_SECONDS has no
    live worker. While it has attempts left it goes back to pending and is queued again
    (safe: the import writes are idempotent and the worker restarts it from a clean
    slate); after MARKETPLACE_MAX_ATTEMPTS it is failed with a message saying so.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.MARKETPLACE_STALE_JOB_SECONDS)
    stale = MarketplaceImportJob.objects.filter(status=Status.PROCESSING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    max_attempts = settings.MARKETPLACE_MAX_ATTEMPTS
    minutes = max(1, settings.MARKETPLACE_STALE_JOB_SECONDS // 60)
    failed = requeued = 0
    for job_id, attempts in stale.values_list("id", "attempts"):
        if attempts < max_attempts:
            # Conditional on the stale heartbeat, so a worker that just woke up keeps its job.
            reset = MarketplaceImportJob.objects.filter(
                Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True), id=job_id, status=Status.PROCESSING
            ).update(status=Status.PENDING, updated_at=now)
            if reset:
                transaction.on_commit(partial(import_job_enqueue, job_id=job_id))
                requeued += 1
            continue
        message = (
            f"The worker running this import stopped responding (no heartbeat for {minutes} minutes) "
            f"on {attempts} attempts. Products imported before it stopped are kept; retry the import."
        )
        if import_job_fail(job_id=job_id, message=message):
            failed += 1
    if failed or requeued:
        logger.warning("Recovery: %s stale job(s) re-queued, %s failed for good", requeued, failed)
    return {"failed": failed, "requeued": requeued}


def import_jobs_recover(*, now: Any = None) -> dict[str, int]:
    """Everything a dead worker or a lost broker left behind, at cluster start and every minute."""
    now = now or timezone.now()
    result = import_jobs_recover_stale(now=now)
    result["reenqueued"] = _reenqueue_lost_pending(now=now)
    result["swept_files"] = sweep_orphaned_downloads(now=now)
    # The catalog's background publishes (catalog.apps connects it): same schedule, same rules.
    # send_robust: another app's failing recovery must never stop the imports' (nor, at
    # cluster start, the cluster itself); it is logged and retried on the next minute.
    for receiver, counts in recovery_requested.send_robust(sender=MarketplaceImportJob, now=now):
        if isinstance(counts, Exception):
            logger.error("Recovery: %s failed: %r", getattr(receiver, "__qualname__", receiver), counts)
        elif isinstance(counts, dict):
            result.update(counts)
    return result


def _reenqueue_lost_pending(*, now: Any) -> int:
    """Hand again to the broker every pending job whose task may have been lost.

    A task is lost when the broker forgets it (Redis restarted without persistence), when
    a killed cluster leaves it locked in the ORM broker for django-q2's `retry` seconds,
    or when the broker was down at creation. Nothing tells those apart from a task still
    waiting in a long queue, so a pending job handed over longer ago than
    MARKETPLACE_PENDING_REQUEUE_SECONDS is handed over again: the claim is a conditional
    UPDATE, so of two deliveries exactly one runs the job and the other does nothing.
    """
    cutoff = now - timedelta(seconds=settings.MARKETPLACE_PENDING_REQUEUE_SECONDS)
    # enqueued_at is null only after the broker refused the task: hand it over at once.
    lost = MarketplaceImportJob.objects.filter(status=Status.PENDING, cancel_requested=False).filter(
        Q(enqueued_at__lt=cutoff) | Q(enqueued_at__isnull=True)
    )
    job_ids = list(lost.values_list("id", flat=True))
    for job_id in job_ids:
        transaction.on_commit(partial(import_job_enqueue, job_id=job_id))
    if job_ids:
        logger.warning("Recovery: pending job(s) %s handed to the broker again", job_ids)
    return len(job_ids)


def sweep_orphaned_downloads(*, now: Any = None) -> int:
    """Delete temporary download files that no running worker writes any more.

    A worker killed mid-download leaves its file behind (up to the download cap). A
    download's file is touched with every chunk, so one untouched for longer than the
    stale window belongs to no live worker.
    """
    now = now or timezone.now()
    directory = Path(settings.MARKETPLACE_DOWNLOAD_DIR)
    if not directory.is_dir():
        return 0
    cutoff = now.timestamp() - settings.MARKETPLACE_STALE_JOB_SECONDS
    swept = 0
    for path in directory.glob("feed-*.download"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                swept += 1
        except FileNotFoundError:
            continue
    if swept:
        logger.warning("Recovery: %s orphaned download file(s) deleted from %s", swept, directory)
    return swept


def import_job_stats(*, queryset: Any = None, held_removals: bool = False) -> dict[str, int]:
    """Counts per status in one query, plus total and active (and, asked for, the jobs whose
    removal of missing products is held: `held_removals`, SPEC 11)."""
    qs = queryset if queryset is not None else MarketplaceImportJob.objects.all()
    extra = {"held_removals": Count("id", filter=Q(removal_held=True))} if held_removals else {}
    counts = qs.aggregate(
        total=Count("id"),
        **{status: Count("id", filter=Q(status=status)) for status in Status.values},
        **extra,
    )
    counts["active"] = counts[Status.PENDING] + counts[Status.PROCESSING]
    return {key: int(value) for key, value in counts.items()}
