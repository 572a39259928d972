"""The store's Marketplace Import pages: roles, tenancy, the form, the history, the job modal."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from marketplace.models import MarketplaceImportError, MarketplaceImportJob
from tests.factories.marketplace import MarketplaceImportErrorFactory, MarketplaceImportJobFactory

pytestmark = pytest.mark.django_db

Status = MarketplaceImportJob.Status
HTMX = {"HTTP_HX_REQUEST": "true"}
FR_IMPORT = {"source_url": "https://feeds.example.lu/fr.csv", "language": "fr", "batch_size": 1000}


@pytest.fixture
def job(store, owner):
    return MarketplaceImportJobFactory(
        store=store,
        user=owner,
        status=Status.COMPLETED_WITH_ERRORS,
        imported_count=290,
        updated_count=3,
        unchanged_count=2,
        error_count=4,
        warning_count=2,
        total_processed=301,
        progress_percent=100,
        detected_encoding="cp1252",
        detected_delimiter=";",
    )


@pytest.fixture
def other_job(other_store):
    return MarketplaceImportJobFactory(store=other_store, status=Status.FAILED, error_message="Bravo's secret reason")


def _url(name: str, *args: object) -> str:
    return reverse(f"marketplace:{name}", args=args)


def _page_urls(store, job) -> dict[str, tuple[str, dict[str, str]]]:
    return {
        "import page": (_url("import", store.code), {}),
        "history": (_url("history", store.code), HTMX),
        "job modal": (_url("job-detail", store.code, job.pk), HTMX),
        "job page": (_url("job-detail", store.code, job.pk), {}),
        "job summary": (_url("job-summary", store.code, job.pk), HTMX),
        "job errors": (_url("job-errors", store.code, job.pk), HTMX),
        "errors csv": (_url("job-errors-csv", store.code, job.pk), {}),
    }


# --- who may see what --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [("owner", 200), ("manager", 200), ("staff_member", 200), ("outsider", 404), ("admin_user", 200)],
)
def test_every_page_answers_each_role(as_role, role, expected, store, job):
    client = as_role(role)
    for what, (url, headers) in _page_urls(store, job).items():
        response = client.get(url, **headers)
        assert response.status_code == expected, f"{what} answered {response.status_code} to {role}"


def test_anonymous_users_go_to_the_login_page(client, store, job):
    for what, (url, headers) in _page_urls(store, job).items():
        response = client.get(url, **headers)
        if headers:
            # htmx would swap a redirect's login form into the table: send the whole window instead.
            assert response.status_code == 204, what
            assert response["HX-Redirect"].startswith("/accounts/login/?next="), what
        else:
            assert response.status_code == 302, what
            assert response["Location"].startswith("/accounts/login/?next="), what


def test_a_job_of_another_store_is_404_even_through_my_store(as_role, store, other_job):
    client = as_role("owner")
    for name in ("job-detail", "job-summary", "job-errors", "job-errors-csv"):
        assert client.get(_url(name, store.code, other_job.pk), **HTMX).status_code == 404
        assert client.get(_url(name, other_job.store.code, other_job.pk), **HTMX).status_code == 404
    for name in ("job-cancel", "job-retry"):
        assert client.post(_url(name, store.code, other_job.pk)).status_code == 404
    other_job.refresh_from_db()
    assert other_job.status == Status.FAILED
    assert MarketplaceImportJob.objects.count() == 1


def test_an_unknown_store_is_404(as_role):
    assert as_role("owner").get(_url("import", "nowhere")).status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"),
    [("owner", 302), ("manager", 302), ("staff_member", 403), ("outsider", 404), ("admin_user", 302)],
)
def test_starting_an_import_by_role(as_role, role, expected, store):
    response = as_role(role).post(
        _url("import", store.code),
        {"source_url": "https://feeds.example.lu/fr.csv", "language": "fr", "batch_size": 1000},
    )
    assert response.status_code == expected
    assert MarketplaceImportJob.objects.filter(store=store).exists() == (expected == 302)


def test_anonymous_cannot_start_an_import(client, store):
    response = client.post(
        _url("import", store.code),
        {"source_url": "https://feeds.example.lu/fr.csv", "language": "fr", "batch_size": 1000},
    )
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not MarketplaceImportJob.objects.exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("owner", 302),
        ("manager", 302),
        ("staff_member", 403),
        ("outsider", 404),
        ("admin_user", 302),
        ("anonymous", 302),
    ],
)
def test_cancel_and_retry_by_role(as_role, role, expected, store, owner):
    running = MarketplaceImportJobFactory(store=store, user=owner, status=Status.PENDING, language="en")
    failed = MarketplaceImportJobFactory(store=store, user=owner, status=Status.FAILED, language="de")
    client = as_role(role)
    assert client.post(_url("job-cancel", store.code, running.pk)).status_code == expected
    assert client.post(_url("job-retry", store.code, failed.pk)).status_code == expected
    running.refresh_from_db()
    may_write = role in ("owner", "manager", "admin_user")
    assert running.status == (Status.CANCELLED if may_write else Status.PENDING)
    assert MarketplaceImportJob.objects.filter(retried_from=failed).exists() == may_write


def test_get_on_cancel_is_not_allowed(as_role, store, job):
    assert as_role("owner").get(_url("job-cancel", store.code, job.pk)).status_code == 405


# --- the page a store owner and a staff member see ------------------------------------------------


def test_the_owner_gets_the_form_with_quick_fill(as_role, store):
    store.letzshop_csv_url_fr = "https://feeds.example.lu/fr.csv"
    store.letzshop_csv_url_en = "https://feeds.example.lu/en.csv"
    store.save()
    response = as_role("owner").get(_url("import", store.code))
    html = response.content.decode()
    assert 'id="import-form"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'data-quick-fill-url="https://feeds.example.lu/fr.csv"' in html
    assert 'data-quick-fill-url="https://feeds.example.lu/en.csv"' in html
    # German is not configured: its button is shown disabled, with a hint saying so.
    assert 'data-quick-fill-url=""' not in html
    assert html.count('disabled aria-describedby="quick-fill-hint"') == 1
    assert "Not set yet: German." in html
    assert 'value="Letzshop" readonly' in html
    assert 'name="batch_size"' in html and 'value="1000"' in html
    assert '<option value="fr" selected>' in html  # the store's default language
    assert "js/marketplace.js" in html and "vendor/htmx/htmx.min.js" in html


def test_quick_fill_without_any_url_points_to_the_settings(as_role, store):
    html = as_role("owner").get(_url("import", store.code)).content.decode()
    assert html.count('disabled aria-describedby="quick-fill-hint"') == 3
    assert "No feed URL is saved yet" in html
    assert reverse("stores:settings", args=[store.code]) in html


def test_quick_fill_works_without_javascript(as_role, store):
    store.letzshop_csv_url_de = "https://feeds.example.lu/de.tsv"
    store.save()
    html = as_role("owner").get(_url("import", store.code), {"quick_fill": "de"}).content.decode()
    assert 'value="https://feeds.example.lu/de.tsv"' in html
    assert '<option value="de" selected>' in html


def test_staff_see_history_and_details_but_no_form_and_no_buttons(as_role, store, owner):
    failed = MarketplaceImportJobFactory(store=store, user=owner, status=Status.FAILED, error_message="Boom")
    running = MarketplaceImportJobFactory(store=store, user=owner, status=Status.PROCESSING, language="en")
    client = as_role("staff_member")
    html = client.get(_url("import", store.code)).content.decode()
    assert 'id="import-form"' not in html
    assert "Start import" not in html
    assert "read-only access" in html
    assert f'id="job-row-{failed.pk}"' in html and f'id="job-row-{running.pk}"' in html
    for job in (failed, running):
        modal = client.get(_url("job-detail", store.code, job.pk), **HTMX).content.decode()
        assert "job-cancel-button" not in modal and "job-retry-button" not in modal
    # The sidebar has no Settings link for a read-only member.
    assert reverse("stores:settings", args=[store.code]) not in html


@pytest.mark.parametrize(("role", "offered"), [("owner", True), ("manager", True), ("staff_member", False)])
def test_only_members_who_may_publish_are_offered_to_publish_from_a_finished_import(
    as_role, store, owner, role, offered
):
    job = MarketplaceImportJobFactory(
        store=store, user=owner, status=Status.COMPLETED, imported_count=3, total_processed=3
    )
    client = as_role(role)
    for url, extra in ((_url("job-detail", store.code, job.pk), HTMX), (_url("job-detail", store.code, job.pk), {})):
        html = client.get(url, **extra).content.decode()
        assert ('id="job-publish-link"' in html) is offered
        assert (reverse("catalog:product-publish-job", args=[store.code, job.pk]) in html) is offered


@pytest.mark.parametrize(
    ("status", "hint"),
    [
        (Status.PROCESSING, "data rows so far"),
        (Status.CANCELLED, "data rows before it stopped"),
        (Status.FAILED, "data rows before it stopped"),
        (Status.COMPLETED, "data rows in the file"),
    ],
)
def test_rows_read_says_whether_it_is_the_whole_file(as_role, store, owner, status, hint):
    job = MarketplaceImportJobFactory(store=store, user=owner, status=status, total_processed=1200)
    html = as_role("owner").get(_url("job-detail", store.code, job.pk), **HTMX).content.decode()

    assert f'data-count="processed">1,200</dd><dd class="metric-hint">{hint}</dd>' in html


def test_the_sidebar_marks_marketplace_import_as_current(as_role, store):
    html = as_role("owner").get(_url("import", store.code)).content.decode()
    assert f'href="{_url("import", store.code)}" aria-current="page">Marketplace Import' in html
    assert reverse("stores:settings", args=[store.code]) in html


# --- starting an import -------------------------------------------------------------------------


def test_an_import_from_a_url_starts_and_redirects_back(as_role, store, owner):
    response = as_role("owner").post(
        _url("import", store.code),
        {"source_url": "https://feeds.example.lu/fr.csv", "language": "fr", "batch_size": 500},
        follow=True,
    )
    assert response.redirect_chain == [(_url("import", store.code) + "#history", 302)]
    job = MarketplaceImportJob.objects.get()
    assert (job.store, job.user, job.language, job.batch_size) == (store, owner, "fr", 500)
    assert job.source_url == "https://feeds.example.lu/fr.csv" and job.status == Status.PENDING
    html = response.content.decode()
    assert f"Import #{job.pk} of the French feed has started" in html
    assert f'id="job-row-{job.pk}"' in html
    assert "every 10s" in html  # the history keeps itself up to date while the job runs


def test_an_import_from_an_uploaded_file(as_role, store):
    upload = SimpleUploadedFile("my feed.csv", b"id,title\n1,Shirt\n", content_type="text/csv")
    response = as_role("manager").post(
        _url("import", store.code), {"file": upload, "language": "en", "batch_size": 1000}
    )
    assert response.status_code == 302
    job = MarketplaceImportJob.objects.get()
    assert job.source_url == "" and job.source_filename == "my feed.csv" and job.source_file


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"language": "fr", "batch_size": 1000}, "source_url", "Enter the feed URL, use Quick Fill, or upload a CSV"),
        (
            {"source_url": "ftp://feeds.example.lu/fr.csv", "language": "fr", "batch_size": 1000},
            "source_url",
            "Only http:// and https:// addresses can be downloaded, not ftp: addresses.",
        ),
        (
            {"source_url": "javascript:alert(1)", "language": "fr", "batch_size": 1000},
            "source_url",
            "not javascript: addresses",
        ),
        (
            {"source_url": "not a url", "language": "fr", "batch_size": 1000},
            "source_url",
            "Enter a complete web address",
        ),
        (
            {"source_url": "https://feeds.example.lu/a.csv", "language": "fr", "batch_size": 99},
            "batch_size",
            "greater than or equal to 100",
        ),
        (
            {"source_url": "https://feeds.example.lu/a.csv", "language": "fr", "batch_size": 5001},
            "batch_size",
            "less than or equal to 5000",
        ),
        (
            {"source_url": "https://feeds.example.lu/a.csv", "language": "lb", "batch_size": 1000},
            "language",
            "Select a valid choice",
        ),
        # Refused by the service (the same rules as the API), shown under the field.
        (
            {"source_url": "https://user:secret@feeds.example.lu/a.csv", "language": "fr", "batch_size": 1000},
            "source_url",
            "user name or password",
        ),
        ({"source_url": "http://127.0.0.1/feed.csv", "language": "fr", "batch_size": 1000}, "source_url", ""),
    ],
)
def test_invalid_input_is_shown_inline(as_role, store, data, field, message):
    response = as_role("owner").post(_url("import", store.code), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert len(form.errors[field]) == 1 and message in form.errors[field][0]  # one message for one mistake
    html = response.content.decode()
    assert 'aria-invalid="true"' in html and 'class="errorlist"' in html
    assert not MarketplaceImportJob.objects.exists()


def test_a_url_and_a_file_together_are_refused(as_role, store):
    upload = SimpleUploadedFile("feed.csv", b"id,title\n1,A\n", content_type="text/csv")
    response = as_role("owner").post(
        _url("import", store.code),
        {"source_url": "https://feeds.example.lu/a.csv", "file": upload, "language": "fr", "batch_size": 1000},
    )
    assert response.status_code == 200
    assert "Choose one source" in " ".join(response.context["form"].errors["file"])
    assert not MarketplaceImportJob.objects.exists()


def test_the_entered_values_are_kept_after_an_error(as_role, store):
    response = as_role("owner").post(
        _url("import", store.code), {"source_url": "https://feeds.example.lu/a.csv", "language": "de", "batch_size": 50}
    )
    html = response.content.decode()
    assert 'value="https://feeds.example.lu/a.csv"' in html
    assert '<option value="de" selected>' in html and 'value="50"' in html


def test_an_inactive_store_cannot_start_imports(as_role, store):
    store.is_active = False
    store.save()
    response = as_role("owner").post(
        _url("import", store.code), {**FR_IMPORT, "source_url": "https://feeds.example.lu/a.csv"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "This store is inactive and cannot start imports." in html
    assert 'id="start-import" disabled' in html
    assert not MarketplaceImportJob.objects.exists()


def test_a_second_import_of_the_same_language_is_explained_with_a_link(as_role, store, owner):
    running = MarketplaceImportJobFactory(
        store=store, user=owner, language="fr", status=Status.PROCESSING, progress_percent=40
    )
    response = as_role("owner").post(_url("import", store.code), FR_IMPORT)
    assert response.status_code == 409
    html = response.content.decode()
    assert "An import of the French feed is already processing" in html
    assert "Only one import per language runs at a time" in html
    assert f'href="{_url("job-detail", store.code, running.pk)}"' in html
    assert f"View import #{running.pk}" in html
    assert MarketplaceImportJob.objects.count() == 1
    # The form keeps what was typed, so starting again later is one click.
    assert 'value="https://feeds.example.lu/fr.csv"' in html


def test_another_language_may_run_at_the_same_time(as_role, store, owner):
    MarketplaceImportJobFactory(store=store, user=owner, language="fr", status=Status.PROCESSING)
    response = as_role("owner").post(
        _url("import", store.code), {**FR_IMPORT, "source_url": "https://feeds.example.lu/en.csv", "language": "en"}
    )
    assert response.status_code == 302
    assert MarketplaceImportJob.objects.filter(language="en", status=Status.PENDING).exists()


# --- history ------------------------------------------------------------------------------------


def test_history_is_newest_first_and_paginated(as_role, store, owner):
    jobs = [MarketplaceImportJobFactory(store=store, user=owner, status=Status.COMPLETED) for _ in range(12)]
    MarketplaceImportJobFactory(status=Status.COMPLETED)  # another store's job never shows
    client = as_role("owner")
    first = client.get(_url("import", store.code)).content.decode()
    ids = [job.pk for job in reversed(jobs)]
    positions = [first.index(f'id="job-row-{pk}"') for pk in ids[:10]]
    assert positions == sorted(positions)
    assert f'id="job-row-{ids[10]}"' not in first
    assert "Page 1 of 2 · 12 imports" in first
    second = client.get(_url("history", store.code), {"page": 2}, **HTMX).content.decode()
    assert f'id="job-row-{ids[10]}"' in second and f'id="job-row-{ids[11]}"' in second
    assert f'id="job-row-{ids[0]}"' not in second
    assert "<html" not in second  # a fragment, not a page
    # Without htmx the history URL sends the browser to the page itself.
    response = client.get(_url("history", store.code), {"page": 2})
    assert response.status_code == 302 and response["Location"] == _url("import", store.code) + "?page=2"


def test_history_rows_show_status_progress_counts_and_duration(as_role, store, owner, job):
    from datetime import timedelta

    job.started_at = job.created_at
    job.completed_at = job.created_at + timedelta(seconds=75)
    job.save()
    html = as_role("owner").get(_url("history", store.code), **HTMX).content.decode()
    assert 'class="badge status-completed_with_errors">Completed with errors' in html
    assert 'value="100"' in html and "301 rows" in html
    for count, value in (("imported", 290), ("updated", 3), ("unchanged", 2), ("errors", 4), ("warnings", 2)):
        assert f'data-count="{count}">{value}<' in html
    assert "1 min 15 s" in html


@pytest.mark.parametrize("status", [Status.PENDING, Status.PROCESSING])
def test_history_polls_every_10_seconds_while_a_job_is_active(as_role, store, owner, status):
    MarketplaceImportJobFactory(store=store, user=owner, status=status)
    html = as_role("owner").get(_url("history", store.code), **HTMX).content.decode()
    assert 'hx-trigger="every 10s, jobs-changed from:body"' in html
    assert 'data-polling="on"' in html


@pytest.mark.parametrize("status", [Status.COMPLETED, Status.COMPLETED_WITH_ERRORS, Status.FAILED, Status.CANCELLED])
def test_history_stops_polling_when_no_job_is_active(as_role, store, owner, status):
    MarketplaceImportJobFactory(store=store, user=owner, status=status)
    for response in (
        as_role("owner").get(_url("history", store.code), **HTMX),
        as_role("owner").get(_url("import", store.code)),
    ):
        html = response.content.decode()
        assert "every 10s" not in html
        assert 'hx-trigger="jobs-changed from:body"' in html


def test_another_stores_active_job_does_not_make_my_history_poll(as_role, store, other_store):
    MarketplaceImportJobFactory(store=other_store, status=Status.PROCESSING)
    assert "every 10s" not in as_role("owner").get(_url("import", store.code)).content.decode()


def test_the_refresh_interval_can_be_configured(as_role, store, owner, settings):
    settings.MARKETPLACE_PORTAL_REFRESH_SECONDS = 2
    MarketplaceImportJobFactory(store=store, user=owner, status=Status.PROCESSING)
    assert "every 2s" in as_role("owner").get(_url("history", store.code), **HTMX).content.decode()


def test_empty_history_invites_the_first_import(as_role, store):
    assert "No imports yet" in as_role("owner").get(_url("import", store.code)).content.decode()


def _make_jobs(store, owner, n: int) -> None:
    MarketplaceImportJob.objects.bulk_create(
        [
            MarketplaceImportJob(
                store=store,
                user=owner,
                source_url=f"https://f.example.lu/{i}.csv",
                language="fr",
                status=Status.COMPLETED,
            )
            for i in range(n)
        ]
    )


def _count_queries(client, url, headers) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, **headers).status_code == 200
    return len(queries)


def test_history_queries_do_not_grow_with_the_page_size(as_role, store, owner, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr("marketplace.portal.views.HISTORY_PAGE_SIZE", 100)
    client = as_role("owner")
    _make_jobs(store, owner, 5)
    small = _count_queries(client, _url("history", store.code), HTMX)
    page_small = _count_queries(client, _url("import", store.code), {})
    _make_jobs(store, owner, 45)
    with django_assert_num_queries(small):
        html = client.get(_url("history", store.code), **HTMX).content.decode()
    assert html.count('class="job-row') == 50
    with django_assert_num_queries(page_small):
        client.get(_url("import", store.code))


# --- job details and the error viewer ------------------------------------------------------------


def _errors(job, n: int, **kwargs) -> list[MarketplaceImportError]:
    return MarketplaceImportErrorFactory.create_batch(n, import_job=job, **kwargs)


def test_the_modal_shows_configuration_metrics_timestamps_and_detection(as_role, store, job):
    response = as_role("staff_member").get(_url("job-detail", store.code, job.pk), **HTMX)
    html = response.content.decode()
    assert "<html" not in html and 'id="job-detail"' in html
    assert f'id="job-title" tabindex="-1">Import #{job.pk}' in html
    for text in (
        "Letzshop",
        "French",
        job.source_url,
        "cp1252",
        "Semicolon (;)",
        "Completed with errors",
        'data-count="imported">290<',
        'data-count="warnings">2<',
        'data-count="processed">301<',
        "Started by</dt><dd>alice",
        "Batch size</dt><dd>1,000",
    ):
        assert text in html, text


def test_the_job_page_works_without_javascript(as_role, store, job):
    html = as_role("owner").get(_url("job-detail", store.code, job.pk)).content.decode()
    assert "<html" in html and f'<h1 id="job-title" tabindex="-1">Import #{job.pk}' in html
    assert _url("import", store.code) in html


def test_a_failed_job_explains_why(as_role, store, owner):
    failed = MarketplaceImportJobFactory(
        store=store,
        user=owner,
        status=Status.FAILED,
        error_message="The server answered 404 Not Found: check the feed address.",
    )
    html = as_role("owner").get(_url("job-detail", store.code, failed.pk), **HTMX).content.decode()
    assert "Why it failed" in html and "The server answered 404 Not Found" in html
    assert 'id="job-retry-button"' in html and 'id="job-cancel-button"' not in html


def test_a_running_job_offers_cancel_and_polls_until_it_finishes(as_role, store, owner):
    running = MarketplaceImportJobFactory(store=store, user=owner, status=Status.PROCESSING, progress_percent=35)
    client = as_role("owner")
    html = client.get(_url("job-detail", store.code, running.pk), **HTMX).content.decode()
    assert 'id="job-cancel-button"' in html and 'id="job-retry-button"' not in html
    assert html.count('hx-trigger="every 10s"') == 2  # the summary and the error viewer
    assert 'value="35"' in html
    running.status = Status.COMPLETED
    running.save()
    summary = client.get(_url("job-summary", store.code, running.pk), **HTMX).content.decode()
    assert "every 10s" not in summary and "job-cancel-button" not in summary


def test_an_uploaded_job_cannot_be_retried_and_says_why(as_role, store, owner):
    failed = MarketplaceImportJobFactory(
        store=store, user=owner, status=Status.FAILED, source_url="", source_filename="feed.csv"
    )
    html = as_role("owner").get(_url("job-detail", store.code, failed.pk), **HTMX).content.decode()
    assert "job-retry-button" not in html
    assert "upload the file again" in html
    assert "Uploaded file “feed.csv”" in html


def test_the_error_viewer_shows_row_number_identifier_message_and_row_data(as_role, store, job):
    MarketplaceImportErrorFactory(
        import_job=job,
        row_number=21,
        identifier="LS-00020",
        error_type="parse_error",
        field="price",
        error_message="The price “gratuit” is not a number.",
        row_data={"id": "LS-00020", "title": "Sac à dos", "price": "gratuit"},
    )
    html = as_role("owner").get(_url("job-detail", store.code, job.pk), **HTMX).content.decode()
    assert 'data-row="21"' in html and "LS-00020" in html
    assert "The price “gratuit” is not a number." in html
    assert "Parse error" in html and "<code>price</code>" in html
    assert '<div class="is-field"><dt translate="no">price</dt><dd>gratuit</dd></div>' in html
    assert '<dt translate="no">title</dt><dd>Sac à dos</dd>' in html
    assert _url("job-errors-csv", store.code, job.pk) in html


def test_the_error_viewer_is_paginated(as_role, store, job):
    _errors(job, 30)
    client = as_role("owner")
    first = client.get(_url("job-detail", store.code, job.pk), **HTMX).content.decode()
    assert first.count('class="error-row"') == 25
    assert "1–25 of 30" in first and 'id="errors-next"' in first
    second = client.get(_url("job-errors", store.code, job.pk), {"page": 2}, **HTMX).content.decode()
    assert second.count('class="error-row"') == 5 and "26–30 of 30" in second
    assert 'id="errors-prev"' in second and 'id="errors-next"' not in second
    assert "<html" not in second


def test_the_error_viewer_filters_by_severity_and_type(as_role, store, job):
    _errors(job, 3, error_type="missing_title", severity="error")
    _errors(job, 2, error_type="parse_error", severity="error")
    _errors(job, 4, error_type="validation_error", severity="warning")
    client = as_role("owner")
    html = client.get(_url("job-detail", store.code, job.pk), **HTMX).content.decode()
    assert "Errors (5)" in html and "Warnings (4)" in html
    assert "Missing title (3)" in html and "Parse error (2)" in html and "Validation error (4)" in html
    warnings = client.get(_url("job-errors", store.code, job.pk), {"severity": "warning"}, **HTMX).content.decode()
    assert warnings.count('class="error-row"') == 4 and 'sev-error">Error<' not in warnings
    assert '<option value="warning" selected>' in warnings
    parse = client.get(_url("job-errors", store.code, job.pk), {"error_type": "parse_error"}, **HTMX)
    assert parse.content.decode().count('class="error-row"') == 2
    none = client.get(
        _url("job-errors", store.code, job.pk), {"severity": "warning", "error_type": "parse_error"}, **HTMX
    ).content.decode()
    assert "No problem matches these filters." in none
    # The page links keep the filters.
    _errors(job, 30, error_type="missing_id", severity="error")
    paged = client.get(_url("job-errors", store.code, job.pk), {"error_type": "missing_id"}, **HTMX).content.decode()
    assert "error_type=missing_id&amp;page=2" in paged


def test_a_job_without_errors_says_so(as_role, store, owner):
    done = MarketplaceImportJobFactory(store=store, user=owner, status=Status.COMPLETED)
    html = as_role("owner").get(_url("job-detail", store.code, done.pk), **HTMX).content.decode()
    assert "Every row was imported without a problem." in html
    assert "job-errors-csv" not in html


def test_error_queries_do_not_grow_with_the_page_size(as_role, store, job, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr("marketplace.portal.views.ERRORS_PAGE_SIZE", 100)
    client = as_role("owner")
    _errors(job, 5)
    modal = _count_queries(client, _url("job-detail", store.code, job.pk), HTMX)
    viewer = _count_queries(client, _url("job-errors", store.code, job.pk), HTMX)
    _errors(job, 45, error_type="parse_error", severity="warning")
    with django_assert_num_queries(modal):
        html = client.get(_url("job-detail", store.code, job.pk), **HTMX).content.decode()
    assert html.count('class="error-row"') == 50
    with django_assert_num_queries(viewer):
        client.get(_url("job-errors", store.code, job.pk), **HTMX)


def test_the_errors_csv_downloads_every_error_safely(as_role, store, job):
    _errors(job, 30)
    MarketplaceImportErrorFactory(
        import_job=job, row_number=99, identifier='=HYPERLINK("http://evil")', error_message="bad", row_data={"id": "x"}
    )
    response = as_role("staff_member").get(_url("job-errors-csv", store.code, job.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="alpha-import-{job.pk}-errors.csv"'
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("row_number,identifier,severity,error_type")
    assert len(lines) == 32
    assert "'=HYPERLINK" in text


# --- cancel and retry from the modal -------------------------------------------------------------


def test_cancelling_a_pending_job_from_the_modal(as_role, store, owner):
    pending = MarketplaceImportJobFactory(store=store, user=owner, status=Status.PENDING)
    response = as_role("owner").post(_url("job-cancel", store.code, pending.pk), **HTMX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "jobs-changed"  # the history refreshes under the modal
    html = response.content.decode()
    assert f"Import #{pending.pk} was cancelled before it started." in html
    assert 'id="job-detail"' in html and "<html" not in html
    pending.refresh_from_db()
    assert pending.status == Status.CANCELLED


def test_cancelling_a_processing_job_asks_the_worker_to_stop(as_role, store, owner):
    running = MarketplaceImportJobFactory(store=store, user=owner, status=Status.PROCESSING)
    html = as_role("manager").post(_url("job-cancel", store.code, running.pk), **HTMX).content.decode()
    running.refresh_from_db()
    assert running.cancel_requested and running.status == Status.PROCESSING
    assert "is stopping" in html and "Stopping at the next batch" in html
    assert "job-cancel-button" not in html  # asked once is enough


def test_cancelling_a_finished_job_is_explained(as_role, store, job):
    html = as_role("owner").post(_url("job-cancel", store.code, job.pk), **HTMX).content.decode()
    assert "cannot be cancelled" in html and "alert-error" in html


def test_cancel_without_javascript_redirects_with_a_message(as_role, store, owner):
    pending = MarketplaceImportJobFactory(store=store, user=owner, status=Status.PENDING)
    response = as_role("owner").post(_url("job-cancel", store.code, pending.pk), follow=True)
    assert response.redirect_chain[-1][0] == _url("import", store.code)
    assert f"Import #{pending.pk} was cancelled" in response.content.decode()


def test_retrying_a_failed_job_shows_the_new_job(as_role, store, owner):
    failed = MarketplaceImportJobFactory(store=store, user=owner, status=Status.FAILED, language="en", batch_size=200)
    response = as_role("owner").post(_url("job-retry", store.code, failed.pk), **HTMX)
    new_job = MarketplaceImportJob.objects.get(retried_from=failed)
    assert (new_job.source_url, new_job.language, new_job.batch_size) == (failed.source_url, "en", 200)
    assert new_job.status == Status.PENDING
    assert response["HX-Trigger"] == "jobs-changed"
    html = response.content.decode()
    assert f"Import #{new_job.pk} started: a retry of import #{failed.pk}." in html
    assert f"Import #{new_job.pk}" in html and f"Retry of</dt><dd>Import #{failed.pk}" in html


def test_retrying_while_the_language_is_busy_links_to_the_running_job(as_role, store, owner):
    failed = MarketplaceImportJobFactory(store=store, user=owner, status=Status.FAILED, language="fr")
    running = MarketplaceImportJobFactory(store=store, user=owner, status=Status.PROCESSING, language="fr")
    html = as_role("owner").post(_url("job-retry", store.code, failed.pk), **HTMX).content.decode()
    assert "already processing" in html and f"Open import #{running.pk}" in html
    assert not MarketplaceImportJob.objects.filter(retried_from=failed).exists()


def test_a_completed_job_cannot_be_retried(as_role, store, owner):
    done = MarketplaceImportJobFactory(store=store, user=owner, status=Status.COMPLETED)
    html = as_role("owner").post(_url("job-retry", store.code, done.pk), **HTMX).content.decode()
    assert "Only failed, cancelled or partly failed jobs can be retried" in html


def test_quick_fill_buttons_are_not_submit_buttons(as_role, store):
    """Enter in the URL field submits the form with its first submit button: that must be Start import."""
    store.letzshop_csv_url_fr = "https://feeds.example.lu/fr.csv"
    store.save()
    html = as_role("owner").get(_url("import", store.code)).content.decode()
    form = html[html.index('id="import-form"') :]
    first_submit = re.search(r'<button type="submit"[^>]*>', form).group(0)
    assert 'id="start-import"' in first_submit
    assert 'href="?quick_fill=fr"' in html  # the fallback without JavaScript


def test_a_job_still_downloading_says_so(as_role, store, owner):
    MarketplaceImportJobFactory(store=store, user=owner, status=Status.PROCESSING, bytes_total=None)
    reading = MarketplaceImportJobFactory(
        store=store,
        user=owner,
        status=Status.PROCESSING,
        language="en",
        bytes_total=10_000,
        progress_percent=42,
        total_processed=120,
    )
    client = as_role("owner")
    history = client.get(_url("history", store.code), **HTMX).content.decode()
    assert "Downloading…" in history and "42%" in history
    modal = client.get(_url("job-detail", store.code, reading.pk), **HTMX).content.decode()
    assert "120 rows read so far." in modal


def test_an_expired_session_sends_the_whole_page_to_the_login(client, store):
    response = client.get(
        _url("history", store.code),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/store/alpha/marketplace?page=2",
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/accounts/login/?next=/store/alpha/marketplace%3Fpage%3D2"
