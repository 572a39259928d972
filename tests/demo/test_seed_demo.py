from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts.models import User
from stores.models import Store, StoreMembership

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        sorted(User.objects.values_list("username", "is_staff")),
        sorted(Store.objects.values_list("code", "letzshop_csv_url_fr", "letzshop_csv_url_en", "letzshop_csv_url_de")),
        sorted(StoreMembership.objects.values_list("user__username", "store__code", "role")),
    )


def test_seed_demo_is_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    first = _snapshot()
    call_command("seed_demo", stdout=io.StringIO())
    assert _snapshot() == first
    users, stores, memberships = first
    assert ("admin", True) in users
    assert [s[0] for s in stores] == ["demo"]
    assert ("owner", "demo", "owner") in memberships


def test_seed_demo_points_quick_fill_at_the_served_feeds(client, demo_feeds):
    out = io.StringIO()
    call_command("seed_demo", "--base-url", "http://testserver", stdout=out)
    store = Store.objects.get(code="demo")
    assert "owner" in out.getvalue() and "demo-owner-pass" in out.getvalue()
    for language in ("fr", "en", "de"):
        url = store.feed_url(language)
        assert url.startswith("http://testserver/demo-feeds/")
        response = client.get(url.removeprefix("http://testserver"))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")


def test_seed_demo_says_when_the_feeds_are_not_served(no_demo_feeds):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "only with MARKETPLACE_DEMO_FEEDS=1" in out.getvalue()
    assert Store.objects.get(code="demo").feed_url("fr") == "http://127.0.0.1:8000/demo-feeds/letzshop-fr.csv"


def test_seed_demo_schedules_the_french_feed_once():
    from datetime import time

    from feeds.models import StoreFeed
    from feeds.services import feed_update

    call_command("seed_demo", stdout=io.StringIO())
    feed = StoreFeed.objects.get(store__code="demo", language="fr")
    assert (feed.schedule, feed.daily_at) == ("daily", time(6, 0)) and feed.next_run_at is not None
    assert not StoreFeed.objects.filter(store__code="demo").exclude(language="fr").exclude(schedule="off").exists()
    # The demo user's own choice survives another seeding.
    feed_update(store=feed.store, language="fr", schedule="off")
    call_command("seed_demo", stdout=io.StringIO())
    assert StoreFeed.objects.get(store__code="demo", language="fr").schedule == "off"
