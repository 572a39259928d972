"""The one shape a feed row has inside the engine, from the reader to the writer.

Pure module (no Django): the forked reader process makes rows too. A row is made by
`read_row` as soon as its cells are read, and normalized by `normalize_row`, in the
reader process when it reads ahead or in the import's own process otherwise; both give
the same row. The payload is the writer's wire format (the writing strategy's `render`):
a COPY line for PostgreSQL, a NUL-joined text for SQLite. One text travels through the
pipe faster than the 53 values it holds, and the writer uses it as it comes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from marketplace.importing.decoding import row_hash
from marketplace.importing.normalizers import RowIssue, RowNormalizer

# The writing strategy's renderer: a normalized record -> (payload, content hash).
Render = Callable[[dict[str, Any]], tuple[Any, str]]
_NUL = "\x00"


@dataclass(slots=True)
class FeedRow:
    """One data row of the feed.

    Until it is normalized, `identifier` is the raw id cell (stripped) and `payload` is
    None; after, `identifier` is the normalized id ("" when the row has none) and
    `payload` is None exactly when the row is invalid (its errors are in `issues`).
    """

    number: int  # as a spreadsheet shows it
    identifier: str
    source_hash: str  # of the raw cells, salted with the header (see MarketplaceProductTranslation)
    content_hash: str = ""  # of the language-independent values, once normalized
    payload: Any = None  # the writing strategy's wire format
    issues: tuple[RowIssue, ...] = ()
    normalized: bool = False
    # The cells as read, for the snapshot of the row's errors; NUL-joined while they cross
    # the pipe (decoding removes NUL from every line, so no cell holds one).
    _cells: list[str] | str = dataclasses.field(default_factory=list, repr=False)

    @property
    def cells(self) -> list[str]:
        cells = self._cells
        if isinstance(cells, str):
            cells = self._cells = cells.split(_NUL)
        return cells

    @property
    def valid(self) -> bool:
        return self.payload is not None

    @property
    def had_warnings(self) -> bool:
        # A valid row's issues can only be warnings.
        return bool(self.issues) and self.payload is not None

    def __reduce__(self) -> tuple[Any, ...]:
        # A plain tuple pickles several times faster than a dataclass's state dict.
        cells = self._cells
        if cells.__class__ is list:
            # MalformedRecord is a list subclass and keeps its own class (and message).
            cells = _NUL.join(cells)
        return (_rebuild, (self.number, self.identifier, self.source_hash, self.content_hash, self.payload,
                           self.issues, self.normalized, cells))


def _rebuild(number: int, identifier: str, source_hash: str, content_hash: str, payload: Any,
             issues: tuple[RowIssue, ...], normalized: bool, cells: list[str] | str) -> FeedRow:
    return FeedRow(number, identifier, source_hash, content_hash, payload, issues, normalized, cells)


def read_row(number: int, cells: list[str], *, id_index: int | None, salt: str) -> FeedRow:
    """A row as read: its raw id and the hash of its raw cells (with the header's salt)."""
    raw_id = cells[id_index].strip() if id_index is not None and id_index < len(cells) else ""
    # Appending the salt to the row and removing it again is cheaper than a new list.
    cells.append(salt)
    source_hash = row_hash(cells)
    cells.pop()
    return FeedRow(number, raw_id, source_hash, _cells=cells)


def normalize_row(row: FeedRow, normalizer: RowNormalizer, render: Render) -> FeedRow:
    """Normalize `row` in place (and return it): its id, issues, payload and content hash."""
    result = normalizer.normalize(row.cells)
    record = result.record
    if record is None:
        identifier, payload, content_hash = result.identifier or "", None, ""
    else:
        payload, content_hash = render(record)
        identifier = record["marketplace_product_id"]
    row.identifier, row.payload, row.content_hash = identifier, payload, content_hash
    row.issues = tuple(result.issues)
    row.normalized = True
    return row


def first_keys(rows: Sequence[FeedRow]) -> dict[str, tuple[str, str]]:
    """(raw id, source hash) of each id's first row: the rows whose freshness is judged."""
    keys: dict[str, tuple[str, str]] = {}
    for row in rows:
        identifier = row.identifier
        if identifier and identifier not in keys:
            keys[identifier] = (identifier, row.source_hash)
    return keys


@dataclass(slots=True)
class ErrorRow:
    """One MarketplaceImportError to insert (an error or a warning)."""

    row_number: int
    identifier: str
    error_type: str
    severity: str
    field: str
    message: str
    row_data: dict[str, Any] = dataclasses.field(default_factory=dict)
