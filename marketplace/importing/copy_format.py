"""PostgreSQL COPY text format for the values of normalized rows.

psycopg's `Copy.write_row` adapts every value through its type registry: about 16 us for
a product row of 53 columns, more than the rest of the write path in Python together.
The values an import writes are of a handful of types (str, None, bool, int, Decimal),
and almost every string is printable text without a backslash, so a row is formatted
with one join and one check of the joined line; only a line that fails the check has
its fields escaped one by one.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

NULL = "\\N"
# What COPY's text format gives a meaning to inside a field.
_SPECIAL = re.compile(r"[\\\t\n\r]")
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def field_text(value: Any) -> str:
    """One value as a COPY text field (escaped)."""
    if value is None:
        return NULL
    text = value_text(value)
    return text.translate(_ESCAPES) if _SPECIAL.search(text) else text


def value_text(value: Any) -> str:
    """A value other than None as COPY reads it, before escaping."""
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value if value.__class__ is str else str(value)


def fields_text(values: list[Any]) -> str:
    """Values as tab-separated COPY fields, without the line's end."""
    parts = [v if v.__class__ is str else field_text(v) for v in values]
    line = "\t".join(parts)
    # Only the NULL markers may bring backslashes, and only separators tabs; a line with
    # anything else has a field to escape (rare): then escape field by field.
    if line.count("\\") != values.count(None) or line.count("\t") != len(parts) - 1 or "\n" in line or "\r" in line:
        return "\t".join(field_text(v) for v in values)
    return line
