from __future__ import annotations

import pytest
from django.utils import timezone

from feeds.models import StoreFeed
from feeds.services import feed_update
from feeds.signals import feed_paused
from tests.notifications.smtpserver import html_part, text_part

pytestmark = pytest.mark.django_db


def paused_feed(store, language="en") -> StoreFeed:
    """A scheduled feed that failed five times in a row and paused itself, as the feed sync leaves it."""
    feed = feed_update(
        store=store, language=language, url="https://feeds.example.lu/en.csv", schedule="hours", every_hours=6
    )
    StoreFeed.objects.filter(pk=feed.pk).update(
        consecutive_failures=5,
        paused_at=timezone.now(),
        next_run_at=None,
        last_checked_at=timezone.now(),
        last_check_result=StoreFeed.CheckResult.FAILED,
        last_check_message="The server answered 503 Service Unavailable.",
    )
    feed.refresh_from_db()
    return feed


def test_a_feed_that_paused_itself_emails_once_with_the_settings_link(store, owner, manager, staff_member, smtp_server):
    feed = paused_feed(store)

    feed_paused.send(sender=StoreFeed, feed=feed)

    assert sorted(smtp_server.recipients) == [["alice@example.lu"], ["mia@example.lu"]]
    message = smtp_server.messages[0]
    assert message["Subject"] == "[Alpha Store] The English feed paused itself"
    text = text_part(message)
    assert "failed 5 times in a row" in text
    assert "https://feeds.example.lu/en.csv" in text
    assert "The server answered 503 Service Unavailable." in text
    assert "https://shop.example.lu/store/alpha/settings" in text
    assert 'href="https://shop.example.lu/store/alpha/settings"' in html_part(message)


def test_the_opt_out_of_this_kind_is_respected(store, owner, manager, smtp_server):
    owner.notify_feed_paused = False
    owner.save()

    feed_paused.send(sender=StoreFeed, feed=paused_feed(store))

    assert smtp_server.recipients == [["mia@example.lu"]]


def test_a_feed_resumed_before_the_email_left_sends_nothing(store, owner, smtp_server):
    feed = paused_feed(store)
    feed_update(store=store, language="en", schedule="hours", every_hours=6)

    feed_paused.send(sender=StoreFeed, feed=feed)

    assert smtp_server.recipients == []


def test_a_second_pause_of_the_same_feed_within_the_hour_is_folded(store, owner, smtp_server):
    feed = paused_feed(store)
    feed_paused.send(sender=StoreFeed, feed=feed)
    feed_paused.send(sender=StoreFeed, feed=feed)
    feed_paused.send(sender=StoreFeed, feed=paused_feed(store, language="de"))

    assert [m["Subject"] for m in smtp_server.messages] == [
        "[Alpha Store] The English feed paused itself",
        "[Alpha Store] The German feed paused itself",
    ]
