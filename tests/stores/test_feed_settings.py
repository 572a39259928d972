"""The Feeds section of the store's Settings page: schedules per language, their errors,
the next run and health shown, Fetch now against a real loopback feed, roles and tenancy."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from feeds.models import StoreFeed
from feeds.services import feed_update
from marketplace.models import MarketplaceImportJob
from stores.models import Store
from tests.factories.marketplace import MarketplaceImportJobFactory
from tests.feeds.conftest import FeedEndpoint

pytestmark = pytest.mark.django_db

# Thursday 3 December 2026, 12:00 in Luxembourg (UTC+1 in winter).
NOON = datetime(2026, 12, 3, 11, 0, tzinfo=UTC)

FR_URL = "https://feeds.example.lu/fr.csv"


def settings_url(store: Store) -> str:
    return reverse("stores:settings", args=[store.code])


def fetch_url(store: Store, language: str) -> str:
    return reverse("stores:feed-fetch", args=[store.code, language])


def page_data(**overrides: str) -> dict[str, str]:
    """What the browser sends when nothing is changed on a fresh store's page."""
    data = {
        "letzshop_csv_url_fr": FR_URL,
        "letzshop_csv_url_en": "",
        "letzshop_csv_url_de": "",
        "default_language": "fr",
    }
    for language in ("fr", "en", "de"):
        data.update({f"{language}-schedule": "off", f"{language}-every_hours": "24", f"{language}-daily_at": ""})
    data.update(overrides)
    return data


def feed(store: Store, language: str = "fr") -> StoreFeed:
    return StoreFeed.objects.get(store=store, language=language)


def panel_html(html: str, language: str) -> str:
    match = re.search(rf'<fieldset class="feed-panel" id="feed-{language}".*?</fieldset>', html, re.S)
    assert match, f"no {language} panel"
    return match.group(0)


@pytest.fixture
def owner_client(as_role):
    return as_role("owner")


# --- saving schedules ---------------------------------------------------------------------
@time_machine.travel(NOON, tick=False)
def test_it_saves_a_daily_schedule_and_shows_the_next_run_in_luxembourg_time(owner_client, store):
    response = owner_client.post(
        settings_url(store), page_data(**{"fr-schedule": "daily", "fr-daily_at": "06:30"}), follow=True
    )

    saved = feed(store)
    assert (saved.schedule, saved.daily_at) == ("daily", time(6, 30))
    assert saved.next_run_at == datetime(2026, 12, 4, 5, 30, tzinfo=UTC)  # 06:30 in Luxembourg, tomorrow
    html = response.content.decode()
    assert "Settings saved." in html
    panel = panel_html(html, "fr")
    assert "Next run" in panel and "Fri 4 Dec 06:30" in panel
    assert 'value="daily" id="id_fr-schedule_daily" checked' in panel
    assert 'value="06:30"' in panel


@time_machine.travel(NOON, tick=False)
def test_it_saves_an_every_n_hours_schedule(owner_client, store):
    response = owner_client.post(
        settings_url(store), page_data(**{"fr-schedule": "hours", "fr-every_hours": "6"}), follow=True
    )

    saved = feed(store)
    assert (saved.schedule, saved.every_hours) == ("hours", 6)
    assert saved.next_run_at == NOON.replace(hour=17)
    assert "Thu 3 Dec 18:00" in panel_html(response.content.decode(), "fr")


def test_it_turns_a_schedule_off(owner_client, store):
    feed_update(store=store, language="fr", url=FR_URL, schedule="hours", every_hours=3)

    response = owner_client.post(settings_url(store), page_data(), follow=True)

    saved = feed(store)
    assert saved.schedule == "off" and saved.next_run_at is None
    panel = panel_html(response.content.decode(), "fr")
    assert "None: the schedule is off." in panel
    assert 'data-state="off">Off</span>' in panel


def test_it_saves_the_three_languages_in_one_post(owner_client, store):
    data = page_data(
        letzshop_csv_url_en="https://feeds.example.lu/en.csv",
        letzshop_csv_url_de="https://feeds.example.lu/de.csv",
        **{"fr-schedule": "daily", "fr-daily_at": "05:00", "en-schedule": "hours", "en-every_hours": "12"},
    )
    owner_client.post(settings_url(store), data)

    schedules = {f.language: (f.schedule, f.every_hours, f.daily_at) for f in StoreFeed.objects.filter(store=store)}
    assert schedules == {"fr": ("daily", 24, time(5, 0)), "en": ("hours", 12, None), "de": ("off", 24, None)}
    store.refresh_from_db()
    assert store.letzshop_csv_url_de == "https://feeds.example.lu/de.csv"


def test_an_unchanged_post_keeps_the_next_run_and_the_failure_count(owner_client, store):
    feed_update(store=store, language="fr", url=FR_URL, schedule="hours", every_hours=6)
    StoreFeed.objects.filter(store=store, language="fr").update(consecutive_failures=2)
    before = feed(store).next_run_at

    response = owner_client.post(
        settings_url(store), page_data(**{"fr-schedule": "hours", "fr-every_hours": "6"}), follow=True
    )

    assert "Nothing to save" in response.content.decode()
    saved = feed(store)
    assert saved.next_run_at == before  # saving the page does not push the run back
    assert saved.consecutive_failures == 2  # nor hides a failing feed


def test_a_paused_feed_resumes_when_its_schedule_is_saved(owner_client, store):
    feed_update(store=store, language="fr", url=FR_URL, schedule="daily", daily_at="06:00")
    StoreFeed.objects.filter(store=store, language="fr").update(
        paused_at=timezone.now(), next_run_at=None, consecutive_failures=5
    )
    html = owner_client.get(settings_url(store)).content.decode()
    assert 'data-state="paused">Paused</span>' in panel_html(html, "fr")
    assert "paused itself after 5 failures in a row" in html

    response = owner_client.post(
        settings_url(store), page_data(**{"fr-schedule": "daily", "fr-daily_at": "06:00"}), follow=True
    )

    saved = feed(store)
    assert saved.paused_at is None and saved.consecutive_failures == 0 and saved.next_run_at is not None
    assert "Settings saved." in response.content.decode()


def test_changing_the_url_forgets_the_old_feeds_validators(owner_client, store):
    feed_update(store=store, language="fr", url=FR_URL, schedule="hours", every_hours=6)
    StoreFeed.objects.filter(store=store, language="fr").update(etag='"v1"', content_sha256="a" * 64)

    new_url = "https://feeds.example.lu/new.csv"
    owner_client.post(
        settings_url(store), page_data(letzshop_csv_url_fr=new_url, **{"fr-schedule": "hours", "fr-every_hours": "6"})
    )

    saved = feed(store)
    assert (saved.etag, saved.content_sha256) == ("", "")
    store.refresh_from_db()
    assert store.letzshop_csv_url_fr == new_url


# --- errors beside the fields -------------------------------------------------------------
@pytest.mark.parametrize(
    ("overrides", "form_field", "message"),
    [
        ({"fr-schedule": "daily", "fr-daily_at": ""}, "daily_at", "A daily schedule needs a time"),
        ({"fr-schedule": "daily", "fr-daily_at": "25:99"}, "daily_at", "Give a time as HH:MM"),
        ({"fr-schedule": "hours", "fr-every_hours": "0"}, "every_hours", "from 1 to 24"),
        ({"fr-schedule": "hours", "fr-every_hours": "25"}, "every_hours", "from 1 to 24"),
        ({"fr-schedule": "hours", "fr-every_hours": "six"}, "every_hours", "from 1 to 24"),
    ],
)
def test_schedule_mistakes_are_shown_beside_the_field_and_nothing_is_saved(
    owner_client, store, overrides, form_field, message
):
    # The English feed is fine and would be saved alone: all languages or none.
    data = page_data(letzshop_csv_url_en="https://feeds.example.lu/en.csv", **{"en-schedule": "hours"}, **overrides)
    response = owner_client.post(settings_url(store), data)

    assert response.status_code == 200
    panels = response.context["feed_panels"]
    errors = panels[0].form.errors[form_field]
    assert len(errors) == 1 and message in errors[0]
    html = panel_html(response.content.decode(), "fr")
    assert message in html and 'aria-invalid="true"' in html
    assert StoreFeed.objects.filter(store=store).exclude(schedule="off").count() == 0
    store.refresh_from_db()
    assert store.letzshop_csv_url_fr == "" and store.letzshop_csv_url_en == ""


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://feeds.example.lu/fr.csv", "Only http:// and https:// addresses"),
        ("not a url", "Enter a complete web address"),
        ("https://feeds.example.lu:8081/fr.csv", "The port 8081 is not allowed"),
        ("http://10.0.0.7/fr.csv", "private"),
    ],
)
def test_a_bad_url_is_shown_beside_its_field(owner_client, store, url, message):
    response = owner_client.post(
        settings_url(store), page_data(letzshop_csv_url_fr=url, **{"fr-schedule": "hours", "fr-every_hours": "6"})
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["letzshop_csv_url_fr"]
    assert len(errors) == 1 and message in errors[0]
    assert message in panel_html(response.content.decode(), "fr")
    assert feed(store).schedule == "off"


def test_a_schedule_needs_the_languages_address(owner_client, store):
    response = owner_client.post(settings_url(store), page_data(**{"en-schedule": "daily", "en-daily_at": "07:00"}))

    assert response.context["form"].errors["letzshop_csv_url_en"] == [
        "Set this language's feed address before scheduling it."
    ]
    assert feed(store, "en").schedule == "off"


# --- health ---------------------------------------------------------------------------------
def test_the_panel_shows_the_feeds_health(owner_client, store):
    feed_update(store=store, language="fr", url=FR_URL, schedule="hours", every_hours=6)
    job = MarketplaceImportJobFactory(store=store, language="fr", status="completed")
    StoreFeed.objects.filter(store=store, language="fr").update(
        last_checked_at=NOON,
        last_check_result="failed",
        last_check_message="The server answered 500 Internal Server Error.",
        last_success_at=timezone.now(),
        last_import_job=job,
        consecutive_failures=2,
    )

    panel = panel_html(owner_client.get(settings_url(store)).content.decode(), "fr")

    assert 'data-state="failing">Failing</span>' in panel
    assert "Thu 3 Dec 12:00" in panel and "The server answered 500 Internal Server Error." in panel
    assert f'href="{reverse("marketplace:job-detail", args=[store.code, job.pk])}">Import #{job.pk}</a>' in panel
    assert "<dt>Failures in a row</dt>\n  <dd>2</dd>" in panel


def test_a_held_removal_shows_as_held(owner_client, store):
    job = MarketplaceImportJobFactory(store=store, language="de", status="completed", removal_held=True)
    StoreFeed.objects.create(store=store, language="de", last_import_job=job)

    panel = panel_html(owner_client.get(settings_url(store)).content.decode(), "de")

    assert 'data-state="held">Removal held</span>' in panel


def test_the_page_reads_its_three_feeds_in_a_fixed_number_of_queries(
    owner_client, store, django_assert_max_num_queries
):
    for language in ("fr", "en", "de"):
        job = MarketplaceImportJobFactory(store=store, language=language, status="completed")
        StoreFeed.objects.create(store=store, language=language, last_import_job=job)
    with django_assert_max_num_queries(4):  # session, user, membership with store, feeds with jobs
        owner_client.get(settings_url(store))


# --- roles and tenancy ----------------------------------------------------------------------
@pytest.mark.parametrize(("role", "expected"), [("manager", 302), ("staff_member", 403), ("outsider", 404)])
def test_who_may_save_a_schedule(as_role, store, role, expected):
    response = as_role(role).post(settings_url(store), page_data(**{"fr-schedule": "hours", "fr-every_hours": "2"}))

    assert response.status_code == expected
    saved = StoreFeed.objects.filter(store=store, language="fr", schedule="hours").exists()
    assert saved == (expected == 302)


def test_another_stores_feeds_cannot_be_changed(owner_client, store, other_store):
    response = owner_client.post(
        settings_url(other_store), page_data(**{"fr-schedule": "hours", "fr-every_hours": "2"})
    )

    assert response.status_code == 404
    assert not StoreFeed.objects.filter(store=other_store).exists()


# --- Fetch now ------------------------------------------------------------------------------
@pytest.fixture
def endpoint(feed_server) -> FeedEndpoint:
    return FeedEndpoint(feed_server)


def _fetch(client, store, language, callbacks):
    with callbacks(execute=True):  # the import runs inline (sync tasks), as the worker would
        return client.post(fetch_url(store, language), follow=True)


def test_fetch_now_starts_an_import_then_says_unchanged(
    owner_client, store, endpoint, django_capture_on_commit_callbacks
):
    feed_update(store=store, language="fr", url=endpoint.url)

    response = _fetch(owner_client, store, "fr", django_capture_on_commit_callbacks)

    job = MarketplaceImportJob.objects.get()
    assert (job.trigger, job.status, job.language) == ("fetch_now", "completed", "fr")
    assert response.redirect_chain[-1][0] == settings_url(store) + "#feed-fr"
    job_link = f'<a href="{reverse("marketplace:job-detail", args=[store.code, job.pk])}">'
    html = response.content.decode()
    assert f"French feed changed: {job_link}Import #{job.pk}</a> started." in html

    response = _fetch(owner_client, store, "fr", django_capture_on_commit_callbacks)

    assert MarketplaceImportJob.objects.count() == 1  # a 304: no second job
    assert endpoint.not_modified == 1
    html = response.content.decode()
    unchanged = rf"French feed checked at \d\d:\d\d: unchanged since {re.escape(job_link)}import #{job.pk}</a>\."
    assert re.search(unchanged, html)
    assert f"Unchanged since import #{job.pk}" in panel_html(html, "fr")  # the last check, in the health


def test_fetch_now_while_an_import_runs_says_so(owner_client, store, endpoint):
    feed_update(store=store, language="fr", url=endpoint.url)
    running = MarketplaceImportJobFactory(store=store, language="fr", status="processing")

    html = owner_client.post(fetch_url(store, "fr"), follow=True).content.decode()

    assert f"is already processing (job {running.pk})" in html
    assert f"Open import #{running.pk}" in html
    assert endpoint.requests() == []


def test_fetch_now_reports_a_failed_download(owner_client, store, endpoint):
    feed_update(store=store, language="fr", url=endpoint.url)
    endpoint.status = 500

    html = owner_client.post(fetch_url(store, "fr"), follow=True).content.decode()

    assert "French feed: the fetch failed." in html and "msg-error" in html
    assert feed(store).consecutive_failures == 1
    assert not MarketplaceImportJob.objects.exists()


def test_fetch_now_without_an_address_says_what_to_do(owner_client, store):
    response = owner_client.post(fetch_url(store, "de"), follow=True)

    assert "Set this language&#x27;s feed address before fetching it." in response.content.decode()
    assert 'id="feed-fetch-de-button" disabled' in response.content.decode()


@pytest.mark.parametrize(("role", "expected"), [("staff_member", 403), ("outsider", 404)])
def test_who_may_fetch_now(as_role, store, endpoint, role, expected):
    feed_update(store=store, language="fr", url=endpoint.url)

    response = as_role(role).post(fetch_url(store, "fr"))

    assert response.status_code == expected
    assert endpoint.requests() == []


def test_fetch_now_is_a_post_with_a_known_language(owner_client, store):
    assert owner_client.get(fetch_url(store, "fr")).status_code == 405
    assert owner_client.post(fetch_url(store, "lb")).status_code == 404


def test_fetch_now_needs_the_csrf_token(store, owner, endpoint):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    feed_update(store=store, language="fr", url=endpoint.url)

    assert client.post(fetch_url(store, "fr")).status_code == 403
    assert endpoint.requests() == []


def test_the_service_saves_no_language_when_one_is_wrong(store):
    from django.core.exceptions import ValidationError

    from stores.feed_services import store_feeds_update

    with pytest.raises(ValidationError) as excinfo:
        store_feeds_update(
            store=store,
            changes={
                "fr": {"url": FR_URL, "schedule": "hours", "every_hours": "6", "daily_at": ""},
                "en": {"schedule": "daily", "every_hours": "24", "daily_at": ""},
            },
        )

    assert excinfo.value.message_dict == {"en-daily_at": ["A daily schedule needs a time (HH:MM, Luxembourg time)."]}
    assert not StoreFeed.objects.filter(store=store).exclude(schedule="off").exists()
    store.refresh_from_db()
    assert store.letzshop_csv_url_fr == ""
