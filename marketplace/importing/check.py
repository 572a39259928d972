"""The report of a check of a feed (a dry run, issue 18): how the file's columns map, and
its first rows as an import would store them.

Pure module (no ORM): the pipeline computes the parts and stores them on the job's
`check_report`. Everything is bounded (columns, rows, characters), so a feed with a
thousand columns or a megabyte in one cell still gives a report of a few dozen KB.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from marketplace.importing.mapping import PROBLEM_COLUMN, ColumnMap, column_attribute, suggest_attribute
from marketplace.importing.normalizers import RowResult

SAMPLE_ROWS = 5
MAX_COLUMNS = 200
MAX_NAME_CHARS = 200
MAX_VALUE_CHARS = 300


def _clip(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def column_report(header: list[str], columns: ColumnMap | None) -> list[dict[str, Any]]:
    """One entry per header cell, in file order: `column` (its name), `field` (the attribute
    it fills, "" when none), and for a column that fills none either `duplicate_of` (another
    column already gives that attribute) or `suggestion` (the closest known name), or
    `ignored` (the problem column of a rows-to-fix file).

    `columns` is None when the mapping failed (no id or title column): then each column
    shows what it names on its own.
    """
    winners = {index: attribute for attribute, index in columns.index_of.items()} if columns else {}
    report: list[dict[str, Any]] = []
    for index, cell in enumerate(header[:MAX_COLUMNS]):
        name = (cell or "").strip()
        own = column_attribute(name) if name else None
        field = winners.get(index, "") if columns is not None else (own or "")
        entry: dict[str, Any] = {"column": _clip(name, MAX_NAME_CHARS) or f"column_{index + 1}", "field": field}
        if not field:
            if name == PROBLEM_COLUMN:
                entry["ignored"] = True
            elif own is not None:
                entry["duplicate_of"] = own
            else:
                entry["suggestion"] = (suggest_attribute(name) if name else None) or ""
        report.append(entry)
    return report


def _shown(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return _clip(", ".join(str(v) for v in value), MAX_VALUE_CHARS)
    if isinstance(value, dict):
        return _clip(json.dumps(value, ensure_ascii=False, sort_keys=True), MAX_VALUE_CHARS)
    return _clip(str(value), MAX_VALUE_CHARS)


def sample_row(number: int, result: RowResult) -> dict[str, Any]:
    """A row as an import would store it: its non-empty values, and its problems' types."""
    record = result.record or {}
    values = {
        name: _shown(value) for name, value in record.items() if value not in (None, "", [], {}) and name != "row_hash"
    }
    return {
        "row": number,
        "identifier": _clip(result.identifier, MAX_NAME_CHARS),
        "skipped": result.record is None,
        "values": values,
        "issues": [
            {"error_type": issue.error_type, "severity": issue.severity, "field": issue.field}
            for issue in result.issues[:10]
        ],
    }
