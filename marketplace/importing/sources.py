"""Stage 1 of an import: the job's feed as a local, uncompressed file.

`source_path` when given (left in place); else the uploaded file in
MARKETPLACE_UPLOAD_DIR (deleted once the job has ended); else a download of the job's
URL (always deleted). A gzipped file is decompressed, under the downloads' size cap.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from django.conf import settings

from marketplace.importing import jobs
from marketplace.importing.compression import gunzip_file, is_gzip
from marketplace.importing.decoding import FeedDecodeError
from marketplace.importing.fetching import fetch_feed
from marketplace.models import MarketplaceImportJob

logger = logging.getLogger(__name__)

# A download reports progress often; the job's heartbeat needs only a write now and then.
_FETCH_HEARTBEAT_SECONDS = 5.0


class FeedFile:
    """Where the job's feed is, and which of the files it made are to be deleted when."""

    def __init__(self, job: MarketplaceImportJob, source_path: Path | None) -> None:
        self.job = job
        self.source_path = source_path
        self.downloaded: Path | None = None  # ours: deleted when the run ends
        self.uploaded: Path | None = None  # the upload: deleted once the job has ended

    @property
    def located(self) -> bool:
        """Whether the feed had a path yet (only a download can be cancelled before)."""
        return self.source_path is not None or self.uploaded is not None or self.downloaded is not None

    def path(self) -> Path:
        job = self.job
        if self.source_path is not None:
            path = Path(self.source_path)
        elif job.source_file:
            path = self.uploaded = _upload_path(job.source_file)
        else:
            beat = _Heartbeat(job.id)
            fetched = fetch_feed(url=job.source_url, should_cancel=beat.should_cancel, heartbeat=beat)
            path = self.downloaded = Path(fetched.path)
            logger.info("Downloaded %s bytes (%s) from %s", fetched.size, fetched.content_type, fetched.final_url)
        if is_gzip(path):
            compressed = self.downloaded
            try:
                path = self.downloaded = gunzip_file(
                    path, max_bytes=settings.MARKETPLACE_MAX_DOWNLOAD_BYTES, prefix=f"import-{job.id}-"
                )
            finally:
                if compressed is not None:
                    # A download that is still gzip (a .gz body served without Content-Encoding).
                    compressed.unlink(missing_ok=True)
        return path

    def clean_up(self, *, may_run_again: bool) -> None:
        if self.downloaded is not None:
            self.downloaded.unlink(missing_ok=True)
        if self.uploaded is not None and not may_run_again and _has_ended(self.job.id):
            # Kept while the job may still run again (a worker died mid-import).
            self.uploaded.unlink(missing_ok=True)


def _upload_path(name: str) -> Path:
    root = Path(settings.MARKETPLACE_UPLOAD_DIR).resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root):
        # source_file is written by our own upload code; refuse anything else outright.
        raise FeedDecodeError("The uploaded file could not be found.")
    if not path.is_file():
        raise FeedDecodeError("The uploaded file could not be found; upload it again.")
    return path


def _has_ended(job_id: int) -> bool:
    status = MarketplaceImportJob.objects.filter(id=job_id).values_list("status", flat=True).first()
    return status is None or status in MarketplaceImportJob.FINISHED_STATUSES


class _Heartbeat:
    """Passed to the fetcher: keeps the job alive during a long download, and tells it to
    stop when the job was cancelled. Writes at most every few seconds."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.alive = True
        self.last = 0.0

    def __call__(self, *args: Any, **kwargs: Any) -> None:  # whatever progress the fetcher reports
        now = time.monotonic()
        if now - self.last >= _FETCH_HEARTBEAT_SECONDS:
            self.last = now
            self.alive = jobs.import_job_heartbeat(job_id=self.job_id)

    def should_cancel(self) -> bool:
        self()
        return not self.alive
