"""CSV exports that are safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator

from marketplace.models import MarketplaceImportError

_FORMULA_START = ("=", "+", "-", "@", "|", "%", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?$")

ERROR_CSV_HEADER = ["row_number", "identifier", "severity", "error_type", "field", "error_message", "row_data"]


def csv_safe(value: object) -> str:
    """Neutralise a cell a spreadsheet would run as a formula, unless it is a plain number.

    >>> csv_safe("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> csv_safe("-12.5")
    '-12.5'
    """
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def _row_data_text(row_data: dict[str, object]) -> str:
    return "; ".join(f"{key}={value}" for key, value in row_data.items())


def errors_csv_lines(errors: Iterable[MarketplaceImportError]) -> Iterator[str]:
    """Yield the CSV text line by line, for a StreamingHttpResponse; pass .iterator() for big jobs."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return text

    writer.writerow(ERROR_CSV_HEADER)
    yield "\ufeff" + flush()  # a BOM so Excel opens the UTF-8 file with the right accents
    for error in errors:
        writer.writerow(
            [
                error.row_number,
                csv_safe(error.identifier),
                error.severity,
                error.error_type,
                csv_safe(error.field),
                csv_safe(error.error_message),
                csv_safe(_row_data_text(error.row_data or {})),
            ]
        )
        yield flush()
