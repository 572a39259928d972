"""The dispatcher (SPEC 11): due feeds claimed with a conditional UPDATE, each enqueued
exactly once, a refused hand-over retried the next minute."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone
from django_q.models import OrmQ
from django_q.signing import SignedPackage

from feeds.dispatch import CHECK_TASK, due_feeds, feeds_dispatch_due
from feeds.models import StoreFeed
from tests.factories.stores import StoreFactory
from tests.redisserver import private_redis


def _queued_feed_ids() -> list[int]:
    ids = []
    for row in OrmQ.objects.all():
        task = SignedPackage.loads(row.payload)
        assert task["func"] == CHECK_TASK
        ids.extend(task["args"])
    return sorted(ids)


def _due_feeds(count: int, *, due_at=None) -> list[StoreFeed]:
    due_at = due_at or timezone.now() - timedelta(seconds=5)
    feeds = []
    for n in range(count):
        store = StoreFactory(code=f"d-{n}", letzshop_csv_url_en=f"https://feeds.example.lu/{n}.csv")
        feeds.append(
            StoreFeed.objects.create(store=store, language="en", schedule="hours", every_hours=2, next_run_at=due_at)
        )
    return feeds


@pytest.fixture
def orm_broker(monkeypatch):
    # Tasks go to the ORM broker's queue table instead of running inline: the test reads them.
    monkeypatch.setattr("django_q.conf.Conf.SYNC", False)


@pytest.mark.django_db
def test_it_enqueues_each_due_feed_once_and_moves_its_next_run_on(orm_broker):
    due = _due_feeds(3)
    later = StoreFeed.objects.create(
        store=StoreFactory(code="later"),
        language="fr",
        schedule="hours",
        next_run_at=timezone.now() + timedelta(hours=1),
    )
    now = timezone.now()

    assert feeds_dispatch_due(now=now, chunk_size=2) == 3

    assert _queued_feed_ids() == sorted(feed.pk for feed in due)
    for feed in StoreFeed.objects.filter(pk__in=[f.pk for f in due]):
        assert feed.claimed_at == now
        assert now + timedelta(hours=2) <= feed.next_run_at <= now + timedelta(hours=2, seconds=60)
    assert StoreFeed.objects.get(pk=later.pk).claimed_at is None
    assert feeds_dispatch_due() == 0  # nothing is due any more
    assert len(_queued_feed_ids()) == 3


@pytest.mark.django_db
def test_a_paused_feed_with_a_stale_next_run_is_cleared_not_run(orm_broker):
    (feed,) = _due_feeds(1)
    StoreFeed.objects.filter(pk=feed.pk).update(paused_at=timezone.now())

    assert feeds_dispatch_due() == 0

    assert StoreFeed.objects.get(pk=feed.pk).next_run_at is None
    assert _queued_feed_ids() == []


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_refuses_the_task_leaves_the_feed_due_for_the_next_minute(monkeypatch):
    (feed,) = _due_feeds(1)
    due_at = StoreFeed.objects.get(pk=feed.pk).next_run_at
    with private_redis() as redis:
        monkeypatch.setattr("django_q.conf.Conf.SYNC", False)
        monkeypatch.setattr("django_q.conf.Conf.ORM", None)
        monkeypatch.setattr("django_q.conf.Conf.REDIS", redis.url)
        redis.stop()

        assert feeds_dispatch_due() == 0
        assert StoreFeed.objects.get(pk=feed.pk).next_run_at == due_at

        redis.start()
        assert feeds_dispatch_due() == 1
    assert StoreFeed.objects.get(pk=feed.pk).next_run_at > timezone.now()


@pytest.mark.postgres_only
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's planner")
def test_the_dispatchers_query_reads_the_partial_index(db):
    sql, params = due_feeds(now=timezone.now()).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # an empty test table: ask whether the index can answer
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    assert "feed_due_idx" in plan
    assert "SKIP LOCKED" in sql


@pytest.mark.postgres_only
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="concurrent writers on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_dispatchers_running_at_once_enqueue_each_feed_exactly_once(orm_broker):
    feeds = _due_feeds(300)
    now = timezone.now()
    barrier = threading.Barrier(4)
    counts: list[int] = []
    errors: list[BaseException] = []

    def dispatcher() -> None:
        try:
            barrier.wait()
            counts.append(feeds_dispatch_due(now=now, chunk_size=25))
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=dispatcher) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sum(counts) == 300
    assert _queued_feed_ids() == sorted(feed.pk for feed in feeds)
    assert connection.vendor == "postgresql"
