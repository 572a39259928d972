"""A feed's state as the pages and the API name it (SPEC 11): off, ok, failing, paused, stale, held."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet

from feeds.models import StoreFeed

OFF, OK, FAILING, PAUSED, STALE, HELD = "off", "ok", "failing", "paused", "stale", "held"
STATES = (OFF, OK, FAILING, PAUSED, STALE, HELD)


def feed_state(feed: StoreFeed, *, now: datetime, removal_held: bool = False) -> str:
    """One word, the most urgent first: a held removal waits for the owner, a paused feed
    no longer runs, a stale one has not been read for too long, a failing one failed last.

    `removal_held`: whether the feed's last import holds a removal (the caller knows it
    from the job, read with the feed).
    """
    if feed.schedule == StoreFeed.Schedule.OFF:
        return HELD if removal_held else OFF
    if removal_held:
        return HELD
    if feed.paused_at is not None:
        return PAUSED
    if _is_stale(feed, now=now):
        return STALE
    if feed.consecutive_failures:
        return FAILING
    return OK


def _is_stale(feed: StoreFeed, *, now: datetime) -> bool:
    # A feed scheduled a moment ago has had no chance yet: it is measured from its schedule's start.
    since = feed.last_success_at or feed.created_at
    return since is not None and now - since > timedelta(hours=settings.MARKETPLACE_FEED_STALE_HOURS)


def feeds_in_state(queryset: QuerySet[StoreFeed], state: str, *, now: datetime) -> QuerySet[StoreFeed]:
    """The same rule as `feed_state`, as a filter (the admin Feeds page's state filter)."""
    stale_cutoff = now - timedelta(hours=settings.MARKETPLACE_FEED_STALE_HOURS)
    held = Q(last_import_job__removal_held=True)
    scheduled = ~Q(schedule=StoreFeed.Schedule.OFF)
    stale = Q(last_success_at__lt=stale_cutoff) | Q(last_success_at__isnull=True, created_at__lt=stale_cutoff)
    if state == HELD:
        return queryset.filter(held)
    if state == OFF:
        return queryset.filter(~scheduled & ~held)
    queryset = queryset.filter(scheduled & ~held)
    if state == PAUSED:
        return queryset.filter(paused_at__isnull=False)
    queryset = queryset.filter(paused_at__isnull=True)
    if state == STALE:
        return queryset.filter(stale)
    if state == FAILING:
        return queryset.exclude(stale).filter(consecutive_failures__gt=0)
    if state == OK:
        return queryset.exclude(stale).filter(consecutive_failures=0)
    return queryset.none()
