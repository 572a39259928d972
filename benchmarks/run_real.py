"""Child process: the real path, as a store's import runs in production.

    python -m benchmarks.run_real --feed FILE --store CODE [--language fr] [--batch-size 1000]

A loopback HTTP server serves the feed; a real `manage.py qcluster` (one worker, the
broker of the settings: ORM unless REDIS_URL is set) picks up a job created by the same
service the API uses, downloads the feed and imports it. DATABASE_URL picks the
database. Prints one RESULT line: rows/s from the worker's claim to the job's end
(download included), and from the job's creation (queue pick-up included).
"""

from __future__ import annotations

import argparse
import functools
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from benchmarks._child import report, setup_django

ROOT = Path(__file__).resolve().parent.parent


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feed", type=Path, required=True)
    parser.add_argument("--store", default="bench-real")
    parser.add_argument("--language", default="fr")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()

    feed = args.feed.resolve()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(feed.parent)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    # The fetcher refuses loopback addresses unless the host is allowed explicitly (SPEC 9).
    os.environ["MARKETPLACE_FETCH_ALLOWED_HOSTS"] = f"127.0.0.1:{port}"
    os.environ["Q_WORKERS"] = "1"
    setup_django()

    from marketplace.models import MarketplaceImportJob
    from marketplace.services import import_job_create
    from stores.models import Store

    store, _ = Store.objects.get_or_create(code=args.store, defaults={"name": "Bench Store (real path)"})
    MarketplaceImportJob.objects.filter(store=store, status__in=MarketplaceImportJob.ACTIVE_STATUSES).update(
        status=MarketplaceImportJob.Status.FAILED
    )

    log = (ROOT / "benchmarks" / "out" / "qcluster.log").open("wb")
    cluster = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        time.sleep(3)  # let the cluster start its worker before the job is queued
        job = import_job_create(
            store=store,
            user=None,
            source_url=f"http://127.0.0.1:{port}/{feed.name}",
            language=args.language,
            batch_size=args.batch_size,
        )
        deadline = time.monotonic() + args.timeout
        while True:
            job.refresh_from_db()
            if job.status in MarketplaceImportJob.FINISHED_STATUSES:
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"the job did not finish within {args.timeout:.0f} s (status {job.status})")
            time.sleep(0.1)
        worker_rss_mb = _peak_rss_mb_of_group(cluster.pid)
    finally:
        os.killpg(cluster.pid, signal.SIGTERM)
        cluster.wait(timeout=30)
        log.close()
        server.shutdown()

    assert job.completed_at is not None and job.started_at is not None  # the job has finished
    worker_seconds = (job.completed_at - job.started_at).total_seconds()
    total_seconds = (job.completed_at - job.created_at).total_seconds()
    report(
        seconds=round(worker_seconds, 3),
        total_seconds=round(total_seconds, 3),
        rows=job.total_processed,
        rows_per_s=round(job.total_processed / worker_seconds),
        status=job.status,
        imported=job.imported_count,
        updated=job.updated_count,
        unchanged=job.unchanged_count,
        errors=job.error_count,
        warnings=job.warning_count,
        error_message=job.error_message,
        attempts=job.attempts,
        worker_rss_mb=worker_rss_mb,
    )


def _peak_rss_mb_of_group(pgid: int) -> float:
    """The largest peak RSS (VmHWM) among the cluster's processes: the worker that imported."""
    peak = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            if os.getpgid(int(status.parent.name)) != pgid:
                continue
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except (OSError, ValueError):
            continue  # the process ended meanwhile
    return round(peak / 1024, 1)


if __name__ == "__main__":
    main()
