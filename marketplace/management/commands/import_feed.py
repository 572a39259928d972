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
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        except ApplicationError as exc:
            raise CommandError(exc.message) from None

        claimed = import_job_claim(job_id=job.pk)
        if claimed is None:
            raise CommandError(f"Job {job.pk} was taken by a worker before this command could start it.")
        self.stdout.write(f"Import job {job.pk}: {store.code} ({options['language']}) from {job.source_display}")
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
        rows = [("Status", job.get_status_display()), *((label, f"{getattr(job, f):,}") for f, label in COUNTERS)]
        rows += [
            ("Encoding / delimiter", f"{job.detected_encoding or '-'} / {job.detected_delimiter!r}"),
            ("Duration", f"{elapsed:.1f} s ({rate:,.0f} rows/s)"),
        ]
        width = max(len(label) for label, _ in rows)
        self.stdout.write("-" * (width + 16))
        for label, value in rows:
            self.stdout.write(f"{label:<{width}}  {value:>12}")
        self.stdout.write("-" * (width + 16))
        if job.error_message:
            self.stdout.write(self.style.ERROR(job.error_message))
        if job.error_count or job.warning_count:
            first = job.errors.order_by("row_number", "id")[:10]
            self.stdout.write("First problems:")
            for error in first:
                self.stdout.write(
                    f"  row {error.row_number:>7} [{error.severity}] {error.error_type}: {error.error_message}"
                )
        if job.status == MarketplaceImportJob.Status.FAILED:
            raise CommandError(f"Import job {job.pk} failed.")
