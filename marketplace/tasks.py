"""django-q2 entry points: turn an id into a service call, nothing more."""

from __future__ import annotations

import logging

from django.utils import translation

from core.db_errors import DATABASE_UNAVAILABLE

logger = logging.getLogger(__name__)


def process_marketplace_import(job_id: int) -> None:
    # English: whatever the job stores is read by the API (run_import sees to the rest).
    with translation.override("en"):
        _process_marketplace_import(job_id)


def _process_marketplace_import(job_id: int) -> None:
    # Imported here, not at module level: django-q2 loads this module by dotted path.
    from marketplace.importing.jobs import import_job_claim, import_job_reset_for_rerun
    from marketplace.importing.pipeline import run_import

    job = import_job_claim(job_id=job_id)
    if job is None:
        logger.info("Import job %s is not pending any more; another worker or a redelivery took it", job_id)
        return
    if job.attempts > 1:
        import_job_reset_for_rerun(job_id=job.pk)
        job.refresh_from_db()
    try:
        run_import(job=job)
    except DATABASE_UNAVAILABLE:
        from marketplace.services import import_job_requeue_after_database_loss

        import_job_requeue_after_database_loss(job_id=job.pk, attempts=job.attempts)


def recover_stale_imports() -> dict[str, int]:
    from marketplace.services import import_jobs_recover

    return import_jobs_recover()
