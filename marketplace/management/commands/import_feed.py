"""Run one import in the foreground: the same services and pipeline as the worker."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from core.exceptions import ApplicationError
from marketplace.importing.jobs import import_job_claim
from marketplace.importing.pipeline import run_import
from marketplace.models import MarketplaceImportJob
from marketplace.services import BATCH_SIZE_DEFAULT, import_job_create
from stores.models import Store

COUNTERS = [
    ("imported_count", "Imported (new)"),
    ("updated_count", "Updated"),
    ("unchanged_count", "Unchanged"),
    ("error_count", "Rows skipped (errors)"),
    ("warning_count", "Rows with warnings"),
    ("total_processed", "Data rows read"),
]
# The same counters of a check (--check): what an import would do.
CHECK_COUNTERS = [
    ("imported_count", "Would add (new)"),
    ("updated_count", "Would change"),
    ("unchanged_count", "Unchanged"),
    ("error_count", "Rows skipped (errors)"),
    ("warning_count", "Rows with warnings"),
    ("total_processed", "Data rows read"),
]


class _LocalFile(SimpleUploadedFile):
    """A file on disk handed to the upload path without reading it into memory."""

    def __init__(self, path: Path) -> None:
        self._path = path
        super().__init__(path.name, b"")
        self.size = path.stat().st_size

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        with open(self._path, "rb") as handle:
            while chunk := handle.read(chunk_size or 1024 * 1024):
                yield chunk


class Command(BaseCommand):
    help = "Import a Letzshop feed for a store in the foreground, with a progress bar and a summary."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--store", required=True, help="The store's code")
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--url", help="Feed URL (http or https)")
        source.add_argument("--file", type=Path, help="Path of a feed file")
        parser.add_argument("--language", default="fr", choices=["fr", "en", "de"])
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE_DEFAULT)
        parser.add_argument(
            "--check",
            action="store_true",
            help="Check the feed without importing it: read, map and normalize the whole file, report "
            "the mapping, the problems and what an import would do; no product is written.",
        )

    # English output, like the options and help: the services' messages would otherwise follow
    # LANGUAGE_CODE (French).
    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        store = Store.objects.filter(code=options["store"]).first()
        if store is None:
            raise CommandError(f"No store with code {options['store']!r}.")
        upload = None
        if options["file"] is not None:
            path: Path = options["file"]
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
            upload = _LocalFile(path)
        try:
            job = import_job_create(
                store=store,
                user=None,
                source_url=options["url"] or "",
                upload=upload,
                language=options["language"],
                batch_size=options["batch_size"],
                enqueue=False,
                dry_run=options["check"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        except ApplicationError as exc:
            raise CommandError(exc.message) from None

        claimed = import_job_claim(job_id=job.pk)
        if claimed is None:
            raise CommandError(f"Job {job.pk} was taken by a worker before this command could start it.")
        kind = "Check" if job.dry_run else "Import"
        self.stdout.write(f"{kind} job {job.pk}: {store.code} ({options['language']}) from {job.source_display}")
        started = time.monotonic()
        run_import(job=claimed, progress=lambda *_: self._draw_progress(job.pk))
        elapsed = time.monotonic() - started
        self._draw_progress(job.pk)
        self.stdout.write("")
        self._summary(MarketplaceImportJob.objects.get(pk=job.pk), elapsed)

    def _draw_progress(self, job_id: int) -> None:
        values = MarketplaceImportJob.objects.filter(pk=job_id).values("progress_percent", "total_processed").first()
        if not values:
            return
        percent = values["progress_percent"]
        filled = percent * 30 // 100
        bar = "#" * filled + "-" * (30 - filled)
        line = f"\r[{bar}] {percent:3d}%  {values['total_processed']:>9,} rows"
        if self.stdout.isatty():
            self.stdout.write(line, ending="")
            self.stdout.flush()
        elif percent // 10 != getattr(self, "_last_decile", -1):
            # Not a terminal (a log, a pipe): one line per 10% instead of redrawing.
            self._last_decile = percent // 10
            self.stdout.write(line.lstrip("\r"))

    def _summary(self, job: MarketplaceImportJob, elapsed: float) -> None:
        rate = job.total_processed / elapsed if elapsed > 0 else 0.0
        counters = CHECK_COUNTERS if job.dry_run else COUNTERS
        rows = [("Status", job.get_status_display()), *((label, f"{getattr(job, f):,}") for f, label in counters)]
        report = job.check_report or {}
        if "would_go_missing" in report:
            rows.append(
                ("Would go missing" if job.is_full_feed else "Not in this file", f"{report['would_go_missing']:,}")
            )
        rows += [
            ("Encoding / delimiter", f"{job.detected_encoding or '-'} / {job.detected_delimiter!r}"),
            ("Duration", f"{elapsed:.1f} s ({rate:,.0f} rows/s)"),
        ]
        width = max(len(label) for label, _ in rows)
        self.stdout.write("-" * (width + 16))
        for label, value in rows:
            self.stdout.write(f"{label:<{width}}  {value:>12}")
        self.stdout.write("-" * (width + 16))
        if report.get("columns"):
            self._mapping(report["columns"])
        if job.error_message:
            self.stdout.write(self.style.ERROR(job.error_message))
        if job.error_count or job.warning_count:
            first = job.errors.order_by("row_number", "id")[:10]
            self.stdout.write("First problems:")
            for error in first:
                self.stdout.write(
                    f"  row {error.row_number:>7} [{error.severity}] {error.error_type}: {error.error_message}"
                )
        if job.dry_run and job.status != MarketplaceImportJob.Status.FAILED:
            self.stdout.write(f"Check job {job.pk}: nothing was written. Import the feed without --check to apply it.")
        if job.status == MarketplaceImportJob.Status.FAILED:
            raise CommandError(f"{'Check' if job.dry_run else 'Import'} job {job.pk} failed.")

    def _mapping(self, columns: list[dict[str, Any]]) -> None:
        """A check's column mapping: each column and the field it fills, or why none."""
        self.stdout.write("Column mapping:")
        width = min(40, max(len(entry["column"]) for entry in columns))
        for entry in columns:
            if entry["field"]:
                target = entry["field"]
            elif entry.get("duplicate_of"):
                target = f"(not mapped: {entry['duplicate_of']} comes from another column; kept in extra_attributes)"
            elif entry.get("ignored"):
                target = "(ignored: the problem column of a rows-to-fix file)"
            elif entry.get("suggestion"):
                target = f"(not mapped, kept in extra_attributes; did you mean {entry['suggestion']}?)"
            else:
                target = "(not mapped, kept in extra_attributes)"
            self.stdout.write(f"  {entry['column']:<{width}}  -> {target}")
