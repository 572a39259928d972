"""The public entry point, `fetch_feed`, and the caller's side of a download.

The caller's thread takes the helper thread's chunks (transport.py), undoes the compression,
enforces the size cap and writes the temporary file. It alone calls ``should_cancel`` /
``heartbeat`` (they touch the database, whose connections are per thread), about once a
second whatever the server does: a server that stalls cannot delay a cancel until the read
timeout, because a cancel shuts the socket down under the helper.
"""

from __future__ import annotations

import hashlib
import logging
import os
import queue
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import certifi
from django.conf import settings

from marketplace.importing.compression import Inflater
from marketplace.importing.errors import ImportCancelled
from marketplace.importing.fetching.errors import FetchError, format_bytes, format_seconds
from marketplace.importing.fetching.transport import POLL_SECONDS, Download, Options, ResponseInfo
from marketplace.importing.fetching.urls import allowed_hosts_from_settings, parse_target, redact

logger = logging.getLogger(__package__)  # the stage's one logger, see errors.py

# Overall wall-clock limit for one download, on top of the per-read timeout: a server that
# trickles one byte every few seconds never trips the read timeout.
DEFAULT_DEADLINE_SECONDS = 30 * 60
# How often should_cancel/heartbeat run: often enough that a cancel lands within a couple of
# seconds, rarely enough not to hammer the database with one query per 64 KiB chunk.
CALLBACK_INTERVAL_SECONDS = 1.0

_SNIFF_BYTES = 16  # enough to recognise "<!doctype html"
_UTF8_BOM = b"\xef\xbb\xbf"
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


@dataclass
class FetchedFeed:
    path: Path  # temporary file with the decompressed body; the caller deletes it
    size: int  # decompressed bytes written
    content_type: str
    final_url: str
    # sha256 of the decompressed body, computed as it was written: the feed sync compares
    # it with the last imported body's (a server without conditional requests).
    sha256: str = ""
    etag: str = ""
    last_modified: str = ""


@dataclass
class NotModified:
    """The server answered 304 to a conditional request: the body is the one we have."""

    final_url: str
    etag: str
    last_modified: str


def _options_from_settings() -> Options:
    # Read here, in the caller's thread: the helper thread never looks at Django settings.
    return Options(
        allowed_hosts=allowed_hosts_from_settings(),
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
    result = _fetch(url=url, dest_dir=dest_dir, should_cancel=should_cancel, heartbeat=heartbeat, conditional={})
    assert isinstance(result, FetchedFeed)  # an unconditional request never answers "not modified"
    return result


def fetch_feed_if_changed(
    *, url: str, etag: str = "", last_modified: str = "", dest_dir: Path | None = None
) -> FetchedFeed | NotModified:
    """`fetch_feed` as a conditional GET: send the validators of the body we have.

    Returns NotModified for a 304 (nothing written), else the downloaded feed with its
    new validators and its hash. Every rule of `fetch_feed` applies (SSRF, caps, timeouts).
    """
    conditional = {"If-None-Match": etag, "If-Modified-Since": last_modified}
    return _fetch(url=url, dest_dir=dest_dir, should_cancel=None, heartbeat=None, conditional=conditional)


def _fetch(
    *,
    url: str,
    dest_dir: Path | None,
    should_cancel: Callable[[], bool] | None,
    heartbeat: Callable[[], None] | None,
    conditional: dict[str, str],
) -> FetchedFeed | NotModified:
    options = _options_from_settings()
    shown_url = redact(url)
    logger.info("Downloading feed from %s", shown_url)
    started = time.monotonic()
    path: Path | None = None
    download: Download | None = None
    try:
        target = parse_target(url, options.allowed_hosts)
        ticker = _Ticker(should_cancel, heartbeat, options.deadline)
        ticker.tick()  # a job cancelled before it started does not touch the network
        # Our own directory, not the system's temporary one: the recovery sweeps what a
        # killed worker left there (sweep_orphaned_downloads).
        directory = dest_dir or Path(settings.MARKETPLACE_DOWNLOAD_DIR)
        directory.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix="feed-", suffix=".download", dir=directory)
        path = Path(name)
        with os.fdopen(fd, "wb") as out:
            download = Download(target.url, options, conditional)
            download.start()
            info, sink = _receive(download, out, ticker, options)
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
    if sink is None:
        _discard(path)
        logger.info("Feed at %s not modified (304) in %.2f s", shown_url, time.monotonic() - started)
        return NotModified(final_url=info.url, etag=info.etag, last_modified=info.last_modified)
    logger.info(
        "Downloaded feed from %s: %d bytes (%s) in %.1f s",
        shown_url,
        sink.size,
        info.content_type or "no content type",
        time.monotonic() - started,
    )
    return FetchedFeed(
        path=path,
        size=sink.size,
        content_type=info.content_type,
        final_url=info.url,
        sha256=sink.sha256.hexdigest(),
        etag=info.etag,
        last_modified=info.last_modified,
    )


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
            raise FetchError(f"The download did not finish within {format_seconds(self._limit)}.")
        if now < self._next_call:
            return
        self._next_call = now + CALLBACK_INTERVAL_SECONDS
        if self._should_cancel is not None and self._should_cancel():
            raise ImportCancelled("The import was cancelled.")
        if self._heartbeat is not None:
            self._heartbeat()


def _receive(download: Download, out: BinaryIO, ticker: _Ticker, options: Options) -> tuple[ResponseInfo, _Sink | None]:
    """Consume the helper thread's events into ``out``; return the response and what was
    written (None for a 304, which has no body)."""
    sink = _Sink(out, options.max_bytes)
    info: ResponseInfo | None = None
    decoder: _Decoder | None = None
    raw_size = 0
    while True:
        ticker.tick()
        try:
            kind, payload = download.events.get(timeout=POLL_SECONDS)
        except queue.Empty:
            continue
        if kind == "error":
            raise payload
        if kind == "redirect":
            logger.info("Following redirect to %s", redact(payload))
            continue
        if kind == "not_modified":
            return payload, None
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
            return info, sink


def _check_response(info: ResponseInfo, max_bytes: int) -> None:
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
    return f"The download is larger than the {format_bytes(max_bytes)} limit."


class _Sink:
    """Writes the decompressed feed, enforcing the size cap and spotting HTML pages."""

    def __init__(self, out: BinaryIO, max_bytes: int) -> None:
        self._out = out
        self._max_bytes = max_bytes
        self._head = b""  # the first bytes after a BOM and leading whitespace
        self._bom_checked = False
        self._sniffed = False
        self.size = 0
        self.sha256 = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self._max_bytes:
            raise FetchError(_too_large(self._max_bytes))
        if not self._sniffed:
            self._collect_head(data)
        self._out.write(data)
        self.sha256.update(data)

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
