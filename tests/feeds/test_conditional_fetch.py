"""fetch_feed_if_changed: the conditional GET of the feed sync, on a real loopback server."""

from __future__ import annotations

import hashlib

import pytest

from marketplace.importing.fetching import FetchError, NotModified, fetch_feed, fetch_feed_if_changed
from tests.feeds.conftest import BODY


def test_it_sends_the_validators_and_a_304_writes_nothing(feed_endpoint, tmp_path):
    endpoint = feed_endpoint()

    result = fetch_feed_if_changed(
        url=endpoint.url, etag='"v1"', last_modified="Wed, 02 Dec 2026 10:00:00 GMT", dest_dir=tmp_path
    )

    assert isinstance(result, NotModified)
    assert result.etag == '"v1"'
    assert list(tmp_path.iterdir()) == []
    headers = endpoint.requests()[0].headers
    assert headers["if-none-match"] == '"v1"'
    assert headers["if-modified-since"] == "Wed, 02 Dec 2026 10:00:00 GMT"


def test_a_200_returns_the_body_its_hash_and_its_new_validators(feed_endpoint, tmp_path):
    endpoint = feed_endpoint()

    result = fetch_feed_if_changed(url=endpoint.url, etag='"v0"', dest_dir=tmp_path)

    assert not isinstance(result, NotModified)
    assert result.path.read_bytes() == BODY
    assert result.sha256 == hashlib.sha256(BODY).hexdigest()
    assert (result.etag, result.last_modified) == ('"v1"', "Wed, 02 Dec 2026 10:00:00 GMT")
    assert "if-modified-since" not in endpoint.requests()[0].headers  # only the validators we have


def test_the_hash_is_of_the_decompressed_body(feed_server, tmp_path):
    import gzip

    feed_server.route("/gz.csv", gzip.compress(BODY), headers={"Content-Type": "text/csv", "Content-Encoding": "gzip"})

    result = fetch_feed_if_changed(url=feed_server.url("/gz.csv"), dest_dir=tmp_path)

    assert result.sha256 == hashlib.sha256(BODY).hexdigest()


def test_a_304_to_an_unconditional_request_is_a_failure(feed_server):
    feed_server.route("/odd.csv", b"", status=304)

    with pytest.raises(FetchError, match="304"):
        fetch_feed(url=feed_server.url("/odd.csv"))


@pytest.mark.parametrize("etag", [f'"a{chr(1)}b"', "x" * 501, '"caf\u00e9"'])
def test_a_validator_that_could_not_be_sent_back_is_dropped(feed_server, tmp_path, etag):
    def handler(request):
        request.send_response(200)
        request.send_header("Content-Type", "text/csv")
        request.send_header("Content-Length", str(len(BODY)))
        request.send_header("Connection", "close")
        request.send_header("ETag", etag)
        request.end_headers()
        request.wfile.write(BODY)

    feed_server.handle("/weird.csv", handler)

    result = fetch_feed_if_changed(url=feed_server.url("/weird.csv"), dest_dir=tmp_path)

    assert result.etag == ""


def test_redirect_hops_are_checked_and_followed_with_the_validators(feed_endpoint, feed_server, canary_server):
    endpoint = feed_endpoint()
    feed_server.redirect("/moved.csv", endpoint.url)
    feed_server.redirect("/evil.csv", canary_server.url("/x.csv"))

    assert isinstance(fetch_feed_if_changed(url=feed_server.url("/moved.csv"), etag='"v1"'), NotModified)
    with pytest.raises(FetchError):
        fetch_feed_if_changed(url=feed_server.url("/evil.csv"), etag='"v1"')
    assert canary_server.requests == []
