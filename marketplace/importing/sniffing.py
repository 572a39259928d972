"""Stage 2 of an import: what kind of file this is, its text encoding and its delimiter.

Pure module: it looks at the first 64 KB of the file, and scans the whole file in 1 MB
chunks only where the encoding depends on it (a strict UTF-8 check, and one byte scan
when that fails).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

import chardet

from marketplace.importing.errors import ImportFailed

DELIMITERS = (",", ";", "\t", "|")
SAMPLE_BYTES = 64 * 1024
_SCAN_CHUNK = 1024 * 1024
# Records looked at when two delimiters are equally plausible in the header.
_SNIFF_RECORDS = 20
# cp1252 leaves these bytes undefined; a file containing them can only be read as latin-1.
_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
_C1_BYTES = bytes(range(0x80, 0xA0))
# C0 controls that never belong in a text file (tab, LF, CR excluded).
_JUNK_CHARS = frozenset(chr(c) for c in range(32) if c not in (9, 10, 13))
_JUNK_RATIO = 0.02
_MAGIC = (
    (
        b"PK\x03\x04",
        "This is a ZIP archive or an Excel .xlsx workbook, not a CSV file. "
        "Open it in your spreadsheet program and save it as CSV (UTF-8).",
    ),
    (
        b"\xd0\xcf\x11\xe0",
        "This is an old Excel .xls workbook, not a CSV file. "
        "Open it in your spreadsheet program and save it as CSV (UTF-8).",
    ),
    (b"\x1f\x8b", "This is a compressed (gzip) file, not a CSV file. Decompress it first."),
    (b"%PDF", "This is a PDF document, not a CSV file."),
)


class FeedDecodeError(ImportFailed):
    """The file cannot be read as a feed at all; the job fails with `message`."""


def refuse_other_formats(head: bytes) -> None:
    """Raise FeedDecodeError, in words a store owner can act on, for an empty file or a
    workbook, archive or document that is not CSV."""
    if not head.strip(b" \t\r\n\x00") or head in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise FeedDecodeError("The file is empty.")
    for magic, message in _MAGIC:
        if head.startswith(magic):
            raise FeedDecodeError(message)


def csv_reader(lines: Iterable[str], delimiter: str) -> Iterator[list[str]]:
    return csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)


def detect_encoding(path: Path, head: bytes) -> tuple[str, bool]:
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


def decode_sample(head: bytes, encoding: str, *, complete: bool) -> str:
    # An incremental decoder does not choke on a multi-byte character cut by the sample's end.
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    return decoder.decode(head, final=complete)


def check_looks_like_csv(sample: str, *, truncated: bool) -> None:
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
        raise FeedDecodeError(
            "This does not look like a CSV file: it contains binary data. "
            "Export the product list as CSV or tab-separated text."
        )
    if truncated and "\n" not in sample and "\r" not in sample:
        raise FeedDecodeError("This does not look like a CSV file: the first line is longer than 64 KB.")


def sniff_delimiter(sample: str, *, truncated: bool) -> tuple[str, bool]:
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
        records = [
            r
            for r in islice(csv_reader(io.StringIO(sample, newline=""), delimiter), _SNIFF_RECORDS + 1)
            if r and any(r)
        ]
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
