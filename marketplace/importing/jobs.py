"""State changes of an import job, each one conditional single-statement UPDATE.

The worker, the web process and the recovery schedule all change jobs at once, so no
function here reads a job, changes it in Python and saves it back: every transition
names the state it expects in its WHERE clause, and the caller learns from the row count
whether it won.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import F, Field
from django.utils import timezone

from marketplace.models import MarketplaceImportError, MarketplaceImportJob
from marketplace.signals import import_finished

logger = logging.getLogger(__name__)
Status = MarketplaceImportJob.Status


@dataclass
class BatchCounts:
    """What one batch did; added to the job's counters in the batch's transaction."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    warnings: int = 0
    processed: int = 0
    translations_added: int = 0

    def add(self, other: BatchCounts) -> None:
        self.imported += other.imported
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.translations_added += other.translations_added
        self.errors += other.errors
        self.warnings += other.warnings
        self.processed += other.processed


def import_job_claim(*, job_id: int) -> MarketplaceImportJob | None:
    """Move a pending job to processing. Return the job, or None if someone else has it."""
    now = timezone.now()
    claimed = MarketplaceImportJob.objects.filter(id=job_id, status=Status.PENDING, cancel_requested=False).update(
        status=Status.PROCESSING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1, updated_at=now
    )
    if claimed != 1:
        return None
    return MarketplaceImportJob.objects.select_related("store").get(id=job_id)


def import_job_heartbeat(*, job_id: int) -> bool:
    """Mark the job alive. Return False when the job should stop (cancel asked, or no longer ours)."""
    now = timezone.now()
    alive = MarketplaceImportJob.objects.filter(id=job_id, status=Status.PROCESSING, cancel_requested=False).update(
        heartbeat_at=now, updated_at=now
    )
    return alive == 1


def import_job_set_detected(
    *, job_id: int, encoding: str, delimiter: str, bytes_total: int, header: list[str] | None = None
) -> None:
    MarketplaceImportJob.objects.filter(id=job_id).update(
        detected_encoding=encoding,
        detected_delimiter=delimiter,
        bytes_total=bytes_total,
        source_header=list(header or []),
        heartbeat_at=timezone.now(),
        updated_at=timezone.now(),
    )


def import_job_set_check_report(*, job_id: int, report: dict[str, Any], missing_count: int | None = None) -> None:
    """Store a check's report (its column mapping, later its first rows and what it would do)."""
    changes: dict[str, Any] = {"check_report": report, "updated_at": timezone.now()}
    if missing_count is not None:
        changes["missing_count"] = missing_count
    MarketplaceImportJob.objects.filter(id=job_id, dry_run=True).update(**changes)


def import_job_add_counts(*, job_id: int, counts: BatchCounts, bytes_processed: int, bytes_total: int) -> bool:
    """Add one batch's counters and beat the heart; call inside the batch's transaction so
    both commit together.

    Return False, changing nothing, when the job should stop (cancel asked, or no longer
    processing): the caller then rolls the batch back. Doubling as the heartbeat saves a
    transaction of its own per batch, which on PostgreSQL waits for a WAL flush.
    """
    progress = min(99, int(bytes_processed * 100 / bytes_total)) if bytes_total else 0
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        # The same UPDATE the ORM would write, as SQL built once: it runs for every batch,
        # and the ORM spent longer building it than the database spent running it.
        cursor.execute(
            _add_counts_sql(),
            [
                counts.imported,
                counts.updated,
                counts.unchanged,
                counts.errors,
                counts.warnings,
                counts.processed,
                counts.translations_added,
                bytes_processed,
                progress,
                now,
                now,
                job_id,
                Status.PROCESSING,
                False,
            ],
        )
        return bool(cursor.rowcount == 1)


@functools.cache
def _add_counts_sql() -> str:
    meta = MarketplaceImportJob._meta
    q = connection.ops.quote_name

    def column(name: str) -> str:
        # Every name here is a concrete column of the job's table.
        return q(cast("Field[Any, Any]", meta.get_field(name)).column)

    added = [
        f"{column(name)} = {column(name)} + %s"
        for name in (
            "imported_count",
            "updated_count",
            "unchanged_count",
            "error_count",
            "warning_count",
            "total_processed",
            "translations_added",
        )
    ]
    assigned = [
        f"{column(name)} = %s" for name in ("bytes_processed", "progress_percent", "heartbeat_at", "updated_at")
    ]
    return (
        f"UPDATE {q(meta.db_table)} SET {', '.join(added + assigned)}"
        f" WHERE {column('id')} = %s AND {column('status')} = %s AND {column('cancel_requested')} = %s"
    )


def import_job_ended(*, job_id: int) -> None:
    """Tell the other apps (feed sync, notifications) that a job reached its final status,
    once that is committed; a failing listener is logged and never fails the import."""

    def send() -> None:
        for receiver, result in import_finished.send_robust(sender=MarketplaceImportJob, job_id=job_id):
            if isinstance(result, Exception):
                logger.error(
                    "Import job %s: %s failed on its end: %r",
                    job_id,
                    getattr(receiver, "__qualname__", receiver),
                    result,
                    exc_info=result,
                )

    transaction.on_commit(send)


def import_job_finish(*, job_id: int) -> MarketplaceImportJob.Status | None:
    """Close a processing job as completed, or completed_with_errors when rows were skipped."""
    now = timezone.now()
    job = MarketplaceImportJob.objects.filter(id=job_id, status=Status.PROCESSING)
    if job.filter(error_count__gt=0).update(
        status=Status.COMPLETED_WITH_ERRORS, completed_at=now, progress_percent=100, updated_at=now
    ):
        import_job_ended(job_id=job_id)
        return Status.COMPLETED_WITH_ERRORS
    if job.update(status=Status.COMPLETED, completed_at=now, progress_percent=100, updated_at=now):
        import_job_ended(job_id=job_id)
        return Status.COMPLETED
    return None


def import_job_fail(*, job_id: int, message: str) -> bool:
    """Fail an active job with a reason the store owner can read."""
    now = timezone.now()
    failed = MarketplaceImportJob.objects.filter(id=job_id, status__in=MarketplaceImportJob.ACTIVE_STATUSES).update(
        status=Status.FAILED, error_message=message[:5000], completed_at=now, updated_at=now
    )
    if failed:
        logger.warning("Import job %s failed: %s", job_id, message)
        import_job_ended(job_id=job_id)
    return bool(failed)


def import_job_mark_cancelled(*, job_id: int) -> bool:
    now = timezone.now()
    cancelled = MarketplaceImportJob.objects.filter(id=job_id, status__in=MarketplaceImportJob.ACTIVE_STATUSES).update(
        status=Status.CANCELLED, completed_at=now, updated_at=now
    )
    if cancelled:
        import_job_ended(job_id=job_id)
    return bool(cancelled)


def import_job_reset_for_rerun(*, job_id: int) -> None:
    """Start a re-run from a clean slate: counters to zero and the earlier attempt's errors gone."""
    MarketplaceImportError.objects.filter(import_job_id=job_id).delete()
    MarketplaceImportJob.objects.filter(id=job_id).update(
        imported_count=0,
        updated_count=0,
        unchanged_count=0,
        error_count=0,
        warning_count=0,
        total_processed=0,
        progress_percent=0,
        bytes_processed=0,
        error_message="",
        check_report=None,
        updated_at=timezone.now(),
    )
