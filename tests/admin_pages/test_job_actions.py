"""The job change list's actions call the same services as the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from marketplace.models import MarketplaceImportJob
from tests.factories.marketplace import MarketplaceImportJobFactory

pytestmark = pytest.mark.django_db
Status = MarketplaceImportJob.Status


def _run_action(client, action: str, jobs):
    url = reverse("admin:marketplace_marketplaceimportjob_changelist")
    return client.post(url, {"action": action, "_selected_action": [job.pk for job in jobs]}, follow=True)


def test_retry_starts_a_new_job_for_each_failed_one(admin_client_root, admin_user, store):
    failed = MarketplaceImportJobFactory(store=store, status=Status.FAILED, language="fr")
    completed = MarketplaceImportJobFactory(store=store, status=Status.COMPLETED, language="de")

    response = _run_action(admin_client_root, "retry_jobs", [failed, completed])

    retry = MarketplaceImportJob.objects.get(retried_from=failed)
    assert retry.status == Status.PENDING
    assert retry.user == admin_user
    assert retry.source_url == failed.source_url
    assert not MarketplaceImportJob.objects.filter(retried_from=completed).exists()
    content = response.content.decode()
    assert f"#{failed.pk} → #{retry.pk}" in content
    assert f"#{completed.pk}: Only failed" in content


def test_retry_reports_an_import_already_running(admin_client_root, store):
    failed = MarketplaceImportJobFactory(store=store, status=Status.FAILED, language="fr")
    running = MarketplaceImportJobFactory(store=store, status=Status.PROCESSING, language="fr")

    response = _run_action(admin_client_root, "retry_jobs", [failed])

    assert MarketplaceImportJob.objects.count() == 2
    assert f"(job {running.pk})" in response.content.decode()


def test_cancel_stops_active_jobs_and_leaves_finished_ones(admin_client_root, store, other_store):
    pending = MarketplaceImportJobFactory(store=store, status=Status.PENDING)
    processing = MarketplaceImportJobFactory(store=other_store, status=Status.PROCESSING)
    done = MarketplaceImportJobFactory(store=store, status=Status.COMPLETED, language="de")

    response = _run_action(admin_client_root, "cancel_jobs", [pending, processing, done])

    pending.refresh_from_db()
    processing.refresh_from_db()
    done.refresh_from_db()
    assert pending.status == Status.CANCELLED
    assert processing.status == Status.PROCESSING and processing.cancel_requested  # the worker stops it
    assert done.status == Status.COMPLETED and not done.cancel_requested
    assert f"left as they were: #{done.pk}" in response.content.decode()
