"""Checking a feed from the store's import form and the admin's import page (issue 18):
the job page shows the check's report, its history row is marked, nothing is written."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from marketplace.models import MarketplaceImportJob, MarketplaceProduct
from tests.factories.marketplace import MarketplaceImportJobFactory

pytestmark = pytest.mark.django_db
FEED = b"id;title;price;avaliability\nA1;Shirt;9,90 EUR;in stock\nA2;;5 EUR;in stock\n"
HTMX = {"HTTP_HX_REQUEST": "true"}


def _check_from_the_form(client: Client, store, capture) -> MarketplaceImportJob:
    upload = SimpleUploadedFile("shirts.csv", FEED, content_type="text/csv")
    with capture(execute=True):
        response = client.post(
            reverse("marketplace:import", args=[store.code]),
            {"file": upload, "language": "fr", "batch_size": 1000, "dry_run": "1"},
        )
    job = MarketplaceImportJob.objects.get(store=store)
    assert response.status_code == 302
    assert response["Location"] == reverse("marketplace:job-detail", args=[store.code, job.pk])
    job.refresh_from_db()
    return job


def test_the_form_checks_a_feed_and_the_job_page_shows_the_report(
    client, owner, store, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    job = _check_from_the_form(client, store, django_capture_on_commit_callbacks)

    assert (job.dry_run, job.status, job.imported_count, job.error_count) == (True, "completed_with_errors", 1, 1)
    assert not MarketplaceProduct.objects.exists()
    page = client.get(reverse("marketplace:job-detail", args=[store.code, job.pk])).content.decode()
    assert f"Check #{job.pk} of the French feed has started: nothing will be written." in page
    assert 'data-check="true"' in page
    assert "Would add" in page and "Would change" in page and "Not in this file" in page
    assert 'id="check-columns"' in page
    assert "Did you mean availability?" in page
    assert "First rows as they would be stored" in page
    assert "Checked 2 rows: 1 would be skipped" in page
    assert "Would add 1 new product. 1 row would be skipped." in page
    # The summary by code and the rows to fix work for a check as for an import.
    assert 'id="job-rows-to-fix"' in page
    # Nothing to publish.
    assert 'id="job-publish-link"' not in page
    rows = client.get(reverse("marketplace:job-rows-to-fix-csv", args=[store.code, job.pk]))
    assert b"A2" in b"".join(rows.streaming_content)


def test_the_history_marks_a_check(client, owner, store):
    MarketplaceImportJobFactory(store=store, status="completed", dry_run=True, total_processed=3, imported_count=3)
    MarketplaceImportJobFactory(store=store, status="completed", language="de", total_processed=3, imported_count=3)
    client.force_login(owner)

    history = client.get(reverse("marketplace:history", args=[store.code]), **HTMX).content.decode()

    assert history.count('data-check="true"') == 1
    assert "Would add 3 new products." in history and "3 new products." in history


def test_a_read_only_member_cannot_check_a_feed(client, staff_member, store):
    client.force_login(staff_member)
    response = client.post(
        reverse("marketplace:import", args=[store.code]),
        {"source_url": "https://feeds.example.lu/fr.csv", "language": "fr", "batch_size": 1000, "dry_run": "1"},
    )

    assert response.status_code == 403
    assert not MarketplaceImportJob.objects.exists()


def test_another_store_cannot_see_the_check(client, owner, outsider, store, django_capture_on_commit_callbacks):
    client.force_login(owner)
    job = _check_from_the_form(client, store, django_capture_on_commit_callbacks)
    client.force_login(outsider)

    assert client.get(reverse("marketplace:job-detail", args=[store.code, job.pk])).status_code == 404
    assert client.get(reverse("marketplace:job-rows-to-fix-csv", args=[store.code, job.pk])).status_code == 404


def test_an_admin_checks_a_feed_from_the_admin_import_page(
    admin_user, store, feed_server, django_capture_on_commit_callbacks
):
    feed_server.route("/shirts.csv", FEED)
    client = Client()
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin_pages:marketplace"),
            {
                "store": store.pk,
                "source_url": feed_server.url("/shirts.csv"),
                "language": "fr",
                "batch_size": 1000,
                "dry_run": "1",
            },
        )

    job = MarketplaceImportJob.objects.get(store=store)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin_pages:import-detail", args=[job.pk])
    job.refresh_from_db()
    assert (job.dry_run, job.imported_count) == (True, 1)
    page = client.get(response["Location"]).content.decode()
    assert 'data-check="true"' in page and 'id="check-columns"' in page and "Would add" in page
    assert not MarketplaceProduct.objects.exists()


def test_the_dashboard_marks_a_check_and_a_checks_retry_is_a_check_again(client, owner, store):
    job = MarketplaceImportJobFactory(
        store=store,
        status="completed_with_errors",
        dry_run=True,
        source_url="https://feeds.example.lu/fr.csv",
        total_processed=3,
        error_count=1,
    )
    client.force_login(owner)

    dashboard = client.get(reverse("dashboard:store", args=[store.code])).content.decode()
    page = client.get(reverse("marketplace:job-detail", args=[store.code, job.pk])).content.decode()

    assert 'data-check="true"' in dashboard
    assert "Check again" in page and "Import again" not in page
