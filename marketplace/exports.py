"""CSV exports that are safe to open in a spreadsheet."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator
from contextlib import nullcontext

from django.http import StreamingHttpResponse
from django.utils import translation

from marketplace.importing.mapping import PROBLEM_COLUMN
from marketplace.importing.messages import column_name
from marketplace.models import MarketplaceImportError, MarketplaceImportJob
from marketplace.row_messages import message_of

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


def errors_csv_lines(errors: Iterable[MarketplaceImportError], *, language: str = "") -> Iterator[str]:
    """Yield the CSV text line by line, for a StreamingHttpResponse; pass .iterator() for big jobs.

    With a `language` (the pages' downloads) the messages are in that language and a field is
    named by the feed's column (`id`); without one (the API's) they are the stored English
    ones, as the JSON gives them. The column names stay the same in every language: programs
    read them. The language is set here because a streamed body is read after the view returned.
    """
    if not language:
        yield from _errors_csv_lines(errors, localized=False)
        return
    with translation.override(language):
        yield from _errors_csv_lines(errors, localized=True)


def _errors_csv_lines(errors: Iterable[MarketplaceImportError], *, localized: bool) -> Iterator[str]:
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
                csv_safe(column_name(error.field) if localized else error.field),
                csv_safe(error.display_message if localized else error.error_message),
                csv_safe(_row_data_text(error.row_data or {})),
            ]
        )
        yield flush()


def rows_to_fix_encoding(job: MarketplaceImportJob) -> str:
    """The feed's own encoding (the rows go back as they came); UTF-8 when it is unknown."""
    try:
        return codecs.lookup(job.detected_encoding or "utf-8").name
    except LookupError:
        return "utf-8"


def rows_to_fix_chunks(job: MarketplaceImportJob, *, language: str = "") -> Iterator[bytes]:
    """The job's rejected rows in the feed's own columns, delimiter and encoding, plus a
    last column `import_problem` saying what to fix, for a StreamingHttpResponse.

    Fixed in a spreadsheet and uploaded again, the file imports like the feed: the
    problem column is not mapped (see `marketplace.importing.mapping`). Cells are made
    formula-safe like the errors CSV (a cell starting with = + - @ gets a leading
    apostrophe unless it is a number). Rows the reader could not split into cells
    (parse errors) have no cells to give back: they are in the errors CSV only. The problems
    are in `language` (the pages' downloads), else the stored English (the API's).
    """
    with translation.override(language) if language else nullcontext():
        yield from _rows_to_fix_chunks(job, localized=bool(language))


def _rows_to_fix_chunks(job: MarketplaceImportJob, *, localized: bool) -> Iterator[bytes]:
    encoder = codecs.getincrementalencoder(rows_to_fix_encoding(job))(errors="replace")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=job.detected_delimiter or ",", lineterminator="\r\n")

    def flush() -> bytes:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return encoder.encode(text)

    header = list(job.source_header or [])
    writer.writerow([csv_safe(cell) for cell in header] + [PROBLEM_COLUMN])
    yield flush()
    errors = (
        MarketplaceImportError.objects.filter(
            import_job=job, severity=MarketplaceImportError.Severity.ERROR, row_number__gt=0
        )
        .order_by("row_number", "id")
        .values_list("row_number", "error_message", "message_key", "params", "raw_cells")
        .iterator(chunk_size=2000)
    )
    current: int | None = None
    cells: list[str] | None = None
    problems: list[str] = []
    for row_number, message, key, params, raw_cells in errors:
        if row_number != current:
            if cells is not None:
                writer.writerow(_fix_row(cells, len(header), problems))
                yield flush()
            current, cells, problems = row_number, None, []
        if raw_cells is not None and cells is None:
            cells = raw_cells
        problems.append(message_of(key, params, message) if localized else message)
    if cells is not None:
        writer.writerow(_fix_row(cells, len(header), problems))
    yield flush() + encoder.encode("", final=True)


def _fix_row(cells: list[str], width: int, problems: list[str]) -> list[str]:
    # A short row is padded so the problem stays in its own column.
    padded = [*cells, *[""] * (width - len(cells))]
    return [csv_safe(cell) for cell in padded] + [csv_safe(" | ".join(problems))]


def rows_to_fix_response(job: MarketplaceImportJob, *, filename: str = "", language: str = "") -> StreamingHttpResponse:
    """The job's rejected rows in the feed's own columns, encoding and delimiter, streamed."""
    charset = rows_to_fix_encoding(job)
    response = StreamingHttpResponse(
        rows_to_fix_chunks(job, language=language), content_type=f"text/csv; charset={charset}"
    )
    name = filename or f"import-{job.pk}-rows-to-fix.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
