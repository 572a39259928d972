"""What the non-empty cell of a typed column becomes: a price, a GTIN, an availability or a
condition, yes/no, a whole number, a list of image links.

Each kind comes as a pair. Its shortcut answers the spellings well-formed feeds use with one
dict lookup or a few string methods, and returns None for anything else; it never accepts a
value its reader would read differently. Its reader then reads the value the slow way with the
subject's own function (`parse_price_parts`, `normalize_gtin`, `parse_availability`...), writes
it to the record and reports what was wrong. Every reader takes
``(name, value, record, issues, currencies)``; only prices use ``currencies``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from marketplace.importing.messages import ValueProblem
from marketplace.importing.normalizers.gtin import exact_gtin13, normalize_gtin
from marketplace.importing.normalizers.issues import (
    AGE_GROUP_VALUE,
    ERROR,
    GENDER_VALUE,
    PARSE_ERROR,
    VALIDATION_ERROR,
    WARNING,
    RowIssue,
    label,
)
from marketplace.importing.normalizers.prices import parse_price_parts
from marketplace.importing.normalizers.text import clean_text, is_digits, show, split_urls
from marketplace.importing.normalizers.vocabularies import (
    exact_age_group,
    exact_availability,
    exact_bool,
    exact_condition,
    exact_gender,
    parse_age_group,
    parse_availability,
    parse_bool,
    parse_condition,
    parse_gender,
)
from marketplace.importing.schema import Kind

URL_MAX_LENGTH = 2000
MAX_ADDITIONAL_IMAGES = 20
_INT_MAX = 2_147_483_647  # PositiveIntegerField
_PRICE_CACHE_SIZE = 20_000

Shortcut = Callable[[str], Any]
Reader = Callable[[str, str, dict[str, Any], list[RowIssue], dict[str, str]], None]


class PriceReader:
    """Reads prices, and remembers those read without a warning for `shortcut`, as
    ``(amount, currency)``: shops reuse a handful of price points, and Decimals are immutable,
    so sharing them is safe. One per file, for all its price columns."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[Decimal, str]] = {}
        self.shortcut: Shortcut = self._cache.get

    def __call__(
        self, name: str, value: str, record: dict[str, Any], issues: list[RowIssue], currencies: dict[str, str]
    ) -> None:
        try:
            parsed = parse_price_parts(value)
        except ValueError as exc:
            issues.append(_problem(PARSE_ERROR, ERROR, name, exc))
            return
        if parsed is None:
            return
        amount, currency, rounded = parsed
        if rounded:
            issues.append(
                RowIssue(
                    VALIDATION_ERROR,
                    WARNING,
                    name,
                    "price_rounded",
                    {"field": name, "value": show(value.strip()), "amount": str(amount)},
                )
            )
        elif len(self._cache) < _PRICE_CACHE_SIZE:
            self._cache[value] = (amount, currency)
        record[name] = amount
        currencies[name] = currency


def _problem(error_type: str, severity: str, name: str, exc: ValueError) -> RowIssue:
    """The issue of a value its reader rejected (a ValueProblem names its message)."""
    if isinstance(exc, ValueProblem):
        return RowIssue(error_type, severity, name, exc.key, {"field": name, **exc.params})
    return RowIssue(error_type, severity, name, f"{label(name)} {exc}")  # a finished English text


def read_gtin(
    name: str, value: str, record: dict[str, Any], issues: list[RowIssue], currencies: dict[str, str]
) -> None:
    try:
        record[name] = normalize_gtin(value)
    except ValueError as exc:
        issues.append(_problem(VALIDATION_ERROR, WARNING, name, exc))


def read_availability(
    name: str, value: str, record: dict[str, Any], issues: list[RowIssue], currencies: dict[str, str]
) -> None:
    try:
        record[name] = parse_availability(value)
    except ValueError as exc:
        issues.append(_problem(PARSE_ERROR, WARNING, name, exc))


def read_condition(
    name: str, value: str, record: dict[str, Any], issues: list[RowIssue], currencies: dict[str, str]
) -> None:
    try:
        record[name] = parse_condition(value)
    except ValueError as exc:
        issues.append(_problem(PARSE_ERROR, WARNING, name, exc))


def _google_value_reader(error_type: str, parse: Callable[[str], tuple[str, bool]]) -> Reader:
    def read(name: str, value: str, record: dict[str, Any], issues: list[RowIssue], currencies: dict[str, str]) -> None:
        text = value.strip()
        if not text:
            return
        try:
            found, mapped = parse(text)
        except ValueError as exc:
            issues.append(_problem(error_type, WARNING, name, exc))
            return
        record[name] = found
        if mapped:
            issues.append(
                RowIssue(
                    error_type,
                    WARNING,
                    name,
                    "google_value_mapped",
                    {"field": name, "value": show(text), "found": found},
                )
            )

    return read


read_gender = _google_value_reader(GENDER_VALUE, parse_gender)
read_age_group = _google_value_reader(AGE_GROUP_VALUE, parse_age_group)


def read_bool(
    name: str, value: str, record: dict[str, Any], issues: list[RowIssue], currencies: dict[str, str]
) -> None:
    if not value.strip():
        return
    try:
        record[name] = parse_bool(value)
    except ValueError as exc:
        issues.append(_problem(PARSE_ERROR, WARNING, name, exc))


def read_int(name: str, value: str, record: dict[str, Any], issues: list[RowIssue], currencies: dict[str, str]) -> None:
    text = value.strip()
    if not text:
        return
    if is_digits(text) and int(text) <= _INT_MAX:
        record[name] = int(text)
        return
    issues.append(RowIssue(PARSE_ERROR, WARNING, name, "not_whole_number", {"field": name, "value": show(text)}))


def plain_links(value: str) -> list[str] | None:
    """The links of a plain list ("https://a.jpg,https://b.jpg": every comma followed by
    "http", nothing to clean, within the limits), else None."""
    if (
        value.startswith("http")
        and ("," + value).count(",http") == value.count(",") + 1
        and value.isprintable()
        and " " not in value
    ):
        urls = value.split(",")
        if len(urls) <= MAX_ADDITIONAL_IMAGES and max(map(len, urls)) <= URL_MAX_LENGTH:
            return urls
    return None


def read_links(
    name: str, value: str, record: dict[str, Any], issues: list[RowIssue], currencies: dict[str, str]
) -> None:
    urls = split_urls(clean_text(value))
    kept = []
    for url in urls:
        if len(url) > URL_MAX_LENGTH:
            issues.append(
                RowIssue(
                    VALIDATION_ERROR,
                    WARNING,
                    name,
                    "link_too_long",
                    {"length": len(url), "limit": URL_MAX_LENGTH},
                )
            )
        else:
            kept.append(url)
    if len(kept) > MAX_ADDITIONAL_IMAGES:
        issues.append(
            RowIssue(
                VALIDATION_ERROR,
                WARNING,
                name,
                "too_many_links",
                {"count": len(kept), "limit": MAX_ADDITIONAL_IMAGES},
            )
        )
        kept = kept[:MAX_ADDITIONAL_IMAGES]
    record[name] = kept


# No spelling of a whole number is common enough to be worth a table: an empty dict's get
# answers None for every value at the cost of a C call, and the reader does the work.
_NOTHING: dict[str, Any] = {}
_NO_SHORTCUT: Shortcut = _NOTHING.get

# Kind -> (shortcut, reader); prices need a PriceReader of the file's own.
READERS: dict[Kind, tuple[Shortcut, Reader]] = {
    Kind.GTIN: (exact_gtin13, read_gtin),
    Kind.AVAILABILITY: (exact_availability, read_availability),
    Kind.CONDITION: (exact_condition, read_condition),
    Kind.GENDER: (exact_gender, read_gender),
    Kind.AGE_GROUP: (exact_age_group, read_age_group),
    Kind.BOOL: (exact_bool, read_bool),
    Kind.INT: (_NO_SHORTCUT, read_int),
    Kind.URL_LIST: (plain_links, read_links),
}
