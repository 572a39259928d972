"""Sending never fails nor holds an import: a down email server loses the email with a
log line, and a real worker sends the email from a task of its own."""

from __future__ import annotations

import logging

import pytest

from marketplace.models import MarketplaceImportJob
from marketplace.services import import_job_create
from notifications.models import Notification
from notifications.services import notification_send
from stores.models import StoreMembership
from tests.factories.accounts import UserFactory
from tests.factories.marketplace import MarketplaceImportJobFactory
from tests.factories.stores import StoreMembershipFactory
from tests.notifications.smtpserver import LoopbackSMTPServer, text_part
from tests.notifications.test_import_failed import run_failing_import
from tests.worker import running_qcluster, wait_for

Status = MarketplaceImportJob.Status


@pytest.mark.django_db
def test_a_down_email_server_loses_the_email_not_the_import(
    store, owner, feed_server, smtp_down, caplog, django_capture_on_commit_callbacks
):
    with caplog.at_level(logging.ERROR, logger="notifications.services"):
        job = run_failing_import(store, owner, feed_server, django_capture_on_commit_callbacks)

    assert job.status == Status.FAILED
    assert job.error_message.startswith("The server answered 500")
    [record] = [r for r in caplog.records if r.name == "notifications.services"]
    assert "import_failed for store alpha lost" in record.getMessage()
    assert "alice@example.lu" in record.getMessage()
    # Claimed all the same: a dead server does not turn the next minutes into a retry storm.
    assert Notification.objects.filter(store=store, kind="import_failed").exists()


@pytest.mark.django_db
def test_an_event_for_many_recipients_costs_a_fixed_number_of_queries(
    store, smtp_server, django_assert_max_num_queries
):
    for n in range(12):
        StoreMembershipFactory(user=UserFactory(username=f"m{n}"), store=store, role=StoreMembership.Role.MANAGER)
    job = MarketplaceImportJobFactory(store=store, status=Status.FAILED, error_message="Gone.")

    # The job, the recipients, the claim (two conditional UPDATEs, then the first row in a savepoint).
    with django_assert_max_num_queries(7):
        sent = notification_send(kind="import_failed", object_id=job.pk)

    assert sent == 12 and len(smtp_server.messages) == 12


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_emails_a_failed_import_and_goes_on_when_the_server_is_down(
    store, owner, feed_server, tmp_path, monkeypatch, settings
):
    feed_server.route("/broken.csv", b"Internal error", status=500)
    monkeypatch.setattr("django_q.conf.Conf.SYNC", False)
    smtp = LoopbackSMTPServer().start()
    env = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_TIMEOUT": "5",
        "SITE_URL": "https://shop.example.lu",
    }
    log = tmp_path / "qcluster.log"
    try:
        with running_qcluster(log_path=log, extra_env=env):
            first = import_job_create(store=store, user=owner, source_url=feed_server.url("/broken.csv"), language="fr")
            [message] = wait_for(lambda: smtp.messages, timeout=90, what="the worker's email")
            assert message["To"] == "alice@example.lu"
            # In the portal's default language, French: alice chose none (SPEC 13).
            assert message["Subject"] == f"[Alpha Store] L'import n° {first.pk} a échoué"
            assert f"https://shop.example.lu/store/alpha/marketplace/jobs/{first.pk}" in text_part(message)

            smtp.stop()
            second = import_job_create(
                store=store, user=owner, source_url=feed_server.url("/broken.csv"), language="de"
            )
            wait_for(lambda: "import_failed for store alpha lost" in log.read_text(), timeout=90, what="the lost email")
            second.refresh_from_db()
            assert second.status == Status.FAILED

            feed_server.route("/feed.csv", b"id,title,link,price\nSKU-1,Titre,https://shop.example.lu/1,9.99 EUR\n")
            third = import_job_create(store=store, user=owner, source_url=feed_server.url("/feed.csv"), language="en")
            done = wait_for(
                lambda: MarketplaceImportJob.objects.filter(pk=third.pk, status=Status.COMPLETED).first(),
                timeout=90,
                what="the next import",
            )
            assert done.imported_count == 1
    finally:
        smtp.stop()


@pytest.mark.django_db
def test_make_runs_console_backend_prints_the_email(store, owner, settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    job = MarketplaceImportJobFactory(store=store, status=Status.FAILED, error_message="Gone.")

    assert notification_send(kind="import_failed", object_id=job.pk) == 1

    out = capsys.readouterr().out
    assert f"Subject: [Alpha Store] Import #{job.pk} failed" in out and "To: alice@example.lu" in out
