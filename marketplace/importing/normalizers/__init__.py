"""Stage 5 of an import: turn one row of cells into a product record, or row errors and warnings.

Pure package (no Django, no database). `RowNormalizer` (rows.py) is built once per file and its
`normalize` is the hot path of every import. It reads each kind of value with the functions of
one module per subject: text.py, prices.py, gtin.py, vocabularies.py (availability, condition,
yes/no), columns.py (what the cell of a typed column becomes, with its issues); issues.py holds
`RowResult` and `RowIssue`.

Decisions, so callers know what to expect:

* An error skips the row (``record`` is None); a warning keeps it. All problems found in a row are
  reported, including warnings on a row skipped for an error, so one fix cycle is enough.
* ``parse_error``: the value cannot be read (price not a number, unknown availability word).
  ``validation_error``: the value was read but breaks a rule (GTIN check digit, too long).
  ``row_too_long``: decoding gave up on a row longer than ROW_SIZE_LIMIT (it skips the row).
  Every GTIN problem is a ``validation_error`` warning: the GTIN is left empty, the row kept.
* price and sale_price: unreadable, negative or 10 digits before the decimal point or more -> error
  (the column is DECIMAL(12, 2)). More than 2 decimals -> rounded half-up, with a warning.
  A single ``.`` or ``,`` followed by exactly three digits ("1.299", "1,299", but not "0.125") is a
  thousands separator: reading 1299 as 1.30 would sell an item for a thousandth of its price, the
  opposite mistake is only an obviously wrong price tag. A bare number takes its currency from a
  ``currency`` column if the file has one, a bare sale price from the price, else EUR.
* Unknown availability, condition, yes/no or multipack values: ``parse_error`` warning, value empty.
* A text longer than its column is cut, with a warning. Not the id: cutting it could merge two
  products, so an id over 255 characters is an error, and so is an id with a line break (the sign
  of an unclosed quote that swallowed the next rows).
* NUL and the other C0 control characters are removed from every value (tab and line feed kept,
  CR/LF turned into LF): PostgreSQL refuses NUL in text and JSON.
"""

from __future__ import annotations

from marketplace.importing.normalizers.columns import MAX_ADDITIONAL_IMAGES, URL_MAX_LENGTH
from marketplace.importing.normalizers.gtin import normalize_gtin
from marketplace.importing.normalizers.issues import (
    ERROR,
    MISSING_ID,
    MISSING_TITLE,
    PARSE_ERROR,
    VALIDATION_ERROR,
    WARNING,
    RowIssue,
    RowResult,
)
from marketplace.importing.normalizers.prices import parse_price
from marketplace.importing.normalizers.rows import ID_MAX_LENGTH, SNAPSHOT_VALUE_LIMIT, RowNormalizer
from marketplace.importing.normalizers.text import clean_text
from marketplace.importing.normalizers.vocabularies import parse_availability, parse_bool, parse_condition

__all__ = [
    "ERROR",
    "ID_MAX_LENGTH",
    "MAX_ADDITIONAL_IMAGES",
    "MISSING_ID",
    "MISSING_TITLE",
    "PARSE_ERROR",
    "SNAPSHOT_VALUE_LIMIT",
    "URL_MAX_LENGTH",
    "VALIDATION_ERROR",
    "WARNING",
    "RowIssue",
    "RowNormalizer",
    "RowResult",
    "clean_text",
    "normalize_gtin",
    "parse_availability",
    "parse_bool",
    "parse_condition",
    "parse_price",
]
