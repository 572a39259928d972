"""Run one import job from its source to a final status (SPEC section 7).

The stages live in their own modules; this one only strings them together, batches the
rows, recognizes unchanged rows before normalizing them, and turns every failure into a
job status.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from core.db_errors import DATABASE_UNAVAILABLE
from core.logging import job_logging_context
from marketplace.importing import jobs
from marketplace.importing.compression import gunzip_file, is_gzip
from marketplace.importing.decoding import DecodedFeed, FeedDecodeError, open_feed, row_hash
from marketplace.importing.errors import ImportCancelled, ImportFailed
from marketplace.importing.fetching import fetch_feed
from marketplace.importing.jobs import BatchCounts
from marketplace.importing.mapping import resolve_columns
from marketplace.importing.normalizers import RowNormalizer
from marketplace.importing.persistence import (
    Batch,
    BatchWriter,
    ConcurrentWriteError,
    ErrorRow,
    ProductRow,
)
from marketplace.importing.reader import (
    BatchReader,
    ForkedBatches,
    InProcessBatches,
    ReadBatch,
    cells_of,
    outcome_of,
)
from marketplace.models import MarketplaceImportError, MarketplaceImportJob

logger = logging.getLogger(__name__)

# Part of every raw-row hash, with the file's header: change it whenever normalizing the
# same bytes would give a different result, so the next import re-reads every row
# instead of trusting hashes computed by older code.
NORMALIZATION_VERSION = "1"
# A download reports progress often; the job's heartbeat needs only a write now and then.
_FETCH_HEARTBEAT_SECONDS = 5.0

ErrorType = MarketplaceImportError.ErrorType
Severity = MarketplaceImportError.Severity


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


def run_import(*, job: MarketplaceImportJob, source_path: Path | None = None,
               progress: ProgressCallback | None = None) -> None:
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
    5. Finish: completed, or completed_with_errors when rows were skipped.

    A fetch, decode or mapping problem fails the job with its message; a cancelled
    download or a cancel between batches cancels it; anything unexpected fails it with
    the exception's class name (the traceback goes to the log).
    """
    with job_logging_context(job.id):
        _run(job, source_path, progress)


def _run(job: MarketplaceImportJob, source_path: Path | None, progress: ProgressCallback | None) -> None:
    started = time.monotonic()
    logger.info("Import started: store=%s language=%s source=%s batch_size=%s",
                job.store.code, job.language, job.source_display or source_path, job.batch_size)
    downloaded: Path | None = None
    uploaded: Path | None = None
    totals = BatchCounts()
    database_lost = False
    try:
        if source_path is not None:
            path = Path(source_path)
        elif job.source_file:
            path = uploaded = _upload_path(job.source_file)
        else:
            beat = _Heartbeat(job.id)
            fetched = fetch_feed(url=job.source_url, should_cancel=beat.should_cancel, heartbeat=beat)
            path = downloaded = Path(fetched.path)
            logger.info("Downloaded %s bytes (%s) from %s", fetched.size, fetched.content_type, fetched.final_url)
        if is_gzip(path):
            path = downloaded = _gunzip(path, job.id) if downloaded is None else _replace(downloaded, job.id)
        with open_feed(path) as feed:
            jobs.import_job_set_detected(job_id=job.id, encoding=feed.encoding, delimiter=feed.delimiter,
                                         bytes_total=feed.size)
            columns = resolve_columns(feed.header)
            _import_rows(job, feed, columns, totals, progress)
        status = jobs.import_job_finish(job_id=job.id)
        _log_finish(job, status or "not ours any more", totals, started)
    except ImportCancelled:
        jobs.import_job_mark_cancelled(job_id=job.id)
        # Only a download can be cancelled before the feed has a path.
        during_download = source_path is None and uploaded is None and downloaded is None
        _log_finish(job, "cancelled during download" if during_download else "cancelled", totals, started)
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
        if downloaded is not None:
            downloaded.unlink(missing_ok=True)
        if uploaded is not None and not database_lost and _has_ended(job.id):
            # Kept while the job may still run again (a worker died mid-import).
            uploaded.unlink(missing_ok=True)


def _upload_path(name: str) -> Path:
    root = Path(settings.MARKETPLACE_UPLOAD_DIR).resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root):
        # source_file is written by our own upload code; refuse anything else outright.
        raise FeedDecodeError("The uploaded file could not be found.")
    if not path.is_file():
        raise FeedDecodeError("The uploaded file could not be found; upload it again.")
    return path


def _gunzip(path: Path, job_id: int) -> Path:
    """Decompress an uploaded .gz feed into a temporary file, under the downloads' size cap."""
    return gunzip_file(path, max_bytes=settings.MARKETPLACE_MAX_DOWNLOAD_BYTES, prefix=f"import-{job_id}-")


def _replace(downloaded: Path, job_id: int) -> Path:
    # A download that is still gzip (a .gz body served without Content-Encoding).
    try:
        return _gunzip(downloaded, job_id)
    finally:
        downloaded.unlink(missing_ok=True)


def _has_ended(job_id: int) -> bool:
    status = MarketplaceImportJob.objects.filter(id=job_id).values_list("status", flat=True).first()
    return status is None or status in MarketplaceImportJob.FINISHED_STATUSES


def _log_finish(job: MarketplaceImportJob, status: str, totals: BatchCounts, started: float) -> None:
    seconds = time.monotonic() - started
    logger.info(
        "Import %s: imported=%d updated=%d unchanged=%d errors=%d warnings=%d rows=%d in %.1fs (%d rows/s)",
        status, totals.imported, totals.updated, totals.unchanged, totals.errors, totals.warnings,
        totals.processed, seconds, totals.processed / seconds if seconds > 0 else 0,
    )


class _Heartbeat:
    """Passed to the fetcher: keeps the job alive during a long download, and tells it to
    stop when the job was cancelled. Writes at most every few seconds."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.alive = True
        self.last = 0.0

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        now = time.monotonic()
        if now - self.last >= _FETCH_HEARTBEAT_SECONDS:
            self.last = now
            self.alive = jobs.import_job_heartbeat(job_id=self.job_id)

    def should_cancel(self) -> bool:
        self()
        return not self.alive


def _import_rows(job: MarketplaceImportJob, feed: DecodedFeed, columns: Any, totals: BatchCounts,
                 progress: ProgressCallback | None) -> None:
    processor = _BatchProcessor(job, feed, columns)
    processor.writer.open()
    reader = BatchReader(feed=feed, normalizer=RowNormalizer(columns), id_index=processor.id_index,
                         salt=processor.salt, batch_size=job.batch_size,
                         copy_text=processor.writer.vendor == "postgresql")
    batches = (ForkedBatches(reader, speculate=not processor.writer.has_translations())
               if settings.MARKETPLACE_IMPORT_READER_PROCESS else InProcessBatches(reader))
    try:
        with batches, _long_lived_heap_frozen():
            processor.writer.start_background_checkpoints()
            for batch in batches:
                # A cancel while the batch runs rolls it back and raises ImportCancelled.
                counts = processor.run(batch)
                # Have the reader normalize ahead while most rows need it.
                batches.set_speculate(processor.normalized * 2 >= len(batch.rows))
                totals.add(counts)
                processor.writer.keep_statistics_current(added=counts.imported)
                if progress is not None:
                    progress(ImportProgress(counts=BatchCounts(**vars(totals)), bytes_processed=batch.bytes_read,
                                            bytes_total=feed.size))
        processor.writer.keep_statistics_current(added=0, final=True)
    finally:
        processor.writer.close()


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


@dataclass
class _Work:
    """The rows of one batch that still need writing, and what it found so far."""

    rows: list[ProductRow] = field(default_factory=list)
    errors: list[ErrorRow] = field(default_factory=list)
    error_rows: int = 0
    unchanged: int = 0
    # identifier -> (row number, index in rows or -1 for an unchanged row, cells as read)
    claimed: dict[str, tuple[int, int, Any]] = field(default_factory=dict)


class _BatchProcessor:
    def __init__(self, job: MarketplaceImportJob, feed: DecodedFeed, columns: Any) -> None:
        self.job = job
        self.feed = feed
        self.writer = BatchWriter(job=job)
        self.normalizer = RowNormalizer(columns)
        self.id_index: int | None = columns.index_of.get("marketplace_product_id")
        # The raw-row hashes also cover the header and the normalizing code, so a feed whose
        # columns moved, or an upgrade that reads values differently, re-reads every row.
        self.salt = row_hash([NORMALIZATION_VERSION, feed.delimiter, *feed.header])
        self.normalized = 0  # rows of the last batch that needed normalizing

    def run(self, batch: ReadBatch) -> BatchCounts:
        for attempt in (1, 2):
            try:
                with transaction.atomic():
                    return self._run(batch)
            except ConcurrentWriteError:
                if attempt == 2:
                    raise
                logger.warning("Products of this batch were written concurrently; reading the batch again")
        raise AssertionError("unreachable")

    def _run(self, batch: ReadBatch) -> BatchCounts:
        writer = self.writer
        rows = batch.rows
        writer.lock_store()
        # Freshness is judged on an id's first row of the batch: that is the row that
        # counts (a later one is a duplicate, or follows a first row that was invalid and
        # so cannot be fresh).
        first_keys: dict[str, tuple[str, str]] = {}
        for row in rows:
            if row[1] and row[1] not in first_keys:
                first_keys[row[1]] = (row[1], row[2])
        existing = writer.read_existing(list(first_keys.values()))
        work = _Work()
        normalized = 0
        for row_number, raw_id, source_hash, cells, outcome in rows:
            state = existing.get(raw_id) if raw_id else None
            if state is not None and state.fresh and raw_id not in work.claimed:
                # Same bytes as the row this translation came from, no warnings then, and
                # nothing changed the product since: nothing to normalize or write.
                work.claimed[raw_id] = (row_number, -1, cells)
                work.unchanged += 1
                continue
            normalized += 1
            self._normalize(work, row_number, cells, source_hash, outcome)
        self.normalized = normalized

        cleaned = [(row.identifier, row.source_hash) for row in work.rows if row.identifier not in first_keys]
        if cleaned:
            # The normalizer cleaned some ids beyond a strip(): look those up too (rare).
            existing.update(writer.read_existing(cleaned))

        self._drop_ids_seen_in_earlier_batches(work)
        return writer.write(Batch(rows=work.rows, errors=work.errors, error_rows=work.error_rows,
                                  unchanged=work.unchanged, processed=len(rows), bytes_processed=batch.bytes_read,
                                  bytes_total=self.feed.size), existing)

    def _normalize(self, work: _Work, row_number: int, cells: Any, source_hash: str, outcome: Any) -> None:
        if outcome is None:
            outcome = self._outcome(work, row_number, cells)
            if outcome is None:
                return
        identifier, issues, prepared, copy_text, texts_start, joined = outcome
        if prepared is None:
            work.error_rows += 1
            self._add_issues(work, row_number, identifier, cells, issues)
            return
        first = work.claimed.get(identifier)
        if first is not None:
            self._duplicate(work, row_number, identifier, first[0], cells)
            return
        had_warnings = bool(issues)
        work.claimed[identifier] = (row_number, len(work.rows), cells)
        work.rows.append(ProductRow(row_number=row_number, identifier=identifier, record=None,
                                    source_hash=source_hash, had_warnings=had_warnings, prepared=prepared,
                                    copy_text=copy_text, texts_start=texts_start, joined=joined))
        if had_warnings:
            self._add_issues(work, row_number, identifier, cells, issues)

    def _outcome(self, work: _Work, row_number: int, cells: Any) -> Any:
        """Normalize a row the reader did not: the reader's outcome tuple, or None when the
        row could not be read at all (then it is already recorded as an error)."""
        cells = cells_of(cells)
        try:
            return outcome_of(self.normalizer.normalize(cells), copy_text=False)
        except Exception as exc:
            # A bug in a normalizer must cost one row, not the import.
            logger.exception("Row %s could not be normalized", row_number)
            work.error_rows += 1
            work.errors.append(ErrorRow(
                row_number=row_number, identifier=_safe_id(cells, self.id_index), error_type=ErrorType.PARSE_ERROR,
                severity=Severity.ERROR, field="", message=f"This row could not be read ({type(exc).__name__}).",
                row_data=self._snapshot(cells, ""),
            ))
            return None

    def _add_issues(self, work: _Work, row_number: int, identifier: str, cells: Any, issues: Any) -> None:
        for issue in issues:
            work.errors.append(ErrorRow(
                row_number=row_number, identifier=identifier or "", error_type=issue.error_type,
                severity=issue.severity, field=issue.field or "", message=issue.message,
                row_data=self._snapshot(cells, issue.field or ""),
            ))

    def _duplicate(self, work: _Work, row_number: int, identifier: str, first_row: int, cells: Any) -> None:
        work.error_rows += 1
        work.errors.append(ErrorRow(
            row_number=row_number, identifier=identifier, error_type=ErrorType.VALIDATION_ERROR,
            severity=Severity.ERROR, field="marketplace_product_id",
            message=f"The id {identifier!r} already appeared in row {first_row}; this row was skipped.",
            row_data=self._snapshot(cells, ""),
        ))

    def _drop_ids_seen_in_earlier_batches(self, work: _Work) -> None:
        earlier = self.writer.claim_ids([(i, claim[0]) for i, claim in work.claimed.items()])
        if not earlier:
            return
        dropped: set[int] = set()
        for identifier, first_row in earlier.items():
            row_number, index, cells = work.claimed[identifier]
            if index == -1:
                work.unchanged -= 1
            else:
                dropped.add(index)
            self._duplicate(work, row_number, identifier, first_row, cells)
        if dropped:
            kept = [row for index, row in enumerate(work.rows) if index not in dropped]
            dropped_rows = {work.rows[index].row_number for index in dropped}
            # Warnings of a skipped row no longer apply: the row is one error now.
            work.errors = [e for e in work.errors
                           if not (e.row_number in dropped_rows and e.severity == Severity.WARNING)]
            work.rows = kept
        work.errors.sort(key=lambda e: e.row_number)

    def _snapshot(self, cells: Any, field_name: str) -> dict[str, Any]:
        try:
            return self.normalizer.snapshot(cells_of(cells), field=field_name)
        except Exception:
            logger.exception("Row snapshot failed")
            return {}


def _safe_id(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()[:255]


