"""Child process: run this project's import of a feed file, the way a worker does.

    python -m benchmarks.run_ours --feed FILE --store CODE [--language fr] [--batch-size 1000]

DATABASE_URL picks the database. Prints one RESULT line (rows/s, counters, peak RSS).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from benchmarks._child import report, setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feed", type=Path, required=True)
    parser.add_argument("--store", default="bench")
    parser.add_argument("--language", default="fr")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--profile", type=Path, default=None, help="write a pyinstrument HTML profile here")
    args = parser.parse_args()
    setup_django()

    from django.db import connection

    from marketplace.importing.jobs import import_job_claim
    from marketplace.importing.pipeline import run_import
    from marketplace.models import MarketplaceImportJob
    from stores.models import Store

    store, _ = Store.objects.get_or_create(code=args.store, defaults={"name": "Bench Store"})
    # A previous run's job of the same store and language must not block this one (409 rule).
    MarketplaceImportJob.objects.filter(store=store, status__in=MarketplaceImportJob.ACTIVE_STATUSES).update(
        status=MarketplaceImportJob.Status.FAILED
    )
    created = MarketplaceImportJob.objects.create(
        store=store, language=args.language, batch_size=args.batch_size, source_filename=args.feed.name
    )
    job = import_job_claim(job_id=created.id)
    assert job is not None

    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.002)
        profiler.start()
    started = time.perf_counter()
    run_import(job=job, source_path=args.feed)
    seconds = time.perf_counter() - started
    if profiler is not None:
        profiler.stop()
        args.profile.write_text(profiler.output_html())
        print(profiler.output_text(unicode=False, color=False, show_all=False))

    job.refresh_from_db()
    report(
        vendor=connection.vendor,
        seconds=round(seconds, 3),
        rows=job.total_processed,
        rows_per_s=round(job.total_processed / seconds),
        status=job.status,
        imported=job.imported_count,
        updated=job.updated_count,
        unchanged=job.unchanged_count,
        errors=job.error_count,
        warnings=job.warning_count,
        error_message=job.error_message,
    )


if __name__ == "__main__":
    main()
