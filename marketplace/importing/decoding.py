"""Stage 2 and 3 of an import: find the text encoding and the delimiter, then stream records.

Pure module: it reads one local file and never touches the database. The whole file is never held
in memory: it is streamed in 1 MB chunks for the strict UTF-8 check (plus one byte scan when that
check fails), then once more for the CSV parse.

NUL bytes (broken exports, UTF-16 read as bytes) are removed from every line before parsing when the
scan found any; `DecodedFeed.nul_bytes_removed` says so, for a job-level warning if wanted.

Row numbers are what a spreadsheet shows: every record the csv module produces counts as one row,
so a quoted value spanning several lines is still one row, and a blank line is still a row (a
spreadsheet shows it) but is skipped without an error. The header is row 1 unless blank lines come
before it. An Excel ``sep=;`` hint line is not counted, because Excel hides it.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from pathlib import Path
from typing import IO

import chardet

from marketplace.importing.errors import ImportFailed

DELIMITERS = (",", ";", "\t", "|")
SAMPLE_BYTES = 64 * 1024
_SCAN_CHUNK = 1024 * 1024
# Long HTML descriptions run to tens of KB; a record above this is a quote that was never closed
# or not a product row at all. It is also what bounds memory: no line or record longer than this
# is ever held whole, however long the line in the file (SPEC 9, bounded resources).
ROW_SIZE_LIMIT = 1024 * 1024
FIELD_SIZE_LIMIT = ROW_SIZE_LIMIT
# readline's bound: a line of ROW_SIZE_LIMIT characters plus its "\r\n" still comes whole.
_LINE_READ_LIMIT = ROW_SIZE_LIMIT + 2
PARSE_ERROR = "parse_error"
ROW_TOO_LONG = "row_too_long"
# Records looked at when two delimiters are equally plausible in the header.
_SNIFF_RECORDS = 20
# cp1252 leaves these bytes undefined; a file containing them can only be read as latin-1.
_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
_C1_BYTES = bytes(range(0x80, 0xA0))
# C0 controls that never belong in a text file (tab, LF, CR excluded).
_JUNK_CHARS = frozenset(chr(c) for c in range(32) if c not in (9, 10, 13))
_JUNK_RATIO = 0.02
_MAGIC = (
    (b"PK\x03\x04", "This is a ZIP archive or an Excel .xlsx workbook, not a CSV file. "
                    "Open it in your spreadsheet program and save it as CSV (UTF-8)."),
    (b"\xd0\xcf\x11\xe0", "This is an old Excel .xls workbook, not a CSV file. "
                          "Open it in your spreadsheet program and save it as CSV (UTF-8)."),
    (b"\x1f\x8b", "This is a compressed (gzip) file, not a CSV file. Decompress it first."),
    (b"%PDF", "This is a PDF document, not a CSV file."),
)


class FeedDecodeError(ImportFailed):
    """The file cannot be read as a feed at all; the job fails with `message`."""


class MalformedRecord(list[str]):
    """A record that could not be read; `records()` yields it in place of the cells.

    It is a real (empty) list so it flows through code typed ``list[str]``: code that only looks at
    cells sees an empty row, and `RowNormalizer.normalize` turns it into a row error of
    `error_type` (`parse_error`: the csv module rejected it; `row_too_long`: it is longer than
    ROW_SIZE_LIMIT) instead of failing the job.
    """

    def __init__(self, message: str, error_type: str = PARSE_ERROR) -> None:
        super().__init__()
        self.message = message
        self.error_type = error_type


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
    if not head.strip(b" \t\r\n\x00") or head in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise FeedDecodeError("The file is empty.")
    for magic, message in _MAGIC:
        if head.startswith(magic):
            raise FeedDecodeError(message)

    encoding, has_nul = _detect_encoding(path, head)
    sample = _decode_sample(head, encoding, complete=len(head) >= size)
    if has_nul:
        sample = sample.replace("\x00", "")
    _check_looks_like_csv(sample, truncated=len(head) < size)

    delimiter, skip_lines = _sniff_delimiter(sample, truncated=len(head) < size)

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
    return DecodedFeed(encoding=encoding, delimiter=delimiter, header=header, header_row=header_row, size=size,
                       nul_bytes_removed=has_nul, _binary=binary, _text=text, _lines=lines)


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
    return MalformedRecord(
        f"This row is longer than {ROW_SIZE_LIMIT:,} characters, so it was skipped. Usually a quote "
        "that is never closed joins the following lines into one value; check the quotes of this row.",
        ROW_TOO_LONG,
    )


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
        return next(_csv_reader(_within_bound(line, lines), delimiter), [])
    except _RecordTooLong as exc:
        return _skip_long_line(exc.chunk, lines)
    except csv.Error as exc:
        return MalformedRecord(f"This row could not be read as CSV ({exc}); a quote is probably not closed.")


def _csv_reader(lines: Iterable[str], delimiter: str) -> Iterator[list[str]]:
    return csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)


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
            cells.extend(line[position:quote - 1].split(delimiter))
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
        value = line[quote + 1:closing]
        cells.append(value.replace('""', '"') if '""' in value else value)
        after = closing + 1
        if after == len(line):
            return cells
        if line[after] != delimiter:
            return None  # text after the closing quote: csv's lenient rules apply
        position = after + 1


def _detect_encoding(path: Path, head: bytes) -> tuple[str, bool]:
    """Return (python codec name, file contains NUL bytes)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # NUL detection is meaningless on the raw bytes; decoded text is filtered anyway.
        return "utf-16", True
    bomless_utf16 = _guess_bomless_utf16(head)
    if bomless_utf16:
        return bomless_utf16, True

    # Strict UTF-8 over the whole file, streamed: a single bad byte at the end must not turn
    # every accent before it into mojibake.
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    has_nul = False
    utf8_ok = True
    with path.open("rb") as binary:
        while chunk := binary.read(_SCAN_CHUNK):
            has_nul = has_nul or b"\x00" in chunk
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8_ok = False
                break
        if utf8_ok:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8_ok = False
    if head.startswith(codecs.BOM_UTF8):
        # The BOM is a clear statement; stray bad bytes become U+FFFD instead of failing the file.
        return "utf-8-sig", has_nul
    if utf8_ok:
        return "utf-8", has_nul

    # A single-byte Western encoding. Scan everything again: the bytes that decide between the
    # candidates may sit anywhere in the file.
    has_nul = has_undefined = has_c1 = False
    with path.open("rb") as binary:
        while chunk := binary.read(_SCAN_CHUNK):
            has_nul = has_nul or b"\x00" in chunk
            has_undefined = has_undefined or any(b in chunk for b in _CP1252_UNDEFINED)
            has_c1 = has_c1 or len(chunk.translate(None, _C1_BYTES)) != len(chunk)
    if has_undefined:
        return "latin-1", has_nul
    guess = (chardet.detect(head).get("encoding") or "").lower()
    # Without bytes 0x80-0x9F the two decode identically; keep chardet's name for the record.
    if guess in ("iso-8859-1", "latin-1", "latin1") and not has_c1:
        return "iso-8859-1", has_nul
    # cp1252 is what Windows spreadsheets write in Western Europe (it has the € sign), and the
    # only candidate for whatever else chardet suggests (cp1250, MacRoman...).
    return "cp1252", has_nul


def _guess_bomless_utf16(head: bytes) -> str | None:
    # "Unicode text" without a BOM: ASCII characters leave a NUL in every other byte.
    sample = head[:4096]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nul > 0.4 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.4 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def _decode_sample(head: bytes, encoding: str, *, complete: bool) -> str:
    # An incremental decoder does not choke on a multi-byte character cut by the sample's end.
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    return decoder.decode(head, final=complete)


def _check_looks_like_csv(sample: str, *, truncated: bool) -> None:
    stripped = sample.lstrip("\ufeff \t\r\n")
    if not stripped:
        raise FeedDecodeError("The file is empty.")
    lowered = stripped[:200].lower()
    if lowered.startswith(("<!doctype html", "<html", "<?xml", "<rss", "<feed")):
        kind = "an XML file" if lowered.startswith(("<?xml", "<rss", "<feed")) else "a web page (HTML)"
        raise FeedDecodeError(f"This is {kind}, not a CSV file.")
    if lowered.startswith(("{", "[{", '["')):
        raise FeedDecodeError("This is a JSON file, not a CSV file.")
    junk = sum(map(sample.count, _JUNK_CHARS))
    if junk > len(sample) * _JUNK_RATIO:
        raise FeedDecodeError("This does not look like a CSV file: it contains binary data. "
                              "Export the product list as CSV or tab-separated text.")
    if truncated and "\n" not in sample and "\r" not in sample:
        raise FeedDecodeError("This does not look like a CSV file: the first line is longer than 64 KB.")


def _sniff_delimiter(sample: str, *, truncated: bool) -> tuple[str, bool]:
    """Return (delimiter, whether the first line is an Excel "sep=" hint to skip)."""
    lines = sample.lstrip("\ufeff").splitlines()
    # Excel's "sep=;" hint, only honoured as the very first line, where Excel itself looks for it.
    hint = lines[0].strip() if lines else ""
    if hint.lower().startswith("sep=") and len(hint) == 5 and hint[4] in DELIMITERS:
        return hint[4], True
    first = next((line for line in lines if line.strip()), "")

    counts = {d: _count_outside_quotes(first, d) for d in DELIMITERS}
    candidates = [d for d in DELIMITERS if counts[d]]
    if not candidates:
        return ",", False  # one column: the mapping stage will say which columns are missing
    if len(candidates) == 1:
        return candidates[0], False

    if truncated:
        # Drop the last, probably cut, line so it does not count as inconsistent.
        cut = max(sample.rfind("\n"), sample.rfind("\r"))
        sample = sample[:cut] if cut > 0 else sample

    def score(delimiter: str) -> tuple[bool, int, float]:
        width = counts[delimiter] + 1
        records = [r for r in islice(_csv_reader(io.StringIO(sample, newline=""), delimiter),
                                     _SNIFF_RECORDS + 1) if r and any(r)]
        data = records[1:]
        consistency = sum(1 for r in data if len(r) == width) / len(data) if data else 1.0
        # Prefer a delimiter that splits every row like the header; among those, the one the
        # header uses most.
        return consistency >= 0.9, counts[delimiter], consistency

    return max(candidates, key=score), False


def _count_outside_quotes(line: str, delimiter: str) -> int:
    if '"' not in line:
        return line.count(delimiter)
    count = 0
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            count += 1
    return count
