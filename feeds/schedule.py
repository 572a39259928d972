"""When a feed runs next: pure functions of its schedule and the time (SPEC 11)."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from feeds.models import StoreFeed

LUXEMBOURG = ZoneInfo("Europe/Luxembourg")


def next_run_after(
    *, schedule: str, every_hours: int, daily_at: time | None, after: datetime, jitter: bool = True
) -> datetime | None:
    """The first run of the schedule strictly after `after`, or None when it is off.

    Daily runs are at `daily_at` Luxembourg time, whatever the season (a time that does
    not exist on the day clocks go forward runs an hour later; zoneinfo's fold=0). A small
    random jitter (MARKETPLACE_FEED_JITTER_SECONDS at most) spreads feeds that share a
    time, so a thousand stores set to 06:00 do not all hit the workers in the same second.
    """
    if schedule == StoreFeed.Schedule.HOURS:
        run = after + timedelta(hours=every_hours)
    elif schedule == StoreFeed.Schedule.DAILY and daily_at is not None:
        local = after.astimezone(LUXEMBOURG)
        candidate = datetime.combine(local.date(), daily_at, tzinfo=LUXEMBOURG)
        if candidate <= local:
            candidate = datetime.combine(local.date() + timedelta(days=1), daily_at, tzinfo=LUXEMBOURG)
        run = candidate.astimezone(after.tzinfo)
    else:
        return None
    if jitter:
        run += timedelta(seconds=random.uniform(0, settings.MARKETPLACE_FEED_JITTER_SECONDS))
    return run


def feed_next_run(feed: StoreFeed, *, after: datetime, jitter: bool = True) -> datetime | None:
    """The feed's next run after `after`; None when its schedule is off or it paused itself."""
    if feed.paused_at is not None:
        return None
    return next_run_after(
        schedule=feed.schedule, every_hours=feed.every_hours, daily_at=feed.daily_at, after=after, jitter=jitter
    )
