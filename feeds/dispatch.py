"""The dispatcher (SPEC 11): run every minute by django-q2's scheduler, it hands each due
feed to the workers exactly once, however many clusters run it at the same minute.

A due feed is claimed by moving its `next_run_at` on, in an UPDATE whose WHERE names the
value that was read: of two dispatchers that read the same row, one changes it, the
other's UPDATE matches nothing and it enqueues nothing (the pattern of healthchecks'
sendalerts). Only a won claim's task is handed to the broker, after commit.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import DatabaseError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.tasks import async_task

from feeds.models import StoreFeed
from feeds.schedule import feed_next_run

logger = logging.getLogger(__name__)

CHECK_TASK = "feeds.tasks.check_feed"
CHUNK_SIZE = 500
# Fields the claim needs to compute the next run: read with the due rows, nothing else.
_CLAIM_FIELDS = ("id", "next_run_at", "schedule", "every_hours", "daily_at", "paused_at")


@dataclass(frozen=True)
class _Claim:
    feed_id: int
    was_due_at: datetime
    next_run_at: datetime | None


def due_feeds(*, now: datetime, limit: int = CHUNK_SIZE) -> QuerySet[StoreFeed]:
    """The oldest due feeds first, locked (inside the caller's transaction) except those
    another dispatcher is claiming right now: `feed_due_idx` answers this with an index scan.

    SKIP LOCKED only spreads the work (on PostgreSQL; SQLite has no row locks): two
    dispatchers take different rows instead of one waiting for the other's chunk. Exactly
    once comes from the conditional UPDATE of the claim, whatever the database.
    """
    return (
        StoreFeed.objects.filter(next_run_at__lte=now)
        .order_by("next_run_at")
        .only(*_CLAIM_FIELDS)
        .select_for_update(skip_locked=True)[:limit]
    )


def feeds_dispatch_due(*, now: datetime | None = None, chunk_size: int = CHUNK_SIZE) -> int:
    """Claim and enqueue every feed due at `now`; return how many this call enqueued.

    Chunks of `chunk_size` are claimed in one transaction each and enqueued once it
    committed. A claimed feed's next run lies in the future, so the next chunk's query
    no longer finds it; when the broker refuses a task, the feeds not handed over get
    their old `next_run_at` back and this run stops: the next minute retries them.
    """
    now = now or timezone.now()
    started = time.monotonic()
    enqueued = 0
    while True:
        claims = _claim_chunk(now=now, chunk_size=chunk_size)
        if claims is None:
            break
        handed, refused = _enqueue(claims)
        enqueued += handed
        if refused:
            break
    if enqueued:
        logger.info("Dispatched %d due feeds in %.0f ms", enqueued, (time.monotonic() - started) * 1000)
    return enqueued


def _claim_chunk(*, now: datetime, chunk_size: int) -> list[_Claim] | None:
    """Claim one chunk of due feeds; None when none was due (the loop's end).

    An empty list is a chunk whose every feed another dispatcher won.
    """
    with transaction.atomic():
        feeds = list(due_feeds(now=now, limit=chunk_size))
        if not feeds:
            return None
        claims = []
        for feed in feeds:
            assert feed.next_run_at is not None  # the query asked for due feeds
            # After `now`, not after the time it was due: a feed late by an hour (a stopped
            # cluster) runs once now, not once per missed period.
            next_run = feed_next_run(feed, after=now)
            won = StoreFeed.objects.filter(id=feed.pk, next_run_at=feed.next_run_at).update(
                next_run_at=next_run, claimed_at=now
            )
            if won and next_run is not None:
                claims.append(_Claim(feed.pk, feed.next_run_at, next_run))
            elif won:
                # Paused or switched off (a stale next_run_at): claimed away, nothing to run.
                logger.info("Feed %s had a next run but no schedule; cleared", feed.pk)
    return claims


def _enqueue(claims: list[_Claim]) -> tuple[int, bool]:
    """Hand the won claims' tasks to the broker; return (handed over, whether it refused one)."""
    broker = None
    for index, claim in enumerate(claims):
        try:
            # One broker for the chunk: async_task would otherwise open a connection per task.
            broker = broker or get_broker()
            async_task(
                CHECK_TASK,
                claim.feed_id,
                task_name=f"feed-check-{claim.feed_id}-{uuid.uuid4().hex[:8]}",
                broker=broker,
            )
        except Exception:  # any broker failure: redis-py, the ORM broker's database errors...
            logger.warning(
                "The task broker refused feed checks; %d feeds stay due for the next minute",
                len(claims) - index,
                exc_info=True,
            )
            _release(claims[index:])
            return index, True
    return len(claims), False


def _release(claims: list[_Claim]) -> None:
    # Back to the value read, and only where our claim still stands (the owner may have
    # changed the schedule meanwhile: their next run wins).
    for claim in claims:
        try:
            StoreFeed.objects.filter(id=claim.feed_id, next_run_at=claim.next_run_at).update(
                next_run_at=claim.was_due_at, claimed_at=None
            )
        except DatabaseError:
            logger.warning("Feed %s: could not put its run back; it runs at its next time", claim.feed_id)
