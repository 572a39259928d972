"""feeds.services.feed_update: the one way a schedule or a feed address changes."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from feeds.models import StoreFeed
from feeds.schedule import LUXEMBOURG
from feeds.services import feed_update, feeds_for_store

pytestmark = pytest.mark.django_db


def test_the_three_feeds_exist_off_on_first_sight(store, django_assert_num_queries):
    feeds = feeds_for_store(store=store)
    assert [(f.language, f.schedule, f.next_run_at) for f in feeds] == [
        ("fr", "off", None),
        ("en", "off", None),
        ("de", "off", None),
    ]
    with django_assert_num_queries(1):
        feeds_for_store(store=store)


def test_daily_schedule_gets_its_next_run_in_luxembourg_time(store):
    store.letzshop_csv_url_fr = "https://feeds.example.lu/fr.csv"
    store.save()
    feed = feed_update(store=store, language="fr", schedule="daily", daily_at="06:30")
    assert feed.schedule == "daily" and feed.daily_at == time(6, 30)
    local = feed.next_run_at.astimezone(LUXEMBOURG)
    assert (local.hour, local.minute) == (6, 30)
    assert timezone.now() < feed.next_run_at <= timezone.now() + timedelta(days=1)


def test_url_is_validated_normalized_and_saved_on_the_store(store):
    feed = feed_update(
        store=store, language="de", url="HTTPS://Feeds.Example.lu/de.csv", schedule="hours", every_hours=3
    )
    store.refresh_from_db()
    assert store.letzshop_csv_url_de == "https://feeds.example.lu/de.csv"
    assert feed.every_hours == 3 and feed.next_run_at is not None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"schedule": "weekly"}, "schedule"),
        ({"schedule": "hours", "every_hours": 0}, "every_hours"),
        ({"schedule": "hours", "every_hours": "25"}, "every_hours"),
        ({"schedule": "hours", "every_hours": "six"}, "every_hours"),
        ({"schedule": "daily"}, "daily_at"),
        ({"schedule": "daily", "daily_at": "25:00"}, "daily_at"),
        ({"url": "ftp://feeds.example.lu/x.csv"}, "url"),
        ({"schedule": "hours", "url": ""}, "url"),  # a schedule without an address
        ({"colour": "red"}, "colour"),
    ],
)
def test_each_mistake_names_its_field_and_changes_nothing(store, changes, field):
    with pytest.raises(ValidationError) as caught:
        feed_update(store=store, language="en", **changes)
    assert field in caught.value.message_dict
    assert not StoreFeed.objects.filter(store=store, language="en").exclude(schedule="off").exists()
    store.refresh_from_db()
    assert store.letzshop_csv_url_en == ""


def test_saving_the_schedule_resumes_a_paused_feed(store):
    store.letzshop_csv_url_en = "https://feeds.example.lu/en.csv"
    store.save()
    StoreFeed.objects.create(
        store=store, language="en", schedule="hours", every_hours=2, paused_at=timezone.now(), consecutive_failures=5
    )
    feed = feed_update(store=store, language="en", schedule="hours", every_hours=2)
    assert feed.paused_at is None and feed.consecutive_failures == 0 and feed.next_run_at is not None


def test_turning_off_clears_the_next_run(store):
    store.letzshop_csv_url_fr = "https://feeds.example.lu/fr.csv"
    store.save()
    feed_update(store=store, language="fr", schedule="hours", every_hours=1)
    feed = feed_update(store=store, language="fr", schedule="off")
    assert feed.next_run_at is None


def test_unknown_language_is_refused(store):
    with pytest.raises(ValidationError) as caught:
        feed_update(store=store, language="lb", schedule="off")
    assert "language" in caught.value.message_dict
