"""Stage 4 of an import, for one batch: read what the database holds for its ids,
normalize the rows that need it, sort them (classification) and write them, all in one
transaction.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from marketplace import row_messages
from marketplace.importing.check import SAMPLE_ROWS, sample_row
from marketplace.importing.classification import BatchSorting
from marketplace.importing.conflicts import add_language_conflicts
from marketplace.importing.decoding import DecodedFeed, MalformedRecord, row_hash
from marketplace.importing.jobs import BatchCounts
from marketplace.importing.mapping import ColumnMap
from marketplace.importing.messages import english
from marketplace.importing.normalizers import RowNormalizer
from marketplace.importing.normalizers.issues import NOTE_CURRENCY_ASSUMED, NOTE_HTML
from marketplace.importing.reader import ReadBatch
from marketplace.importing.rows import ErrorRow, FeedRow, first_keys, normalize_row
from marketplace.importing.schema import DEFAULT_CURRENCY
from marketplace.importing.writing.errors import ConcurrentWriteError
from marketplace.importing.writing.writer import BatchWriter
from marketplace.models import MarketplaceImportError, MarketplaceImportJob

logger = logging.getLogger(__name__)

# Part of every raw-row hash, with the file's header: change it whenever normalizing the
# same bytes would give a different result, so the next import re-reads every row
# instead of trusting hashes computed by older code.
NORMALIZATION_VERSION = "3"

_ErrorType = MarketplaceImportError.ErrorType


# NOTE_* bit -> (error type, field, the key of its message in marketplace.row_messages).
_NOTES: dict[int, tuple[str, str, str]] = {
    NOTE_CURRENCY_ASSUMED: (_ErrorType.CURRENCY_ASSUMED, "price", "currency_assumed"),
    NOTE_HTML: (_ErrorType.HTML_CLEANED, "", "html_cleaned"),
}


class BatchProcessor:
    """Runs the batches of one import, each in its own transaction."""

    def __init__(self, job: MarketplaceImportJob, feed: DecodedFeed, columns: ColumnMap) -> None:
        self.job = job
        self.feed = feed
        self.writer = BatchWriter(job=job)
        self.normalizer = RowNormalizer(columns)
        self.id_index: int | None = columns.index_of.get("marketplace_product_id")
        # The raw-row hashes also cover the header and the normalizing code, so a feed whose
        # columns moved, or an upgrade that reads values differently, re-reads every row.
        self.salt = row_hash([NORMALIZATION_VERSION, feed.delimiter, *feed.header])
        self.normalized = 0  # rows of the last batch that needed normalizing
        # NOTE_* bit -> rows of the committed batches that carry it: see `record_notes`.
        self.notes: dict[int, int] = {}
        self._batch_notes: dict[int, int] = {}
        # A check's first rows as they would be stored (see `_take_sample`).
        self.sample: list[dict[str, Any]] = []

    def run(self, batch: ReadBatch) -> BatchCounts:
        for attempt in (1, 2):
            try:
                with transaction.atomic():
                    counts = self._run(batch)
                for bit, count in self._batch_notes.items():
                    self.notes[bit] = self.notes.get(bit, 0) + count
                return counts
            except ConcurrentWriteError:
                if attempt == 2:
                    raise
                logger.warning("Products of this batch were written concurrently; reading the batch again")
        raise AssertionError("unreachable")

    def _run(self, batch: ReadBatch) -> BatchCounts:
        writer = self.writer
        rows = batch.rows
        if self.job.dry_run and len(self.sample) < SAMPLE_ROWS:
            self._take_sample(rows)
        writer.lock_store()
        keys = first_keys(rows)
        existing = writer.read_existing(list(keys.values()))
        sorting = BatchSorting(existing, self._snapshot)
        rest = sorting.take_fresh(rows)
        for row in rest:
            normalized = row if row.normalized else self._normalize(row, sorting)
            if normalized is not None:
                sorting.take_normalized(normalized)
        self.normalized = len(rest)

        cleaned = [(row.identifier, row.source_hash) for row in sorting.rows if row.identifier not in keys]
        if cleaned:
            # The normalizer cleaned some ids beyond a strip(): look those up too (rare).
            existing.update(writer.read_existing(cleaned))
        sorting.drop_claimed_earlier(writer.claim_ids(sorting.claims()))
        plan = sorting.plan(existing, writer.texts, processed=len(rows))
        add_language_conflicts(plan, job=self.job, values=writer.neutral_values, snapshot=self._snapshot)
        self._batch_notes = plan.notes
        return writer.write(plan, bytes_processed=batch.bytes_read, bytes_total=self.feed.size)

    def record_notes(self) -> None:
        """Record what the import did to many rows as one warning each, for the whole job
        (row 0: before the header, which is row 1), with the number of rows.

        Counted over the rows this import read: a row recognized as unchanged since the last
        import is not read again (that import reported it).
        """
        notes = [
            MarketplaceImportError(
                import_job=self.job,
                row_number=0,
                identifier="",
                error_type=error_type,
                severity=MarketplaceImportError.Severity.WARNING,
                field=field_name,
                error_message=row_messages.english(key, params := {"rows": count, "currency": DEFAULT_CURRENCY}),
                message_key=key,
                params=params,
                row_data={"rows": count},
            )
            for bit, (error_type, field_name, key) in _NOTES.items()
            if (count := self.notes.get(bit, 0))
        ]
        if notes:
            MarketplaceImportError.objects.bulk_create(notes)

    def _take_sample(self, rows: list[FeedRow]) -> None:
        """Normalize the file's first rows once more for a check's report: a row recognized
        as unchanged is not normalized by the batch, and the payload is the writer's wire
        format, not the values a person reads."""
        for row in rows[: SAMPLE_ROWS - len(self.sample)]:
            try:
                self.sample.append(sample_row(row.number, self.normalizer.normalize(row.cells)))
            except Exception:
                logger.exception("Row %s could not be sampled", row.number)

    def _normalize(self, row: FeedRow, sorting: BatchSorting) -> FeedRow | None:
        """Normalize a row the reader did not; None when that failed (then it is an error)."""
        try:
            return normalize_row(row, self.normalizer, self.writer.render)
        except Exception as exc:
            # A bug in a normalizer must cost one row, not the import.
            logger.exception("Row %s could not be normalized", row.number)
            cells = row.cells
            identifier = (
                cells[self.id_index].strip()[:255] if self.id_index is not None and self.id_index < len(cells) else ""
            )
            sorting.take_broken(
                row,
                ErrorRow(
                    row_number=row.number,
                    identifier=identifier,
                    error_type=MarketplaceImportError.ErrorType.PARSE_ERROR,
                    severity=MarketplaceImportError.Severity.ERROR,
                    field="",
                    message=english("row_unreadable", params := {"detail": type(exc).__name__}),
                    key="row_unreadable",
                    params=params,
                    row_data=self._snapshot(cells, ""),
                    cells=None if isinstance(cells, MalformedRecord) else list(cells),
                ),
            )
            return None

    def _snapshot(self, cells: list[str], field_name: str) -> dict[str, str]:
        try:
            return self.normalizer.snapshot(cells, field=field_name)
        except Exception:
            logger.exception("Row snapshot failed")
            return {}
