"""A feed's state (feeds.state): the word of one feed and the filter agree."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from feeds.models import StoreFeed
from feeds.state import STATES, feed_state, feeds_in_state
from tests.factories.marketplace import MarketplaceImportJobFactory
from tests.factories.stores import StoreFactory

pytestmark = pytest.mark.django_db


def make_feeds():
    now = timezone.now()
    long_ago = now - timedelta(hours=49)
    held_job = MarketplaceImportJobFactory(removal_held=True, removal="held")
    specs = {
        "off": {"schedule": "off"},
        "ok": {"schedule": "hours", "last_success_at": now},
        "failing": {"schedule": "hours", "last_success_at": now, "consecutive_failures": 2},
        "paused": {"schedule": "daily", "paused_at": now, "consecutive_failures": 5, "last_success_at": now},
        "stale": {"schedule": "hours", "last_success_at": long_ago, "consecutive_failures": 1},
        "held": {"schedule": "hours", "last_success_at": now, "last_import_job": held_job},
    }
    feeds = {}
    for name, fields in specs.items():
        feeds[name] = StoreFeed.objects.create(store=StoreFactory(), language="fr", **fields)
    return now, feeds


def test_each_feed_has_its_state_and_the_filter_finds_exactly_it():
    now, feeds = make_feeds()
    for name, feed in feeds.items():
        assert feed_state(feed, now=now, removal_held=feed.last_import_job_id is not None) == name
    for state in STATES:
        found = set(feeds_in_state(StoreFeed.objects.all(), state, now=now).values_list("id", flat=True))
        assert found == {feeds[state].id}, state


def test_a_new_schedule_is_not_stale_before_its_first_window_passed():
    now = timezone.now()
    feed = StoreFeed.objects.create(store=StoreFactory(), language="de", schedule="hours")
    assert feed_state(feed, now=now) == "ok"
    assert feed_state(feed, now=now + timedelta(hours=49)) == "stale"


def test_unknown_state_filters_to_nothing():
    now, _ = make_feeds()
    assert not feeds_in_state(StoreFeed.objects.all(), "bogus", now=now).exists()
