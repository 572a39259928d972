"""The feed sync with a real django-q2 cluster and its scheduler running (SPEC 11): the
dispatcher's schedule (created at cluster start) claims the due feeds and the workers
check them; the feed server counts every request it saw."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import Schedule

from feeds.dispatch import feeds_dispatch_due
from feeds.models import StoreFeed
from feeds.services import feed_update
from marketplace.models import MarketplaceImportJob
from tests.feeds.conftest import CHANGED_BODY
from tests.worker import running_qcluster, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
Status = MarketplaceImportJob.Status
FINISHED = (Status.COMPLETED, Status.COMPLETED_WITH_ERRORS, Status.FAILED, Status.CANCELLED)
# The cluster calls its scheduler every 30 s, the first time 30 s after it started.
SCHEDULER_WAIT = 120


def _make_due(*feeds: StoreFeed) -> None:
    """The feeds due now, and the dispatcher's schedule too (it runs once a minute; the
    cluster's scheduler looks every 30 s)."""
    now = timezone.now()
    StoreFeed.objects.filter(pk__in=[feed.pk for feed in feeds]).update(next_run_at=now - timedelta(seconds=1))
    Schedule.objects.filter(name="dispatch-due-feeds").update(next_run=now - timedelta(seconds=1))


def _checked(feed: StoreFeed, *, after) -> StoreFeed | None:
    feed = StoreFeed.objects.get(pk=feed.pk)
    if feed.last_checked_at is None or feed.last_checked_at <= after or not feed.last_check_result:
        return None
    job = feed.last_import_job
    if feed.last_check_result == "imported" and (job is None or job.status not in FINISHED):
        return None
    return feed


def _round(*feeds: StoreFeed, endpoints, expected_requests: int):
    before = timezone.now()
    _make_due(*feeds)
    checked = [
        wait_for(lambda feed=feed: _checked(feed, after=before), timeout=SCHEDULER_WAIT, what=f"feed {feed.language}")
        for feed in feeds
    ]
    wait_for(
        lambda: sum(len(e.requests()) for e in endpoints) >= expected_requests,
        timeout=10,
        what="the requests",
    )
    return checked


def test_the_scheduler_fetches_a_due_feed_once_and_a_304_or_the_same_body_creates_no_job(
    store, feed_endpoint, tmp_path, monkeypatch
):
    monkeypatch.setattr("django_q.conf.Conf.SYNC", False)
    conditional = feed_endpoint(path="/en.csv")
    plain = feed_endpoint(path="/fr.csv", conditional=False)
    en = feed_update(store=store, language="en", url=conditional.url, schedule="hours", every_hours=6)
    fr = feed_update(store=store, language="fr", url=plain.url, schedule="daily", daily_at="06:00")
    StoreFeed.objects.filter(pk__in=[en.pk, fr.pk]).update(next_run_at=timezone.now() + timedelta(days=1))

    with running_qcluster(log_path=tmp_path / "qcluster.log"):
        # 1. Both feeds are new: each fetched once, each imported once.
        en1, fr1 = _round(en, fr, endpoints=[conditional, plain], expected_requests=2)
        assert (en1.last_check_result, fr1.last_check_result) == ("imported", "imported")
        assert MarketplaceImportJob.objects.filter(status=Status.COMPLETED).count() == 2
        assert en1.next_run_at > timezone.now() + timedelta(hours=5)

        # 2. Unchanged: a 304 for one, the same body (hash) for the other; no job.
        en2, fr2 = _round(en, fr, endpoints=[conditional, plain], expected_requests=4)
        assert (en2.last_check_result, fr2.last_check_result) == ("unchanged", "unchanged")
        assert en2.last_check_message == f"Unchanged since import #{en1.last_import_job_id}"
        assert conditional.not_modified == 1
        assert MarketplaceImportJob.objects.count() == 2

        # 3. The body without conditional support changed: one import, of that feed.
        plain.change(CHANGED_BODY)
        (fr3,) = _round(fr, endpoints=[conditional, plain], expected_requests=5)
        assert fr3.last_check_result == "imported"
        assert fr3.last_import_job.status == Status.COMPLETED
        assert fr3.last_import_job.trigger == MarketplaceImportJob.Trigger.SCHEDULED
        assert fr3.last_import_job.imported_count == 1

    # Every due feed ran exactly once per round: no duplicate request, no duplicate job.
    assert (len(conditional.requests()), len(plain.requests())) == (2, 3)
    assert MarketplaceImportJob.objects.count() == 3


def test_five_failures_in_a_row_pause_the_schedule_and_feed_paused_is_sent_once(
    store, feed_endpoint, tmp_path, monkeypatch, settings
):
    monkeypatch.setattr("django_q.conf.Conf.SYNC", False)
    broken = feed_endpoint()
    broken.status = 502
    feed = feed_update(store=store, language="de", url=broken.url, schedule="hours", every_hours=1)
    with running_qcluster(log_path=tmp_path / "qcluster.log"):
        for attempt in range(1, settings.MARKETPLACE_FEED_PAUSE_AFTER + 2):
            StoreFeed.objects.filter(pk=feed.pk, paused_at__isnull=True).update(
                next_run_at=timezone.now() - timedelta(seconds=1)
            )
            # The dispatcher runs here (the worker's scheduler would do the same a few
            # seconds later); the worker runs the checks.
            feeds_dispatch_due()
            if attempt <= settings.MARKETPLACE_FEED_PAUSE_AFTER:
                wait_for(
                    lambda attempt=attempt: StoreFeed.objects.get(pk=feed.pk).consecutive_failures >= attempt,
                    timeout=60,
                    what=f"failure {attempt}",
                )

    feed.refresh_from_db()
    assert feed.consecutive_failures == settings.MARKETPLACE_FEED_PAUSE_AFTER
    assert feed.paused_at is not None and feed.next_run_at is None
    assert feed.last_check_result == "failed" and "502" in feed.last_check_message
    # The sixth dispatch found nothing due: a paused feed is not fetched.
    assert len(broken.requests()) == settings.MARKETPLACE_FEED_PAUSE_AFTER
    assert MarketplaceImportJob.objects.count() == 0
