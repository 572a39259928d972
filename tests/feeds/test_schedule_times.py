"""When a feed runs next (feeds.schedule): hours, daily Luxembourg time across DST, jitter, off and paused."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from feeds.models import StoreFeed
from feeds.schedule import LUXEMBOURG, feed_next_run, next_run_after


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_every_n_hours_counts_from_the_given_moment():
    after = utc(2026, 12, 3, 10, 17)
    assert next_run_after(schedule="hours", every_hours=6, daily_at=None, after=after, jitter=False) == utc(
        2026, 12, 3, 16, 17
    )


def test_daily_later_today_in_luxembourg_time():
    # 08:00 UTC is 09:00 in Luxembourg in winter (CET): 10:30 local is still ahead today.
    run = next_run_after(
        schedule="daily", every_hours=24, daily_at=time(10, 30), after=utc(2026, 12, 3, 8), jitter=False
    )
    assert run == utc(2026, 12, 3, 9, 30)
    assert run.astimezone(LUXEMBOURG).time() == time(10, 30)


def test_daily_time_already_past_runs_tomorrow():
    run = next_run_after(schedule="daily", every_hours=24, daily_at=time(6, 0), after=utc(2026, 12, 3, 8), jitter=False)
    assert run == utc(2026, 12, 4, 5, 0)


def test_daily_keeps_local_time_over_the_summer_time_change():
    # Clocks go forward on 29 March 2026: 06:00 local is 05:00 UTC before, 04:00 UTC after.
    before = next_run_after(schedule="daily", every_hours=24, daily_at=time(6), after=utc(2026, 3, 28, 6), jitter=False)
    assert before == utc(2026, 3, 29, 4, 0)
    assert before.astimezone(LUXEMBOURG).hour == 6


def test_exactly_at_the_time_runs_the_next_day():
    at = datetime(2026, 12, 3, 6, 0, tzinfo=LUXEMBOURG)
    run = next_run_after(schedule="daily", every_hours=24, daily_at=time(6), after=at, jitter=False)
    assert run.astimezone(LUXEMBOURG) == datetime(2026, 12, 4, 6, 0, tzinfo=LUXEMBOURG)


def test_jitter_stays_within_the_setting(settings):
    settings.MARKETPLACE_FEED_JITTER_SECONDS = 30
    after = utc(2026, 12, 3, 10)
    runs = {next_run_after(schedule="hours", every_hours=1, daily_at=None, after=after) for _ in range(50)}
    assert all(utc(2026, 12, 3, 11) <= run <= utc(2026, 12, 3, 11) + timedelta(seconds=30) for run in runs)
    assert len(runs) > 1  # spread, not one instant


@pytest.mark.parametrize(("schedule", "daily_at"), [("off", None), ("daily", None)])
def test_no_run_when_off_or_without_a_time(schedule, daily_at):
    assert next_run_after(schedule=schedule, every_hours=3, daily_at=daily_at, after=utc(2026, 12, 3)) is None


def test_a_paused_feed_has_no_next_run():
    feed = StoreFeed(schedule="hours", every_hours=2, paused_at=utc(2026, 12, 3))
    assert feed_next_run(feed, after=utc(2026, 12, 3, 1)) is None
    feed.paused_at = None
    assert feed_next_run(feed, after=utc(2026, 12, 3, 1), jitter=False) == utc(2026, 12, 3, 3)
