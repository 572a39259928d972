"""Listeners of the import engine's and the feed sync's signals (connected in apps.py).

They only decide whether an event calls for an email and queue its sending: they run in
the import's worker (or a web request, for a Fetch now) right after commit, and neither
may wait on an email server. Queueing failures are logged, never raised.
"""

from __future__ import annotations

import logging
from typing import Any

from django_q.tasks import async_task

from marketplace.models import MarketplaceImportJob
from notifications.models import Notification

logger = logging.getLogger(__name__)
Kind = Notification.Kind


def queue_notification(kind: str, object_id: int, count: int | None = None) -> None:
    try:
        async_task("notifications.tasks.notification_send", kind, object_id, count, group="notifications", save=False)
    except Exception:
        logger.exception("Notification %s for %s lost: it could not be queued", kind, object_id)


def on_import_finished(sender: Any, *, job_id: int, **kwargs: Any) -> None:
    job = MarketplaceImportJob.objects.filter(id=job_id).only("status", "trigger", "error_count", "dry_run").first()
    if job is None or job.dry_run:
        # A check of a feed is asked for and read on the spot: its failure is its answer.
        return
    if job.status == MarketplaceImportJob.Status.FAILED:
        queue_notification(Kind.IMPORT_FAILED, job_id)
    elif (
        job.status == MarketplaceImportJob.Status.COMPLETED_WITH_ERRORS
        and job.trigger == MarketplaceImportJob.Trigger.SCHEDULED
        and job.error_count > 0
    ):
        # Whether the previous scheduled import was clean is the task's question (a query).
        queue_notification(Kind.NEW_ERRORS, job_id)


def on_feed_paused(sender: Any, *, feed: Any, **kwargs: Any) -> None:
    queue_notification(Kind.FEED_PAUSED, feed.pk)


def on_removal_held(sender: Any, *, job_id: int, count: int | None = None, **kwargs: Any) -> None:
    queue_notification(Kind.REMOVAL_HELD, job_id, count)
