"""A check of a store's configured feed (issue 18) leaves the feed's state alone: its
validators still lead the next sync to a full download and import, and a failed check
is no failure of the feed."""

from __future__ import annotations

import pytest

from feeds.models import StoreFeed
from feeds.services import feed_update
from marketplace.models import MarketplaceImportJob
from marketplace.services import import_job_create

pytestmark = pytest.mark.django_db


def _check(store, url, capture) -> MarketplaceImportJob:
    with capture(execute=True):
        job = import_job_create(store=store, user=None, source_url=url, language="en", dry_run=True)
    job.refresh_from_db()
    return job


def test_a_completed_check_of_the_configured_feed_records_nothing_on_it(
    store, feed_endpoint, django_capture_on_commit_callbacks
):
    endpoint = feed_endpoint()
    feed = feed_update(store=store, language="en", url=endpoint.url, schedule="hours", every_hours=1)

    job = _check(store, endpoint.url, django_capture_on_commit_callbacks)

    assert (job.status, job.dry_run, job.is_full_feed, job.imported_count) == ("completed", True, True, 2)
    feed.refresh_from_db()
    assert (feed.last_import_job_id, feed.etag, feed.last_modified, feed.content_sha256) == (None, "", "", "")
    assert feed.last_success_at is None


def test_a_failed_check_is_no_failure_of_the_feed(store, feed_endpoint, django_capture_on_commit_callbacks):
    endpoint = feed_endpoint()
    endpoint.status = 500
    feed = feed_update(store=store, language="en", url=endpoint.url, schedule="hours", every_hours=1)

    job = _check(store, endpoint.url, django_capture_on_commit_callbacks)

    assert job.status == "failed"
    feed = StoreFeed.objects.get(pk=feed.pk)
    assert (feed.consecutive_failures, feed.last_import_job_id, feed.last_check_result) == (0, None, "")
