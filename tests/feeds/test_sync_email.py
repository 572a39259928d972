"""The feed sync and the notifications together, with a real cluster and a real SMTP server
on loopback: a feed that keeps failing pauses itself after five checks, and its owners get
exactly one email saying so (SPEC 11 and 12)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from feeds.dispatch import feeds_dispatch_due
from feeds.models import StoreFeed
from feeds.services import feed_update
from marketplace.models import MarketplaceImportJob
from tests.notifications.smtpserver import LoopbackSMTPServer
from tests.worker import running_qcluster, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_five_failed_checks_pause_the_feed_and_send_one_email(
    store, owner, manager, staff_member, feed_endpoint, tmp_path, monkeypatch, settings
):
    monkeypatch.setattr("django_q.conf.Conf.SYNC", False)
    broken = feed_endpoint()
    broken.status = 503
    feed = feed_update(store=store, language="fr", url=broken.url, schedule="hours", every_hours=2)
    smtp = LoopbackSMTPServer().start()
    env = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_TIMEOUT": "5",
        "SITE_URL": "https://shop.example.lu",
    }
    try:
        with running_qcluster(log_path=tmp_path / "qcluster.log", extra_env=env):
            for attempt in range(1, settings.MARKETPLACE_FEED_PAUSE_AFTER + 2):
                StoreFeed.objects.filter(pk=feed.pk, paused_at__isnull=True).update(
                    next_run_at=timezone.now() - timedelta(seconds=1)
                )
                feeds_dispatch_due()
                if attempt <= settings.MARKETPLACE_FEED_PAUSE_AFTER:
                    wait_for(
                        lambda attempt=attempt: StoreFeed.objects.get(pk=feed.pk).consecutive_failures >= attempt,
                        timeout=60,
                        what=f"check {attempt}",
                    )
            messages = wait_for(lambda: smtp.messages if len(smtp.messages) >= 2 else None, timeout=60, what="emails")
    finally:
        smtp.stop()

    feed.refresh_from_db()
    assert feed.paused_at is not None and feed.next_run_at is None
    assert len(broken.requests()) == settings.MARKETPLACE_FEED_PAUSE_AFTER  # the sixth dispatch found nothing due
    assert MarketplaceImportJob.objects.count() == 0
    # One email per owner and manager, none to staff, and only for the pause.
    assert sorted(m["To"] for m in messages) == sorted([owner.email, manager.email])
    assert len(smtp.messages) == 2
    # The worker writes in the portal's default language, French: these users chose none (SPEC 13).
    assert all("en pause" in m["Subject"] and store.name in m["Subject"] for m in messages)
    assert staff_member.email not in [m["To"] for m in messages]
