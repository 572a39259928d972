"""/api/v1/store/feeds (SPEC 11): the three feeds, PATCH of a schedule, Fetch now."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from feeds.models import StoreFeed
from marketplace.models import MarketplaceImportJob
from tests.api.conftest import obtain_tokens
from tests.factories.marketplace import MarketplaceImportJobFactory

pytestmark = pytest.mark.django_db

FEEDS = "/api/v1/store/feeds"
ITEM_FIELDS = {
    "language",
    "url",
    "schedule",
    "every_hours",
    "daily_at",
    "state",
    "last_checked_at",
    "last_check_result",
    "last_import_job_id",
    "next_run_at",
    "consecutive_failures",
}


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client_for(password):
    def make(user, store_code=None):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(user, password, store_code)['access']}")
        return client

    return make


@pytest.mark.parametrize("path", [FEEDS, f"{FEEDS}/"])
def test_it_lists_the_three_feeds_with_exactly_the_spec_fields(client_for, owner, store, path):
    store.letzshop_csv_url_fr = "https://feeds.example.lu/fr.csv"
    store.save()

    response = client_for(owner).get(path)

    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["language"] for item in items] == ["fr", "en", "de"]
    assert all(set(item) == ITEM_FIELDS for item in items)
    assert items[0]["url"] == "https://feeds.example.lu/fr.csv"
    assert (items[0]["schedule"], items[0]["state"], items[0]["daily_at"]) == ("off", "off", None)


def test_the_list_costs_the_same_queries_whatever_the_feeds_hold(
    client_for, owner, store, django_assert_max_num_queries
):
    client = client_for(owner)
    client.get(FEEDS)  # creates the three rows
    for feed in StoreFeed.objects.filter(store=store):
        feed.last_import_job = MarketplaceImportJobFactory(store=store, language=feed.language)
        feed.save()

    with django_assert_max_num_queries(8):
        response = client.get(FEEDS)

    assert all(item["last_import_job_id"] for item in response.json()["items"])


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_owners_and_managers_set_a_daily_schedule(client_for, request, store, role):
    client = client_for(request.getfixturevalue(role))

    response = client.patch(
        f"{FEEDS}/de/",
        {"url": "https://feeds.example.lu/de.csv", "schedule": "daily", "daily_at": "06:30"},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["language"], body["schedule"], body["daily_at"], body["state"]) == ("de", "daily", "06:30", "ok")
    assert body["next_run_at"] is not None
    store.refresh_from_db()
    assert store.letzshop_csv_url_de == "https://feeds.example.lu/de.csv"


def test_staff_read_but_may_not_change_or_fetch(client_for, staff_member, store):
    client = client_for(staff_member)

    assert client.get(FEEDS).status_code == 200
    assert client.patch(f"{FEEDS}/en", {"schedule": "off"}, format="json").status_code == 403
    assert client.post(f"{FEEDS}/en/fetch").status_code == 403


def test_anonymous_callers_get_401():
    assert APIClient().get(FEEDS).status_code == 401


def test_another_stores_feeds_are_invisible(client_for, outsider, store, other_store):
    store.letzshop_csv_url_en = "https://feeds.example.lu/alpha.csv"
    store.save()

    # charlie's store JWT names bravo: he sees bravo's feeds, never alpha's.
    items = client_for(outsider).get(FEEDS).json()["items"]
    assert [item["url"] for item in items] == ["", "", ""]
    # Naming alpha in the header answers like a store that does not exist.
    client = APIClient()
    client.force_authenticate(outsider)
    assert client.get(FEEDS, HTTP_X_STORE_CODE="alpha").status_code == 404
    assert client.patch(f"{FEEDS}/en", {"schedule": "off"}, format="json", HTTP_X_STORE_CODE="alpha").status_code == 404
    assert client.post(f"{FEEDS}/en/fetch", HTTP_X_STORE_CODE="alpha").status_code == 404
    assert not StoreFeed.objects.filter(store=store).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"schedule": "weekly"}, "schedule"),
        ({"schedule": "hours", "every_hours": 25}, "every_hours"),
        ({"schedule": "daily", "daily_at": "25:99"}, "daily_at"),
        ({"schedule": "daily"}, "daily_at"),
        ({"url": "ftp://feeds.example.lu/x.csv"}, "url"),
        ({"schedule": "hours", "every_hours": 3}, "url"),  # no address yet
        ({"every_hours": "three"}, "every_hours"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client_for, owner, body, field):
    response = client_for(owner).patch(f"{FEEDS}/fr", body, format="json")

    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("path", [f"{FEEDS}/xx", f"{FEEDS}/xx/fetch", f"{FEEDS}/EN/fetch"])
def test_an_unknown_language_is_a_404(client_for, owner, path):
    client = client_for(owner)
    response = client.patch(path, {}, format="json") if not path.endswith("fetch") else client.post(path)
    assert response.status_code == 404


def test_fetch_without_an_address_is_a_400(client_for, owner):
    response = client_for(owner).post(f"{FEEDS}/en/fetch")

    assert response.status_code == 400
    assert "url" in response.json()


def test_fetch_now_starts_an_import_then_answers_unchanged(
    client_for, owner, store, feed_endpoint, django_capture_on_commit_callbacks
):
    endpoint = feed_endpoint()
    store.letzshop_csv_url_en = endpoint.url
    store.save()
    client = client_for(owner)

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"{FEEDS}/en/fetch/")
    assert started.status_code == 202, started.content
    job = MarketplaceImportJob.objects.get()
    assert started.json() == {"job_id": job.pk, "status": "pending"}

    # Tasks run inline here, so the import has completed and the feed keeps its validators.
    unchanged = client.post(f"{FEEDS}/en/fetch")
    assert unchanged.status_code == 200, unchanged.content
    body = unchanged.json()
    assert (body["job_id"], body["result"]) == (None, "unchanged")
    assert body["checked_at"]
    assert MarketplaceImportJob.objects.count() == 1
    assert endpoint.not_modified == 1
    item = client.get(FEEDS).json()["items"][1]
    assert (item["last_check_result"], item["last_import_job_id"]) == ("unchanged", job.pk)


def test_fetch_now_while_an_import_runs_is_a_409_naming_it(client_for, owner, store, feed_endpoint):
    endpoint = feed_endpoint()
    store.letzshop_csv_url_en = endpoint.url
    store.save()
    running = MarketplaceImportJobFactory(store=store, language="en", status=MarketplaceImportJob.Status.PROCESSING)

    response = client_for(owner).post(f"{FEEDS}/en/fetch")

    assert response.status_code == 409
    assert response.json()["job_id"] == running.pk
    assert endpoint.requests() == []


def test_a_failed_download_is_a_400_with_the_reason(client_for, owner, store, feed_endpoint):
    endpoint = feed_endpoint()
    endpoint.status = 503
    store.letzshop_csv_url_en = endpoint.url
    store.save()

    response = client_for(owner).post(f"{FEEDS}/en/fetch")

    assert response.status_code == 400
    assert "503" in response.json()["detail"]


def test_the_feeds_operations_are_documented_with_their_answers():
    from django.test import Client

    schema = Client().get("/api/schema/?format=json").json()
    operations = {
        ("get", "/api/v1/store/feeds"): {"200", "401", "403", "404"},
        ("patch", "/api/v1/store/feeds/{language}"): {"200", "400", "401", "403", "404", "415"},
        ("post", "/api/v1/store/feeds/{language}/fetch"): {"200", "202", "400", "401", "403", "404", "409", "429"},
    }
    for (method, path), statuses in operations.items():
        assert set(schema["paths"][path][method]["responses"]) == statuses, (method, path)
    item = schema["components"]["schemas"]["StoreFeed"]
    assert set(item["properties"]) == ITEM_FIELDS
