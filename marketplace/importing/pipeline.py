"""Run one import job from its source to a final status (SPEC section 7).

The stages live in their own modules; this one strings them together and turns every
failure into a job status: sources (the feed as a local file), decoding, mapping, the
reader (rows in batches, in a process of its own), batches (sort and write each batch).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation

from core.db_errors import DATABASE_UNAVAILABLE
from core.logging import job_logging_context
from marketplace.importing import jobs
from marketplace.importing.batches import BatchProcessor
from marketplace.importing.check import column_report
from marketplace.importing.decoding import DecodedFeed, open_feed
from marketplace.importing.errors import ImportCancelled, ImportFailed
from marketplace.importing.jobs import BatchCounts
from marketplace.importing.mapping import ColumnMap, MappingError, resolve_columns
from marketplace.importing.normalizers import RowNormalizer
from marketplace.importing.reader import BatchReader, ForkedBatches, InProcessBatches
from marketplace.importing.sources import FeedFile
from marketplace.membership import feed_membership_forget, feed_membership_prune
from marketplace.missing import import_presence_preview, import_presence_update
from marketplace.models import MarketplaceImportJob

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportProgress:
    """What `run_import` reports after each batch (totals so far)."""

    counts: BatchCounts
    bytes_processed: int
    bytes_total: int

    @property
    def percent(self) -> int:
        return min(100, int(self.bytes_processed * 100 / self.bytes_total)) if self.bytes_total else 0


ProgressCallback = Callable[[ImportProgress], None]


def run_import(
    *, job: MarketplaceImportJob, source_path: Path | None = None, progress: ProgressCallback | None = None
) -> None:
    """Import a claimed (processing) job's feed and leave the job in a final status.

    1. Fetch: `source_path` if given (left in place); else the uploaded file
       MARKETPLACE_UPLOAD_DIR / job.source_file (deleted once the job has ended); else
       download job.source_url to a temporary file (always deleted).
    2. Decode: encoding, delimiter and size are recorded on the job.
    3. Map the header to product attributes (a file without id or title fails here).
    4. In batches of job.batch_size rows, each in one transaction:
       a. hash each raw row and read the batch's existing products and translations in
          one query; a row whose raw hash matches its translation's, that had no
          warnings, is unchanged and is not normalized at all;
       b. normalize the other rows, never letting one row fail the batch;
       c. skip a row whose id an earlier row of the file already had (validation_error);
       d. write products, translations, errors and the job's counters together.
       Between batches, the heartbeat tells whether the job was cancelled.
    5. Missing products (`marketplace.missing`): the feed's missing products come back;
       a full feed's absent products go missing under the store's policy, or the safety
       net holds their removal.
    6. Finish: completed, or completed_with_errors when rows were skipped; in one
       transaction with step 5.

    A check (`job.dry_run`) runs every step but writes no product, translation or feed
    membership: step 4d records its errors and "would be" counts only, step 5 is read-only
    (`import_presence_preview`), and the job's `check_report` gets the column mapping and
    the first rows as they would be stored.

    A fetch, decode or mapping problem fails the job with its message; a cancelled
    download or a cancel between batches cancels it; anything unexpected fails it with
    the exception's class name (the traceback goes to the log).

    Everything it stores is English (job and row messages, the API's language, SPEC 13),
    whatever language is active: the worker's default is LANGUAGE_CODE, French; the pages
    render the rows' message keys in their reader's language.
    """
    with job_logging_context(job.id), translation.override("en"):
        _run(job, source_path, progress)


def _run(job: MarketplaceImportJob, source_path: Path | None, progress: ProgressCallback | None) -> None:
    started = time.monotonic()
    logger.info(
        "Import started: store=%s language=%s source=%s batch_size=%s",
        job.store.code,
        job.language,
        job.source_display or source_path,
        job.batch_size,
    )
    source = FeedFile(job, source_path)
    totals = BatchCounts()
    database_lost = False
    try:
        with open_feed(source.path()) as feed:
            jobs.import_job_set_detected(
                job_id=job.id,
                encoding=feed.encoding,
                delimiter=feed.delimiter,
                bytes_total=feed.size,
                header=feed.header,
            )
            columns = _resolve_columns(job, feed)
            _import_rows(job, feed, columns, totals, progress)
        status = _finish(job)
        _log_finish(job, status or "not ours any more", totals, started)
    except ImportCancelled:
        jobs.import_job_mark_cancelled(job_id=job.id)
        _log_finish(job, "cancelled" if source.located else "cancelled during download", totals, started)
    except ImportFailed as exc:
        jobs.import_job_fail(job_id=job.id, message=exc.message)
    except DATABASE_UNAVAILABLE:
        # The database went away (restart, failover, a killed connection): not the feed's
        # fault, so the job is not failed here; the task puts it back in the queue.
        database_lost = True
        logger.warning("Import lost its database connection", exc_info=True)
        raise
    except Exception as exc:
        logger.exception("Import crashed")
        jobs.import_job_fail(job_id=job.id, message=f"Unexpected error while importing: {type(exc).__name__}")
    finally:
        source.clean_up(may_run_again=database_lost)


def _resolve_columns(job: MarketplaceImportJob, feed: DecodedFeed) -> ColumnMap:
    """The header's mapping; a check records it in its report at once, even when it fails."""
    try:
        columns = resolve_columns(feed.header)
    except MappingError:
        if job.dry_run:
            jobs.import_job_set_check_report(job_id=job.id, report=_check_report(feed, None))
        raise
    if job.dry_run:
        jobs.import_job_set_check_report(job_id=job.id, report=_check_report(feed, columns))
    return columns


def _check_report(feed: DecodedFeed, columns: ColumnMap | None, **more: Any) -> dict[str, Any]:
    return {"columns": column_report(feed.header, columns), "sample": [], **more}


def _finish(job: MarketplaceImportJob) -> MarketplaceImportJob.Status | None:
    # The missing-product step and the final status commit together: a job cancelled at
    # the last moment (the finish finds it no longer processing) removes nothing.
    with transaction.atomic():
        import_presence_update(job=job)
        status = jobs.import_job_finish(job_id=job.id)
        if status is None:
            transaction.set_rollback(True)
    return status


def _log_finish(job: MarketplaceImportJob, status: str, totals: BatchCounts, started: float) -> None:
    seconds = time.monotonic() - started
    logger.info(
        "Import %s: imported=%d updated=%d unchanged=%d errors=%d warnings=%d rows=%d in %.1fs (%d rows/s)",
        status,
        totals.imported,
        totals.updated,
        totals.unchanged,
        totals.errors,
        totals.warnings,
        totals.processed,
        seconds,
        totals.processed / seconds if seconds > 0 else 0,
    )


def _import_rows(
    job: MarketplaceImportJob,
    feed: DecodedFeed,
    columns: ColumnMap,
    totals: BatchCounts,
    progress: ProgressCallback | None,
) -> None:
    processor = BatchProcessor(job, feed, columns)
    writer = processor.writer
    writer.open()
    # A job run again (recovered after a crash) reads its feed from the start.
    if not job.dry_run:
        feed_membership_forget(job=job)
    reader = BatchReader(
        feed=feed,
        normalizer=RowNormalizer(columns),
        id_index=processor.id_index,
        salt=processor.salt,
        batch_size=job.batch_size,
        render=writer.render,
    )
    batches = (
        ForkedBatches(reader, speculate=not writer.has_translations())
        if settings.MARKETPLACE_IMPORT_READER_PROCESS
        else InProcessBatches(reader)
    )
    try:
        with batches, _long_lived_heap_frozen():
            writer.start_background_work()
            for batch in batches:
                # A cancel while the batch runs rolls it back and raises ImportCancelled.
                counts = processor.run(batch)
                # Have the reader normalize ahead while most rows need it.
                batches.set_speculate(processor.normalized * 2 >= len(batch.rows))
                totals.add(counts)
                writer.keep_statistics_current(added=0 if job.dry_run else counts.imported)
                if progress is not None:
                    progress(
                        ImportProgress(
                            counts=BatchCounts(**vars(totals)), bytes_processed=batch.bytes_read, bytes_total=feed.size
                        )
                    )
        processor.record_notes()
        if job.dry_run:
            _record_check(job, feed, columns, processor, writer.seen_table)
        else:
            writer.keep_statistics_current(added=0, final=True)
            feed_membership_prune(job=job)
    finally:
        writer.close()


def _record_check(
    job: MarketplaceImportJob, feed: DecodedFeed, columns: ColumnMap, processor: BatchProcessor, seen_table: str
) -> None:
    """Complete a check's report: its first rows, and what a full import of the feed would
    make missing (read while the file's ids are still in the writer's temporary table)."""
    preview = import_presence_preview(job=job, seen_table=seen_table)
    report = _check_report(
        feed,
        columns,
        sample=processor.sample,
        would_go_missing=preview.would_go_missing,
        removal_would_hold=preview.would_hold,
    )
    # missing_count is what the import would do: only a full feed makes products missing.
    jobs.import_job_set_check_report(
        job_id=job.id, report=report, missing_count=preview.would_go_missing if job.is_full_feed else 0
    )


@contextlib.contextmanager
def _long_lived_heap_frozen() -> Iterator[None]:
    """Keep the garbage collector's full passes off the objects that existed before the
    import (Django, the app, the worker's caches) until it ends.

    An import's rows live for a batch or two, long enough to reach the oldest generation,
    so full collections run every few batches, and each traversed that whole heap: about
    a tenth of a fresh SQLite import's time. Frozen, they scan only the import's own
    objects. A heap someone else froze (a pre-fork server, say) is left as it is.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
