"""Every change a user makes to a feed's schedule (SPEC 11): the Settings page, the admin
store edit page and the feeds API all call these, so the rules hold for each."""

from __future__ import annotations

import logging
from datetime import time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from feeds.models import StoreFeed
from feeds.schedule import feed_next_run
from stores.models import Language, Store

logger = logging.getLogger(__name__)

SCHEDULE_FIELDS = ("schedule", "every_hours", "daily_at")


def feeds_for_store(*, store: Store) -> list[StoreFeed]:
    """The store's three feeds, fr, en, de, created (off) on first sight: one query when they exist."""
    feeds = {feed.language: feed for feed in StoreFeed.objects.filter(store=store).select_related("last_import_job")}
    missing = [language for language in Language.values if language not in feeds]
    if missing:
        StoreFeed.objects.bulk_create(
            [StoreFeed(store=store, language=language) for language in missing], ignore_conflicts=True
        )
        feeds = {
            feed.language: feed for feed in StoreFeed.objects.filter(store=store).select_related("last_import_job")
        }
    return [feeds[language] for language in Language.values]


def feed_for_store(*, store: Store, language: str) -> StoreFeed:
    if language not in Language.values:
        raise ValidationError(
            {"language": [gettext("Unknown language %(language)r; choose fr, en or de.") % {"language": language}]}
        )
    feed, _ = StoreFeed.objects.select_related("last_import_job").get_or_create(store=store, language=language)
    return feed


def feed_schedule_clean(*, schedule: str, every_hours: Any, daily_at: Any) -> tuple[str, int, time | None]:
    """The schedule as the model keeps it, or ValidationError naming each wrong field."""
    errors: dict[str, list[str]] = {}
    if schedule not in StoreFeed.Schedule.values:
        errors["schedule"] = [
            gettext("Unknown schedule %(schedule)r; choose off, hours or daily.") % {"schedule": schedule}
        ]
    hours = 24
    if every_hours not in (None, ""):
        try:
            hours = int(every_hours)
        except (TypeError, ValueError):
            hours = 0
        if not 1 <= hours <= 24 or isinstance(every_hours, bool):
            errors["every_hours"] = [gettext("Give a whole number of hours from 1 to 24.")]
    if daily_at in ("",):
        daily_at = None
    if isinstance(daily_at, str):
        try:
            daily_at = time.fromisoformat(daily_at)
        except ValueError:
            errors["daily_at"] = [gettext("Give a time as HH:MM, for example 06:30.")]
            daily_at = None
    elif daily_at is not None and not isinstance(daily_at, time):
        errors["daily_at"] = [gettext("Give a time as HH:MM, for example 06:30.")]
        daily_at = None
    if schedule == StoreFeed.Schedule.DAILY and daily_at is None and "daily_at" not in errors:
        errors["daily_at"] = [gettext("A daily schedule needs a time (HH:MM, Luxembourg time).")]
    if errors:
        raise ValidationError(errors)
    if isinstance(daily_at, time):
        daily_at = daily_at.replace(second=0, microsecond=0, tzinfo=None)
    return schedule, hours, daily_at


def feed_update(*, store: Store, language: str, url: str | None = None, **changes: Any) -> StoreFeed:
    """Change a feed's address and/or schedule; return the feed with its next run.

    Saving a schedule resumes a feed that paused itself (the owner has seen to it) and
    counts its failures from zero. A schedule that is on needs the feed's address.
    """
    from marketplace.services import feed_url_clean  # marketplace imports feeds' models, not the reverse

    unknown = set(changes) - set(SCHEDULE_FIELDS)
    if unknown:
        raise ValidationError({name: [gettext("Unknown field.")] for name in sorted(unknown)})
    feed = feed_for_store(store=store, language=language)
    errors: dict[str, list[str]] = {}
    new_url = store.feed_url(language)
    if url is not None:
        if url == "":
            new_url = ""
        else:
            try:
                new_url = feed_url_clean(url)
            except ValidationError as exc:
                errors["url"] = exc.messages
    try:
        schedule, every_hours, daily_at = feed_schedule_clean(
            schedule=changes.get("schedule", feed.schedule),
            every_hours=changes.get("every_hours", feed.every_hours),
            daily_at=changes.get("daily_at", feed.daily_at),
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
        schedule, every_hours, daily_at = feed.schedule, feed.every_hours, feed.daily_at
    if not errors and schedule != StoreFeed.Schedule.OFF and not new_url:
        errors["url"] = [gettext("Set this language's feed address before scheduling it.")]
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    with transaction.atomic():
        if url is not None and new_url != store.feed_url(language):
            setattr(store, f"letzshop_csv_url_{language}", new_url)
            store.save(update_fields=[f"letzshop_csv_url_{language}", "updated_at"])
            # Another feed: what the old one answered says nothing about it.
            feed.etag = feed.last_modified = feed.content_sha256 = ""
        schedule_changed = (schedule, every_hours, daily_at) != (feed.schedule, feed.every_hours, feed.daily_at)
        feed.schedule, feed.every_hours, feed.daily_at = schedule, every_hours, daily_at
        if schedule_changed or "schedule" in changes:
            feed.paused_at = None
            feed.consecutive_failures = 0
        if schedule_changed or feed.next_run_at is None or url is not None:
            # No jitter on a schedule the owner just set: the page shows the time they chose.
            feed.next_run_at = feed_next_run(feed, after=now, jitter=False)
        feed.save()
    logger.info(
        "Feed %s/%s: schedule %s, every %sh, daily at %s, next run %s",
        store.code,
        language,
        feed.schedule,
        feed.every_hours,
        feed.daily_at,
        feed.next_run_at,
    )
    return feed
