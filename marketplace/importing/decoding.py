"""Stage 3 of an import: open the feed (sniffing finds its encoding and delimiter) and
stream its records.

Pure module: it reads one local file and never touches the database. The whole file is never held
in memory, nor any line of it longer than ROW_SIZE_LIMIT.

NUL bytes (broken exports, UTF-16 read as bytes) are removed from every line before parsing when the
scan found any; `DecodedFeed.nul_bytes_removed` says so, for a job-level warning if wanted.

Row numbers are what a spreadsheet shows: every record the csv module produces counts as one row,
so a quoted value spanning several lines is still one row, and a blank line is still a row (a
spreadsheet shows it) but is skipped without an error. The header is row 1 unless blank lines come
before it. An Excel ``sep=;`` hint line is not counted, because Excel hides it.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any

from marketplace.importing.messages import english
from marketplace.importing.sniffing import (
    SAMPLE_BYTES,
    FeedDecodeError,
    check_looks_like_csv,
    csv_reader,
    decode_sample,
    detect_encoding,
    refuse_other_formats,
    sniff_delimiter,
)

__all__ = ["SAMPLE_BYTES", "DecodedFeed", "FeedDecodeError", "MalformedRecord", "open_feed", "row_hash"]

# Long HTML descriptions run to tens of KB; a record above this is a quote that was never closed
# or not a product row at all. It is also what bounds memory: no line or record longer than this
# is ever held whole, however long the line in the file (SPEC 9, bounded resources).
ROW_SIZE_LIMIT = 1024 * 1024
FIELD_SIZE_LIMIT = ROW_SIZE_LIMIT
# readline's bound: a line of ROW_SIZE_LIMIT characters plus its "\r\n" still comes whole.
_LINE_READ_LIMIT = ROW_SIZE_LIMIT + 2
PARSE_ERROR = "parse_error"
ROW_TOO_LONG = "row_too_long"


class MalformedRecord(list[str]):
    """A record that could not be read; `records()` yields it in place of the cells.

    It is a real (empty) list so it flows through code typed ``list[str]``: code that only looks at
    cells sees an empty row, and `RowNormalizer.normalize` turns it into a row error of
    `error_type` (`parse_error`: the csv module rejected it; `row_too_long`: it is longer than
    ROW_SIZE_LIMIT) instead of failing the job.
    """

    def __init__(self, key: str, params: dict[str, Any] | None = None, error_type: str = PARSE_ERROR) -> None:
        super().__init__()
        self.key = key  # of marketplace.importing.messages.TEMPLATES (or a finished English text)
        self.params = params or {}
        self.error_type = error_type

    @property
    def message(self) -> str:
        """The English sentence."""
        return english(self.key, self.params)


class _RecordTooLong(Exception):
    """Raised from inside csv.reader's input when a record passes ROW_SIZE_LIMIT."""

    def __init__(self, chunk: str) -> None:
        super().__init__()
        self.chunk = chunk  # the piece of the line being read when the bound was passed


@dataclass
class DecodedFeed:
    """An open feed: its encoding, delimiter and header, and an iterator over the data records.

    Use it as a context manager so the file is closed. `records()` continues after the header and
    can be iterated once.
    """

    encoding: str
    delimiter: str
    header: list[str]
    header_row: int = 1
    size: int = 0  # bytes on disk, for progress
    nul_bytes_removed: bool = False  # the file held NUL bytes; they were dropped before parsing
    _binary: IO[bytes] | None = field(default=None, repr=False)
    _text: IO[str] | None = field(default=None, repr=False)
    _lines: Iterator[str] | None = field(default=None, repr=False)

    def __enter__(self) -> DecodedFeed:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._text is not None:
            self._text.close()  # closes the binary file underneath too
            self._text = None
        if self._binary is not None:
            self._binary.close()
            self._binary = None

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """Yield ``(row_number, cells)`` for every non-blank data record.

        A record the csv module rejects, or one longer than ROW_SIZE_LIMIT (a quote that was never
        closed, a line that is not a product), comes out as a `MalformedRecord` with its row
        number, and reading goes on at the next line: one broken row never fails the whole import.
        """
        lines = self._lines
        if lines is None:
            return
        delimiter = self.delimiter
        row = self.header_row
        cells: list[str]
        # The fast path of _read_record is inlined: this loop runs once per row of the feed.
        for line in lines:
            row += 1
            if len(line) > ROW_SIZE_LIMIT and _is_cut(line):
                cells = _skip_long_line(line, lines)
            elif '"' not in line:
                cells = line.rstrip("\r\n").split(delimiter)
            else:
                cells = _split_quoted_line(line, delimiter) or _read_with_csv(line, lines, delimiter)
            # [""] is a blank line, ["", "", ""] a spreadsheet's empty row (";;;"); a MalformedRecord
            # is empty too but must reach the caller as a row error.
            if any(cells) or isinstance(cells, MalformedRecord):
                yield row, cells

    def bytes_read(self) -> int:
        """Approximate number of bytes consumed so far (the reader buffers ahead by a few KB)."""
        if self._binary is None:
            return self.size
        try:
            return min(self._binary.tell(), self.size)
        except (OSError, ValueError):
            return self.size


_sha256 = hashlib.sha256


def row_hash(cells: list[str]) -> str:
    """Stable hash of a row's raw cells (32 hex digits), to recognise a row unchanged since the last import.

    SHA-256 cut to 128 bits: with the SHA extensions of current CPUs it is the fastest hashlib
    offers (about 1.6x blake2b here), and 128 bits is plenty to tell rows apart.
    """
    # The unit separator cannot come from a spreadsheet cell, so joined rows do not collide in practice.
    return _sha256("\x1f".join(cells).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def open_feed(path: Path) -> DecodedFeed:
    """Detect encoding and delimiter, read the header, and return the feed ready for `records()`.

    Raises FeedDecodeError when the file is empty or clearly not CSV.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as binary:
            head = binary.read(SAMPLE_BYTES)
    except OSError as exc:
        raise FeedDecodeError(f"The file could not be opened ({exc.strerror or exc}).") from exc
    refuse_other_formats(head)
    encoding, has_nul = detect_encoding(path, head)
    sample = decode_sample(head, encoding, complete=len(head) >= size)
    if has_nul:
        sample = sample.replace("\x00", "")
    check_looks_like_csv(sample, truncated=len(head) < size)
    delimiter, skip_lines = sniff_delimiter(sample, truncated=len(head) < size)

    binary = path.open("rb")
    try:
        text = io.TextIOWrapper(binary, encoding=encoding, errors="replace", newline="")
        # Lines are read with a bound, so a 500 MB line arrives in pieces of ROW_SIZE_LIMIT
        # (which records() reports and skips) instead of as one string of three times its size.
        # The callable iterator keeps the per-line cost in C, like iterating the file itself.
        lines: Iterator[str] = iter(partial(text.readline, _LINE_READ_LIMIT), "")
        if skip_lines:
            next(lines, None)  # the "sep=;" line
        if has_nul:
            lines = _strip_nul(lines)
        if csv.field_size_limit() < FIELD_SIZE_LIMIT:
            csv.field_size_limit(FIELD_SIZE_LIMIT)
        header_row = 0
        header: list[str] | None = None
        for line in lines:
            header_row += 1
            cells = _read_record(line, lines, delimiter)
            if isinstance(cells, MalformedRecord):
                raise FeedDecodeError(f"The first line of the file could not be read as CSV. {cells.message}")
            if any(cell.strip() for cell in cells):
                header = cells
                break
        if header is None:
            raise FeedDecodeError("The file is empty.")
    except BaseException:
        binary.close()
        raise
    return DecodedFeed(
        encoding=encoding,
        delimiter=delimiter,
        header=header,
        header_row=header_row,
        size=size,
        nul_bytes_removed=has_nul,
        _binary=binary,
        _text=text,
        _lines=lines,
    )


def _strip_nul(lines: Iterable[str]) -> Iterator[str]:
    # Only used when the scan found NUL bytes, so clean files pay nothing for it.
    for line in lines:
        yield line.replace("\x00", "") if "\x00" in line else line


def _is_cut(line: str) -> bool:
    """Whether readline stopped at its bound, before the line's end."""
    return len(line.rstrip("\r\n")) > ROW_SIZE_LIMIT


def _skip_long_line(piece: str, lines: Iterator[str]) -> MalformedRecord:
    """Read past the rest of the line `piece` began, holding one piece at a time, and report it."""
    while piece and not piece.endswith(("\n", "\r")):
        piece = next(lines, "")
    return _too_long()


def _too_long() -> MalformedRecord:
    return MalformedRecord("row_too_long", {"limit": ROW_SIZE_LIMIT}, ROW_TOO_LONG)


def _within_bound(line: str, lines: Iterator[str]) -> Iterator[str]:
    """`line`, then the lines csv.reader asks for, until the record passes ROW_SIZE_LIMIT."""
    total = len(line)
    yield line
    for more in lines:
        total += len(more)
        if total > ROW_SIZE_LIMIT:
            raise _RecordTooLong(more)
        yield more


def _read_record(line: str, lines: Iterator[str], delimiter: str) -> list[str]:
    """The cells of the record starting with `line` (pulling more lines for a multi-line value).

    csv.reader walks every character through a state machine, about 100 MB/s; long product rows
    make that the bottleneck of the import. A line without quotes is split with str.split, and a
    line whose quoted fields all close on that line is put together by _split_quoted_line. Both give
    exactly what csv.reader would (a property test checks it); anything else, a value spanning
    several lines or quotes in odd places, goes through csv.reader.
    """
    if len(line) > ROW_SIZE_LIMIT and _is_cut(line):
        return _skip_long_line(line, lines)
    if '"' not in line:
        return line.rstrip("\r\n").split(delimiter)
    return _split_quoted_line(line, delimiter) or _read_with_csv(line, lines, delimiter)


def _read_with_csv(line: str, lines: Iterator[str], delimiter: str) -> list[str]:
    try:
        # The reader pulls the continuation lines of a multi-line value from `lines` itself.
        return next(csv_reader(_within_bound(line, lines), delimiter), [])
    except _RecordTooLong as exc:
        return _skip_long_line(exc.chunk, lines)
    except csv.Error as exc:
        return MalformedRecord("row_not_csv", {"detail": str(exc)})


def _split_quoted_line(line: str, delimiter: str) -> list[str] | None:
    """Split one line with quoted fields like csv.reader, or return None to leave it to csv.reader.

    Only the quoted fields are walked in Python; the runs of plain fields between them are split
    by str.split, so a long row with one quoted value costs little more than a plain one.
    """
    line = line.rstrip("\r\n")
    cells: list[str] = []
    position = 0
    while True:
        quote = line.find('"', position)
        if quote < 0:
            cells.extend(line[position:].split(delimiter))
            return cells
        if quote > position:
            if line[quote - 1] != delimiter:
                return None  # a quote inside an unquoted value: csv's lenient rules apply
            cells.extend(line[position : quote - 1].split(delimiter))
        # The value ends at the first quote that is not doubled.
        search = quote + 1
        while True:
            closing = line.find('"', search)
            if closing < 0:
                return None  # the value goes on to the next line, or the quote is never closed
            if line.startswith('"', closing + 1):
                search = closing + 2
                continue
            break
        value = line[quote + 1 : closing]
        cells.append(value.replace('""', '"') if '""' in value else value)
        after = closing + 1
        if after == len(line):
            return cells
        if line[after] != delimiter:
            return None  # text after the closing quote: csv's lenient rules apply
        position = after + 1
