"""The network side of a download, in a helper thread: resolve, connect, follow redirects, read.

Why urllib3 directly rather than ``requests``: requests reads and decompresses the whole body
of every 3xx inside its redirect handling even with ``stream=True`` (a memory bomb), reads
proxy variables and ``.netrc`` unless told otherwise, and offers no clean way to connect to
an address of our choosing while keeping the host name for SNI and the certificate check.
urllib3 (requests' own transport) does all of that with one ``HTTPSConnection(ip,
server_hostname=host)``, and never looks at the environment.

The thread hands raw chunks to the caller's thread (download.py) through a small bounded
queue and never touches Django settings or the database, whose connections are per thread.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import logging
import queue
import socket
import ssl
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from urllib3.connection import HTTPConnection, HTTPSConnection

from marketplace.importing.errors import ImportCancelled
from marketplace.importing.fetching.addresses import IPAddress, check_address
from marketplace.importing.fetching.errors import FetchError, network_error, standard_reason
from marketplace.importing.fetching.urls import Target, parse_target, redact

logger = logging.getLogger(__package__)  # the stage's one logger, see errors.py

CHUNK_SIZE = 64 * 1024
MAX_REDIRECTS = 5
POLL_SECONDS = 0.25
_QUEUE_CHUNKS = 4  # bounded hand-over between the threads: at most 4 x 64 KiB in flight
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_USER_AGENT = "letzshop-import/1.0 (feed fetcher)"


@dataclass(frozen=True)
class Options:
    allowed_hosts: tuple[tuple[str, int | None], ...]
    timeout: float
    max_bytes: int
    deadline: float
    ca_bundle: str


@dataclass(frozen=True)
class ResponseInfo:
    url: str
    content_type: str
    content_encoding: str
    content_length: int | None
    # The validators a later conditional request sends back ("" when absent or unusable).
    etag: str = ""
    last_modified: str = ""


# Conditional request headers the feed sync may add; nothing else a caller passes is sent.
CONDITIONAL_HEADERS = frozenset({"If-None-Match", "If-Modified-Since"})
# What the feed model keeps: a longer validator is not stored, so not trusted either.
_MAX_ETAG = 500
_MAX_LAST_MODIFIED = 100


class Download(threading.Thread):
    """Resolves, connects, follows redirects and reads, posting events to ``events``.

    Events: ("redirect", url), ("response", ResponseInfo), ("data", bytes), ("end", None),
    ("not_modified", ResponseInfo), ("error", FetchError). Touches neither Django settings
    nor the database.

    ``conditional`` holds If-None-Match / If-Modified-Since: only then is a 304 an answer
    (``not_modified``) rather than a failure.
    """

    def __init__(self, url: str, options: Options, conditional: dict[str, str] | None = None) -> None:
        super().__init__(name="feed-download", daemon=True)
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=_QUEUE_CHUNKS)
        self._url = url
        self._options = options
        self._conditional = {
            name: value for name, value in (conditional or {}).items() if name in CONDITIONAL_HEADERS and value
        }
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
        self.join(timeout=2 * POLL_SECONDS + 1)

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
                self.events.put((kind, payload), timeout=POLL_SECONDS)
                return
            except queue.Full:
                continue
        raise ImportCancelled

    def _download(self) -> None:
        url = self._url
        for hop in range(MAX_REDIRECTS + 1):
            try:
                target = parse_target(url, self._options.allowed_hosts)
                if hop:
                    self._emit("redirect", target.url)
                addresses = _resolve(target)
            except FetchError as exc:
                if not hop:
                    raise
                # Say where the refused address came from: the owner typed a different one.
                raise FetchError(f"The server redirected to {redact(url)}. {exc.message}") from exc
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
                if response.status == 304 and self._conditional:
                    # Nothing to read: a 304 has no body (RFC 9110 15.4.5).
                    self._emit("not_modified", _response_info(target, response.headers))
                    return
                if not 200 <= response.status < 300:
                    reason = response.reason or standard_reason(response.status)
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

    def _connect(self, target: Target, addresses: list[IPAddress]) -> HTTPConnection:
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

    def _send(self, conn: HTTPConnection, target: Target) -> Any:
        headers = {
            "Host": target.host_header,
            "User-Agent": _USER_AGENT,
            "Accept": "text/csv, text/plain;q=0.9, */*;q=0.8",
            "Accept-Encoding": "gzip, deflate",
            "Connection": "close",
            **self._conditional,
        }
        try:
            conn.request("GET", target.request_target, headers=headers, preload_content=False, decode_content=False)
            return conn.getresponse()
        except Exception as exc:
            self._check_stopping()
            raise self._failure(exc, target, "response") from exc

    def _stream(self, target: Target, response: Any) -> None:
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

    def _failure(self, exc: BaseException, target: Target, phase: str) -> FetchError:
        return network_error(exc, target.host, phase, self._options.timeout)


def _resolve(target: Target) -> list[IPAddress]:
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
            check_address(ip)
    return addresses


def _new_connection(target: Target, ip: IPAddress, options: Options) -> HTTPConnection:
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


def _response_info(target: Target, headers: Any) -> ResponseInfo:
    try:
        length: int | None = int(headers.get("Content-Length", ""))
    except ValueError:
        length = None
    return ResponseInfo(
        url=target.url,
        content_type=headers.get("Content-Type", ""),
        content_encoding=headers.get("Content-Encoding", ""),
        content_length=length,
        etag=_validator(headers.get("ETag", ""), _MAX_ETAG),
        last_modified=_validator(headers.get("Last-Modified", ""), _MAX_LAST_MODIFIED),
    )


def _validator(value: str, max_length: int) -> str:
    """A validator worth sending back: printable ASCII that fits the feed's column.

    It goes into a request header of the next check, so a control character (header
    injection) or an overlong value is dropped: the next check is then unconditional.
    """
    value = value.strip()
    if len(value) > max_length or not all(32 <= ord(ch) < 127 for ch in value):
        return ""
    return value
