from __future__ import annotations

import pytest

from marketplace.models import MarketplaceImportJob
from tests.marketplace.importing.conftest import import_file, product_row, write_feed
from tests.notifications.smtpserver import html_part, text_part

pytestmark = pytest.mark.django_db
Trigger = MarketplaceImportJob.Trigger


def run_import(store, tmp_path, capture, *, bad_rows: int, trigger=Trigger.SCHEDULED) -> MarketplaceImportJob:
    """A real import of a feed with `bad_rows` rows without a title, as a scheduled run does it."""
    rows = [product_row(n) for n in range(1, 4)] + [product_row(n, title="") for n in range(10, 10 + bad_rows)]
    path = write_feed(tmp_path / f"feed-{bad_rows}-{trigger}.csv", rows)
    with capture(execute=True):
        job = import_file(store, path, trigger=trigger)
    assert job.error_count == bad_rows
    return job


def test_a_scheduled_import_with_errors_after_a_clean_one_emails(
    store, owner, manager, staff_member, tmp_path, smtp_server, django_capture_on_commit_callbacks
):
    clean = run_import(store, tmp_path, django_capture_on_commit_callbacks, bad_rows=0)
    assert smtp_server.recipients == []

    job = run_import(store, tmp_path, django_capture_on_commit_callbacks, bad_rows=2)

    assert sorted(smtp_server.recipients) == [["alice@example.lu"], ["mia@example.lu"]]
    message = smtp_server.messages[0]
    assert message["Subject"] == f"[Alpha Store] Scheduled import #{job.pk} has 2 errors"
    text = text_part(message)
    assert "skipped 2 rows with errors" in text
    assert f"The previous scheduled import, #{clean.pk}, had none." in text
    link = f"https://shop.example.lu/store/alpha/marketplace/jobs/{job.pk}"
    assert link in text and f'href="{link}"' in html_part(message)


def test_errors_that_the_previous_scheduled_import_had_too_send_nothing(
    store, owner, tmp_path, smtp_server, django_capture_on_commit_callbacks, settings
):
    settings.NOTIFICATION_FOLD_SECONDS = 0  # so that only the rule, not the folding, can keep the second email back
    run_import(store, tmp_path, django_capture_on_commit_callbacks, bad_rows=1)
    assert len(smtp_server.messages) == 1  # the first scheduled import: nothing before it had errors
    assert "It is the first scheduled import of this feed." in text_part(smtp_server.messages[0])
    smtp_server.clear()

    run_import(store, tmp_path, django_capture_on_commit_callbacks, bad_rows=3)

    assert smtp_server.recipients == []


def test_a_manual_import_with_errors_sends_nothing_and_does_not_count_as_the_previous(
    store, owner, tmp_path, smtp_server, django_capture_on_commit_callbacks, settings
):
    settings.NOTIFICATION_FOLD_SECONDS = 0
    run_import(store, tmp_path, django_capture_on_commit_callbacks, bad_rows=0)
    run_import(store, tmp_path, django_capture_on_commit_callbacks, bad_rows=2, trigger=Trigger.MANUAL)
    assert smtp_server.recipients == []

    run_import(store, tmp_path, django_capture_on_commit_callbacks, bad_rows=2)

    assert smtp_server.recipients == [["alice@example.lu"]]


def test_the_opt_out_of_this_kind_is_respected(store, owner, tmp_path, smtp_server, django_capture_on_commit_callbacks):
    owner.notify_new_errors = False
    owner.save()

    run_import(store, tmp_path, django_capture_on_commit_callbacks, bad_rows=2)

    assert smtp_server.recipients == []
