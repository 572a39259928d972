"""`POST /import` with `"dry_run": true` on the store and the admin API (issue 18): a check
of the feed runs as a job, is marked in the job JSON, and writes no product."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.models import MarketplaceImportJob, MarketplaceProduct
from tests.api.conftest import ADMIN_API, FEED_URL, JOB_FIELDS, STORE_API

pytestmark = pytest.mark.django_db
FEED = b"id;title;price;colour_x\nA1;Shirt;9,90 EUR;blue\nA2;;5 EUR;red\n"


def _upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("feed.csv", FEED, content_type="text/csv")


def _run_check(client, url: str, capture, **body) -> dict:
    with capture(execute=True):
        response = client.post(url, {"file": _upload(), "dry_run": "true", **body}, format="multipart")
    assert response.status_code == 202, response.content
    return response.json()


def test_a_store_check_runs_as_a_job_and_writes_nothing(client_for, owner, store, django_capture_on_commit_callbacks):
    api = client_for(owner)
    created = _run_check(api, f"{STORE_API}/import", django_capture_on_commit_callbacks, language="fr")

    job = api.get(f"{STORE_API}/imports/{created['job_id']}").json()
    assert set(job) == JOB_FIELDS
    assert job["dry_run"] is True
    assert job["status"] == "completed_with_errors"
    assert (job["imported_count"], job["error_count"], job["total_processed"]) == (1, 1, 2)
    assert (job["detected_encoding"], job["detected_delimiter"]) == ("utf-8", ";")
    report = job["check_report"]
    assert [(c["column"], c["field"]) for c in report["columns"]] == [
        ("id", "marketplace_product_id"),
        ("title", "title"),
        ("price", "price"),
        ("colour_x", ""),
    ]
    assert report["columns"][3]["suggestion"] == "color"
    assert report["sample"][0]["values"]["price"] == "9.90"
    errors = api.get(f"{STORE_API}/imports/{created['job_id']}/errors").json()
    assert [(e["row_number"], e["error_type"]) for e in errors["items"]] == [(3, "missing_title")]
    assert not MarketplaceProduct.objects.exists()
    # Kept in the history, marked as a check.
    listed = api.get(f"{STORE_API}/imports").json()["items"]
    assert [(item["id"], item["dry_run"]) for item in listed] == [(created["job_id"], True)]


def test_an_import_is_not_a_check(client_for, owner):
    response = client_for(owner).post(f"{STORE_API}/import", {"source_url": FEED_URL}, format="json")

    job = MarketplaceImportJob.objects.get(pk=response.json()["job_id"])
    assert (job.dry_run, job.check_report) == (False, None)


@pytest.mark.parametrize("value", ["maybe", [True], {"a": 1}, 2])
def test_a_dry_run_that_is_not_a_boolean_is_a_400_naming_the_field(client_for, owner, value):
    response = client_for(owner).post(f"{STORE_API}/import", {"source_url": FEED_URL, "dry_run": value}, format="json")

    assert response.status_code == 400
    assert response.json() == {"dry_run": ["Must be a valid boolean."]}
    assert not MarketplaceImportJob.objects.exists()


def test_an_admin_checks_a_feed_for_a_store(client_for, admin_user, store, django_capture_on_commit_callbacks):
    api = client_for(admin_user)
    created = _run_check(api, ADMIN_API, django_capture_on_commit_callbacks, store_id=store.pk)

    job = api.get(f"{ADMIN_API}/{created['job_id']}").json()
    assert (job["dry_run"], job["store_id"], job["imported_count"]) == (True, store.pk, 1)
    assert job["check_report"]["columns"][0]["field"] == "marketplace_product_id"
    assert not MarketplaceProduct.objects.exists()


def test_the_admin_api_refuses_a_dry_run_that_is_not_a_boolean(client_for, admin_user, store):
    response = client_for(admin_user).post(
        ADMIN_API, {"store_id": store.pk, "source_url": FEED_URL, "dry_run": "perhaps"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"dry_run": ["Must be a valid boolean."]}


def test_another_store_cannot_see_the_check(client_for, owner, outsider, store, django_capture_on_commit_callbacks):
    created = _run_check(client_for(owner), f"{STORE_API}/import", django_capture_on_commit_callbacks)
    other = client_for(outsider)

    for path in ("", "/errors", "/errors.csv", "/rows-to-fix.csv"):
        assert other.get(f"{STORE_API}/imports/{created['job_id']}{path}").status_code == 404
    assert other.get(f"{STORE_API}/imports").json()["items"] == []
