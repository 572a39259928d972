"""/admin/imports: statistics, filters, the complete job table, job details and the error viewer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from marketplace.models import MarketplaceImportJob
from tests.factories.accounts import UserFactory
from tests.factories.marketplace import MarketplaceImportErrorFactory, MarketplaceImportJobFactory
from tests.factories.stores import StoreFactory

pytestmark = pytest.mark.django_db
Status = MarketplaceImportJob.Status
URL = "/admin/imports"


@pytest.fixture
def jobs(store, other_store, owner, admin_user):
    """One job per status, spread over two stores and two creators."""
    return {
        "pending": MarketplaceImportJobFactory(store=store, user=admin_user, status=Status.PENDING, language="fr"),
        "processing": MarketplaceImportJobFactory(
            store=other_store, user=owner, status=Status.PROCESSING, language="fr", progress_percent=42
        ),
        "completed": MarketplaceImportJobFactory(
            store=store, user=owner, status=Status.COMPLETED, language="de", imported_count=300
        ),
        "completed_with_errors": MarketplaceImportJobFactory(
            store=other_store, user=admin_user, language="de", status=Status.COMPLETED_WITH_ERRORS, error_count=5
        ),
        "failed": MarketplaceImportJobFactory(store=store, user=admin_user, status=Status.FAILED, language="en"),
        "cancelled": MarketplaceImportJobFactory(store=other_store, user=owner, status=Status.CANCELLED, language="en"),
    }


def _ids(response) -> list[int]:
    return [job.pk for job in response.context["page_obj"]]


def test_the_url_is_the_one_the_spec_names():
    assert reverse("admin_pages:imports") == URL


def test_it_shows_statistics_cards_for_every_status(admin_client_root, jobs):
    response = admin_client_root.get(URL)
    assert response.context["stats"] == {
        "total": 6,
        "active": 2,
        "pending": 1,
        "processing": 1,
        "completed": 1,
        "completed_with_errors": 1,
        "failed": 1,
        "cancelled": 1,
    }
    content = response.content.decode()
    for label in ("Total jobs", "Active", "Completed", "Completed with errors", "Failed", "Cancelled"):
        assert f'<span class="stat-label">{label}</span>' in content


def test_the_table_has_every_job_newest_first_with_store_and_creator(admin_client_root, jobs):
    response = admin_client_root.get(URL)
    assert _ids(response) == [job.pk for job in reversed(jobs.values())]
    content = response.content.decode()
    assert "Created by" in content
    assert "Alpha Store" in content and "Bravo Store" in content
    assert "alice" in content and "root" in content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=failed", ["failed"]),
        ("status=active", ["processing", "pending"]),
        (
            "marketplace=Letzshop",
            ["cancelled", "failed", "completed_with_errors", "completed", "processing", "pending"],
        ),
        ("language=de", ["completed_with_errors", "completed"]),
        ("creator=me", ["failed", "completed_with_errors", "pending"]),
        ("creator=me&status=completed_with_errors", ["completed_with_errors"]),
    ],
)
def test_it_filters(admin_client_root, jobs, query, expected):
    response = admin_client_root.get(f"{URL}?{query}")
    assert _ids(response) == [jobs[name].pk for name in expected]


def test_it_filters_by_store_and_scopes_the_statistics(admin_client_root, jobs, store):
    response = admin_client_root.get(f"{URL}?store={store.pk}")
    assert _ids(response) == [jobs["failed"].pk, jobs["completed"].pk, jobs["pending"].pk]
    assert response.context["stats"]["total"] == 3
    assert response.context["stats"]["active"] == 1


def test_the_store_filter_takes_a_code_as_well_as_an_id(admin_client_root, jobs, store):
    by_id = admin_client_root.get(f"{URL}?store={store.pk}")
    by_code = admin_client_root.get(f"{URL}?store={store.code}")

    assert _ids(by_code) == _ids(by_id) == [jobs["failed"].pk, jobs["completed"].pk, jobs["pending"].pk]
    assert by_code.context["stats"]["total"] == 3
    # The store <select> shows the store the URL named.
    assert f'<option value="{store.pk}" selected'.encode() in by_code.content


def test_an_unknown_store_code_says_so_and_shows_every_job(admin_client_root, jobs):
    response = admin_client_root.get(f"{URL}?store=nosuchshop")

    assert response.status_code == 200 and len(_ids(response)) == 6
    assert "No store has the code or id “nosuchshop”. Showing all." in response.content.decode()


def test_the_status_filter_narrows_the_table_not_the_cards(admin_client_root, jobs):
    response = admin_client_root.get(f"{URL}?status=failed")
    assert response.context["stats"]["total"] == 6
    assert response.context["page_obj"].paginator.count == 1


def test_unknown_filter_values_are_ignored(admin_client_root, jobs):
    response = admin_client_root.get(f"{URL}?status=bogus&store=999999&creator=x&page=abc")
    assert response.status_code == 200
    assert len(_ids(response)) == 6
    # A bad value drops its own filter only.
    response = admin_client_root.get(f"{URL}?store=999999&creator=me")
    assert _ids(response) == [jobs[n].pk for n in ("failed", "completed_with_errors", "pending")]


def test_it_refreshes_every_15_seconds_only_while_jobs_are_active(admin_client_root, jobs):
    content = admin_client_root.get(URL).content.decode()
    live = content.split('id="imports-live"')[1].split(">")[0]
    assert 'hx-trigger="every 15s"' in live
    assert "imports/live?" in live
    assert "htmx.min.js" in content

    # None of the German jobs is active: nothing polls.
    content = admin_client_root.get(f"{URL}?language=de").content.decode()
    assert "hx-trigger" not in content.split('id="imports-live"')[1].split(">")[0]
    assert "No active jobs" in content


def test_the_live_partial_keeps_the_filters_and_stops_when_nothing_is_active(admin_client_root, jobs):
    response = admin_client_root.get(f"{reverse('admin_pages:imports-live')}?creator=me&page=1", HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="imports-live"')
    assert "creator=me" in content
    assert _ids(response) == [jobs[n].pk for n in ("failed", "completed_with_errors", "pending")]

    MarketplaceImportJob.objects.filter(status__in=MarketplaceImportJob.ACTIVE_STATUSES).update(status=Status.COMPLETED)
    content = admin_client_root.get(reverse("admin_pages:imports-live"), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in content


def test_it_pages_without_counting_the_table_again(admin_client_root, store, django_assert_num_queries):
    for _ in range(30):
        MarketplaceImportJobFactory(store=store, status=Status.COMPLETED)
    response = admin_client_root.get(f"{URL}?page=2")
    assert len(_ids(response)) == 5
    assert b"Page 2 of 2" in response.content
    queries = [q["sql"] for q in _captured(admin_client_root, f"{URL}?page=2")]
    counts = [sql for sql in queries if "COUNT(" in sql.upper()]
    assert len(counts) == 1, counts  # the statistics aggregate, nothing else


def _captured(client, url: str) -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return ctx.captured_queries


def test_the_page_runs_a_fixed_number_of_queries(admin_client_root, django_assert_max_num_queries):
    def make(n: int) -> None:
        for _ in range(n):
            MarketplaceImportJobFactory(store=StoreFactory(), user=UserFactory(), status=Status.COMPLETED)

    make(5)
    with_five = len(_captured(admin_client_root, URL))
    make(45)
    with django_assert_max_num_queries(with_five):
        admin_client_root.get(URL)


# --- job details -------------------------------------------------------------------------
def test_the_details_show_the_job_and_its_errors(admin_client_root, store, owner):
    job = MarketplaceImportJobFactory(
        store=store,
        user=owner,
        status=Status.COMPLETED_WITH_ERRORS,
        error_count=2,
        warning_count=1,
        detected_encoding="cp1252",
        detected_delimiter=";",
    )
    MarketplaceImportErrorFactory(
        import_job=job, row_number=11, identifier="LS-00010", row_data={"id": "LS-00010", "title": ""}
    )
    MarketplaceImportErrorFactory(
        import_job=job,
        row_number=21,
        identifier="LS-00020",
        error_type="parse_error",
        field="price",
        error_message="Price 'free' is not a number.",
    )
    MarketplaceImportErrorFactory(import_job=job, row_number=31, severity="warning", error_type="validation_error")
    response = admin_client_root.get(reverse("admin_pages:import-detail", args=[job.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "cp1252" in content and "Semicolon" in content
    assert "Price &#x27;free&#x27; is not a number." in content
    assert "LS-00010" in content
    assert [e.row_number for e in response.context["error_page"]] == [11, 21, 31]
    assert 'hx-trigger="every' not in content  # finished: no polling
    assert reverse("admin_pages:import-errors-csv", args=[job.pk]) in content


def test_the_error_viewer_filters_and_pages(admin_client_root, store):
    job = MarketplaceImportJobFactory(store=store, status=Status.COMPLETED_WITH_ERRORS)
    for row in range(2, 62):
        MarketplaceImportErrorFactory(import_job=job, row_number=row)
    MarketplaceImportErrorFactory(import_job=job, row_number=100, severity="warning", error_type="validation_error")
    url = reverse("admin_pages:import-errors", args=[job.pk])

    first = admin_client_root.get(url, HTTP_HX_REQUEST="true")
    assert len(first.context["error_page"]) == 50
    assert b"Page 1 of 2" in first.content
    second = admin_client_root.get(url + "?page=2")
    assert [e.row_number for e in second.context["error_page"]][-1] == 100
    warnings = admin_client_root.get(url + "?severity=warning")
    assert [e.row_number for e in warnings.context["error_page"]] == [100]
    parse = admin_client_root.get(url + "?error_type=validation_error&severity=error")
    assert b"No errors match these filters." in parse.content


def test_an_active_job_polls_its_summary_and_reloads_its_errors_when_it_finishes(admin_client_root, store):
    job = MarketplaceImportJobFactory(store=store, status=Status.PROCESSING, progress_percent=30)
    content = admin_client_root.get(reverse("admin_pages:import-detail", args=[job.pk])).content.decode()
    assert f'hx-get="{reverse("admin_pages:import-summary", args=[job.pk])}"' in content
    assert 'hx-trigger="job-finished from:body"' in content

    still_running = admin_client_root.get(reverse("admin_pages:import-summary", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert "HX-Trigger" not in still_running
    job.status = Status.COMPLETED
    job.save()
    finished = admin_client_root.get(reverse("admin_pages:import-summary", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert finished["HX-Trigger"] == "job-finished"
    assert b"hx-trigger" not in finished.content


def test_a_stopping_job_is_followed_every_second_until_it_has_ended(admin_client_root, store):
    job = MarketplaceImportJobFactory(store=store, status=Status.PROCESSING, progress_percent=30)
    summary_url = reverse("admin_pages:import-summary", args=[job.pk])
    assert 'hx-trigger="every 15s"' in admin_client_root.get(summary_url, HTTP_HX_REQUEST="true").content.decode()

    # The admin cancels: the worker stops at its next batch, within a second or so, and the
    # page says so then rather than at its usual 15 s pace.
    page = admin_client_root.post(reverse("admin_pages:import-cancel", args=[job.pk]), follow=True)
    assert 'hx-trigger="every 1s"' in page.content.decode()
    MarketplaceImportJob.objects.filter(pk=job.pk).update(status=Status.CANCELLED)
    ended = admin_client_root.get(summary_url, HTTP_HX_REQUEST="true")
    assert ended["HX-Trigger"] == "job-finished"
    assert b"hx-trigger" not in ended.content and b"Cancelled" in ended.content


def test_the_errors_download_as_formula_safe_csv(admin_client_root, store):
    job = MarketplaceImportJobFactory(store=store)
    MarketplaceImportErrorFactory(import_job=job, identifier="=HYPERLINK(1)")
    response = admin_client_root.get(reverse("admin_pages:import-errors-csv", args=[job.pk]))
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK(1)" in body


def test_an_unknown_job_is_404(admin_client_root):
    assert admin_client_root.get(reverse("admin_pages:import-detail", args=[999999])).status_code == 404


def test_cancel_and_retry_from_the_details(admin_client_root, admin_user, store):
    job = MarketplaceImportJobFactory(store=store, status=Status.PENDING)
    response = admin_client_root.post(reverse("admin_pages:import-cancel", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == Status.CANCELLED

    response = admin_client_root.post(reverse("admin_pages:import-retry", args=[job.pk]))
    retry = MarketplaceImportJob.objects.get(retried_from=job)
    assert response["Location"] == reverse("admin_pages:import-detail", args=[retry.pk])
    assert retry.user == admin_user

    again = admin_client_root.post(reverse("admin_pages:import-cancel", args=[job.pk]), follow=True)
    assert b"cannot be cancelled" in again.content
    assert admin_client_root.get(reverse("admin_pages:import-cancel", args=[job.pk])).status_code == 405


@pytest.mark.parametrize("direct_offset", [0, 500])
def test_every_page_holds_the_right_jobs_whichever_way_it_is_read(admin_client_root, store, monkeypatch, direct_offset):
    """Deep pages are read id-first and from the nearer end; they must match a plain slice."""
    from marketplace.admin_pages import views as admin_views

    monkeypatch.setattr(admin_views.KnownCountPaginator, "DIRECT_OFFSET", direct_offset)
    for _ in range(61):
        MarketplaceImportJobFactory(store=store, status=Status.COMPLETED)
    expected = list(MarketplaceImportJob.objects.order_by("-created_at", "-id").values_list("id", flat=True))
    seen = []
    for number in (1, 2, 3):
        response = admin_client_root.get(f"{URL}?page={number}")
        seen += _ids(response)
    assert seen == expected
