"""The store API under /api/v1/store/marketplace: shapes, validation, pagination, 409, 429."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from marketplace.models import MarketplaceImportJob
from tests.api.conftest import ERROR_FIELDS, FEED_URL, JOB_FIELDS, STORE_API
from tests.factories.marketplace import MarketplaceImportErrorFactory, MarketplaceImportJobFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client_for, owner):
    return client_for(owner)


def _post_import(api, body=None, **kwargs):
    return api.post(
        f"{STORE_API}/import", body if body is not None else {"source_url": FEED_URL}, format="json", **kwargs
    )


# --- POST /import ---------------------------------------------------------------------
def test_it_starts_an_import_from_a_url_and_answers_202_with_the_job_id(api, store, owner):
    response = api.post(
        f"{STORE_API}/import", {"source_url": FEED_URL, "marketplace": "Letzshop", "batch_size": 1000}, format="json"
    )

    assert response.status_code == 202
    job = MarketplaceImportJob.objects.get()
    assert response.json() == {"job_id": job.pk, "status": "pending"}
    assert (job.store, job.user, job.source_url, job.language, job.batch_size) == (store, owner, FEED_URL, "en", 1000)


def test_it_takes_the_language_and_batch_size_given(api):
    response = _post_import(api, {"source_url": FEED_URL, "language": "de", "batch_size": 250})

    assert response.status_code == 202
    job = MarketplaceImportJob.objects.get(pk=response.json()["job_id"])
    assert (job.language, job.batch_size) == ("de", 250)


def test_it_starts_an_import_from_an_uploaded_file(api, settings):
    upload = SimpleUploadedFile("feed.csv", b"id,title\n1,A\n", content_type="text/csv")

    response = api.post(
        f"{STORE_API}/import", {"file": upload, "language": "fr", "batch_size": 100}, format="multipart"
    )

    assert response.status_code == 202, response.content
    job = MarketplaceImportJob.objects.get(pk=response.json()["job_id"])
    assert (job.source_url, job.source_filename, job.language) == ("", "feed.csv", "fr")
    assert (settings.MARKETPLACE_UPLOAD_DIR / job.source_file).read_bytes() == b"id,title\n1,A\n"


def test_it_answers_with_and_without_a_trailing_slash_without_redirecting(api):
    first = api.post(f"{STORE_API}/import/", {"source_url": FEED_URL, "language": "fr"}, format="json")
    second = api.post(f"{STORE_API}/import", {"source_url": FEED_URL, "language": "de"}, format="json")

    assert (first.status_code, second.status_code) == (202, 202)
    assert api.get(f"{STORE_API}/imports/").status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"source_url": FEED_URL, "batch_size": 99}, "batch_size"),
        ({"source_url": FEED_URL, "batch_size": 5001}, "batch_size"),
        ({"source_url": FEED_URL, "batch_size": "lots"}, "batch_size"),
        ({"source_url": FEED_URL, "batch_size": 100.5}, "batch_size"),
        ({"source_url": FEED_URL, "batch_size": None}, "batch_size"),
        ({"source_url": FEED_URL, "language": "lb"}, "language"),
        ({"source_url": FEED_URL, "language": ["en"]}, "language"),
        ({"source_url": FEED_URL, "marketplace": "Amazon"}, "marketplace"),
        ({"source_url": FEED_URL, "marketplace": "letzshop"}, "marketplace"),
        ({"source_url": "ftp://feeds.example.lu/products.csv"}, "source_url"),
        ({"source_url": "file:///etc/passwd"}, "source_url"),
        ({"source_url": "javascript:alert(1)"}, "source_url"),
        ({"source_url": "products.csv"}, "source_url"),
        ({"source_url": "http://user:secret@feeds.example.lu/products.csv"}, "source_url"),
        ({"source_url": "http://127.0.0.1/products.csv"}, "source_url"),
        ({"source_url": "http://[::1]/products.csv"}, "source_url"),
        ({"source_url": "http://feeds.example.lu:8080/products.csv"}, "source_url"),
        ({"source_url": "https://feeds.example.lu/a\x00b.csv"}, "source_url"),
        ({"source_url": "https://feeds.example.lu/" + "a" * 5000}, "source_url"),
        ({"source_url": "https://x.lu?" + "a" * 1987}, "source_url"),  # 2000 characters, 2001 once normalized
        ({"source_url": 42}, "source_url"),
        ({}, "source_url"),
        ({"source_url": ""}, "source_url"),
    ],
)
def test_it_refuses_invalid_input_with_the_field_at_fault(api, body, field):
    response = _post_import(api, body)

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not MarketplaceImportJob.objects.exists()


def test_every_bad_field_is_reported_in_one_answer_with_one_message_each(api):
    response = _post_import(api, {"source_url": "ftp://feeds.example.lu/a.csv", "batch_size": 5, "language": "lb"})

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"source_url", "batch_size", "language"}
    assert body["source_url"] == ["Only http:// and https:// addresses can be downloaded, not ftp: addresses."]
    assert all(len(messages) == 1 for messages in body.values())


@pytest.mark.parametrize(
    "body",
    [
        {"batch_size": 5, "language": "lb"},  # no source at all
        {"source_url": "", "batch_size": 5, "language": "lb"},
    ],
)
def test_a_missing_source_is_reported_with_the_other_mistakes(api, body):
    response = _post_import(api, body)

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"source_url", "batch_size", "language"}
    assert body["source_url"] == ["Give the address of your feed in source_url, or upload a file."]
    assert not MarketplaceImportJob.objects.exists()


def test_a_file_and_a_url_together_are_reported_with_the_other_mistakes(api):
    upload = SimpleUploadedFile("feed.csv", b"id,title\n1,A\n")

    response = api.post(
        f"{STORE_API}/import", {"file": upload, "source_url": FEED_URL, "batch_size": 5}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json() == {
        "source_url": ["Give either source_url or a file, not both."],
        "batch_size": ["Ensure this value is greater than or equal to 100."],
    }


@pytest.mark.parametrize("batch_size", [100, 5000])
def test_it_accepts_the_batch_size_bounds(api, batch_size):
    assert _post_import(api, {"source_url": FEED_URL, "batch_size": batch_size}).status_code == 202


def test_it_refuses_a_file_and_a_url_together(api):
    upload = SimpleUploadedFile("feed.csv", b"id,title\n1,A\n")

    response = api.post(f"{STORE_API}/import", {"file": upload, "source_url": FEED_URL}, format="multipart")

    assert response.status_code == 400
    assert "source_url" in response.json()
    assert not MarketplaceImportJob.objects.exists()


def test_it_refuses_an_empty_file(api):
    response = api.post(f"{STORE_API}/import", {"file": SimpleUploadedFile("feed.csv", b"")}, format="multipart")

    assert response.status_code == 400
    assert "file" in response.json()


def test_it_refuses_a_file_over_the_size_cap(api, settings):
    settings.MARKETPLACE_MAX_DOWNLOAD_BYTES = 10
    upload = SimpleUploadedFile("feed.csv", b"id,title\n1,A long title\n")

    response = api.post(f"{STORE_API}/import", {"file": upload}, format="multipart")

    assert response.status_code == 400
    assert "limit" in response.json()["file"][0]
    assert not MarketplaceImportJob.objects.exists()


def test_it_refuses_a_file_named_in_a_json_body(api):
    response = _post_import(api, {"file": "id,title\n1,A\n"})

    assert response.status_code == 400
    assert "file" in response.json()


def test_it_survives_a_nul_byte_in_the_uploaded_file_name(api):
    upload = SimpleUploadedFile("fe\x00ed.csv", b"id,title\n1,A\n")

    response = api.post(f"{STORE_API}/import", {"file": upload}, format="multipart")

    assert response.status_code in (202, 400)
    if response.status_code == 202:
        assert "\x00" not in MarketplaceImportJob.objects.get().source_filename


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"[1, 2, 3]", "application/json", 400),
        (b'"just a string"', "application/json", 400),
        (b"null", "application/json", 400),
        (b"\xff\xfe\x00garbage", "application/json", 400),
        (b"id,title\n1,A\n", "text/csv", 415),
        (b"source_url=https://x.lu/a.csv", "application/x-www-form-urlencoded", 415),
        (b"--nothing", "multipart/form-data", 400),
        (b"--b\r\nbroken", "multipart/form-data; boundary=b", 400),
    ],
)
def test_it_never_fails_on_a_malformed_body(api, content, content_type, status):
    response = api.generic("POST", f"{STORE_API}/import", content, content_type=content_type)

    assert response.status_code == status, response.content
    assert "application/json" in response["Content-Type"]


def test_a_second_import_of_the_same_language_answers_409_naming_the_active_job(api):
    first = _post_import(api, {"source_url": FEED_URL, "language": "fr"})

    second = _post_import(api, {"source_url": FEED_URL + "?again", "language": "fr"})

    assert second.status_code == 409
    assert second.json() == {
        "detail": second.json()["detail"],
        "job_id": first.json()["job_id"],
        "job_status": "pending",
    }
    assert str(first.json()["job_id"]) in second.json()["detail"]
    # Another language is another import.
    assert _post_import(api, {"source_url": FEED_URL, "language": "de"}).status_code == 202


def test_import_creation_is_throttled_with_429(api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"import_create": "2/min"},
    }
    statuses = [_post_import(api, {"source_url": FEED_URL, "language": lang}).status_code for lang in ("fr", "de")]

    throttled = _post_import(api, {"source_url": FEED_URL, "language": "en"})

    assert statuses == [202, 202]
    assert throttled.status_code == 429
    assert "detail" in throttled.json()
    assert int(throttled["Retry-After"]) > 0
    # Reading is not throttled.
    assert api.get(f"{STORE_API}/imports").status_code == 200


# --- GET /imports -----------------------------------------------------------------------
def test_the_list_is_newest_first_with_id_as_tie_breaker(api, store, other_store):
    now = timezone.now()
    old = MarketplaceImportJobFactory(store=store, status="completed")
    same_a = MarketplaceImportJobFactory(store=store, status="completed")
    same_b = MarketplaceImportJobFactory(store=store, status="failed")
    MarketplaceImportJobFactory(store=other_store, status="completed")
    MarketplaceImportJob.objects.filter(pk=old.pk).update(created_at=now - timedelta(hours=1))
    MarketplaceImportJob.objects.filter(pk__in=[same_a.pk, same_b.pk]).update(created_at=now)

    body = api.get(f"{STORE_API}/imports", {"page": 1, "limit": 10}).json()

    assert [item["id"] for item in body["items"]] == [same_b.pk, same_a.pk, old.pk]
    assert (body["total"], body["page"], body["limit"]) == (3, 1, 10)
    assert set(body) == {"items", "total", "page", "limit"}


def test_the_list_items_have_exactly_the_job_fields(api, store, owner):
    MarketplaceImportJobFactory(store=store, user=owner)

    item = api.get(f"{STORE_API}/imports").json()["items"][0]

    assert set(item) == JOB_FIELDS
    assert (item["store_code"], item["store_name"], item["created_by"]) == ("alpha", "Alpha Store", "alice")


def test_the_list_pages_through_the_jobs(api, store):
    jobs = [MarketplaceImportJobFactory(store=store, status="completed") for _ in range(5)]

    page2 = api.get(f"{STORE_API}/imports?page=2&limit=2").json()
    page4 = api.get(f"{STORE_API}/imports?page=4&limit=2").json()

    assert [item["id"] for item in page2["items"]] == [jobs[2].pk, jobs[1].pk]
    assert (page2["total"], page2["page"], page2["limit"]) == (5, 2, 2)
    assert page4["items"] == [] and page4["total"] == 5


@pytest.mark.parametrize(
    ("query", "status", "page", "limit"),
    [
        ("limit=101", 200, 1, 100),
        ("limit=100000", 200, 1, 100),
        ("limit=100", 200, 1, 100),
        ("page=1000000", 200, 1000000, 10),
        ("format=json", 200, 1, 10),
        ("unknown=1&another=x", 400, None, None),
        ("limit=5&limt=50", 400, None, None),
        ("page=", 200, 1, 10),
        ("page=0", 400, None, None),
        ("page=-1", 400, None, None),
        ("page=abc", 400, None, None),
        ("page=1.5", 400, None, None),
        ("page=1000001", 400, None, None),
        ("page=" + "9" * 40, 400, None, None),
        ("page=%00", 400, None, None),
        ("limit=0", 400, None, None),
        ("limit=-5", 400, None, None),
        ("limit=ten", 400, None, None),
    ],
)
def test_pagination_parameters_are_validated_or_clamped_never_a_500(api, store, query, status, page, limit):
    MarketplaceImportJobFactory(store=store)

    response = api.get(f"{STORE_API}/imports?{query}")

    assert response.status_code == status, response.content
    if status == 200:
        assert (response.json()["page"], response.json()["limit"]) == (page, limit)


def test_list_queries_do_not_grow_with_the_limit(api, store, owner, django_assert_num_queries):
    MarketplaceImportJobFactory.create_batch(60, store=store, user=owner, status="completed")
    with CaptureQueriesContext(connection) as small:
        assert len(api.get(f"{STORE_API}/imports?limit=5").json()["items"]) == 5

    with django_assert_num_queries(len(small.captured_queries)):
        assert len(api.get(f"{STORE_API}/imports?limit=50").json()["items"]) == 50


# --- GET /imports/{id} ---------------------------------------------------------------------
def test_the_detail_has_exactly_the_job_fields_and_values(api, store, owner):
    started = timezone.now() - timedelta(seconds=90)
    job = MarketplaceImportJobFactory(
        store=store,
        user=owner,
        status="completed_with_errors",
        imported_count=150,
        updated_count=25,
        error_count=2,
        total_processed=177,
        started_at=started,
        completed_at=started + timedelta(seconds=42),
        detected_encoding="utf-8",
        detected_delimiter=";",
        progress_percent=100,
        language="de",
        batch_size=500,
    )

    body = api.get(f"{STORE_API}/imports/{job.pk}").json()

    assert set(body) == JOB_FIELDS
    assert body["id"] == job.pk
    assert (body["status"], body["imported_count"], body["updated_count"]) == ("completed_with_errors", 150, 25)
    assert (body["error_count"], body["total_processed"], body["duration_seconds"]) == (2, 177, 42.0)
    assert (body["store_id"], body["user_id"], body["language"], body["batch_size"]) == (store.pk, owner.pk, "de", 500)
    assert (body["detected_encoding"], body["detected_delimiter"]) == ("utf-8", ";")


def test_the_detail_of_a_job_whose_creator_was_deleted_has_no_creator(api, store):
    job = MarketplaceImportJobFactory(store=store)
    job.user.delete()

    body = api.get(f"{STORE_API}/imports/{job.pk}").json()

    assert (body["user_id"], body["created_by"]) == (None, None)


@pytest.mark.parametrize("job_id", ["0", "-1", "abc", "1.0", "99999999999999999999999999", "%C3%A9", "1e3"])
def test_an_unknown_or_malformed_job_id_is_a_json_404(api, job_id):
    for suffix in ("", "/errors", "/errors.csv"):
        response = api.get(f"{STORE_API}/imports/{job_id}{suffix}")
        assert response.status_code == 404
        assert response.json() == {"detail": response.json()["detail"]}
    assert api.post(f"{STORE_API}/imports/{job_id}/cancel").status_code == 404


# --- errors ------------------------------------------------------------------------------
@pytest.fixture
def job_with_errors(store):
    job = MarketplaceImportJobFactory(store=store, status="completed_with_errors", error_count=3, warning_count=2)
    for row in (5, 3, 9):
        MarketplaceImportErrorFactory(import_job=job, row_number=row, error_type="missing_title")
    MarketplaceImportErrorFactory(
        import_job=job,
        row_number=4,
        error_type="parse_error",
        severity="warning",
        field="gtin",
        row_data={"id": "A", "gtin": "4.00638E+12"},
    )
    MarketplaceImportErrorFactory(import_job=job, row_number=7, error_type="validation_error", severity="warning")
    return job


def test_errors_are_listed_in_row_order_with_exactly_the_error_fields(api, job_with_errors):
    body = api.get(f"{STORE_API}/imports/{job_with_errors.pk}/errors").json()

    assert [item["row_number"] for item in body["items"]] == [3, 4, 5, 7, 9]
    assert (body["total"], body["page"], body["limit"]) == (5, 1, 50)
    assert set(body["items"][0]) == ERROR_FIELDS
    warning = body["items"][1]
    assert (warning["severity"], warning["error_type"], warning["field"]) == ("warning", "parse_error", "gtin")
    assert warning["row_data"] == {"id": "A", "gtin": "4.00638E+12"}


@pytest.mark.parametrize(
    ("query", "rows"),
    [
        ("severity=warning", [4, 7]),
        ("severity=error", [3, 5, 9]),
        ("error_type=missing_title", [3, 5, 9]),
        ("severity=warning&error_type=parse_error", [4]),
        ("severity=&error_type=", [3, 4, 5, 7, 9]),
        ("limit=2&page=2", [5, 7]),
    ],
)
def test_errors_are_filtered_and_paginated(api, job_with_errors, query, rows):
    body = api.get(f"{STORE_API}/imports/{job_with_errors.pk}/errors?{query}").json()

    assert [item["row_number"] for item in body["items"]] == rows


def test_error_list_queries_do_not_grow_with_the_limit(api, store, django_assert_num_queries):
    job = MarketplaceImportJobFactory(store=store, status="completed_with_errors")
    MarketplaceImportErrorFactory.create_batch(60, import_job=job)
    with CaptureQueriesContext(connection) as small:
        assert len(api.get(f"{STORE_API}/imports/{job.pk}/errors?limit=5").json()["items"]) == 5

    with django_assert_num_queries(len(small.captured_queries)):
        assert len(api.get(f"{STORE_API}/imports/{job.pk}/errors?limit=50").json()["items"]) == 50


@pytest.mark.parametrize(
    "query", ["severity=fatal", "error_type=bogus", "page=0", "limit=x", "severity=%00", "sevrity=error"]
)
def test_invalid_error_filters_answer_400(api, job_with_errors, query):
    assert api.get(f"{STORE_API}/imports/{job_with_errors.pk}/errors?{query}").status_code == 400


def test_the_errors_csv_has_every_error_and_neutralises_formulas(api, store):
    job = MarketplaceImportJobFactory(store=store, status="completed_with_errors")
    MarketplaceImportErrorFactory(
        import_job=job,
        row_number=2,
        identifier='=HYPERLINK("http://evil")',
        error_message="+cmd|' /C calc'!A0",
        row_data={"id": "@SUM(A1)", "price": "-12.5"},
    )
    MarketplaceImportErrorFactory.create_batch(60, import_job=job)

    response = api.get(f"{STORE_API}/imports/{job.pk}/errors.csv", HTTP_ACCEPT="text/csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"import-{job.pk}-errors.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["row_number", "identifier", "severity", "error_type", "field", "error_message", "row_data"]
    assert len(rows) == 1 + 61
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'
    assert rows[1][5].startswith("'+cmd")
    assert rows[1][6] == "id=@SUM(A1); price=-12.5"  # starts with a letter: nothing to neutralise


def test_the_errors_csv_answers_errors_in_json_even_to_a_csv_client(api, client_for):
    response = api.get(f"{STORE_API}/imports/12345/errors.csv", HTTP_ACCEPT="text/csv")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    anonymous = client_for(None).get(f"{STORE_API}/imports/12345/errors.csv", HTTP_ACCEPT="text/csv")
    assert anonymous.status_code == 401


# --- cancel ------------------------------------------------------------------------------
def test_cancelling_a_pending_job_answers_the_cancelled_job(api, store):
    job = MarketplaceImportJobFactory(store=store)

    response = api.post(f"{STORE_API}/imports/{job.pk}/cancel")

    assert response.status_code == 200
    assert set(response.json()) == JOB_FIELDS
    assert response.json()["status"] == "cancelled"
    assert response.json()["completed_at"] is not None


def test_cancelling_a_processing_job_asks_the_worker_to_stop(api, store):
    job = MarketplaceImportJobFactory(store=store, status="processing", started_at=timezone.now())

    response = api.post(f"{STORE_API}/imports/{job.pk}/cancel/")

    assert response.status_code == 200
    job.refresh_from_db()
    assert job.cancel_requested


@pytest.mark.parametrize("status", ["completed", "completed_with_errors", "failed", "cancelled"])
def test_cancelling_a_finished_job_answers_409(api, store, status):
    job = MarketplaceImportJobFactory(store=store, status=status)

    response = api.post(f"{STORE_API}/imports/{job.pk}/cancel")

    assert response.status_code == 409
    assert "detail" in response.json()
