"""django-q2 entry points of the feed sync: turn an id into a service call, nothing more."""

from __future__ import annotations


def dispatch_due_feeds() -> int:
    # Imported here, not at module level: django-q2 loads this module by dotted path.
    from feeds.dispatch import feeds_dispatch_due

    return feeds_dispatch_due()


def check_feed(feed_id: int) -> str:
    from feeds.sync import feed_check

    return feed_check(feed_id=feed_id).result
