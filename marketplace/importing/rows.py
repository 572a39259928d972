"""The one shape a feed row has inside the engine, from the reader to the writer.

Pure module (no Django): the forked reader process makes rows too. A row is made by
`read_rows` as soon as its cells are read, and normalized by `normalize_row`, in the
reader process when it reads ahead or in the import's own process otherwise; both give
the same row. The payload is the writer's wire format (the writing strategy's `render`):
a COPY line for PostgreSQL, a NUL-joined text for SQLite. One text travels through the
pipe faster than the 53 values it holds, and the writer uses it as it comes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, NamedTuple

from marketplace.importing.decoding import row_hash
from marketplace.importing.normalizers import RowIssue, RowNormalizer

# The writing strategy's renderer: a normalized record -> (payload, content hash).
Render = Callable[[dict[str, Any]], tuple[Any, str]]
_NUL = "\x00"


class FeedRow(NamedTuple):
    """One data row of the feed.

    Until it is normalized, `identifier` is the raw id cell (stripped) and `payload` is
    None; after, `identifier` is the normalized id ("" when the row has none) and
    `payload` is None exactly when the row is invalid (its errors are in `issues`).

    A tuple: every import makes one per row and a re-import reads most of them only
    once, so it must cost what a tuple costs (made and unpickled by C code, left alone
    by the garbage collector).
    """

    number: int  # as a spreadsheet shows it
    identifier: str
    source_hash: str  # of the raw cells, salted with the header (see MarketplaceProductTranslation)
    content_hash: str = ""  # of the language-independent values, once normalized
    payload: Any = None  # the writing strategy's wire format
    issues: tuple[RowIssue, ...] = ()
    normalized: bool = False
    # The cells as read, for normalizing and for the snapshot of the row's errors;
    # NUL-joined after crossing the pipe (decoding removes NUL from every line, so no
    # cell holds one). Use `cells`.
    raw_cells: list[str] | str = ()  # type: ignore[assignment]  # a NamedTuple default must be immutable
    notes: int = 0  # what the job reports once for all its rows (normalizers' NOTE_* bits)

    @property
    def cells(self) -> list[str]:
        cells = self.raw_cells
        return cells.split(_NUL) if isinstance(cells, str) else cells

    @property
    def valid(self) -> bool:
        return self.payload is not None


_new_row = partial(tuple.__new__, FeedRow)
_CELLS_POSITION = FeedRow._fields.index("raw_cells")


def read_rows(records: Iterable[tuple[int, list[str]]], *, id_index: int | None, salt: str) -> list[FeedRow]:
    """The rows as read: each one's raw id and the hash of its raw cells (with the header's salt).

    One call per batch, the loop inside: this runs for every row of every import.
    """
    rows: list[FeedRow] = []
    append = rows.append
    for number, cells in records:
        raw_id = cells[id_index].strip() if id_index is not None and id_index < len(cells) else ""
        # Appending the salt to the row and removing it again is cheaper than a new list.
        cells.append(salt)
        source_hash = row_hash(cells)
        cells.pop()
        append(_new_row((number, raw_id, source_hash, "", None, (), False, cells, 0)))
    return rows


def normalize_row(row: FeedRow, normalizer: RowNormalizer, render: Render) -> FeedRow:
    """`row` normalized: its id, issues, payload and content hash."""
    cells = row.cells
    result = normalizer.normalize(cells)
    record = result.record
    if record is None:
        return _new_row(
            (
                row.number,
                result.identifier or "",
                row.source_hash,
                "",
                None,
                tuple(result.issues),
                True,
                cells,
                result.notes,
            )
        )
    payload, content_hash = render(record)
    return _new_row(
        (
            row.number,
            record["marketplace_product_id"],
            row.source_hash,
            content_hash,
            payload,
            tuple(result.issues),
            True,
            cells,
            result.notes,
        )
    )


def rows_to_columns(rows: Sequence[FeedRow]) -> list[tuple[Any, ...]]:
    """The rows as one tuple per field, the cells NUL-joined: what a batch sends through
    the pipe, pickled several times faster than the rows one by one."""
    if not rows:
        return []
    columns = list(zip(*rows, strict=True))
    # A MalformedRecord (a list subclass) keeps its class and message.
    cells = _CELLS_POSITION
    columns[cells] = tuple([_NUL.join(c) if c.__class__ is list else c for c in columns[cells]])
    return columns


def rows_from_columns(columns: list[tuple[Any, ...]]) -> list[FeedRow]:
    return list(map(_new_row, zip(*columns, strict=True)))


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
    message: str  # English: the stored error_message
    key: str = ""  # the message's key and parameters, rendered in the viewer's language
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    row_data: dict[str, Any] = dataclasses.field(default_factory=dict)
    # The rejected row's cells as read, on its first error only: "the rows to fix" file
    # gives them back in the feed's own columns. None for warnings and unreadable records.
    cells: list[str] | None = None
