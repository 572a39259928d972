"""Bounded, incremental gzip and deflate decoding, for downloads and uploaded files alike.

Pure module. One step of `Inflater` never produces more than CHUNK_SIZE bytes however
much a small input expands, so a caller that counts what it writes stops a decompression
bomb at its size cap with at most CHUNK_SIZE of output in memory. The fetcher feeds it
the body as it arrives (``fetching/download.py``); `gunzip_file` unpacks an uploaded .gz
feed, or a download that was still a .gz file, before decoding.
"""

from __future__ import annotations

import os
import tempfile
import zlib
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

from marketplace.importing.decoding import FeedDecodeError

CHUNK_SIZE = 64 * 1024
GZIP_MAGIC = b"\x1f\x8b"
_GZIP_WBITS = 16 + zlib.MAX_WBITS
_MB = 1024 * 1024


def is_gzip(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(2) == GZIP_MAGIC
    except OSError:
        return False  # open_feed says what is wrong with the file, in words a user can act on


def gunzip_file(path: Path, *, max_bytes: int, prefix: str) -> Path:
    """Decompress the gzip file ``path`` into a new temporary file and return its path.

    Raises FeedDecodeError, leaving nothing on disk, when the data is damaged or grows past
    ``max_bytes`` once decompressed (the cap downloads have too, so a small bomb stops there
    instead of filling the disk).
    """
    handle, name = tempfile.mkstemp(prefix=prefix, suffix=".csv")
    out_path = Path(name)
    # Strict like Python's gzip module, which read uploads before: data after the last member
    # other than zero padding is damage, not something to ignore.
    inflater = Inflater("gzip", strict=True)
    written = 0
    try:
        # Input read by CHUNK_SIZE too: each bounded step copies the unread rest of its input.
        with os.fdopen(handle, "wb") as out, path.open("rb") as compressed:
            while data := compressed.read(CHUNK_SIZE):
                for piece in inflater.feed(data):
                    written += len(piece)
                    if written > max_bytes:
                        raise FeedDecodeError(
                            f"The file is larger than the {max_bytes // _MB} MB limit once decompressed."
                        )
                    out.write(piece)
            for _piece in inflater.finish():
                pass  # a "gzip" stream yields nothing more at its end; finish() only checks it ended
    except (OSError, zlib.error) as exc:
        out_path.unlink(missing_ok=True)
        raise FeedDecodeError("The file looks compressed (gzip) but could not be decompressed.") from exc
    except BaseException:
        out_path.unlink(missing_ok=True)
        raise
    return out_path


class Inflater:
    """Incremental gzip/deflate decoder that never produces more than CHUNK_SIZE per step.

    ``fmt`` is "gzip", "deflate" (zlib-wrapped or raw, both are seen in the wild) or
    "sniff" (gzip if the data starts with the gzip magic, else passed through unchanged).
    Concatenated gzip members (``cat a.gz b.gz``, pigz) are decoded one after the other.
    What follows the last member is ignored, like gzip(1) does, unless ``strict``: then
    only zero padding may follow, as Python's gzip module requires. Damaged or truncated
    data raises zlib.error.
    """

    def __init__(self, fmt: str, *, strict: bool = False) -> None:
        self._fmt = fmt
        self._strict = strict
        self._state = "start"  # start -> inflate | copy; inflate -> start (next member) | discard
        self._head = b""
        self._members = 0
        self._wbits = 0
        self._z: Any = None  # a zlib decompressor once the format is known

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data:
            if self._state == "copy":
                yield data
                return
            if self._state == "discard":
                return
            if self._state == "start":
                if self._strict and self._members and not self._head:
                    data = data.lstrip(b"\x00")  # padding between or after members
                    if not data:
                        return
                self._head += data
                if len(self._head) < 2:
                    return
                data, self._head = self._head, b""
                self._begin(data[:2])
                continue
            data = yield from self._inflate(data)

    def finish(self) -> Iterator[bytes]:
        if self._state == "start" and self._head:
            if self._members and self._strict:
                raise zlib.error("trailing data after the last gzip member")
            if not self._members:
                if self._fmt != "sniff":
                    raise zlib.error("truncated stream")
                yield self._head  # a one-byte body
        if self._state == "inflate":
            raise zlib.error("truncated stream")

    def _begin(self, head: bytes) -> None:
        if self._members:
            # After a gzip member only another member may follow.
            if head != GZIP_MAGIC and self._strict:
                raise zlib.error("trailing data after the last gzip member")
            self._state = "inflate" if head == GZIP_MAGIC else "discard"
            self._wbits = _GZIP_WBITS
        elif self._fmt == "gzip" or head == GZIP_MAGIC:
            self._state, self._wbits = "inflate", _GZIP_WBITS
        elif self._fmt == "deflate":
            zlib_wrapped = head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0
            self._state, self._wbits = "inflate", (zlib.MAX_WBITS if zlib_wrapped else -zlib.MAX_WBITS)
        else:
            self._state = "copy"
        if self._state == "inflate":
            self._z = zlib.decompressobj(self._wbits)

    def _inflate(self, data: bytes) -> Generator[bytes, None, bytes]:
        """Yield the output of ``data``; return what follows the end of the member, if it ended."""
        z = self._z
        while True:
            out = z.decompress(data, CHUNK_SIZE)
            if out:
                yield out
            data = z.unconsumed_tail
            if z.eof:
                self._members += 1
                self._state = "start" if self._wbits == _GZIP_WBITS else "discard"
                tail: bytes = z.unused_data
                return tail
            # A full output buffer may hide more output even with no input left.
            if not data and len(out) < CHUNK_SIZE:
                return b""
