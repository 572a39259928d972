"""fetch_feed against real HTTP servers on loopback (tests/httpserver.py).

The SSRF tests point URLs at a ``canary_server`` that runs on loopback but is NOT in
MARKETPLACE_FETCH_ALLOWED_HOSTS: a refused URL must never produce a request there.
"""

from __future__ import annotations

import gzip
import logging
import socket
import ssl
import struct
import subprocess
import time
import tracemalloc
import zlib
from pathlib import Path
from unittest import mock

import pytest

from marketplace.importing.errors import ImportCancelled
from marketplace.importing.fetching import FetchError, fetch_feed, is_blocked_address, urls, validate_feed_url
from tests.httpserver import LoopbackHTTPServer, RequestHandler, stall, trickle

CSV = b"id,title,price\nA-1,Blue mug,9.99 EUR\nA-2,Red mug,10.50 EUR\n"
MiB = 1 << 20
GETADDRINFO = "marketplace.importing.fetching.transport.socket.getaddrinfo"  # where it is looked up


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    directory = tmp_path / "downloads"
    directory.mkdir()
    return directory


def leftovers(directory: Path) -> list[Path]:
    return list(directory.iterdir())


def fetch_error(url: str, dest: Path, **kwargs) -> str:
    with pytest.raises(FetchError) as excinfo:
        fetch_feed(url=url, dest_dir=dest, **kwargs)
    assert leftovers(dest) == [], "the temporary file must be deleted on failure"
    return excinfo.value.message


def _ipv6_loopback_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.fixture
def canary_server_v6():
    if not _ipv6_loopback_available():
        pytest.skip("no IPv6 loopback here")
    with LoopbackHTTPServer("::1") as server:
        yield server


@pytest.fixture
def open_ports(monkeypatch, canary_server):
    """Let the canary's port pass the port rule, so the address check is what must refuse."""
    monkeypatch.setattr(urls, "DEFAULT_ALLOWED_PORTS", frozenset({80, 443, canary_server.port}))
    return canary_server


@pytest.fixture(autouse=True)
def _short_timeout(settings):
    # If a refused address were contacted after all, fail in a second rather than hang.
    settings.MARKETPLACE_FETCH_TIMEOUT = 1


def fake_dns(answers: dict[str, list[str]], calls: list[str] | None = None):
    """A getaddrinfo that answers ``answers`` and passes every other name to the real one."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if calls is not None:
            calls.append(host)
        if host in answers:
            family = {4: socket.AF_INET, 6: socket.AF_INET6}
            return [(family[6 if ":" in ip else 4], socket.SOCK_STREAM, 6, "", (ip, port)) for ip in answers[host]]
        return real(host, port, *args, **kwargs)

    return mock.patch(GETADDRINFO, autospec=True, side_effect=getaddrinfo)


# --- the happy paths ----------------------------------------------------------------------------


def test_it_downloads_a_feed_into_a_temporary_file(feed_server, dest):
    feed_server.route("/feed.csv", CSV, headers={"Content-Type": "text/csv; charset=utf-8"})

    feed = fetch_feed(url=feed_server.url("/feed.csv"), dest_dir=dest)

    assert feed.path.parent == dest
    assert feed.path.read_bytes() == CSV
    assert feed.size == len(CSV)
    assert feed.content_type == "text/csv; charset=utf-8"
    assert feed.final_url == feed_server.url("/feed.csv")
    [request] = feed_server.requests
    assert request.path == "/feed.csv"
    assert request.headers["host"] == feed_server.netloc
    assert "authorization" not in request.headers


def test_it_writes_to_our_own_download_directory_by_default(feed_server, settings):
    # Not the system's temporary directory: the recovery sweeps what a killed worker left here.
    feed_server.route("/feed.csv", CSV)

    feed = fetch_feed(url=feed_server.url("/feed.csv"))

    assert feed.path.parent == settings.MARKETPLACE_DOWNLOAD_DIR
    assert feed.path.name.startswith("feed-") and feed.path.suffix == ".download"


def test_it_percent_encodes_the_path_and_keeps_the_query(feed_server, dest):
    feed_server.route("/my%20feed.csv", CSV)

    feed = fetch_feed(url=feed_server.url("/my feed.csv?lang=fr&token=abc#ignored"), dest_dir=dest)

    assert feed.path.read_bytes() == CSV
    assert feed_server.paths == ["/my%20feed.csv?lang=fr&token=abc"]


@pytest.mark.parametrize("encoding", ["gzip", "x-gzip", "GZIP"])
def test_it_decompresses_gzip_content_encoding(feed_server, dest, encoding):
    feed_server.route("/feed.csv", gzip.compress(CSV), headers={"Content-Encoding": encoding})

    feed = fetch_feed(url=feed_server.url("/feed.csv"), dest_dir=dest)

    assert feed.path.read_bytes() == CSV
    assert feed.size == len(CSV)
    assert feed_server.requests[0].headers["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS], ids=["zlib", "raw"])
def test_it_decompresses_deflate_content_encoding(feed_server, dest, wbits):
    compressor = zlib.compressobj(6, zlib.DEFLATED, wbits)
    feed_server.route(
        "/feed.csv", compressor.compress(CSV) + compressor.flush(), headers={"Content-Encoding": "deflate"}
    )

    assert fetch_feed(url=feed_server.url("/feed.csv"), dest_dir=dest).path.read_bytes() == CSV


def test_it_decompresses_a_gz_file(feed_server, dest):
    feed_server.route("/feed.csv.gz", gzip.compress(CSV), headers={"Content-Type": "application/gzip"})

    feed = fetch_feed(url=feed_server.url("/feed.csv.gz"), dest_dir=dest)

    assert feed.path.read_bytes() == CSV
    assert feed.content_type == "application/gzip"


def test_it_decompresses_a_gz_file_sent_with_gzip_content_encoding(feed_server, dest):
    feed_server.route("/feed.csv.gz", gzip.compress(gzip.compress(CSV)), headers={"Content-Encoding": "gzip"})

    assert fetch_feed(url=feed_server.url("/feed.csv.gz"), dest_dir=dest).path.read_bytes() == CSV


def test_it_decompresses_every_member_of_a_multi_member_gz_file(feed_server, dest):
    feed_server.route("/feed.csv.gz", gzip.compress(CSV[:20]) + gzip.compress(CSV[20:]))

    assert fetch_feed(url=feed_server.url("/feed.csv.gz"), dest_dir=dest).path.read_bytes() == CSV


def test_it_decompresses_a_large_gz_file_in_bounded_steps(feed_server, dest):
    body = b"".join(b"SKU-%06d,Product %06d,%d.99 EUR\n" % (i, i, i % 100) for i in range(100_000))
    feed_server.route("/feed.csv.gz", gzip.compress(body, compresslevel=1))

    feed = fetch_feed(url=feed_server.url("/feed.csv.gz"), dest_dir=dest)

    assert feed.size == len(body)
    assert feed.path.read_bytes() == body


def test_it_streams_without_holding_the_file_in_memory(feed_server, dest, settings):
    settings.MARKETPLACE_MAX_DOWNLOAD_BYTES = 64 * MiB
    body = bytes(range(256)) * (32 * MiB // 256)
    feed_server.route("/big.csv", body)

    tracemalloc.start()
    try:
        feed = fetch_feed(url=feed_server.url("/big.csv"), dest_dir=dest)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert feed.size == len(body)
    assert peak < 4 * MiB, f"peak Python memory {peak / MiB:.1f} MiB for a 32 MiB download"


# --- size cap and decompression bombs -----------------------------------------------------------


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """1 GiB of zeros as a single ~1 MB gzip member.

    Compressing 1 GiB takes seconds, so compress 1 MiB twice with a full flush (which resets
    the compressor's state): every further MiB compresses to the same bytes as the second.
    """
    zeros = bytes(MiB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    first = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeat = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(1024):
        crc = zlib.crc32(zeros, crc)
    final_empty_block = b"\x03\x00"
    return first + repeat * 1023 + final_empty_block + struct.pack("<II", crc, (1024 * MiB) & 0xFFFFFFFF)


@pytest.mark.parametrize("content_encoding", [True, False], ids=["content-encoding", "gz-file"])
def test_it_refuses_a_decompression_bomb_without_using_memory(feed_server, dest, settings, gzip_bomb, content_encoding):
    settings.MARKETPLACE_MAX_DOWNLOAD_BYTES = MiB
    headers = {"Content-Encoding": "gzip"} if content_encoding else {"Content-Type": "application/gzip"}
    feed_server.route("/bomb.csv.gz", gzip_bomb, headers=headers)

    started = time.monotonic()
    tracemalloc.start()
    try:
        message = fetch_error(feed_server.url("/bomb.csv.gz"), dest)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert message == "The download is larger than the 1 MiB limit."
    assert peak < 4 * MiB, f"peak Python memory {peak / MiB:.1f} MiB"
    assert time.monotonic() - started < 5


def test_it_refuses_a_body_over_the_cap_from_its_content_length(feed_server, dest, settings):
    settings.MARKETPLACE_MAX_DOWNLOAD_BYTES = 64 * 1024
    feed_server.route("/big.csv", b"x" * (64 * 1024 + 1))

    assert fetch_error(feed_server.url("/big.csv"), dest) == "The download is larger than the 64 KiB limit."


def test_it_refuses_a_body_over_the_cap_without_a_content_length(feed_server, dest, settings):
    settings.MARKETPLACE_MAX_DOWNLOAD_BYTES = 64 * 1024

    def no_length(request: RequestHandler) -> None:
        request.send_response(200)
        request.send_header("Connection", "close")
        request.end_headers()  # the body ends when the connection closes
        request.wfile.write(b"x" * 200_000)

    feed_server.handle("/big.csv", no_length)

    assert fetch_error(feed_server.url("/big.csv"), dest) == "The download is larger than the 64 KiB limit."


def test_it_accepts_a_body_exactly_at_the_cap(feed_server, dest, settings):
    settings.MARKETPLACE_MAX_DOWNLOAD_BYTES = 1000
    feed_server.route("/feed.csv", b"x" * 1000)

    assert fetch_feed(url=feed_server.url("/feed.csv"), dest_dir=dest).size == 1000


# --- answers that are not a feed -----------------------------------------------------------------


@pytest.mark.parametrize(
    "status, message",
    [
        (404, "The server answered 404 Not Found."),
        (500, "The server answered 500 Internal Server Error."),
        (403, "The server answered 403 Forbidden."),
        (304, "The server answered 304 Not Modified."),
    ],
)
def test_it_fails_on_a_status_other_than_2xx(feed_server, dest, status, message):
    feed_server.route("/feed.csv", b"id,title\n1,error page\n", status=status)

    assert fetch_error(feed_server.url("/feed.csv"), dest) == message


@pytest.mark.parametrize("content_type", ["text/html", "text/html; charset=utf-8", "application/xhtml+xml"])
def test_it_refuses_an_html_page_by_content_type(feed_server, dest, content_type):
    feed_server.route("/feed", b"id,title\n", headers={"Content-Type": content_type})

    assert fetch_error(feed_server.url("/feed"), dest).startswith("The server sent an HTML page, not a CSV feed.")


@pytest.mark.parametrize(
    "body",
    [
        b"<!DOCTYPE html><html><body>Login</body></html>",
        b"\xef\xbb\xbf\r\n   \t<!doctype HTML>\n<html>",
        b"\n\n<html lang='fr'><head>",
        b" " * 2000 + b"<html>",
    ],
)
def test_it_refuses_an_html_page_by_its_content(feed_server, dest, body):
    feed_server.route("/feed.csv", body, headers={"Content-Type": "text/csv"})

    assert fetch_error(feed_server.url("/feed.csv"), dest).startswith("The server sent an HTML page")


def test_it_refuses_a_gzipped_html_page(feed_server, dest):
    feed_server.route("/feed.csv.gz", gzip.compress(b"<!DOCTYPE html><html></html>"))

    assert fetch_error(feed_server.url("/feed.csv.gz"), dest).startswith("The server sent an HTML page")


def test_it_keeps_a_csv_whose_cells_contain_html(feed_server, dest):
    body = b"id,description\n1,<html> is a markup language\n"
    feed_server.route("/feed.csv", body)

    assert fetch_feed(url=feed_server.url("/feed.csv"), dest_dir=dest).path.read_bytes() == body


@pytest.mark.parametrize(
    "status, body, headers",
    [
        (200, b"", {}),
        (204, b"", {}),
        (200, gzip.compress(b""), {"Content-Encoding": "gzip"}),
        (200, gzip.compress(b""), {}),
    ],
    ids=["empty", "no-content", "gzip-encoded-empty", "empty-gz-file"],
)
def test_it_refuses_an_empty_feed(feed_server, dest, status, body, headers):
    feed_server.route("/feed.csv", body, status=status, headers=headers)

    assert fetch_error(feed_server.url("/feed.csv"), dest) == "The feed is empty."


@pytest.mark.parametrize(
    "body, headers",
    [
        (gzip.compress(CSV)[:-12], {}),
        (gzip.compress(CSV)[:-12], {"Content-Encoding": "gzip"}),
        (b"\x1f\x8b" + b"not really gzip", {}),
        (b"plain text", {"Content-Encoding": "gzip"}),
    ],
    ids=["truncated-gz", "truncated-encoding", "bad-gz", "lying-header"],
)
def test_it_refuses_damaged_compressed_data(feed_server, dest, body, headers):
    feed_server.route("/feed.csv.gz", body, headers=headers)

    message = fetch_error(feed_server.url("/feed.csv.gz"), dest)

    assert message == "The compressed download is damaged and could not be unpacked."


def test_it_refuses_an_unsupported_content_encoding(feed_server, dest):
    feed_server.route("/feed.csv", b"\x00\x01", headers={"Content-Encoding": "br"})

    assert "'br', which is not supported" in fetch_error(feed_server.url("/feed.csv"), dest)


def test_it_fails_when_the_body_is_cut_short(feed_server, dest):
    feed_server.route("/feed.csv", CSV, headers={"Content-Length": str(len(CSV) + 100)})

    message = fetch_error(feed_server.url("/feed.csv"), dest)

    assert message == "The connection to 127.0.0.1 was interrupted before the download finished."


def test_it_fails_on_an_invalid_http_response(feed_server, dest):
    feed_server.handle("/feed.csv", lambda request: request.wfile.write(b"HELLO THERE\r\n\r\n"))

    assert fetch_error(feed_server.url("/feed.csv"), dest) == "The server 127.0.0.1 sent an invalid HTTP response."


# --- redirects ---------------------------------------------------------------------------------


def test_it_follows_up_to_five_redirects(feed_server, dest):
    feed_server.redirect("/1", "/2", status=301)
    feed_server.redirect("/2", feed_server.url("/3"), status=302)  # absolute
    feed_server.redirect("/3", "4", status=303)  # relative to the path
    feed_server.redirect("/4", "/5?x=1", status=307)
    feed_server.redirect("/5", "/feed.csv", status=308)
    feed_server.route("/feed.csv", CSV)

    feed = fetch_feed(url=feed_server.url("/1"), dest_dir=dest)

    assert feed.path.read_bytes() == CSV
    assert feed.final_url == feed_server.url("/feed.csv")
    assert feed_server.paths == ["/1", "/2", "/3", "/4", "/5?x=1", "/feed.csv"]


def test_it_refuses_a_sixth_redirect(feed_server, dest):
    for hop in range(6):
        feed_server.redirect(f"/{hop}", f"/{hop + 1}")
    feed_server.route("/6", CSV)

    assert fetch_error(feed_server.url("/0"), dest) == "The server redirected more than 5 times."
    assert feed_server.paths == ["/0", "/1", "/2", "/3", "/4", "/5"]


def test_it_never_reads_a_redirect_body(feed_server, dest, settings):
    settings.MARKETPLACE_FETCH_TIMEOUT = 5

    def endless_redirect(request: RequestHandler) -> None:
        request.send_response(302)
        request.send_header("Location", "/feed.csv")
        request.send_header("Content-Length", str(10**10))
        request.end_headers()
        request.wfile.write(b"x" * 65536)
        request.server.stopping.wait(30)  # reading the announced body would wait here

    feed_server.handle("/go", endless_redirect)
    feed_server.route("/feed.csv", CSV)

    started = time.monotonic()
    feed = fetch_feed(url=feed_server.url("/go"), dest_dir=dest)

    assert feed.path.read_bytes() == CSV
    assert time.monotonic() - started < 2


def test_it_fails_on_a_redirect_without_a_location(feed_server, dest):
    feed_server.route("/go", b"", status=302)

    assert fetch_error(feed_server.url("/go"), dest) == "The server answered 302 (a redirect) without a new address."


@pytest.mark.parametrize(
    "location, message",
    [
        ("http://127.0.0.1:{port}/metadata", "loopback address (127.0.0.1)"),
        ("http://localhost:{port}/", "loopback address"),
        ("http://2130706433:{port}/", "loopback address"),
        ("http://[::ffff:127.0.0.1]:{port}/", "IPv4-mapped IPv6 address"),
        ("http://169.254.169.254/latest/meta-data/", "link-local address (169.254.169.254)"),
        ("http://10.1.2.3/", "private network address (10.1.2.3)"),
        ("ftp://127.0.0.1:{port}/feed.csv", "Only http:// and https://"),
        ("file:///etc/passwd", "Only http:// and https://"),
        ("http://user:pw@127.0.0.1:{port}/", "user name or password"),
    ],
)
def test_it_refuses_a_redirect_to_a_blocked_address(feed_server, open_ports, dest, location, message):
    canary = open_ports
    feed_server.redirect("/go", location.format(port=canary.port))

    assert message in fetch_error(feed_server.url("/go"), dest)
    assert feed_server.paths == ["/go"]
    assert canary.requests == []


def test_it_refuses_a_redirect_to_a_port_that_is_not_allowed(feed_server, canary_server, dest):
    feed_server.redirect("/go", canary_server.url("/feed.csv"))

    message = fetch_error(feed_server.url("/go"), dest)

    assert message.startswith(f"The server redirected to {canary_server.url('/feed.csv')}. The port")
    assert f"The port {canary_server.port} is not allowed" in message
    assert canary_server.requests == []


# --- SSRF: addresses, schemes, credentials, ports --------------------------------------------------

REFUSED_ADDRESSES = [
    ("http://127.0.0.1:{port}/feed.csv", "a loopback address (127.0.0.1)"),
    ("http://localhost:{port}/feed.csv", "a loopback address (127.0.0.1)"),
    ("http://127.1:{port}/", "a loopback address (127.0.0.1)"),
    ("http://2130706433:{port}/", "a loopback address (127.0.0.1)"),
    ("http://0x7f.0.0.1:{port}/", "a loopback address (127.0.0.1)"),
    ("http://0x7f000001:{port}/", "a loopback address (127.0.0.1)"),
    ("http://0177.0.0.1:{port}/", "a loopback address (127.0.0.1)"),
    ("http://0.0.0.0:{port}/", "an unspecified address (0.0.0.0)"),
    ("http://[::ffff:127.0.0.1]:{port}/", "an IPv4-mapped IPv6 address"),
    ("http://[::127.0.0.1]:{port}/", "an IPv4-compatible IPv6 address"),
    ("http://[64:ff9b::7f00:1]:{port}/", "a NAT64 address"),
    ("http://[2002:7f00:1::1]:{port}/", "a 6to4 address"),
    ("http://10.0.0.5:{port}/", "a private network address (10.0.0.5)"),
    ("http://172.16.0.1:{port}/", "a private network address (172.16.0.1)"),
    ("http://192.168.1.1:{port}/", "a private network address (192.168.1.1)"),
    ("http://169.254.169.254:{port}/latest/meta-data/", "a link-local address (169.254.169.254)"),
    ("http://100.64.0.1:{port}/", "a shared (carrier-grade NAT) address (100.64.0.1)"),
    ("http://224.0.0.1:{port}/", "a multicast address (224.0.0.1)"),
    ("http://[fd00::1]:{port}/", "a private network address (fd00::1)"),
    ("http://[fe80::1]:{port}/", "a link-local address (fe80::1)"),
]


@pytest.mark.parametrize("template, kind", REFUSED_ADDRESSES)
def test_it_refuses_a_blocked_address(open_ports, dest, template, kind):
    canary = open_ports

    message = fetch_error(template.format(port=canary.port), dest)

    assert message.startswith(f"The address resolves to {kind}")
    assert message.endswith("which is not allowed: feeds can only be downloaded from the public internet.")
    assert canary.requests == []


def test_it_refuses_ipv6_loopback(monkeypatch, canary_server_v6, dest):
    monkeypatch.setattr(urls, "DEFAULT_ALLOWED_PORTS", frozenset({80, 443, canary_server_v6.port}))

    message = fetch_error(canary_server_v6.url("/feed.csv"), dest)

    assert "a loopback address (::1)" in message
    assert canary_server_v6.requests == []


@pytest.mark.parametrize(
    "template",
    ["http://127.0.0.1/", "http://[::1]/", "https://169.254.169.254/", "http://[::ffff:10.0.0.1]/", "http://0.0.0.0/"],
)
def test_validate_feed_url_refuses_a_blocked_ip_literal_without_dns(template):
    with fake_dns({}) as getaddrinfo, pytest.raises(FetchError, match="which is not allowed"):
        validate_feed_url(template)
    getaddrinfo.assert_not_called()


ONLY_HTTP = "Only http:// and https:// addresses can be downloaded"


@pytest.mark.parametrize(
    "template, message",
    [
        ("ftp://127.0.0.1:{port}/feed.csv", f"{ONLY_HTTP}, not ftp: addresses."),
        ("file:///etc/passwd", f"{ONLY_HTTP}, not file: addresses."),
        ("gopher://127.0.0.1:{port}/_", f"{ONLY_HTTP}, not gopher: addresses."),
        ("127.0.0.1:{port}/feed.csv", "The feed address must start with http:// or https://."),
        ("//127.0.0.1:{port}/feed.csv", "The feed address must start with http:// or https://."),
        ("http://user:secret@127.0.0.1:{port}/feed.csv", "The feed address contains a user name or password"),
        ("http://user@127.0.0.1:{port}/feed.csv", "The feed address contains a user name or password"),
        ("http://127.0.0.1:{port}/feed.csv", "The port {port} is not allowed"),
        ("https://shop.example.com:8443/feed.csv", "The port 8443 is not allowed"),
        ("http://shop.example.com:0/feed.csv", "The port 0 is not allowed"),
        ("http://shop.example.com:99999/feed.csv", "The feed address is not a valid web address."),
        ("http://[::1/feed.csv", "The feed address is not a valid web address."),
        ("http:///feed.csv", "The feed address has no host name."),
        ("http://shop example.com/feed.csv", "The feed address has an invalid host name."),
        ("http://shop.example.com/\nfeed.csv", "The feed address contains invisible control characters."),
        ("   ", "The feed address is empty."),
        ("https://shop.example.com/" + "a" * 2048, "The feed address is longer than 2048 characters."),
    ],
)
def test_it_refuses_a_bad_url_before_any_network_access(canary_server, dest, template, message):
    url = template.format(port=canary_server.port)
    message = message.format(port=canary_server.port)

    with fake_dns({}) as getaddrinfo:
        with pytest.raises(FetchError) as excinfo:
            validate_feed_url(url)
        assert excinfo.value.message.startswith(message)
        assert fetch_error(url, dest).startswith(message)
    getaddrinfo.assert_not_called()
    assert canary_server.requests == []


def test_credentials_are_refused_even_for_an_allowlisted_host(feed_server, dest):
    feed_server.route("/feed.csv", CSV)

    message = fetch_error(f"http://user:pw@{feed_server.netloc}/feed.csv", dest)

    assert "user name or password" in message
    assert feed_server.requests == []


@pytest.mark.parametrize(
    "url, normalized",
    [
        ("  HTTPS://Shop.Example.COM/Feed.csv?lang=fr#top ", "https://shop.example.com/Feed.csv?lang=fr"),
        ("https://shop.example.com:443/feed.csv", "https://shop.example.com/feed.csv"),
        ("http://shop.example.com:80", "http://shop.example.com/"),
        ("http://shop.example.com:443/feed.csv", "http://shop.example.com:443/feed.csv"),
        ("https://bücher.example/feed.csv", "https://bücher.example/feed.csv"),
        ("http://8.8.8.8/feed.csv", "http://8.8.8.8/feed.csv"),
    ],
)
def test_validate_feed_url_normalizes_without_dns(url, normalized):
    with fake_dns({}) as getaddrinfo:
        assert validate_feed_url(url) == normalized
    getaddrinfo.assert_not_called()


def test_validate_feed_url_accepts_an_allowlisted_port(feed_server):
    assert validate_feed_url(feed_server.url("/feed.csv")) == feed_server.url("/feed.csv")


BLOCKED = [
    "0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255", "100.64.0.0", "100.127.255.255", "127.0.0.1",
    "127.255.255.254", "169.254.0.1", "169.254.169.254", "172.16.0.1", "172.31.255.255", "192.0.0.8",
    "192.0.0.170", "192.0.2.1", "192.88.99.1", "192.168.0.1", "192.168.255.255", "198.18.0.1", "198.19.255.255",
    "198.51.100.7", "203.0.113.9", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
    "::", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:8.8.8.8", "::127.0.0.1", "::8.8.8.8",
    "64:ff9b::7f00:1", "64:ff9b::808:808", "64:ff9b:1::1", "2002:7f00:1::1", "2002:808:808::1",
    "2001::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001:1ff:ffff::1", "2001:db8::1", "2001:db8:ffff::1",
    "fc00::1", "fd12:3456:789a::1", "fe80::1", "fe80::1%eth0", "febf::1", "fec0::1", "feff::1",
    "ff02::1", "ff0e::fb", "100::1",
]  # fmt: skip
ALLOWED = [
    "8.8.8.8", "1.1.1.1", "93.184.216.34", "100.63.255.255", "100.128.0.0", "172.15.255.255", "172.32.0.0",
    "192.0.1.1", "192.88.98.255", "192.169.0.1", "198.17.255.255", "198.20.0.0", "223.255.255.255",
    "2606:4700:4700::1111", "2001:4860:4860::8888", "2001:200::1", "2a00:1450:4001:80b::200e", "2003::1",
]  # fmt: skip


@pytest.mark.parametrize("address", BLOCKED)
def test_the_blocklist_refuses_special_purpose_addresses(address):
    assert is_blocked_address(address)


@pytest.mark.parametrize("address", ALLOWED)
def test_the_blocklist_lets_public_addresses_through(address):
    assert not is_blocked_address(address)


# --- DNS ---------------------------------------------------------------------------------------


def test_it_refuses_a_host_when_any_of_its_addresses_is_blocked(dest):
    with fake_dns({"mixed.example": ["93.184.216.34", "10.0.0.7"]}):
        message = fetch_error("https://mixed.example/feed.csv", dest)

    assert "a private network address (10.0.0.7)" in message


def test_it_connects_to_the_address_it_checked_and_keeps_the_host_name(feed_server, dest, settings):
    """A second DNS answer (rebinding) is never asked for: the socket goes to the first one."""
    settings.MARKETPLACE_FETCH_ALLOWED_HOSTS = [f"feeds.example:{feed_server.port}"]
    feed_server.route("/feed.csv", CSV)
    real = socket.getaddrinfo
    lookups: list[str] = []

    def rebinding_dns(host, port, *args, **kwargs):
        if host != "feeds.example":
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        ip = "127.0.0.1" if len(lookups) == 1 else "192.0.2.1"  # the attacker's second answer
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))]

    with mock.patch(GETADDRINFO, autospec=True, side_effect=rebinding_dns):
        feed = fetch_feed(url=f"http://feeds.example:{feed_server.port}/feed.csv", dest_dir=dest)

    assert feed.path.read_bytes() == CSV
    assert lookups == ["feeds.example"]
    assert feed_server.requests[0].headers["host"] == f"feeds.example:{feed_server.port}"


def test_it_reports_an_unknown_host(dest):
    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with mock.patch(GETADDRINFO, autospec=True, side_effect=no_such_host):
        message = fetch_error("https://no-such-shop.example/feed.csv", dest)

    assert message == "The host name no-such-shop.example could not be found (DNS lookup failed)."


def test_it_resolves_an_international_host_name_with_idna(dest):
    calls: list[str] = []
    with fake_dns({"xn--bcher-kva.example": ["10.0.0.9"]}, calls):
        message = fetch_error("https://bücher.example/feed.csv", dest)

    assert calls == ["xn--bcher-kva.example"]
    assert "10.0.0.9" in message


# --- the allowlist -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entries",
    [
        ["127.0.0.1"],
        ["127.0.0.1:{port}"],
        ["  127.0.0.1:{port}  "],
        "shop.example.com, 127.0.0.1:{port}",
    ],
)
def test_an_allowlisted_host_may_use_its_port_and_a_private_address(canary_server, dest, settings, entries):
    canary_server.route("/feed.csv", CSV)
    if isinstance(entries, str):
        settings.MARKETPLACE_FETCH_ALLOWED_HOSTS = entries.format(port=canary_server.port)
    else:
        settings.MARKETPLACE_FETCH_ALLOWED_HOSTS = [e.format(port=canary_server.port) for e in entries]

    assert fetch_feed(url=canary_server.url("/feed.csv"), dest_dir=dest).path.read_bytes() == CSV


def test_an_allowlisted_host_name_may_use_any_port(canary_server, dest, settings):
    canary_server.route("/feed.csv", CSV)
    settings.MARKETPLACE_FETCH_ALLOWED_HOSTS = ["LocalHost"]

    feed = fetch_feed(url=canary_server.url("/feed.csv", host="localhost"), dest_dir=dest)

    assert feed.path.read_bytes() == CSV
    assert canary_server.requests[0].headers["host"] == f"localhost:{canary_server.port}"


def test_an_allowlist_entry_for_another_port_does_not_open_this_one(canary_server, dest, settings):
    settings.MARKETPLACE_FETCH_ALLOWED_HOSTS = ["127.0.0.1:1"]

    assert fetch_error(canary_server.url("/"), dest).startswith(f"The port {canary_server.port} is not allowed")
    assert canary_server.requests == []


def test_an_allowlisted_ipv6_host_is_fetched_over_ipv6(canary_server_v6, dest, settings):
    canary_server_v6.route("/feed.csv", CSV)
    settings.MARKETPLACE_FETCH_ALLOWED_HOSTS = [canary_server_v6.netloc]

    feed = fetch_feed(url=canary_server_v6.url("/feed.csv"), dest_dir=dest)

    assert feed.path.read_bytes() == CSV
    assert canary_server_v6.requests[0].headers["host"] == canary_server_v6.netloc


# --- the environment -------------------------------------------------------------------------------


def test_it_ignores_proxy_variables_and_netrc(feed_server, canary_server, dest, tmp_path, monkeypatch):
    proxy = canary_server.url("/")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(name, proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login alice password secret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HOME", str(tmp_path))
    feed_server.route("/feed.csv", CSV)

    feed = fetch_feed(url=feed_server.url("/feed.csv"), dest_dir=dest)

    assert feed.path.read_bytes() == CSV
    assert canary_server.requests == []
    [request] = feed_server.requests
    assert request.path == "/feed.csv"  # origin form, not a proxy's absolute form
    assert "authorization" not in request.headers


# --- network failures and timeouts -------------------------------------------------------------------


def test_it_reports_a_refused_connection(dest, settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once the socket is closed
    settings.MARKETPLACE_FETCH_ALLOWED_HOSTS = [f"127.0.0.1:{port}"]

    assert fetch_error(f"http://127.0.0.1:{port}/", dest) == "The server 127.0.0.1 refused the connection."


def test_it_times_out_when_the_server_stops_sending(feed_server, dest, settings):
    settings.MARKETPLACE_FETCH_TIMEOUT = 0.5
    feed_server.handle("/feed.csv", stall(after_headers=True))

    started = time.monotonic()
    message = fetch_error(feed_server.url("/feed.csv"), dest)

    assert message == "The server 127.0.0.1 stopped sending data for more than 0.5 seconds."
    assert time.monotonic() - started < 3


def test_it_times_out_when_the_server_does_not_answer(feed_server, dest, settings):
    settings.MARKETPLACE_FETCH_TIMEOUT = 0.5
    feed_server.handle("/feed.csv", stall(after_headers=False))

    assert fetch_error(feed_server.url("/feed.csv"), dest) == "The server 127.0.0.1 did not answer within 0.5 seconds."


def test_it_enforces_an_overall_deadline_on_a_trickling_server(feed_server, dest, settings):
    settings.MARKETPLACE_FETCH_DEADLINE = 1
    feed_server.handle("/feed.csv", trickle(b"x" * 100, interval=0.05, count=1000))

    started = time.monotonic()
    message = fetch_error(feed_server.url("/feed.csv"), dest)

    assert message == "The download did not finish within 1 second."
    assert time.monotonic() - started < 3


# --- cancel and heartbeat ----------------------------------------------------------------------------


def test_a_cancel_stops_a_slow_download_within_seconds(feed_server, dest):
    feed_server.handle("/feed.csv", trickle(b"x" * 1024, interval=0.02, count=100_000))
    started = time.monotonic()
    cancel_checks: list[float] = []
    heartbeats: list[float] = []

    def should_cancel() -> bool:
        cancel_checks.append(time.monotonic())
        return time.monotonic() - started > 1.5

    with pytest.raises(ImportCancelled):
        fetch_feed(
            url=feed_server.url("/feed.csv"),
            dest_dir=dest,
            should_cancel=should_cancel,
            heartbeat=lambda: heartbeats.append(time.monotonic()),
        )

    assert time.monotonic() - started < 4
    assert leftovers(dest) == []
    assert len(heartbeats) >= 2
    gaps = [later - earlier for earlier, later in zip(cancel_checks, cancel_checks[1:], strict=False)]
    assert all(0.5 <= gap <= 2 for gap in gaps), gaps  # regular, and rate-limited


def test_a_cancel_stops_a_stalled_download_before_the_read_timeout(feed_server, dest, settings):
    settings.MARKETPLACE_FETCH_TIMEOUT = 30
    feed_server.handle("/feed.csv", stall(after_headers=True))
    started = time.monotonic()
    heartbeats: list[float] = []

    with pytest.raises(ImportCancelled):
        fetch_feed(
            url=feed_server.url("/feed.csv"),
            dest_dir=dest,
            should_cancel=lambda: time.monotonic() - started > 0.5,
            heartbeat=lambda: heartbeats.append(time.monotonic()),
        )

    assert time.monotonic() - started < 3
    assert heartbeats  # the job's heartbeat moves even while the server says nothing
    assert leftovers(dest) == []


def test_a_job_cancelled_before_the_download_never_contacts_the_server(feed_server, dest):
    feed_server.route("/feed.csv", CSV)

    with pytest.raises(ImportCancelled):
        fetch_feed(url=feed_server.url("/feed.csv"), dest_dir=dest, should_cancel=lambda: True)

    assert feed_server.requests == []
    assert leftovers(dest) == []


# --- TLS ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory) -> dict[str, Path]:
    """A throwaway CA and a certificate for feed.test it signed (needs the openssl command)."""
    directory = tmp_path_factory.mktemp("tls")

    def openssl(*args: str) -> None:
        try:
            subprocess.run(["openssl", *args], cwd=directory, check=True, capture_output=True, timeout=30)
        except FileNotFoundError:
            pytest.skip("openssl is not installed")

    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    ca_extensions = ("-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", "-x509", *ec, *ca_extensions, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=Test feed CA")  # fmt: skip
    openssl("req", *ec, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=feed.test")
    (directory / "leaf.ext").write_text(
        "subjectAltName=DNS:feed.test\nbasicConstraints=CA:FALSE\n"
        "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
    )
    openssl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "leaf.pem", "-days", "2", "-extfile", "leaf.ext")  # fmt: skip
    return {"ca": directory / "ca.pem", "cert": directory / "leaf.pem", "key": directory / "leaf.key"}


@pytest.fixture
def https_server(tls_files):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls_files["cert"], tls_files["key"])
    with LoopbackHTTPServer(ssl_context=context) as server:
        server.route("/feed.csv", CSV)
        yield server


def test_it_verifies_the_certificate_for_the_host_name_while_connecting_to_the_checked_ip(
    https_server, tls_files, dest, settings
):
    settings.MARKETPLACE_FETCH_CA_BUNDLE = str(tls_files["ca"])
    settings.MARKETPLACE_FETCH_ALLOWED_HOSTS = [f"feed.test:{https_server.port}"]

    with fake_dns({"feed.test": ["127.0.0.1"]}):
        feed = fetch_feed(url=f"https://feed.test:{https_server.port}/feed.csv", dest_dir=dest)

    assert feed.path.read_bytes() == CSV
    assert https_server.sni_names == ["feed.test"]
    assert https_server.requests[0].headers["host"] == f"feed.test:{https_server.port}"


def test_it_refuses_a_certificate_from_an_unknown_authority(https_server, dest, settings):
    settings.MARKETPLACE_FETCH_ALLOWED_HOSTS = [f"feed.test:{https_server.port}"]

    with fake_dns({"feed.test": ["127.0.0.1"]}):
        message = fetch_error(f"https://feed.test:{https_server.port}/feed.csv", dest)

    assert message.startswith("The secure connection to feed.test failed: its certificate could not be verified")
    assert https_server.requests == []


def test_it_refuses_a_certificate_for_another_host_name(https_server, tls_files, dest, settings):
    settings.MARKETPLACE_FETCH_CA_BUNDLE = str(tls_files["ca"])
    settings.MARKETPLACE_FETCH_ALLOWED_HOSTS = [f"other.test:{https_server.port}"]

    with fake_dns({"other.test": ["127.0.0.1"]}):
        message = fetch_error(f"https://other.test:{https_server.port}/feed.csv", dest)

    assert "certificate could not be verified" in message
    assert "other.test" in message
    assert https_server.requests == []


# --- logging -----------------------------------------------------------------------------------------


def test_it_logs_the_start_the_size_and_failures_without_the_query_string(feed_server, dest, caplog):
    caplog.set_level(logging.INFO, logger="marketplace.importing.fetching")
    feed_server.route("/feed.csv", CSV)

    fetch_feed(url=feed_server.url("/feed.csv?token=s3cret"), dest_dir=dest).path.unlink()
    fetch_error(feed_server.url("/missing.csv?token=s3cret"), dest)

    assert f"Downloading feed from {feed_server.url('/feed.csv')}?..." in caplog.text
    assert f"{len(CSV)} bytes" in caplog.text
    assert "failed: The server answered 404 Not Found." in caplog.text
    assert "s3cret" not in caplog.text


def test_fetch_error_carries_its_message():
    error = FetchError("The feed is empty.")

    assert error.message == str(error) == "The feed is empty."
