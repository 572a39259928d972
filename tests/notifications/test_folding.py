from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from marketplace.models import MarketplaceImportJob
from marketplace.signals import import_finished
from notifications.models import Notification
from notifications.services import Fold, notification_claim
from tests.factories.marketplace import MarketplaceImportJobFactory
from tests.notifications.smtpserver import html_part, text_part

Status = MarketplaceImportJob.Status


def fail(store, user, language="fr") -> MarketplaceImportJob:
    """A job that ended failed, announced as the import engine announces it."""
    job = MarketplaceImportJobFactory(
        store=store, user=user, language=language, status=Status.FAILED, error_message="The server answered 500."
    )
    import_finished.send(sender=MarketplaceImportJob, job_id=job.pk)
    return job


@pytest.mark.django_db
def test_repeats_within_the_hour_are_folded_and_the_next_email_counts_them(store, owner, smtp_server):
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        fail(store, owner)
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        fail(store, owner)
    with time_machine.travel(start + timedelta(minutes=59), tick=False):
        fail(store, owner)

    assert len(smtp_server.messages) == 1
    assert "more like this" not in text_part(smtp_server.messages[0])
    row = Notification.objects.get(store=store, kind="import_failed", key="fr")
    assert (row.sent_at, row.folded_count) == (start, 2)

    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        third = fail(store, owner)

    assert len(smtp_server.messages) == 2
    latest = smtp_server.messages[1]
    assert latest["Subject"] == f"[Alpha Store] Import #{third.pk} failed"
    since = timezone.localtime(start).strftime("%Y")
    assert "And 2 more like this since " in text_part(latest) and since in text_part(latest)
    assert "And 2 more like this since " in html_part(latest)
    row.refresh_from_db()
    assert (row.folded_count, row.reported_folded_count, row.reported_since) == (0, 2, start)


@pytest.mark.django_db
def test_other_feeds_other_kinds_and_other_stores_are_not_folded_together(
    store, other_store, owner, outsider, smtp_server
):
    fail(store, owner, language="fr")
    fail(store, owner, language="de")
    fail(other_store, outsider, language="fr")
    fail(store, owner, language="fr")

    assert sorted(m["Subject"].split(" Import")[0] for m in smtp_server.messages) == [
        "[Alpha Store]",
        "[Alpha Store]",
        "[Bravo Store]",
    ]
    assert smtp_server.recipients.count(["alice@example.lu"]) == 2


@pytest.mark.django_db
def test_an_event_nobody_is_to_receive_uses_no_fold(store, owner, smtp_server):
    owner.notify_import_failed = False
    owner.save()
    fail(store, owner)
    owner.notify_import_failed = True
    owner.save()
    fail(store, owner)

    assert smtp_server.recipients == [["alice@example.lu"]]


@pytest.mark.django_db
def test_a_claim_reports_the_fold_of_the_row_as_it_was(store):
    start = timezone.now()
    assert notification_claim(store_id=store.pk, kind="feed_paused", key="en", now=start) == Fold()
    assert notification_claim(store_id=store.pk, kind="feed_paused", key="en", now=start + timedelta(minutes=1)) is None
    assert notification_claim(store_id=store.pk, kind="feed_paused", key="en", now=start + timedelta(minutes=2)) is None

    later = start + timedelta(hours=1)
    assert notification_claim(store_id=store.pk, kind="feed_paused", key="en", now=later) == Fold(count=2, since=start)
    assert notification_claim(store_id=store.pk, kind="feed_paused", key="en", now=later + timedelta(hours=2)) == Fold(
        count=0, since=later
    )


@pytest.mark.django_db(transaction=True)
def test_workers_claiming_the_same_event_at_once_send_one_email(store):
    """Eight threads, eight database connections, one first-ever event: one claim wins."""
    now = timezone.now()
    barrier = threading.Barrier(8)
    results: list[Fold | None] = []
    lock = threading.Lock()

    def claim() -> None:
        try:
            barrier.wait()
            result = notification_claim(store_id=store.pk, kind="import_failed", key="fr", now=now)
            with lock:
                results.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 8
    assert [r for r in results if r is not None] == [Fold()]
    assert Notification.objects.get(store=store).folded_count == 7

    # The same race once the window has passed: the conditional UPDATE lets one through.
    later = now + timedelta(hours=2)
    barrier.reset()
    results.clear()

    def claim_later() -> None:
        try:
            barrier.wait()
            result = notification_claim(store_id=store.pk, kind="import_failed", key="fr", now=later)
            with lock:
                results.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim_later) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [r for r in results if r is not None] == [Fold(count=7, since=now)]
    assert Notification.objects.get(store=store).folded_count == 7
