"""The admin API under /api/v1/admin/marketplace-import-jobs."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.models import MarketplaceImportJob
from tests.api.conftest import ADMIN_API, ERROR_FIELDS, FEED_URL, JOB_FIELDS
from tests.factories.marketplace import MarketplaceImportErrorFactory, MarketplaceImportJobFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client_for, admin_user):
    return client_for(admin_user)


# --- POST / -------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [ADMIN_API, f"{ADMIN_API}/"])
def test_an_admin_starts_an_import_for_any_store(api, admin_user, store, path):
    response = api.post(
        path,
        {"store_id": store.pk, "source_url": FEED_URL, "marketplace": "Letzshop", "batch_size": 1000, "language": "fr"},
        format="json",
    )

    assert response.status_code == 202
    job = MarketplaceImportJob.objects.get()
    assert response.json() == {"job_id": job.pk, "status": "pending"}
    assert (job.store, job.user, job.language) == (store, admin_user, "fr")


def test_an_admin_uploads_a_feed_for_a_store(api, store):
    upload = SimpleUploadedFile("feed.tsv", b"id\ttitle\n1\tA\n")

    response = api.post(ADMIN_API, {"store_id": store.pk, "file": upload}, format="multipart")

    assert response.status_code == 202
    assert MarketplaceImportJob.objects.get().source_filename == "feed.tsv"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"source_url": FEED_URL}, "store_id"),
        ({"store_id": 999999, "source_url": FEED_URL}, "store_id"),
        ({"store_id": 2**63, "source_url": FEED_URL}, "store_id"),
        ({"store_id": "alpha", "source_url": FEED_URL}, "store_id"),
        ({"store_id": None, "source_url": FEED_URL}, "store_id"),
        ({"store_id": "STORE", "source_url": "ftp://x.lu/a.csv"}, "source_url"),
        ({"store_id": "STORE", "source_url": FEED_URL, "batch_size": 5001}, "batch_size"),
        ({"store_id": "STORE", "source_url": FEED_URL, "batch_size": 99}, "batch_size"),
        ({"store_id": "STORE", "source_url": FEED_URL, "language": "it"}, "language"),
        ({"store_id": "STORE", "source_url": FEED_URL, "marketplace": "eBay"}, "marketplace"),
        ({"store_id": "STORE"}, "source_url"),
    ],
)
def test_invalid_admin_imports_answer_400_with_the_field(api, store, body, field):
    body = {key: (store.pk if value == "STORE" else value) for key, value in body.items()}

    response = api.post(ADMIN_API, body, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_an_unknown_store_and_every_other_mistake_come_in_one_answer(api):
    response = api.post(
        ADMIN_API, {"store_id": 999999, "source_url": "javascript:alert(1)", "batch_size": 5}, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"store_id", "source_url", "batch_size"}
    assert body["store_id"] == ["No store with this id."]
    assert all(len(messages) == 1 for messages in body.values())


def test_a_missing_source_comes_with_the_store_mistake(api):
    response = api.post(ADMIN_API, {"store_id": 999999}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"store_id", "source_url"}


def test_an_inactive_store_cannot_start_imports(api, store):
    store.is_active = False
    store.save()

    response = api.post(ADMIN_API, {"store_id": store.pk, "source_url": FEED_URL}, format="json")

    assert response.status_code == 400
    assert response.json() == {"store_id": ["This store is inactive and cannot start imports."]}


def test_the_admin_import_answers_409_naming_the_active_job(api, store):
    active = MarketplaceImportJobFactory(store=store, language="en", status="processing")

    response = api.post(ADMIN_API, {"store_id": store.pk, "source_url": FEED_URL, "language": "en"}, format="json")

    assert response.status_code == 409
    assert (response.json()["job_id"], response.json()["job_status"]) == (active.pk, "processing")


def test_admin_import_creation_is_throttled_but_not_the_listing(api, store, other_store, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"import_create": "1/hour"}}

    first = api.post(ADMIN_API, {"store_id": store.pk, "source_url": FEED_URL}, format="json")
    second = api.post(ADMIN_API, {"store_id": other_store.pk, "source_url": FEED_URL}, format="json")

    assert (first.status_code, second.status_code) == (202, 429)
    assert all(api.get(ADMIN_API).status_code == 200 for _ in range(3))


# --- GET / ----------------------------------------------------------------------------------
@pytest.fixture
def jobs(store, other_store, admin_user, owner):
    return {
        "alpha_fr_done": MarketplaceImportJobFactory(store=store, user=owner, language="fr", status="completed"),
        "alpha_de_failed": MarketplaceImportJobFactory(store=store, user=admin_user, language="de", status="failed"),
        "bravo_en_pending": MarketplaceImportJobFactory(store=other_store, user=admin_user, language="en"),
        "bravo_fr_errors": MarketplaceImportJobFactory(
            store=other_store, user=owner, language="fr", status="completed_with_errors"
        ),
    }


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"alpha_fr_done", "alpha_de_failed", "bravo_en_pending", "bravo_fr_errors"}),
        ("store_id=STORE", {"alpha_fr_done", "alpha_de_failed"}),
        ("status=completed", {"alpha_fr_done"}),
        ("status=failed&store_id=STORE", {"alpha_de_failed"}),
        ("language=fr", {"alpha_fr_done", "bravo_fr_errors"}),
        ("marketplace=Letzshop", {"alpha_fr_done", "alpha_de_failed", "bravo_en_pending", "bravo_fr_errors"}),
        ("created_by_me=true", {"alpha_de_failed", "bravo_en_pending"}),
        ("created_by_me=false", {"alpha_fr_done", "alpha_de_failed", "bravo_en_pending", "bravo_fr_errors"}),
        ("created_by_me=true&language=en", {"bravo_en_pending"}),
        (
            "store_id=&status=&marketplace=&language=&created_by_me=",
            {"alpha_fr_done", "alpha_de_failed", "bravo_en_pending", "bravo_fr_errors"},
        ),
        ("store_id=987654", set()),
    ],
)
def test_the_admin_list_filters(api, jobs, store, query, expected):
    response = api.get(f"{ADMIN_API}?{query.replace('STORE', str(store.pk))}")

    assert _ids(response) == {jobs[name].pk for name in expected}
    assert response.json()["total"] == len(expected)


def test_the_admin_list_is_newest_first_with_the_job_fields(api, jobs):
    body = api.get(f"{ADMIN_API}/", {"page": 1, "limit": 3}).json()

    assert [item["id"] for item in body["items"]] == sorted((job.pk for job in jobs.values()), reverse=True)[:3]
    assert (body["total"], body["page"], body["limit"]) == (4, 1, 3)
    assert set(body["items"][0]) == JOB_FIELDS


@pytest.mark.parametrize(
    "query",
    [
        "status=running",
        "language=xx",
        "marketplace=Amazon",
        "store_id=abc",
        "store_id=0",
        "store_id=1e5",
        "store_id=" + "9" * 30,
        "created_by_me=maybe",
        "page=0",
        "limit=-1",
        "status=%00",
        "created_by=me",
        "store_code=alpha",
    ],
)
def test_invalid_admin_filters_answer_400(api, query):
    response = api.get(f"{ADMIN_API}?{query}")

    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_admin_list_queries_do_not_grow_with_the_limit(api, store, owner, django_assert_num_queries):
    MarketplaceImportJobFactory.create_batch(60, store=store, user=owner, status="completed")
    with CaptureQueriesContext(connection) as small:
        assert len(api.get(f"{ADMIN_API}?limit=5").json()["items"]) == 5

    with django_assert_num_queries(len(small.captured_queries)):
        assert len(api.get(f"{ADMIN_API}?limit=50&created_by_me=false").json()["items"]) == 50


# --- stats -----------------------------------------------------------------------------------
def test_stats_count_jobs_per_status(api, jobs, other_store):
    MarketplaceImportJobFactory(store=other_store, language="de", status="processing")
    MarketplaceImportJobFactory(store=other_store, language="de", status="cancelled")

    response = api.get(f"{ADMIN_API}/stats")

    assert response.status_code == 200
    assert response.json() == {
        "total": 6,
        "active": 2,
        "pending": 1,
        "processing": 1,
        "completed": 1,
        "completed_with_errors": 1,
        "failed": 1,
        "cancelled": 1,
    }
    assert api.get(f"{ADMIN_API}/stats/").json() == response.json()


# --- detail, errors, csv, cancel, retry --------------------------------------------------------
def test_an_admin_reads_any_jobs_details_and_errors(api, jobs):
    job = jobs["bravo_fr_errors"]
    MarketplaceImportErrorFactory(import_job=job, row_number=3, severity="warning", error_type="parse_error")
    MarketplaceImportErrorFactory(import_job=job, row_number=2, identifier="-2+3")

    detail = api.get(f"{ADMIN_API}/{job.pk}")
    errors = api.get(f"{ADMIN_API}/{job.pk}/errors/", {"severity": "error"})
    exported = api.get(f"{ADMIN_API}/{job.pk}/errors.csv")

    assert detail.status_code == 200
    assert set(detail.json()) == JOB_FIELDS
    assert (detail.json()["store_code"], detail.json()["created_by"]) == ("bravo", "alice")
    assert [item["row_number"] for item in errors.json()["items"]] == [2]
    assert set(errors.json()["items"][0]) == ERROR_FIELDS
    text = b"".join(exported.streaming_content).decode("utf-8-sig")
    assert "'-2+3" in text and text.count("\r\n") == 3


def test_an_admin_cancels_any_active_job(api, jobs):
    response = api.post(f"{ADMIN_API}/{jobs['bravo_en_pending'].pk}/cancel")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert api.post(f"{ADMIN_API}/{jobs['bravo_en_pending'].pk}/cancel").status_code == 409


def test_retrying_a_failed_job_starts_a_new_job_with_its_settings(api, jobs, admin_user):
    failed = jobs["alpha_de_failed"]

    response = api.post(f"{ADMIN_API}/{failed.pk}/retry")

    assert response.status_code == 202
    new_job = MarketplaceImportJob.objects.get(pk=response.json()["job_id"])
    assert response.json() == {"job_id": new_job.pk, "status": "pending"}
    assert (new_job.retried_from, new_job.source_url, new_job.language) == (failed, failed.source_url, "de")
    assert new_job.user == admin_user


def test_retrying_needs_a_finished_job_and_no_active_one(api, jobs, store):
    assert api.post(f"{ADMIN_API}/{jobs['bravo_en_pending'].pk}/retry").status_code == 409
    assert api.post(f"{ADMIN_API}/{jobs['alpha_fr_done'].pk}/retry").status_code == 409
    MarketplaceImportJobFactory(store=store, language="de", status="processing")
    busy = api.post(f"{ADMIN_API}/{jobs['alpha_de_failed'].pk}/retry")
    assert busy.status_code == 409
    assert busy.json()["job_status"] == "processing"


def test_an_uploaded_feed_cannot_be_retried(api, store):
    job = MarketplaceImportJobFactory(store=store, source_url="", source_filename="feed.csv", status="failed")

    response = api.post(f"{ADMIN_API}/{job.pk}/retry")

    assert response.status_code == 409
    assert "upload" in response.json()["detail"]


@pytest.mark.parametrize("job_id", ["0", "abc", "99999999999999999999", "-3"])
def test_unknown_admin_job_ids_are_json_404s(api, job_id):
    for method, suffix in (
        ("get", ""),
        ("get", "/errors"),
        ("get", "/errors.csv"),
        ("post", "/cancel"),
        ("post", "/retry"),
    ):
        response = getattr(api, method)(f"{ADMIN_API}/{job_id}{suffix}")
        assert response.status_code == 404, (method, suffix)
        assert "detail" in response.json()
