"""Stage 1 of an import: download a feed URL into a temporary file.

This is the only module of the import engine that talks HTTP. The URL comes from a store
owner, so it is treated as hostile (SPEC section 9, "Fetching a user's URL"):

- http and https only, ports 80 and 443, no user:password in the URL;
- the host is resolved once, *every* address is checked against the IANA special-purpose
  ranges, and the connection goes to the address that was checked, so a DNS answer that
  changes between the check and the connection (DNS rebinding) cannot reach an internal host;
- redirects are followed here, at most five, each hop checked like the first URL, and a
  redirect's body is never read;
- proxy environment variables and ``.netrc`` play no part;
- the size cap applies to the decompressed bytes, and gzip/deflate is decoded with a bounded
  output per step, so a decompression bomb costs at most the cap on disk and 64 KiB in memory.

Hosts in ``MARKETPLACE_FETCH_ALLOWED_HOSTS`` ("host" or "host:port") may use any port (the
first form) or that port, and are exempt from the address check: the demo and the tests serve
feeds on loopback.

Why urllib3 directly rather than ``requests``: requests reads and decompresses the whole body
of every 3xx inside its redirect handling even with ``stream=True`` (a memory bomb), reads
proxy variables and ``.netrc`` unless told otherwise, and offers no clean way to connect to
an address of our choosing while keeping the host name for SNI and the certificate check.
urllib3 (requests' own transport) does all of that with one ``HTTPSConnection(ip,
server_hostname=host)``, and never looks at the environment.

The network work runs in a helper thread that hands raw chunks to the caller's thread
through a small bounded queue. The caller's thread decompresses and writes, and it alone
calls ``should_cancel`` / ``heartbeat`` (they touch the database, whose connections are per
thread), about once a second whatever the server does: a server that stalls cannot delay a
cancel until the read timeout, because a cancel shuts the socket down under the helper.
"""

from __future__ import annotations

import contextlib
import contextvars
import http
import http.client
import ipaddress
import logging
import os
import queue
import re
import socket
import ssl
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urljoin, urlsplit, urlunsplit

import certifi
import idna
from django.conf import settings
from requests.utils import requote_uri
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ProtocolError, ReadTimeoutError
from urllib3.exceptions import HTTPError as Urllib3HTTPError
from urllib3.exceptions import SSLError as Urllib3SSLError

from marketplace.importing.compression import Inflater
from marketplace.importing.errors import ImportCancelled, ImportFailed

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

CHUNK_SIZE = 64 * 1024
MAX_REDIRECTS = 5
DEFAULT_ALLOWED_PORTS = frozenset({80, 443})
# Overall wall-clock limit for one download, on top of the per-read timeout: a server that
# trickles one byte every few seconds never trips the read timeout.
DEFAULT_DEADLINE_SECONDS = 30 * 60
# How often should_cancel/heartbeat run: often enough that a cancel lands within a couple of
# seconds, rarely enough not to hammer the database with one query per 64 KiB chunk.
CALLBACK_INTERVAL_SECONDS = 1.0

_POLL_SECONDS = 0.25
_QUEUE_CHUNKS = 4  # bounded hand-over between the threads: at most 4 x 64 KiB in flight
_MAX_URL_LENGTH = 2048
_SNIFF_BYTES = 16  # enough to recognise "<!doctype html"
_UTF8_BOM = b"\xef\xbb\xbf"
_DEFAULT_PORTS = {"http": 80, "https": 443}
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_HOSTNAME_RE = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62}))*")
_USER_AGENT = "letzshop-import/1.0 (feed fetcher)"

_LOOPBACK = "a loopback address"
_PRIVATE = "a private network address"
_LINK_LOCAL = "a link-local address"
_MULTICAST = "a multicast address"
_UNSPECIFIED = "an unspecified address"
_RESERVED = "a reserved address"

# SPEC section 9: the IANA special-purpose ranges, not just ipaddress' is_private, which lets
# 100.64/10, multicast, 6to4, NAT64 and some reserved ranges through. Order matters only for
# the wording of the message (::1 before ::/96).
_BLOCKED_NETWORKS: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...] = tuple(
    (ipaddress.ip_network(network), kind)
    for network, kind in (
        ("0.0.0.0/8", _UNSPECIFIED),
        ("10.0.0.0/8", _PRIVATE),
        ("100.64.0.0/10", "a shared (carrier-grade NAT) address"),
        ("127.0.0.0/8", _LOOPBACK),
        ("169.254.0.0/16", _LINK_LOCAL),
        ("172.16.0.0/12", _PRIVATE),
        ("192.0.0.0/24", _RESERVED),
        ("192.0.2.0/24", _RESERVED),
        ("192.88.99.0/24", _RESERVED),
        ("192.168.0.0/16", _PRIVATE),
        ("198.18.0.0/15", _RESERVED),
        ("198.51.100.0/24", _RESERVED),
        ("203.0.113.0/24", _RESERVED),
        ("224.0.0.0/4", _MULTICAST),
        ("240.0.0.0/4", _RESERVED),
        ("::/128", _UNSPECIFIED),
        ("::1/128", _LOOPBACK),
        ("::ffff:0:0/96", "an IPv4-mapped IPv6 address"),
        ("::/96", "an IPv4-compatible IPv6 address"),
        ("64:ff9b::/96", "a NAT64 address"),
        ("64:ff9b:1::/48", "a NAT64 address"),
        ("2002::/16", "a 6to4 address"),
        ("2001::/23", _RESERVED),
        ("2001:db8::/32", _RESERVED),
        ("fc00::/7", _PRIVATE),
        ("fe80::/10", _LINK_LOCAL),
        ("fec0::/10", _PRIVATE),
        ("ff00::/8", _MULTICAST),
    )
)
_EMBEDS_IPV4 = tuple(ipaddress.ip_network(n) for n in ("::/96", "64:ff9b::/96"))


class FetchError(ImportFailed):
    """A download that failed, with a sentence a store owner can act on."""


@dataclass
class FetchedFeed:
    path: Path  # temporary file with the decompressed body; the caller deletes it
    size: int  # decompressed bytes written
    content_type: str
    final_url: str


# --- addresses ----------------------------------------------------------------------------


def is_blocked_address(address: str | IPAddress) -> bool:
    """Return True if a feed may not be downloaded from this IP address (SPEC section 9).

    >>> is_blocked_address("10.0.0.5"), is_blocked_address("::ffff:127.0.0.1"), is_blocked_address("8.8.8.8")
    (True, True, False)
    """
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    return _blocked_kind(ip) is not None


def _blocked_kind(ip: IPAddress) -> str | None:
    for network, kind in _BLOCKED_NETWORKS:
        if ip.version == network.version and ip in network:
            return kind
    if isinstance(ip, ipaddress.IPv6Address):
        # Belt and braces: an IPv6 form that carries an IPv4 address is judged by that address
        # too, should the table above ever be narrowed.
        embedded = _embedded_ipv4(ip)
        if embedded is not None and _blocked_kind(embedded) is not None:
            return _blocked_kind(embedded)
    # Second line of defence: whatever the standard library knows to be non-public.
    if ip.is_private or ip.is_reserved or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_unspecified:
        return _RESERVED
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if any(ip in network for network in _EMBEDS_IPV4):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _check_address(ip: IPAddress) -> None:
    kind = _blocked_kind(ip)
    if kind is not None:
        raise FetchError(
            f"The address resolves to {kind} ({ip}), which is not allowed: "
            "feeds can only be downloaded from the public internet."
        )


# --- URLs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    url: str  # normalized, as shown to people and used as the base of a relative redirect
    scheme: str
    host: str  # ASCII (IDNA), lower case, no brackets: for DNS, SNI, certificate and Host
    port: int
    request_target: str  # path and query, percent-encoded
    allowlisted: bool

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == _DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


def validate_feed_url(url: str) -> str:
    """Check a feed URL without any network access; return it normalized or raise FetchError.

    Checks the scheme, credentials, port rule and, when the host is an IP literal, the
    address. Host names are resolved (and checked) only by fetch_feed.
    """
    return _parse_target(url, _allowed_hosts()).url


def _parse_target(url: str, allowed_hosts: tuple[tuple[str, int | None], ...]) -> _Target:
    url = url.strip()
    if not url:
        raise FetchError("The feed address is empty.")
    if len(url) > _MAX_URL_LENGTH:
        raise FetchError(f"The feed address is longer than {_MAX_URL_LENGTH} characters.")
    # urlsplit silently drops tabs and newlines; refuse them instead of guessing.
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise FetchError("The feed address contains invisible control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchError("The feed address is not a valid web address.") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        if scheme:
            raise FetchError(f"Only http:// and https:// addresses can be downloaded, not {scheme}: addresses.")
        raise FetchError("The feed address must start with http:// or https://.")
    if "@" in parts.netloc:
        raise FetchError(
            "The feed address contains a user name or password (user:password@...), which is not allowed. "
            "Use an address that works without logging in."
        )
    if not parts.hostname:
        raise FetchError("The feed address has no host name.")
    host = _normalize_host(parts.hostname)
    effective_port = port if port is not None else _DEFAULT_PORTS[scheme]
    allowlisted = any(h == host and p in (None, effective_port) for h, p in allowed_hosts)
    if effective_port not in DEFAULT_ALLOWED_PORTS and not allowlisted:
        raise FetchError(
            f"The port {effective_port} is not allowed: feeds can only be downloaded from "
            "the standard web ports 80 (http) and 443 (https)."
        )
    if not allowlisted:
        with contextlib.suppress(ValueError):
            _check_address(ipaddress.ip_address(host))

    display_host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    netloc = display_host if effective_port == _DEFAULT_PORTS[scheme] else f"{display_host}:{effective_port}"
    path = parts.path or "/"
    query = f"?{parts.query}" if parts.query else ""
    return _Target(
        url=urlunsplit((scheme, netloc, path, parts.query, "")),
        scheme=scheme,
        host=host,
        port=effective_port,
        request_target=requote_uri(path + query),
        allowlisted=allowlisted,
    )


def _normalize_host(host: str) -> str:
    host = host.strip().lower().removeprefix("[").removesuffix("]").rstrip(".")
    with contextlib.suppress(ValueError):
        return ipaddress.ip_address(host).compressed
    if host.isascii():
        if len(host) > 253 or not _HOSTNAME_RE.fullmatch(host):
            raise FetchError("The feed address has an invalid host name.")
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        raise FetchError("The feed address has an invalid host name.") from None


def _allowed_hosts() -> tuple[tuple[str, int | None], ...]:
    value = getattr(settings, "MARKETPLACE_FETCH_ALLOWED_HOSTS", ()) or ()
    entries = value.split(",") if isinstance(value, str) else value
    allowed = []
    for entry in entries:
        entry = entry.strip().lower()
        if not entry:
            continue
        if entry.startswith("["):  # "[::1]" or "[::1]:8000"
            host, _, rest = entry[1:].partition("]")
            port_text = rest.removeprefix(":")
        elif entry.count(":") == 1:
            host, port_text = entry.split(":")
        else:  # a host name, an IPv4 address or a bare IPv6 address
            host, port_text = entry, ""
        try:
            allowed.append((_normalize_host(host), int(port_text) if port_text else None))
        except (FetchError, ValueError):
            logger.warning("Ignoring invalid MARKETPLACE_FETCH_ALLOWED_HOSTS entry %r", entry)
    return tuple(allowed)


def _redact(url: str) -> str:
    """The URL for the logs: feed URLs often carry an access token in the query string."""
    try:
        parts = urlsplit(url.strip())
        netloc = parts.netloc.rpartition("@")[2]
    except ValueError:
        return "<invalid address>"
    return urlunsplit((parts.scheme, netloc, parts.path, "..." if parts.query else "", ""))


# --- the public entry point -----------------------------------------------------------------


@dataclass(frozen=True)
class _Options:
    allowed_hosts: tuple[tuple[str, int | None], ...]
    timeout: float
    max_bytes: int
    deadline: float
    ca_bundle: str

    @classmethod
    def from_settings(cls) -> _Options:
        return cls(
            allowed_hosts=_allowed_hosts(),
            timeout=float(settings.MARKETPLACE_FETCH_TIMEOUT),
            max_bytes=int(settings.MARKETPLACE_MAX_DOWNLOAD_BYTES),
            deadline=float(getattr(settings, "MARKETPLACE_FETCH_DEADLINE", DEFAULT_DEADLINE_SECONDS)),
            # Optional override for a private CA (and for the TLS tests); certifi like requests.
            ca_bundle=getattr(settings, "MARKETPLACE_FETCH_CA_BUNDLE", None) or certifi.where(),
        )


def fetch_feed(
    *,
    url: str,
    dest_dir: Path | None = None,
    should_cancel: Callable[[], bool] | None = None,
    heartbeat: Callable[[], None] | None = None,
) -> FetchedFeed:
    """Download ``url`` into a new temporary file in ``dest_dir`` and return it.

    The file holds the decompressed body; the caller deletes it. Raises FetchError with a
    message for the store owner when the feed cannot be downloaded (nothing is left on
    disk), ImportCancelled when ``should_cancel()`` returns True.
    """
    options = _Options.from_settings()
    shown_url = _redact(url)
    logger.info("Downloading feed from %s", shown_url)
    started = time.monotonic()
    path: Path | None = None
    download: _Download | None = None
    try:
        target = _parse_target(url, options.allowed_hosts)
        ticker = _Ticker(should_cancel, heartbeat, options.deadline)
        ticker.tick()  # a job cancelled before it started does not touch the network
        # Our own directory, not the system's temporary one: the recovery sweeps what a
        # killed worker left there (sweep_orphaned_downloads).
        directory = dest_dir or Path(settings.MARKETPLACE_DOWNLOAD_DIR)
        directory.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix="feed-", suffix=".download", dir=directory)
        path = Path(name)
        with os.fdopen(fd, "wb") as out:
            download = _Download(target.url, options)
            download.start()
            info, size = _receive(download, out, ticker, options)
    except ImportCancelled:
        _discard(path)
        logger.info("Feed download from %s cancelled", shown_url)
        raise
    except FetchError as exc:
        _discard(path)
        logger.warning("Feed download from %s failed: %s", shown_url, exc.message)
        raise
    except OSError as exc:  # the temporary file: a full disk, a missing directory
        _discard(path)
        logger.exception("Feed download from %s could not be saved", shown_url)
        raise FetchError(f"The download could not be saved on the server ({exc.strerror or exc}).") from exc
    except BaseException:
        _discard(path)
        raise
    finally:
        if download is not None:
            download.stop()
    assert path is not None
    logger.info(
        "Downloaded feed from %s: %d bytes (%s) in %.1f s",
        shown_url,
        size,
        info.content_type or "no content type",
        time.monotonic() - started,
    )
    return FetchedFeed(path=path, size=size, content_type=info.content_type, final_url=info.url)


def _discard(path: Path | None) -> None:
    if path is not None:
        path.unlink(missing_ok=True)


class _Ticker:
    """Enforces the deadline and calls should_cancel/heartbeat at a bounded rate."""

    def __init__(
        self, should_cancel: Callable[[], bool] | None, heartbeat: Callable[[], None] | None, deadline: float
    ) -> None:
        self._should_cancel = should_cancel
        self._heartbeat = heartbeat
        self._limit = deadline
        self._deadline = time.monotonic() + deadline
        self._next_call = float("-inf")

    def tick(self) -> None:
        now = time.monotonic()
        if now >= self._deadline:
            raise FetchError(f"The download did not finish within {_format_seconds(self._limit)}.")
        if now < self._next_call:
            return
        self._next_call = now + CALLBACK_INTERVAL_SECONDS
        if self._should_cancel is not None and self._should_cancel():
            raise ImportCancelled("The import was cancelled.")
        if self._heartbeat is not None:
            self._heartbeat()


def _receive(download: _Download, out: BinaryIO, ticker: _Ticker, options: _Options) -> tuple[_ResponseInfo, int]:
    """Consume the helper thread's events into ``out``; return the response and the size."""
    sink = _Sink(out, options.max_bytes)
    info: _ResponseInfo | None = None
    decoder: _Decoder | None = None
    raw_size = 0
    while True:
        ticker.tick()
        try:
            kind, payload = download.events.get(timeout=_POLL_SECONDS)
        except queue.Empty:
            continue
        if kind == "error":
            raise payload
        if kind == "redirect":
            logger.info("Following redirect to %s", _redact(payload))
            continue
        if kind == "response":
            info = payload
            _check_response(info, options.max_bytes)
            decoder = _Decoder(info.content_encoding)
            continue
        assert info is not None and decoder is not None
        try:
            if kind == "data":
                # Compressed bytes count too, or a stream of junk after the last gzip member
                # would be read (and thrown away) until the deadline.
                raw_size += len(payload)
                if raw_size > options.max_bytes:
                    raise FetchError(_too_large(options.max_bytes))
                pieces = decoder.feed(payload)
            else:  # "end"
                pieces = decoder.finish()
            for piece in pieces:
                ticker.tick()
                sink.write(piece)
        except zlib.error as exc:
            raise FetchError("The compressed download is damaged and could not be unpacked.") from exc
        if kind == "end":
            sink.close()
            return info, sink.size


def _check_response(info: _ResponseInfo, max_bytes: int) -> None:
    media_type = info.content_type.split(";")[0].strip().lower()
    if media_type in _HTML_TYPES:
        raise FetchError(_HTML_MESSAGE)
    if not info.content_encoding and info.content_length is not None and info.content_length > max_bytes:
        raise FetchError(_too_large(max_bytes))


_HTML_MESSAGE = (
    "The server sent an HTML page, not a CSV feed. "
    "Check that the address points to the feed file itself, not to a web page."
)


def _too_large(max_bytes: int) -> str:
    return f"The download is larger than the {_format_bytes(max_bytes)} limit."


class _Sink:
    """Writes the decompressed feed, enforcing the size cap and spotting HTML pages."""

    def __init__(self, out: BinaryIO, max_bytes: int) -> None:
        self._out = out
        self._max_bytes = max_bytes
        self._head = b""  # the first bytes after a BOM and leading whitespace
        self._bom_checked = False
        self._sniffed = False
        self.size = 0

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self._max_bytes:
            raise FetchError(_too_large(self._max_bytes))
        if not self._sniffed:
            self._collect_head(data)
        self._out.write(data)

    def close(self) -> None:
        if self.size == 0:
            raise FetchError("The feed is empty.")
        if not self._sniffed:
            self._sniff()
        self._out.flush()

    def _collect_head(self, data: bytes) -> None:
        # Skipping whitespace as it arrives keeps this bounded however much of it a page
        # starts with (templates often emit blank lines before <!DOCTYPE html>).
        if not self._bom_checked:
            head = self._head + data
            if len(head) < len(_UTF8_BOM) and _UTF8_BOM.startswith(head):
                self._head = head  # maybe a BOM split across writes
                return
            data, self._head, self._bom_checked = head.removeprefix(_UTF8_BOM), b"", True
        if not self._head:
            data = data.lstrip(b" \t\r\n\f\v")
        self._head += data[: _SNIFF_BYTES - len(self._head)]
        if len(self._head) >= _SNIFF_BYTES:
            self._sniff()

    def _sniff(self) -> None:
        self._sniffed = True
        if self._head.lower().startswith((b"<!doctype html", b"<html")):
            raise FetchError(_HTML_MESSAGE)


# --- decompression ------------------------------------------------------------------------


class _Decoder:
    """Undoes Content-Encoding, then gunzips a body that is itself a .gz file."""

    def __init__(self, content_encoding: str) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        self._layers: list[Inflater] = []
        if codings:
            if len(codings) > 1 or codings[0] not in ("gzip", "x-gzip", "deflate"):
                raise FetchError(
                    f"The server compressed the download as '{content_encoding}', which is not supported "
                    "(gzip and deflate are)."
                )
            self._layers.append(Inflater("deflate" if codings[0] == "deflate" else "gzip"))
        self._layers.append(Inflater("sniff"))

    def feed(self, data: bytes) -> Iterator[bytes]:
        return self._push(0, [data])

    def finish(self) -> Iterator[bytes]:
        for index, layer in enumerate(self._layers):
            yield from self._push(index + 1, layer.finish())

    def _push(self, index: int, chunks: Iterable[bytes]) -> Iterator[bytes]:
        for chunk in chunks:
            if index == len(self._layers):
                yield chunk
            else:
                yield from self._push(index + 1, self._layers[index].feed(chunk))


# --- the network side (helper thread) ---------------------------------------------------------


@dataclass(frozen=True)
class _ResponseInfo:
    url: str
    content_type: str
    content_encoding: str
    content_length: int | None


class _Download(threading.Thread):
    """Resolves, connects, follows redirects and reads, posting events to ``events``.

    Events: ("redirect", url), ("response", _ResponseInfo), ("data", bytes), ("end", None),
    ("error", FetchError). Touches neither Django settings nor the database.
    """

    def __init__(self, url: str, options: _Options) -> None:
        super().__init__(name="feed-download", daemon=True)
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=_QUEUE_CHUNKS)
        self._url = url
        self._options = options
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        # The caller's context carries the job id that core.logging puts on every log line.
        self._context = contextvars.copy_context()

    def stop(self) -> None:
        """Make the thread finish soon, even while it is blocked reading from the server."""
        self._stopping.set()
        with self._lock:
            sock = self._sock
        if sock is not None:
            # socket.socket.shutdown, not SSLSocket.shutdown, which would drop the TLS
            # object from under the helper's read. The read then fails and the thread exits.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
        self.join(timeout=2 * _POLL_SECONDS + 1)

    def run(self) -> None:
        self._context.run(self._run)

    def _run(self) -> None:
        try:
            self._download()
            return
        except ImportCancelled:
            return  # the caller's thread stopped us (a cancel, or a failure on its side): nothing to report
        except FetchError as exc:
            error = exc
        except Exception:
            if self._stopping.is_set():
                return  # the failure is the socket stop() shut down
            logger.exception("Unexpected error while downloading a feed")
            error = FetchError("The download failed because of an unexpected error.")
        with contextlib.suppress(ImportCancelled):
            self._emit("error", error)

    def _emit(self, kind: str, payload: Any) -> None:
        while not self._stopping.is_set():
            try:
                self.events.put((kind, payload), timeout=_POLL_SECONDS)
                return
            except queue.Full:
                continue
        raise ImportCancelled

    def _download(self) -> None:
        url = self._url
        for hop in range(MAX_REDIRECTS + 1):
            try:
                target = _parse_target(url, self._options.allowed_hosts)
                if hop:
                    self._emit("redirect", target.url)
                addresses = _resolve(target)
            except FetchError as exc:
                if not hop:
                    raise
                # Say where the refused address came from: the owner typed a different one.
                raise FetchError(f"The server redirected to {_redact(url)}. {exc.message}") from exc
            conn = self._connect(target, addresses)
            response = None
            try:
                response = self._send(conn, target)
                if response.status in _REDIRECT_STATUSES:
                    # Never read a redirect's body: closing the connection throws it away.
                    location = (response.headers.get("Location") or "").strip()
                    if not location:
                        raise FetchError(f"The server answered {response.status} (a redirect) without a new address.")
                    url = urljoin(target.url, location)
                    continue
                if not 200 <= response.status < 300:
                    reason = response.reason or _standard_reason(response.status)
                    raise FetchError(f"The server answered {response.status} {reason}".rstrip() + ".")
                self._emit("response", _response_info(target, response.headers))
                self._stream(target, response)
                self._emit("end", None)
                return
            finally:
                with self._lock:
                    self._sock = None
                # The response owns the socket once http.client has handed it over.
                if response is not None:
                    response.close()
                conn.close()
        raise FetchError(f"The server redirected more than {MAX_REDIRECTS} times.")

    def _connect(self, target: _Target, addresses: list[IPAddress]) -> HTTPConnection:
        """Connect to the first checked address that answers; never resolve the name again."""
        error: BaseException | None = None
        for ip in addresses:
            conn = _new_connection(target, ip, self._options)
            try:
                conn.connect()
            except ssl.SSLError as exc:  # the server answered: other addresses will not do better
                conn.close()
                raise self._failure(exc, target, "connect") from exc
            except Exception as exc:
                conn.close()
                error = exc
                self._check_stopping()
                continue
            with self._lock:
                self._sock = conn.sock
            self._check_stopping()  # stop() may have run before the socket was published
            return conn
        assert error is not None
        raise self._failure(error, target, "connect") from error

    def _send(self, conn: HTTPConnection, target: _Target) -> Any:
        headers = {
            "Host": target.host_header,
            "User-Agent": _USER_AGENT,
            "Accept": "text/csv, text/plain;q=0.9, */*;q=0.8",
            "Accept-Encoding": "gzip, deflate",
            "Connection": "close",
        }
        try:
            conn.request("GET", target.request_target, headers=headers, preload_content=False, decode_content=False)
            return conn.getresponse()
        except Exception as exc:
            self._check_stopping()
            raise self._failure(exc, target, "response") from exc

    def _stream(self, target: _Target, response: Any) -> None:
        while True:
            try:
                # read1 returns what one socket read brings: a slow server cannot make a
                # single call wait for a full 64 KiB.
                data = response.read1(CHUNK_SIZE)
            except Exception as exc:
                self._check_stopping()
                raise self._failure(exc, target, "read") from exc
            if not data:
                return
            self._emit("data", data)

    def _check_stopping(self) -> None:
        if self._stopping.is_set():
            raise ImportCancelled

    def _failure(self, exc: BaseException, target: _Target, phase: str) -> FetchError:
        return _network_error(exc, target.host, phase, self._options.timeout)


def _resolve(target: _Target) -> list[IPAddress]:
    """Resolve the host once and check every address it has (unless allowlisted)."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"The host name {target.host} could not be found (DNS lookup failed).") from exc
    addresses: list[IPAddress] = []
    for family, _type, _proto, _name, sockaddr in infos:
        if family in (socket.AF_INET, socket.AF_INET6):
            ip = ipaddress.ip_address(sockaddr[0])
            if ip not in addresses:
                addresses.append(ip)
    if not addresses:
        raise FetchError(f"The host name {target.host} could not be found (DNS lookup failed).")
    if not target.allowlisted:
        for ip in addresses:
            _check_address(ip)
    return addresses


def _new_connection(target: _Target, ip: IPAddress, options: _Options) -> HTTPConnection:
    # The socket goes to the checked IP; the name is used only for SNI and the certificate
    # check (server_hostname, which Python's ssl verifies) and for the Host header.
    if target.scheme == "https":
        return HTTPSConnection(
            str(ip),
            target.port,
            timeout=options.timeout,
            server_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=options.ca_bundle,
        )
    return HTTPConnection(str(ip), target.port, timeout=options.timeout)


def _response_info(target: _Target, headers: Any) -> _ResponseInfo:
    try:
        length: int | None = int(headers.get("Content-Length", ""))
    except ValueError:
        length = None
    return _ResponseInfo(
        url=target.url,
        content_type=headers.get("Content-Type", ""),
        content_encoding=headers.get("Content-Encoding", ""),
        content_length=length,
    )


def _network_error(exc: BaseException, host: str, phase: str, timeout: float) -> FetchError:
    """Translate a low-level exception into a sentence for the store owner."""
    chain = _exception_chain(exc)
    seconds = _format_seconds(timeout)
    verify = next((e for e in chain if isinstance(e, ssl.SSLCertVerificationError)), None)
    if verify is not None:
        reason = getattr(verify, "verify_message", None) or str(verify)
        return FetchError(f"The secure connection to {host} failed: its certificate could not be verified ({reason}).")
    if any(isinstance(e, ssl.SSLError | Urllib3SSLError) for e in chain):
        return FetchError(f"The secure connection (TLS) to {host} failed.")
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return FetchError(f"The server {host} refused the connection.")
    if isinstance(exc, NewConnectionError):
        cause = next((e for e in chain if isinstance(e, OSError) and e.strerror), None)
        detail = f" ({cause.strerror})" if cause is not None else ""
        return FetchError(f"Could not connect to {host}{detail}.")
    if isinstance(exc, ConnectTimeoutError | ReadTimeoutError) or any(isinstance(e, TimeoutError) for e in chain):
        if phase == "connect":
            return FetchError(f"The server {host} did not accept the connection within {seconds}.")
        if phase == "response":
            return FetchError(f"The server {host} did not answer within {seconds}.")
        return FetchError(f"The server {host} stopped sending data for more than {seconds}.")
    if isinstance(exc, ProtocolError) or any(isinstance(e, ConnectionError) for e in chain):
        return FetchError(f"The connection to {host} was interrupted before the download finished.")
    if any(isinstance(e, http.client.HTTPException | Urllib3HTTPError) for e in chain):
        return FetchError(f"The server {host} sent an invalid HTTP response.")
    if isinstance(exc, OSError):
        return FetchError(f"The download from {host} failed ({exc.strerror or exc}).")
    logger.error("Unexpected error while downloading a feed from %s", host, exc_info=exc)
    return FetchError("The download failed because of an unexpected error.")


def _exception_chain(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        nested = current.args[1] if len(current.args) > 1 and isinstance(current.args[1], BaseException) else None
        current = current.__cause__ or current.__context__ or nested
    return chain


def _standard_reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _format_bytes(size: int) -> str:
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f} {unit}" if size % factor == 0 else f"{value:.1f} {unit}"
    return f"{size} bytes"


def _format_seconds(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        minutes = int(seconds // 60)
        return "1 minute" if minutes == 1 else f"{minutes} minutes"
    return "1 second" if seconds == 1 else f"{seconds:g} seconds"
