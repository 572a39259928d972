"""Checking a feed (SPEC 11): a conditional GET, and an import only when the body changed.

`feed_check` is what the dispatcher's task runs; `feed_fetch_now` is the same check in the
request of the user who clicked "Fetch now"; `feed_record_import_end` tells the feed what
became of the import a check started (or of a Quick Fill import of the same address).

Every write to a feed here is a single UPDATE naming the columns it sets, never a save()
of a row read earlier: a user may change the schedule while a check runs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from core.exceptions import ApplicationError
from feeds.models import StoreFeed
from feeds.schedule import feed_next_run
from feeds.signals import feed_paused
from marketplace.importing.fetching import FetchedFeed, FetchError, NotModified, fetch_feed_if_changed
from marketplace.models import MarketplaceImportJob
from marketplace.services import ImportAlreadyRunning, feed_url_clean, import_job_create
from stores.models import Language, Store

logger = logging.getLogger(__name__)
Trigger = MarketplaceImportJob.Trigger
Result = StoreFeed.CheckResult
Status = MarketplaceImportJob.Status


class FeedFetchFailed(ApplicationError):
    """Fetch now could not download the feed; the message says why (400 from the API)."""


@dataclass(frozen=True)
class CheckOutcome:
    """What one check did: `result` is "imported", "unchanged", "failed", "busy" (an import
    of the language was already active) or "skipped" (inactive store, no address, or
    another delivery of the same claim already ran)."""

    result: str
    message: str = ""
    job: MarketplaceImportJob | None = None
    checked_at: datetime | None = None


@dataclass(frozen=True)
class FetchNowResult:
    job: MarketplaceImportJob | None  # the import started, None when the feed had not changed
    result: str  # "started" | "unchanged"
    checked_at: datetime


def feed_check(*, feed_id: int, trigger: str = Trigger.SCHEDULED) -> CheckOutcome:
    """Check one feed for the dispatcher (its task, `feeds.tasks.check_feed`).

    1. Skip an inactive store, a feed without address, or a second delivery of one claim.
    2. Conditional GET with the validators of the body last imported.
    3. 304, or a body whose sha256 is the last imported one's: record "unchanged", no job.
    4. Otherwise create the import job with the downloaded file (the worker does not
       download it again); its validators are kept on the feed once it completes.
    A download failure counts towards the automatic pause.
    """
    feed = StoreFeed.objects.select_related("store").filter(id=feed_id).first()
    if feed is None:
        return CheckOutcome("skipped", "The feed no longer exists.")
    store = feed.store
    if not store.is_active:
        logger.info("Feed %s/%s: store inactive, not fetched", store.code, feed.language)
        return CheckOutcome("skipped", "The store is inactive.")
    if not store.feed_url(feed.language):
        return CheckOutcome("skipped", "The feed has no address.")
    if trigger == Trigger.SCHEDULED and not _start_claimed_check(feed):
        logger.info("Feed %s/%s: this claim was already checked (a redelivered task)", store.code, feed.language)
        return CheckOutcome("skipped", "Already checked for this run.")
    active = _active_import(store=store, language=feed.language)
    if active is not None:
        return _record_busy(feed, active)  # without downloading what could not be imported
    try:
        return _check(feed=feed, store=store, trigger=trigger, user=None)
    except ImportAlreadyRunning as exc:
        return _record_busy(feed, exc.job)


def feed_fetch_now(*, store: Store, language: str, user: User | None) -> FetchNowResult:
    """ "Fetch now": the scheduled check, run in the caller's request.

    The changed body is downloaded here too, not by the worker: whether the feed changed
    can only be told from its hash when the server ignores conditional requests, and the
    answer (202 with a job, or 200 "unchanged") is the point of the button. The worker
    then imports the file without downloading it again.

    Raises ValidationError when the language is unknown or has no address,
    ImportAlreadyRunning (409) when an import of that language is active, FeedFetchFailed
    when the download failed (recorded on the feed like a scheduled failure).
    """
    from feeds.services import feed_for_store

    if language not in Language.values:
        raise ValidationError(
            {"language": [gettext("Unknown language %(language)r; choose fr, en or de.") % {"language": language}]}
        )
    if not store.feed_url(language):
        raise ValidationError({"url": [gettext("Set this language's feed address before fetching it.")]})
    if not store.is_active:
        raise ValidationError({"store": [gettext("This store is inactive and cannot start imports.")]})
    active = _active_import(store=store, language=language)
    if active is not None:
        raise ImportAlreadyRunning(active)
    feed = feed_for_store(store=store, language=language)
    outcome = _check(feed=feed, store=store, trigger=Trigger.FETCH_NOW, user=user)
    assert outcome.checked_at is not None
    if outcome.result == "failed":
        raise FeedFetchFailed(outcome.message)
    if outcome.result == "imported":
        return FetchNowResult(job=outcome.job, result="started", checked_at=outcome.checked_at)
    return FetchNowResult(job=None, result="unchanged", checked_at=outcome.checked_at)


def _active_import(*, store: Store, language: str) -> MarketplaceImportJob | None:
    return (
        MarketplaceImportJob.objects.filter(
            store=store, language=language, status__in=MarketplaceImportJob.ACTIVE_STATUSES
        )
        .order_by("-id")
        .first()
    )


def _start_claimed_check(feed: StoreFeed) -> bool:
    """Take the dispatcher's claim for this check; False if a delivery already took it.

    django-q2 hands a task out again when it outlives `retry`, and a broker may deliver
    twice: only the first delivery finds `claimed_at` set. (A `claimed_at` that stays set
    for long is a check whose task was lost.)
    """
    return StoreFeed.objects.filter(id=feed.pk, claimed_at__isnull=False).update(claimed_at=None) == 1


def _check(*, feed: StoreFeed, store: Store, trigger: str, user: User | None) -> CheckOutcome:
    url = store.feed_url(feed.language)
    try:
        clean_url = feed_url_clean(url)
        fetched = fetch_feed_if_changed(url=clean_url, etag=feed.etag, last_modified=feed.last_modified)
    except ValidationError as exc:
        return _record_failure(feed, " ".join(exc.messages))
    except FetchError as exc:
        return _record_failure(feed, exc.message)
    if isinstance(fetched, NotModified):
        return _record_unchanged(feed, how="not modified")
    if feed.content_sha256 and fetched.sha256 == feed.content_sha256:
        fetched.path.unlink(missing_ok=True)
        return _record_unchanged(feed, how="same body")
    return _start_import(feed=feed, store=store, url=clean_url, fetched=fetched, trigger=trigger, user=user)


def _start_import(
    *, feed: StoreFeed, store: Store, url: str, fetched: FetchedFeed, trigger: str, user: User | None
) -> CheckOutcome:
    try:
        job = import_job_create(
            store=store,
            user=user,
            source_url=url,
            language=feed.language,
            trigger=trigger,
            fetched_file=fetched.path,
            feed_etag=fetched.etag,
            feed_last_modified=fetched.last_modified,
            source_sha256=fetched.sha256,
        )
    except BaseException:
        Path(fetched.path).unlink(missing_ok=True)  # moved into the upload dir only on success
        raise
    now = timezone.now()
    message = f"Changed: import #{job.pk} started"
    StoreFeed.objects.filter(id=feed.pk).update(
        last_checked_at=now,
        last_check_result=Result.IMPORTED,
        last_check_message=message,
        last_import_job=job,
        updated_at=now,
    )
    logger.info("Feed %s/%s changed: import job %s", store.code, feed.language, job.pk)
    return CheckOutcome("imported", message, job=job, checked_at=now)


def _record_unchanged(feed: StoreFeed, *, how: str) -> CheckOutcome:
    now = timezone.now()
    job_id = feed.last_import_job_id
    message = f"Unchanged since import #{job_id}" if job_id else "Unchanged"
    StoreFeed.objects.filter(id=feed.pk).update(
        last_checked_at=now,
        last_check_result=Result.UNCHANGED,
        last_check_message=message,
        updated_at=now,
    )
    _record_success(feed.pk, now=now)
    logger.info("Feed %s/%s unchanged (%s)", feed.store_id, feed.language, how)
    return CheckOutcome("unchanged", message, checked_at=now)


def _record_busy(feed: StoreFeed, job: MarketplaceImportJob) -> CheckOutcome:
    # The running import will bring the feed up to date, or its end will count as a
    # failure: either way this check is neither.
    now = timezone.now()
    message = f"Not fetched: import #{job.pk} was still {job.status}"
    StoreFeed.objects.filter(id=feed.pk).update(last_checked_at=now, last_check_message=message, updated_at=now)
    logger.info("Feed %s/%s: %s", feed.store_id, feed.language, message)
    return CheckOutcome("busy", message, job=job, checked_at=now)


def _record_success(feed_id: int, *, now: datetime) -> None:
    """The feed answered and its data is in: failures start from zero, a pause ends."""
    StoreFeed.objects.filter(id=feed_id).update(last_success_at=now, consecutive_failures=0, updated_at=now)
    paused = StoreFeed.objects.filter(id=feed_id, paused_at__isnull=False).first()
    if paused is not None:
        paused.paused_at = None
        StoreFeed.objects.filter(id=feed_id, paused_at__isnull=False).update(
            paused_at=None, next_run_at=feed_next_run(paused, after=now), updated_at=now
        )
        logger.info("Feed %s resumed after a successful check", feed_id)


def _record_failure(feed: StoreFeed, message: str) -> CheckOutcome:
    now = timezone.now()
    StoreFeed.objects.filter(id=feed.pk).update(
        last_checked_at=now,
        last_check_result=Result.FAILED,
        last_check_message=message[:1000],
        updated_at=now,
    )
    _count_failure(feed.pk, now=now)
    logger.warning("Feed %s/%s check failed: %s", feed.store_id, feed.language, message)
    return CheckOutcome("failed", message, checked_at=now)


def _count_failure(feed_id: int, *, now: datetime) -> None:
    """One more failure in a row; at MARKETPLACE_FEED_PAUSE_AFTER the schedule pauses.

    The pause is a conditional UPDATE (`paused_at IS NULL`), so however many checks fail at
    once, one of them pauses the feed and `feed_paused` is sent exactly once.
    """
    StoreFeed.objects.filter(id=feed_id).update(consecutive_failures=F("consecutive_failures") + 1)
    paused = (
        StoreFeed.objects.filter(
            id=feed_id,
            paused_at__isnull=True,
            consecutive_failures__gte=settings.MARKETPLACE_FEED_PAUSE_AFTER,
        )
        .exclude(schedule=StoreFeed.Schedule.OFF)
        .update(paused_at=now, next_run_at=None, updated_at=now)
    )
    if paused:
        logger.warning(
            "Feed %s paused itself after %s failures in a row", feed_id, settings.MARKETPLACE_FEED_PAUSE_AFTER
        )

        def send() -> None:
            feed = StoreFeed.objects.select_related("store").get(id=feed_id)
            feed_paused.send_robust(sender=StoreFeed, feed=feed)

        transaction.on_commit(send)


def feed_record_import_end(*, job_id: int) -> None:
    """Record on its feed how an import of the feed's address ended (any trigger).

    Only a full import of the store's configured address for that language counts. A
    completed one's validators and hash become the feed's, so the next check can answer
    "unchanged"; a failed one keeps the old ones (the next check downloads in full) and
    counts as a failure of the feed.
    """
    job = MarketplaceImportJob.objects.select_related("store").filter(id=job_id).first()
    if job is None or not job.is_full_feed or not job.source_url or job.dry_run:
        # A check imported nothing: the feed's validators must still lead to a full import.
        return
    try:
        configured = feed_url_clean(job.store.feed_url(job.language))
    except ValidationError:
        return
    if job.source_url != configured:
        return
    feed, _ = StoreFeed.objects.get_or_create(store=job.store, language=job.language)
    now = timezone.now()
    # An older import ending late does not overwrite what a newer one recorded.
    newest = StoreFeed.objects.filter(id=feed.pk).filter(
        Q(last_import_job__isnull=True) | Q(last_import_job_id__lte=job.pk)
    )
    changes: dict[str, Any] = {"last_import_job": job, "updated_at": now}
    if job.status in (Status.COMPLETED, Status.COMPLETED_WITH_ERRORS):
        changes.update(
            etag=job.feed_etag,
            last_modified=job.feed_last_modified,
            content_sha256=job.source_sha256,
        )
        if newest.update(**changes):
            _record_success(feed.pk, now=now)
    elif job.status == Status.FAILED:
        reason = job.error_message.strip().splitlines()[0] if job.error_message.strip() else "no reason given"
        changes.update(
            last_check_result=Result.FAILED,
            last_check_message=f"Import #{job.pk} failed: {reason}"[:1000],
        )
        if newest.update(**changes):
            _count_failure(feed.pk, now=now)
    else:  # cancelled: neither the feed's fault nor its data
        newest.update(**changes)
