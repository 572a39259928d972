"""What normalizing a row gives: `RowResult`, its `RowIssue`s, and the words their messages use."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from marketplace.importing.messages import english, label

__all__ = ["label"]  # re-exported: the messages' labels

MISSING_ID = "missing_id"
MISSING_TITLE = "missing_title"
PARSE_ERROR = "parse_error"
VALIDATION_ERROR = "validation_error"
# Google's value rules, warnings of their own type (the row is kept).
GENDER_VALUE = "gender_value"
AGE_GROUP_VALUE = "age_group_value"
ID_TOO_LONG = "id_too_long"
MISSING_DESCRIPTION = "missing_description"
ERROR = "error"
WARNING = "warning"

# What normalizing a row did that the job reports once, with its number of rows: bits of
# RowResult.notes / FeedRow.notes, not warnings of the row.
NOTE_CURRENCY_ASSUMED = 1  # a price without a currency: DEFAULT_CURRENCY assumed
NOTE_HTML = 2  # HTML cleaned out of a text


@dataclass(frozen=True, slots=True)
class RowIssue:
    error_type: str  # "missing_id" | "missing_title" | "parse_error" | "validation_error" | "row_too_long"
    severity: str  # "error" | "warning"
    field: str  # schema attribute name, "extra_attributes", or "" for the whole row
    key: str  # of messages.TEMPLATES: the message, in any language, with `params`
    params: dict[str, Any] = dataclasses.field(default_factory=dict)  # small: shown values, numbers

    @property
    def message(self) -> str:
        """The English sentence (what is stored as `error_message`)."""
        return english(self.key, self.params)


@dataclass(slots=True)
class RowResult:
    identifier: str  # the row's id, "" when missing, at most 255 characters
    record: dict[str, Any] | None  # None when the row is skipped
    issues: list[RowIssue] = field(default_factory=list)
    notes: int = 0  # NOTE_* bits
