"""The demo feeds at /demo-feeds/: served only while MARKETPLACE_DEMO_FEEDS is on."""

from __future__ import annotations

import csv
import io

import pytest

from demo.feeds import DEMO_FEEDS, DEMO_ROWS


def test_the_demo_feeds_are_not_served_unless_switched_on(client, no_demo_feeds):
    assert client.get("/demo-feeds/letzshop-fr.csv").status_code == 404


@pytest.mark.parametrize("name", sorted(DEMO_FEEDS))
def test_the_demo_feeds_are_readable_csv(client, demo_feeds, name):
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


def test_the_french_feed_is_cp1252_with_semicolons_and_euro_signs(client, demo_feeds):
    raw = client.get("/demo-feeds/letzshop-fr.csv").content
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    assert text.splitlines()[0].startswith("id;titre;")
    assert "€" in text


def test_an_unknown_demo_feed_is_404(client, demo_feeds):
    assert client.get("/demo-feeds/../../settings.py").status_code == 404
    assert client.get("/demo-feeds/nope.csv").status_code == 404
