from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command

from accounts.models import User
from marketplace.demo import DEMO_FEEDS, DEMO_ROWS
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


def test_seed_demo_points_quick_fill_at_the_served_feeds(client):
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


@pytest.mark.parametrize("name", sorted(DEMO_FEEDS))
def test_the_demo_feeds_are_readable_csv(client, name):
    feed = DEMO_FEEDS[name]
    response = client.get(f"/demo-feeds/{name}")
    assert response.status_code == 200
    text = response.content.decode(feed.encoding)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=feed.delimiter))
    header, data = rows[0], rows[1:]
    assert len(header) == 15
    assert len(data) == DEMO_ROWS + 1  # one duplicated id on purpose
    assert all(len(row) == len(header) for row in data)
    ids = [row[0] for row in data]
    assert len(set(ids)) == DEMO_ROWS


def test_the_french_feed_is_cp1252_with_semicolons_and_euro_signs(client):
    raw = client.get("/demo-feeds/letzshop-fr.csv").content
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    assert text.splitlines()[0].startswith("id;titre;")
    assert "€" in text


def test_an_unknown_demo_feed_is_404(client):
    assert client.get("/demo-feeds/../../settings.py").status_code == 404
    assert client.get("/demo-feeds/nope.csv").status_code == 404
