from __future__ import annotations

import pytest

from marketplace.models import MarketplaceImportJob
from marketplace.tasks import process_marketplace_import
from stores.models import StoreMembership
from tests.factories.accounts import UserFactory
from tests.factories.marketplace import MarketplaceImportJobFactory
from tests.factories.stores import StoreMembershipFactory
from tests.notifications.smtpserver import html_part, text_part

pytestmark = pytest.mark.django_db


def run_failing_import(store, user, feed_server, capture, language: str = "fr") -> MarketplaceImportJob:
    """A real import, run in the foreground as the worker runs it, of a feed that answers 500."""
    feed_server.route("/broken.csv", b"Internal error", status=500)
    job = MarketplaceImportJobFactory(
        store=store, user=user, source_url=feed_server.url("/broken.csv"), language=language
    )
    with capture(execute=True):
        process_marketplace_import(job.pk)
    job.refresh_from_db()
    assert job.status == MarketplaceImportJob.Status.FAILED
    return job


def test_a_failed_import_emails_the_owner_and_the_manager(
    store, owner, manager, staff_member, outsider, feed_server, smtp_server, django_capture_on_commit_callbacks
):
    job = run_failing_import(store, owner, feed_server, django_capture_on_commit_callbacks)

    assert sorted(smtp_server.recipients) == [["alice@example.lu"], ["mia@example.lu"]]
    message = smtp_server.messages[0]
    assert message["Subject"] == f"[Alpha Store] Import #{job.pk} failed"
    assert message["From"] == "Letzshop import <noreply@shop.example.lu>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    link = f"https://shop.example.lu/store/alpha/marketplace/jobs/{job.pk}"
    text = text_part(message)
    assert f"Import #{job.pk} of Alpha Store (French feed) failed." in text
    assert job.error_message and job.error_message in text
    assert link in text
    assert "https://shop.example.lu/accounts/profile/" in text
    html = html_part(message)
    assert f'href="{link}"' in html
    assert "<h1" in html and f"Import #{job.pk} failed" in html


def test_staff_members_and_other_stores_members_get_nothing(
    store, staff_member, outsider, feed_server, smtp_server, django_capture_on_commit_callbacks
):
    run_failing_import(store, staff_member, feed_server, django_capture_on_commit_callbacks)

    assert smtp_server.recipients == []


def test_a_user_who_switched_the_kind_off_is_not_emailed(
    store, owner, manager, feed_server, smtp_server, django_capture_on_commit_callbacks
):
    manager.notify_import_failed = False
    manager.save()
    # The other kinds stay on for alice, and switching one off changes only that one.
    owner.notify_feed_paused = False
    owner.save()

    run_failing_import(store, owner, feed_server, django_capture_on_commit_callbacks)

    assert smtp_server.recipients == [["alice@example.lu"]]


def test_inactive_users_and_users_without_an_address_are_skipped(
    store, owner, feed_server, smtp_server, django_capture_on_commit_callbacks
):
    gone = UserFactory(username="gone", is_active=False)
    silent = UserFactory(username="silent", email="")
    for user in (gone, silent):
        StoreMembershipFactory(user=user, store=store, role=StoreMembership.Role.MANAGER)

    run_failing_import(store, owner, feed_server, django_capture_on_commit_callbacks)

    assert smtp_server.recipients == [["alice@example.lu"]]


def test_an_import_that_completes_sends_nothing(
    store, owner, feed_server, smtp_server, django_capture_on_commit_callbacks
):
    feed_server.route(
        "/feed.csv", b"id,title,description,link,price\nSKU-1,Titre,Desc,https://shop.example.lu/1,9.99 EUR\n"
    )
    job = MarketplaceImportJobFactory(store=store, user=owner, source_url=feed_server.url("/feed.csv"))
    with django_capture_on_commit_callbacks(execute=True):
        process_marketplace_import(job.pk)
    job.refresh_from_db()

    assert job.status == MarketplaceImportJob.Status.COMPLETED
    assert smtp_server.recipients == []


def test_the_text_part_is_not_html_escaped_and_the_html_part_is(store, owner, smtp_server):
    from marketplace.signals import import_finished

    job = MarketplaceImportJobFactory(
        store=store, status=MarketplaceImportJob.Status.FAILED, error_message='Column "price" <missing> & more'
    )
    import_finished.send(sender=MarketplaceImportJob, job_id=job.pk)

    [message] = smtp_server.messages
    assert 'Reason: Column "price" <missing> & more' in text_part(message)
    assert "Column &quot;price&quot; &lt;missing&gt; &amp; more" in html_part(message)
