"""The three feeds of a store saved together, as the Settings page and the admin store edit
page send them (SPEC 11). Each feed goes through feeds.services.feed_update, so the
rules are the API's."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from feeds.models import StoreFeed
from feeds.services import feed_schedule_clean, feed_update, feeds_for_store
from stores.models import Store

SCHEDULE_INPUTS = ("schedule", "every_hours", "daily_at")


def store_feeds_update(*, store: Store, changes: dict[str, dict[str, Any]]) -> tuple[list[StoreFeed], bool]:
    """Save what a page sent for each language (`url`, `schedule`, `every_hours`,
    `daily_at`, each optional); return the three feeds and whether anything was written.

    All or nothing: a mistake in one language saves no other, and the ValidationError
    names each field as "<language>-<field>" ("fr-daily_at"), the way the pages prefix
    their inputs. Only what differs from the saved feed is passed on, so saving the page
    does not push a running schedule's next run back, nor count its failures from zero.
    A feed that paused itself is the exception: saving its schedule, even unchanged, is
    how the owner resumes it.
    """
    errors: dict[str, list[str]] = {}
    written = False
    with transaction.atomic():
        feeds = {feed.language: feed for feed in feeds_for_store(store=store)}
        for language, data in changes.items():
            feed = feeds[language]
            update = _feed_changes(store=store, feed=feed, data=data)
            if not update:
                continue
            try:
                feeds[language] = feed_update(store=store, language=language, **update)
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    errors[f"{language}-{field}"] = messages
            else:
                written = True
        if errors:
            # Undo the languages that were fine: the page shows the form again, as sent.
            transaction.set_rollback(True)
    if errors:
        store.refresh_from_db()
        raise ValidationError(errors)
    return list(feeds.values()), written


def _feed_changes(*, store: Store, feed: StoreFeed, data: dict[str, Any]) -> dict[str, Any]:
    update: dict[str, Any] = {}
    url = data.get("url")
    if url is not None and url.strip() != store.feed_url(feed.language):
        update["url"] = url.strip()
    if data.get("schedule") is None:
        return update
    schedule = data["schedule"]
    # The page sends every input; the ones the chosen schedule does not use keep their
    # saved value (a time typed and then switched away from is not an error).
    every_hours = data.get("every_hours", feed.every_hours) if schedule == StoreFeed.Schedule.HOURS else None
    daily_at = data.get("daily_at", feed.daily_at) if schedule == StoreFeed.Schedule.DAILY else None
    sent = {
        "schedule": schedule,
        "every_hours": feed.every_hours if every_hours is None else every_hours,
        "daily_at": feed.daily_at if daily_at is None else daily_at,
    }
    try:
        cleaned = feed_schedule_clean(**sent)
    except ValidationError:
        return {**update, **sent}  # feed_update reports it beside the field
    if cleaned != (feed.schedule, feed.every_hours, feed.daily_at) or feed.paused_at is not None or update:
        update.update(zip(SCHEDULE_INPUTS, cleaned, strict=True))
    return update
