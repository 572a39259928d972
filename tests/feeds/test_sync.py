"""The feed check (conditional GET, hash, import) and what an import's end records, with
tasks run inline and the feeds served by a real loopback server."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from feeds.models import StoreFeed
from feeds.services import feed_update
from feeds.signals import feed_paused
from feeds.sync import FeedFetchFailed, feed_check, feed_fetch_now
from marketplace.models import MarketplaceImportJob
from marketplace.services import ImportAlreadyRunning
from tests.factories.marketplace import MarketplaceImportJobFactory
from tests.feeds.conftest import CHANGED_BODY

pytestmark = pytest.mark.django_db

Status = MarketplaceImportJob.Status


@pytest.fixture
def scheduled(store):
    def make(endpoint, *, language="en"):
        return feed_update(store=store, language=language, url=endpoint.url, schedule="hours", every_hours=1)

    return make


def _run(feed, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return feed_check(feed_id=feed.pk, trigger=kwargs.get("trigger", MarketplaceImportJob.Trigger.FETCH_NOW))


def test_a_changed_feed_is_imported_and_keeps_its_validators_once_completed(
    store, feed_endpoint, scheduled, django_capture_on_commit_callbacks
):
    endpoint = feed_endpoint()
    feed = scheduled(endpoint)

    outcome = _run(feed, django_capture_on_commit_callbacks)

    assert outcome.result == "imported"
    job = MarketplaceImportJob.objects.get()
    assert job.status == Status.COMPLETED
    assert job.is_full_feed and job.trigger == MarketplaceImportJob.Trigger.FETCH_NOW
    assert (job.feed_etag, len(job.source_sha256)) == ('"v1"', 64)
    feed.refresh_from_db()
    assert feed.last_import_job_id == job.pk
    assert (feed.etag, feed.content_sha256) == ('"v1"', job.source_sha256)
    assert feed.last_modified == "Wed, 02 Dec 2026 10:00:00 GMT"
    assert feed.last_success_at is not None and feed.consecutive_failures == 0
    assert len(endpoint.requests()) == 1  # the worker did not download it again
    assert "if-none-match" not in endpoint.requests()[0].headers


def test_a_304_creates_no_job_and_says_since_which_import(
    store, feed_endpoint, scheduled, django_capture_on_commit_callbacks
):
    endpoint = feed_endpoint()
    feed = scheduled(endpoint)
    _run(feed, django_capture_on_commit_callbacks)
    job = MarketplaceImportJob.objects.get()

    outcome = _run(feed, django_capture_on_commit_callbacks)

    assert outcome.result == "unchanged"
    assert MarketplaceImportJob.objects.count() == 1
    assert endpoint.not_modified == 1
    second = endpoint.requests()[1]
    assert second.headers["if-none-match"] == '"v1"'
    assert second.headers["if-modified-since"] == "Wed, 02 Dec 2026 10:00:00 GMT"
    feed.refresh_from_db()
    assert feed.last_check_result == "unchanged"
    assert feed.last_check_message == f"Unchanged since import #{job.pk}"


def test_an_identical_body_without_conditional_support_creates_no_job(
    store, feed_endpoint, scheduled, django_capture_on_commit_callbacks
):
    endpoint = feed_endpoint(conditional=False)
    feed = scheduled(endpoint)
    _run(feed, django_capture_on_commit_callbacks)

    outcome = _run(feed, django_capture_on_commit_callbacks)

    assert outcome.result == "unchanged"
    assert MarketplaceImportJob.objects.count() == 1
    assert len(endpoint.requests()) == 2
    assert list(Path(settings.MARKETPLACE_DOWNLOAD_DIR).iterdir()) == []  # the second body was deleted


def test_a_changed_body_without_conditional_support_is_imported(
    store, feed_endpoint, scheduled, django_capture_on_commit_callbacks
):
    endpoint = feed_endpoint(conditional=False)
    feed = scheduled(endpoint)
    _run(feed, django_capture_on_commit_callbacks)
    endpoint.change(CHANGED_BODY)

    outcome = _run(feed, django_capture_on_commit_callbacks)

    assert outcome.result == "imported"
    assert MarketplaceImportJob.objects.count() == 2
    assert outcome.job.imported_count == 0  # counters are read from the refreshed job below
    outcome.job.refresh_from_db()
    assert outcome.job.imported_count == 1 and outcome.job.unchanged_count == 2


def test_a_failed_import_keeps_the_old_validators_so_the_next_check_downloads_in_full(
    store, feed_endpoint, scheduled, django_capture_on_commit_callbacks
):
    endpoint = feed_endpoint()
    feed = scheduled(endpoint)
    _run(feed, django_capture_on_commit_callbacks)
    endpoint.change(b"no,useful,columns\n1,2,3\n")

    outcome = _run(feed, django_capture_on_commit_callbacks)

    outcome.job.refresh_from_db()
    assert outcome.job.status == Status.FAILED
    feed.refresh_from_db()
    assert feed.etag == '"v1"'
    assert feed.consecutive_failures == 1
    assert feed.last_check_result == "failed"
    assert feed.last_check_message.startswith(f"Import #{outcome.job.pk} failed: ")


def test_five_failures_in_a_row_pause_the_schedule_and_say_so_once(
    store, feed_endpoint, scheduled, django_capture_on_commit_callbacks
):
    endpoint = feed_endpoint()
    endpoint.status = 500
    feed = scheduled(endpoint)
    paused = []

    def listener(sender, feed, **kwargs):
        paused.append(feed.pk)

    feed_paused.connect(listener)
    try:
        for _ in range(7):
            outcome = _run(feed, django_capture_on_commit_callbacks)
    finally:
        feed_paused.disconnect(listener)

    assert outcome.result == "failed"
    assert "500" in outcome.message
    feed.refresh_from_db()
    assert feed.consecutive_failures == 7
    assert feed.paused_at is not None and feed.next_run_at is None
    assert paused == [feed.pk]
    assert MarketplaceImportJob.objects.count() == 0


def test_a_successful_fetch_now_resumes_a_paused_feed(
    store, owner, feed_endpoint, scheduled, django_capture_on_commit_callbacks
):
    endpoint = feed_endpoint()
    feed = scheduled(endpoint)
    StoreFeed.objects.filter(id=feed.pk).update(paused_at=timezone.now(), next_run_at=None, consecutive_failures=5)

    with django_capture_on_commit_callbacks(execute=True):
        result = feed_fetch_now(store=store, language="en", user=owner)

    assert result.result == "started" and result.job.user == owner
    feed.refresh_from_db()
    assert feed.paused_at is None and feed.next_run_at is not None and feed.consecutive_failures == 0


def test_fetch_now_answers_unchanged_without_a_job(
    store, owner, feed_endpoint, scheduled, django_capture_on_commit_callbacks
):
    endpoint = feed_endpoint()
    scheduled(endpoint)
    with django_capture_on_commit_callbacks(execute=True):
        feed_fetch_now(store=store, language="en", user=owner)

    result = feed_fetch_now(store=store, language="en", user=owner)

    assert (result.job, result.result) == (None, "unchanged")
    assert result.checked_at is not None


def test_fetch_now_refuses_a_language_without_address(store, owner):
    with pytest.raises(ValidationError) as raised:
        feed_fetch_now(store=store, language="de", user=owner)
    assert "url" in raised.value.message_dict


def test_fetch_now_is_409_while_an_import_of_the_language_runs(store, owner, feed_endpoint, scheduled):
    endpoint = feed_endpoint()
    scheduled(endpoint)
    running = MarketplaceImportJobFactory(store=store, language="en", status=Status.PROCESSING)

    with pytest.raises(ImportAlreadyRunning) as raised:
        feed_fetch_now(store=store, language="en", user=owner)

    assert raised.value.job == running
    assert endpoint.requests() == []


def test_fetch_now_reports_a_download_failure(store, owner, feed_endpoint, scheduled):
    endpoint = feed_endpoint()
    endpoint.status = 404
    feed = scheduled(endpoint)

    with pytest.raises(FeedFetchFailed) as raised:
        feed_fetch_now(store=store, language="en", user=owner)

    assert "404" in raised.value.message
    feed.refresh_from_db()
    assert (feed.last_check_result, feed.consecutive_failures) == ("failed", 1)


def test_a_scheduled_check_during_an_import_of_the_language_is_not_a_failure(store, feed_endpoint, scheduled):
    endpoint = feed_endpoint()
    feed = scheduled(endpoint)
    running = MarketplaceImportJobFactory(store=store, language="en", status=Status.PENDING)
    StoreFeed.objects.filter(id=feed.pk).update(claimed_at=timezone.now())

    outcome = feed_check(feed_id=feed.pk)

    assert outcome.result == "busy"
    feed.refresh_from_db()
    assert feed.consecutive_failures == 0
    assert feed.last_check_message == f"Not fetched: import #{running.pk} was still pending"
    assert endpoint.requests() == []


def test_an_inactive_store_is_not_fetched(store, feed_endpoint, scheduled):
    endpoint = feed_endpoint()
    feed = scheduled(endpoint)
    store.is_active = False
    store.save()
    StoreFeed.objects.filter(id=feed.pk).update(claimed_at=timezone.now())

    assert feed_check(feed_id=feed.pk).result == "skipped"
    assert endpoint.requests() == []


def test_a_redelivered_task_of_one_claim_fetches_once(
    store, feed_endpoint, scheduled, django_capture_on_commit_callbacks
):
    endpoint = feed_endpoint()
    feed = scheduled(endpoint)
    StoreFeed.objects.filter(id=feed.pk).update(claimed_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        first = feed_check(feed_id=feed.pk)
    second = feed_check(feed_id=feed.pk)

    assert (first.result, second.result) == ("imported", "skipped")
    assert len(endpoint.requests()) == 1


def test_a_manual_quick_fill_import_of_the_feed_url_is_recorded_on_the_feed(
    store, owner, feed_endpoint, scheduled, django_capture_on_commit_callbacks
):
    from marketplace.services import import_job_create

    endpoint = feed_endpoint()
    feed = scheduled(endpoint)
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(store=store, user=owner, source_url=endpoint.url, language="en")

    feed.refresh_from_db()
    assert feed.last_import_job_id == job.pk
    assert feed.last_success_at is not None


def test_a_partial_manual_import_of_another_url_is_not_the_feeds(
    store, owner, feed_endpoint, scheduled, django_capture_on_commit_callbacks, feed_server
):
    from marketplace.services import import_job_create

    endpoint = feed_endpoint()
    other = feed_endpoint(path="/partial.csv")
    feed = scheduled(endpoint)
    with django_capture_on_commit_callbacks(execute=True):
        import_job_create(store=store, user=owner, source_url=other.url, language="en")

    feed.refresh_from_db()
    assert feed.last_import_job_id is None
