"""/admin/feeds (Platform Monitoring) and the Feeds section of /admin/stores/<code>/edit."""

from __future__ import annotations

import os
import re
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from feeds.models import StoreFeed
from marketplace.models import MarketplaceImportJob
from tests.factories.accounts import UserFactory
from tests.factories.marketplace import MarketplaceImportJobFactory
from tests.factories.stores import StoreFactory
from tests.feeds.conftest import FeedEndpoint

pytestmark = pytest.mark.django_db

FEEDS_URL = "/admin/feeds"


def _feed(store, language="fr", **fields) -> StoreFeed:
    fields.setdefault("schedule", "hours")
    fields.setdefault("every_hours", 6)
    return StoreFeed.objects.create(store=store, language=language, **fields)


@pytest.fixture
def states(store, other_store):
    """One feed in each state, plus one off feed the page leaves out."""
    now = timezone.now()
    long_ago = now - timedelta(hours=72)
    held_job = MarketplaceImportJobFactory(store=other_store, language="de", status="completed", removal_held=True)
    feeds = {
        "ok": _feed(store, "fr", last_success_at=now),
        "failing": _feed(store, "en", last_success_at=now, consecutive_failures=2),
        "paused": _feed(store, "de", paused_at=now, consecutive_failures=5),
        "stale": _feed(other_store, "fr", last_success_at=long_ago),
        # Held with its schedule off: it still waits for someone, so it is listed.
        "held": _feed(other_store, "de", schedule="off", last_import_job=held_job),
        "off": _feed(other_store, "en", schedule="off"),
    }
    StoreFeed.objects.filter(pk=feeds["stale"].pk).update(created_at=long_ago)
    return feeds


def _rows(content: str) -> dict[int, str]:
    return {int(pk): state for pk, state in re.findall(r'<tr data-feed-id="(\d+)" data-state="(\w+)">', content)}


def test_only_staff_reach_the_feeds_page(client, as_role, store):
    assert client.get(FEEDS_URL)["Location"].startswith(reverse("admin:login"))
    owner = as_role("owner").get(FEEDS_URL)
    assert owner.status_code == 302 and owner["Location"].startswith(reverse("admin:login"))


def test_plain_staff_may_see_it(staff_client):
    assert staff_client.get(FEEDS_URL).status_code == 200


def test_it_lists_scheduled_feeds_and_held_ones_with_their_state(admin_client_root, states):
    content = admin_client_root.get(FEEDS_URL).content.decode()

    expected = {feed.pk: state for state, feed in states.items() if state != "off"}
    assert _rows(content) == expected
    for label in ("OK", "Failing", "Paused", "Stale", "Removal held"):
        assert f">{label}</span>" in content
    assert 'aria-current="page">Feeds</a>' in content


@pytest.mark.parametrize("state", ["ok", "failing", "paused", "stale", "held"])
def test_it_filters_by_state(admin_client_root, states, state):
    content = admin_client_root.get(FEEDS_URL, {"state": state}).content.decode()

    assert _rows(content) == {states[state].pk: state}


def test_it_filters_by_store_by_id_or_code(admin_client_root, states, other_store):
    by_id = _rows(admin_client_root.get(FEEDS_URL, {"store": other_store.pk}).content.decode())
    by_code = _rows(admin_client_root.get(FEEDS_URL, {"store": other_store.code}).content.decode())

    assert by_id == by_code == {states["stale"].pk: "stale", states["held"].pk: "held"}


def test_state_and_store_filters_combine(admin_client_root, states, store):
    content = admin_client_root.get(FEEDS_URL, {"state": "failing", "store": store.code}).content.decode()
    assert _rows(content) == {states["failing"].pk: "failing"}


def test_a_bad_filter_value_drops_only_itself(admin_client_root, states, store):
    response = admin_client_root.get(FEEDS_URL, {"state": "sleepy", "store": store.code})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert set(_rows(response.content.decode())) == {states[s].pk for s in ("ok", "failing", "paused")}
    unknown = admin_client_root.get(FEEDS_URL, {"store": "nope"})
    assert unknown.status_code == 200 and "No store has the code or id" in unknown.content.decode()


def test_a_row_shows_last_check_last_import_and_next_run(admin_client_root, store):
    job = MarketplaceImportJobFactory(store=store, language="fr", status="completed_with_errors")
    checked = timezone.now()
    _feed(
        store,
        last_checked_at=checked,
        last_check_message=f"Unchanged since import #{job.pk}",
        last_import_job=job,
        next_run_at=checked + timedelta(hours=6),
        consecutive_failures=0,
    )

    content = admin_client_root.get(FEEDS_URL).content.decode()

    assert f'href="{reverse("admin_pages:import-detail", args=[job.pk])}">#{job.pk}</a>' in content
    assert f"Unchanged since import #{job.pk}" in content
    assert "Completed with errors" in content
    assert f'href="{reverse("admin_pages:store-edit", args=[store.code])}#feed-fr"' in content
    assert "Every 6 h" in content
    assert content.count("<time datetime=") == 2  # last check and next run


def test_it_paginates(admin_client_root):
    stores = StoreFactory.create_batch(20)
    for store in stores:
        for language in ("fr", "en", "de"):
            _feed(store, language)

    first = admin_client_root.get(FEEDS_URL).content.decode()
    second = admin_client_root.get(FEEDS_URL, {"page": 2}).content.decode()

    assert len(_rows(first)) == 50 and len(_rows(second)) == 10
    assert "Page 1 of 2 · 60 in all" in first
    assert not set(_rows(first)) & set(_rows(second))


def test_the_page_costs_the_same_queries_for_5_or_50_feeds(admin_client_root, django_assert_max_num_queries):
    def make(count: int) -> None:
        for _ in range(count):
            store = StoreFactory()
            job = MarketplaceImportJobFactory(store=store, language="fr", status="completed")
            _feed(store, "fr", last_import_job=job)

    make(5)
    # session, user, store count (for the filter's widget), 6 counts (all, each state), the page, the stores select
    with django_assert_max_num_queries(11) as few:
        admin_client_root.get(FEEDS_URL)
    make(45)
    with django_assert_max_num_queries(11) as many:
        content = admin_client_root.get(FEEDS_URL).content.decode()
    assert len(_rows(content)) == 50
    assert len(many.captured_queries) == len(few.captured_queries)


# --- the admin store edit page ------------------------------------------------------------
def _edit_url(store) -> str:
    return reverse("admin_pages:store-edit", args=[store.code])


def _edit_data(**overrides):
    data = {
        "name": "Alpha Store",
        "default_language": "fr",
        "is_active": "on",
        "letzshop_csv_url_fr": "https://feeds.example.lu/fr.csv",
        "letzshop_csv_url_en": "",
        "letzshop_csv_url_de": "",
    }
    for language in ("fr", "en", "de"):
        data.update({f"{language}-schedule": "off", f"{language}-every_hours": "24", f"{language}-daily_at": ""})
    data.update(overrides)
    return data


def test_the_store_edit_page_shows_each_feeds_schedule_and_health(admin_client_root, store):
    _feed(store, "en", consecutive_failures=3, last_success_at=timezone.now())

    content = admin_client_root.get(_edit_url(store)).content.decode()

    for language in ("fr", "en", "de"):
        assert f'id="feed-{language}"' in content
        assert f'form="feed-fetch-{language}"' in content
    assert 'data-state="failing">Failing</span>' in content
    assert 'value="hours" id="id_en-schedule_hours" checked' in content


def test_an_admin_saves_a_stores_schedule(admin_client_root, store):
    response = admin_client_root.post(_edit_url(store), _edit_data(**{"fr-schedule": "daily", "fr-daily_at": "04:15"}))

    assert response.status_code == 302
    feed = StoreFeed.objects.get(store=store, language="fr")
    assert (feed.schedule, feed.daily_at.strftime("%H:%M")) == ("daily", "04:15")
    assert feed.next_run_at is not None


def test_the_store_edit_page_shows_schedule_errors_and_saves_nothing(admin_client_root, store):
    response = admin_client_root.post(
        _edit_url(store), _edit_data(name="Renamed", **{"fr-schedule": "hours", "fr-every_hours": "30"})
    )

    assert response.status_code == 200
    assert "Give a whole number of hours from 1 to 24." in response.content.decode()
    store.refresh_from_db()
    assert store.name == "Alpha Store" and store.letzshop_csv_url_fr == ""


def test_an_admin_fetches_a_stores_feed_now(admin_client_root, store, feed_server, django_capture_on_commit_callbacks):
    endpoint = FeedEndpoint(feed_server)
    store.letzshop_csv_url_fr = endpoint.url
    store.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_root.post(reverse("admin_pages:store-feed-fetch", args=[store.code, "fr"]), follow=True)

    job = MarketplaceImportJob.objects.get()
    assert job.trigger == "fetch_now" and job.user.username == "root"
    assert response.redirect_chain[-1][0] == _edit_url(store) + "#feed-fr"
    link = f'<a href="{reverse("admin_pages:import-detail", args=[job.pk])}">Import #{job.pk}</a>'
    assert link in response.content.decode()


def test_only_staff_fetch_from_the_admin(store, feed_server):
    endpoint = FeedEndpoint(feed_server)
    store.letzshop_csv_url_fr = endpoint.url
    store.save()
    client = Client()
    client.force_login(UserFactory(username="mallory"))

    response = client.post(reverse("admin_pages:store-feed-fetch", args=[store.code, "fr"]))

    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert endpoint.requests() == []


def test_admin_fetch_answers_404_for_an_unknown_store_or_language(admin_client_root, store):
    assert admin_client_root.post("/admin/stores/nope/feeds/fr/fetch").status_code == 404
    assert admin_client_root.post(f"/admin/stores/{store.code}/feeds/lb/fetch").status_code == 404


def test_the_state_cards_count_each_state_and_link_to_its_filter(admin_client_root, states, store):
    content = admin_client_root.get(FEEDS_URL).content.decode()

    counts = dict(re.findall(r'data-stat="(\w+)"[^>]*><span class="stat-value">(\d+)</span>', content))
    assert counts == {"total": "5", "ok": "1", "failing": "1", "paused": "1", "stale": "1", "held": "1"}
    assert 'href="/admin/feeds?state=failing"' in content

    in_store = admin_client_root.get(FEEDS_URL, {"store": store.code, "state": "ok"}).content.decode()
    counts = dict(re.findall(r'data-stat="(\w+)"[^>]*><span class="stat-value">(\d+)</span>', in_store))
    assert counts == {"total": "3", "ok": "1", "failing": "1", "paused": "1", "stale": "0", "held": "0"}
    assert f'href="/admin/feeds?store={store.code}&amp;state=paused"' in in_store
    assert 'data-stat="ok" aria-current="true"' in in_store


@pytest.mark.skipif(not os.environ.get("RUN_VOLUME"), reason="volume test: set RUN_VOLUME=1")
def test_the_feeds_page_stays_fast_with_10k_stores(admin_client_root):
    """10,000 stores with three scheduled feeds each (some failing, paused, stale, held):
    every view of /admin/feeds under a second. RUN_VOLUME=1 DATABASE_URL=postgres://... -s"""
    from stores.models import Store

    stores = Store.objects.bulk_create(Store(code=f"vol-{n}", name=f"Volume {n:05}") for n in range(10_000))
    held = MarketplaceImportJobFactory(store=stores[0], language="fr", status="completed", removal_held=True)
    now = timezone.now()
    feeds = [
        StoreFeed(
            store=store,
            language=language,
            schedule="hours",
            next_run_at=now + timedelta(minutes=n % 600),
            last_success_at=now - timedelta(hours=72 if n % 97 == 0 else 1),
            consecutive_failures=2 if n % 13 == 0 else 0,
            paused_at=now if n % 101 == 0 else None,
            last_import_job=held if n == 0 else None,
        )
        for n, store in enumerate(stores)
        for language in ("fr", "en", "de")
    ]
    StoreFeed.objects.bulk_create(feeds, batch_size=5000)
    urls = [
        FEEDS_URL,
        f"{FEEDS_URL}?state=failing",
        f"{FEEDS_URL}?state=held",
        f"{FEEDS_URL}?state=stale",
        f"{FEEDS_URL}?page=600",
        f"{FEEDS_URL}?store=vol-5000",
    ]
    admin_client_root.get(FEEDS_URL)  # warm the caches
    timings = {}
    for url in urls:
        started = time.perf_counter()
        response = admin_client_root.get(url)
        timings[url] = (time.perf_counter() - started) * 1000
        assert response.status_code == 200
    print("\n" + "\n".join(f"{ms:7.1f} ms  {url}" for url, ms in timings.items()))
    assert response.context["total"] == 3
    assert max(timings.values()) < 1500, timings  # a shared 2-core machine: room for its load


def test_with_many_stores_the_store_filter_is_a_text_box(admin_client_root, states, other_store, monkeypatch):
    monkeypatch.setattr("marketplace.admin_pages.forms.STORE_SELECT_LIMIT", 1)

    content = admin_client_root.get(FEEDS_URL, {"store": other_store.code}).content.decode()

    assert f'type="text" name="store" value="{other_store.code}"' in content
    assert '<select name="store"' not in content
    assert set(_rows(content)) == {states["stale"].pk, states["held"].pk}
