"""`RowNormalizer`: one row of cells in, a product record or the row's issues out.

Built once per file (it precomputes what to do with each column); `normalize` is the hot path,
so the common case (short printable ASCII cells, "29.99 EUR" prices, 13-digit GTINs) is handled
with plain string methods and dict lookups; regexes only run on values that need them.
"""

from __future__ import annotations

from decimal import Decimal
from operator import gt, itemgetter
from typing import Any

from marketplace.importing.decoding import MalformedRecord
from marketplace.importing.mapping import CURRENCY_COLUMN, ColumnMap
from marketplace.importing.normalizers.gtin import check_digit, normalize_gtin
from marketplace.importing.normalizers.issues import (
    ERROR,
    MISSING_ID,
    MISSING_TITLE,
    PARSE_ERROR,
    VALIDATION_ERROR,
    WARNING,
    RowIssue,
    RowResult,
    label,
)
from marketplace.importing.normalizers.prices import currency_code, parse_price_parts
from marketplace.importing.normalizers.text import (
    C0_CONTROLS,
    clean_text,
    clean_unprintable,
    is_digits,
    show,
    split_urls,
)
from marketplace.importing.normalizers.vocabularies import (
    exact_availability,
    exact_bool,
    exact_condition,
    parse_availability,
    parse_bool,
    parse_condition,
)
from marketplace.importing.schema import (
    ATTRIBUTES,
    CURRENCY_FIELDS,
    DEFAULT_CURRENCY,
    TEXT_LIMIT,
    Kind,
)

ID_MAX_LENGTH = 255
SNAPSHOT_VALUE_LIMIT = 200
URL_MAX_LENGTH = 2000
MAX_ADDITIONAL_IMAGES = 20
_INT_MAX = 2_147_483_647  # PositiveIntegerField
_PRICE_CACHE_SIZE = 20_000

_TEXT_KINDS = (Kind.TEXT, Kind.URL)
# Kind codes for the typed-column loop: int comparisons are cheaper than enum ones.
_PRICE, _GTIN, _AVAILABILITY_KIND, _CONDITION_KIND, _BOOL, _URL_LIST, _OTHER = range(7)
_SNAPSHOT_FIELDS = (("id", "marketplace_product_id"), ("title", "title"), ("price", "price"), ("gtin", "gtin"),
                    ("availability", "availability"))


class RowNormalizer:
    """Normalizes the rows of one file; build it once per file from its ColumnMap."""

    def __init__(self, columns: ColumnMap) -> None:
        self._columns = columns
        index_of = columns.index_of
        self._width = len(columns.header)
        self._id_index = index_of.get("marketplace_product_id")
        self._currency_index = index_of.get(CURRENCY_COLUMN)
        self._template: dict[str, Any] = {}
        text: list[tuple[str, int, int]] = []
        # (attribute, column index, kind code, fallback for values the inline fast path does not take)
        self._typed_columns: list[tuple[str, int, int, Any]] = []
        handlers = {
            Kind.PRICE: (_PRICE, self._price), Kind.GTIN: (_GTIN, self._gtin),
            Kind.AVAILABILITY: (_AVAILABILITY_KIND, self._availability),
            Kind.CONDITION: (_CONDITION_KIND, self._condition), Kind.BOOL: (_BOOL, self._bool),
            Kind.INT: (_OTHER, self._int), Kind.URL_LIST: (_URL_LIST, self._url_list),
        }
        for attribute in ATTRIBUTES:
            kind = attribute.kind
            if kind in _TEXT_KINDS or kind in (Kind.AVAILABILITY, Kind.CONDITION, Kind.GTIN):
                self._template[attribute.name] = ""
            else:
                self._template[attribute.name] = None  # a URL list gets a fresh [] in every record
            index = index_of.get(attribute.name)
            if index is None or attribute.name == "marketplace_product_id":
                continue
            if kind in _TEXT_KINDS:
                text.append((attribute.name, index, attribute.max_length or TEXT_LIMIT))
            else:
                code, handler = handlers[kind]
                self._typed_columns.append((attribute.name, index, code, handler))
        self._template["currency"] = DEFAULT_CURRENCY
        self._template["sale_price_currency"] = ""
        self._has_title = "title" in index_of
        # Text columns are read in bulk: one itemgetter call, one strip per cell through map(), and
        # a single isprintable() and length check for the whole row; only a row that fails the
        # check is walked cell by cell.
        self._text_names = tuple(name for name, _index, _limit in text)
        self._text_limits = tuple(limit for _name, _index, limit in text)
        self._text_get = _getter([index for _name, index, _limit in text])
        extra = sorted(columns.extra.items())
        self._extra_names = tuple(name for _index, name in extra)
        self._extra_get = _getter([index for index, _name in extra])
        # Shops reuse a handful of price points; Decimals are immutable, so sharing them is safe.
        self._price_cache: dict[str, tuple[Decimal, str]] = {}
        self._snapshot_indexes = {
            key: index_of[name] for key, name in _SNAPSHOT_FIELDS if name in index_of
        }

    # -- public API ---------------------------------------------------------------------------------

    def normalize(self, cells: list[str]) -> RowResult:
        """Return the record or the row's errors; never raises, whatever the cells."""
        try:
            if type(cells) is not list:
                cells = _as_cells(cells)
            return self._normalize(cells)
        except Exception:
            try:
                # Non-text cells (None, numbers) take this slower path; real CSV rows never do.
                return self._normalize(_as_cells(cells))
            except Exception as exc:  # pragma: no cover - a bug; still must not stop the import
                return RowResult("", None, [RowIssue(PARSE_ERROR, ERROR, "",
                                                     f"This row could not be read ({type(exc).__name__}).")])

    def snapshot(self, cells: list[str], field: str = "") -> dict[str, str]:
        """The row's key values for the error viewer: id, title, price, gtin, availability and `field`.

        Raw values (what the user typed), each cut to 200 characters, so at most a few KB.
        """
        try:
            cells = _as_cells(cells)
            indexes = dict(self._snapshot_indexes)
            if field and field in self._columns.index_of and field not in _SNAPSHOT_FIELDS_BY_NAME:
                indexes[field] = self._columns.index_of[field]
            data: dict[str, str] = {}
            for key, index in indexes.items():
                value = C0_CONTROLS.sub("", cells[index]).strip() if index < len(cells) else ""
                data[key] = value[:SNAPSHOT_VALUE_LIMIT]
            return data
        except Exception:  # pragma: no cover - a snapshot is a nicety and must never fail a row
            return {}

    # -- hot path -----------------------------------------------------------------------------------

    def _normalize(self, cells: list[str]) -> RowResult:
        if isinstance(cells, MalformedRecord):
            return RowResult("", None, [RowIssue(cells.error_type, ERROR, "", cells.message)])
        width = self._width
        length = len(cells)
        issues: list[RowIssue] = []
        if length < width:
            # Exporters often drop trailing empty cells: pad instead of complaining.
            cells = cells + [""] * (width - length)
        elif length > width and any(cells[width:]):
            issues.append(RowIssue(VALIDATION_ERROR, WARNING, "",
                                   f"This row has {length} values but the header names {width} columns; "
                                   "the values after the last column were ignored."))

        identifier = cells[self._id_index] if self._id_index is not None else ""
        if identifier:
            identifier = identifier.strip()
        if not (identifier and identifier.isprintable() and len(identifier) <= ID_MAX_LENGTH):
            identifier = self._identifier(cells, issues)  # reports what is wrong with it
        record = self._template.copy()
        record["marketplace_product_id"] = identifier

        names = self._text_names
        values = tuple(map(str.strip, self._text_get(cells)))
        limits = self._text_limits
        if "".join(values).isprintable() and not any(map(gt, map(len, values), limits)):
            record.update(zip(names, values, strict=False))
        else:
            for name, value, limit in zip(names, values, limits, strict=True):
                if value:
                    if not value.isprintable():
                        value = clean_unprintable(value)
                    if len(value) > limit:
                        issues.append(_truncated(name, len(value), limit))
                        value = value[:limit]
                    record[name] = value
        if not record["title"]:
            issues.append(RowIssue(MISSING_TITLE, ERROR, "title", "The title is empty."))

        currencies: dict[str, str] = {}
        price_cache = self._price_cache
        for name, index, kind, handler in self._typed_columns:
            value = cells[index]
            if not value:
                continue
            # Inline fast paths for the values well-formed feeds use; everything else goes to the
            # handler, which also writes the row's issues.
            if kind == _PRICE:
                cached = price_cache.get(value)
                if cached is not None:
                    record[name], currencies[name] = cached
                    continue
            elif kind == _BOOL:
                found = exact_bool(value)
                if found is not None:
                    record[name] = found
                    continue
            elif kind == _AVAILABILITY_KIND:
                word = exact_availability(value)
                if word is not None:
                    record[name] = word
                    continue
            elif kind == _CONDITION_KIND:
                word = exact_condition(value)
                if word is not None:
                    record[name] = word
                    continue
            elif kind == _GTIN:
                if (len(value) == 13 and value.isdigit() and value.isascii()
                        and check_digit(value[:12]) == ord(value[12]) - 48 and value != "0000000000000"):
                    record[name] = value
                    continue
            elif kind == _URL_LIST:
                # Every comma followed by "http": a plain list of links.
                if (value.startswith("http") and ("," + value).count(",http") == value.count(",") + 1
                        and value.isprintable() and " " not in value):
                    urls = value.split(",")
                    if len(urls) <= MAX_ADDITIONAL_IMAGES and max(map(len, urls)) <= URL_MAX_LENGTH:
                        record[name] = urls
                        continue
            handler(name, value, record, issues, currencies)
        if record["additional_image_links"] is None:
            record["additional_image_links"] = []
        if self._currency_index is None and record["sale_price"] is None:
            # The common case: only the price's own currency matters.
            record["currency"] = currencies.get("price") or DEFAULT_CURRENCY
        else:
            self._set_currencies(cells, record, issues, currencies)

        if self._extra_names:
            extra_values = tuple(map(str.strip, self._extra_get(cells)))
            if "".join(extra_values).isprintable() and max(map(len, extra_values)) <= TEXT_LIMIT:
                record["extra_attributes"] = {
                    name: value for name, value in zip(self._extra_names, extra_values, strict=False) if value}
            else:
                record["extra_attributes"] = self._extra_slow(extra_values, issues)
        else:
            record["extra_attributes"] = {}

        if issues and any(issue.severity == ERROR for issue in issues):
            return RowResult(identifier[:ID_MAX_LENGTH], None, issues)
        return RowResult(identifier, record, issues)

    def _extra_slow(self, values: tuple[str, ...], issues: list[RowIssue]) -> dict[str, str]:
        extra: dict[str, str] = {}
        for name, value in zip(self._extra_names, values, strict=True):
            if value and not value.isprintable():
                value = clean_unprintable(value)
            if value:
                if len(value) > TEXT_LIMIT:
                    issues.append(RowIssue(VALIDATION_ERROR, WARNING, "extra_attributes",
                                           f'Column "{show(name)}" has {len(value):,} characters; '
                                           f"only the first {TEXT_LIMIT:,} were kept."))
                    value = value[:TEXT_LIMIT]
                extra[name] = value
        return extra

    def _identifier(self, cells: list[str], issues: list[RowIssue]) -> str:
        if self._id_index is None:
            issues.append(RowIssue(MISSING_ID, ERROR, "marketplace_product_id", "The id is empty."))
            return ""
        identifier = cells[self._id_index]
        if identifier:
            identifier = identifier.strip()
            if not identifier.isprintable():
                if "\n" in identifier or "\r" in identifier:
                    issues.append(RowIssue(VALIDATION_ERROR, ERROR, "marketplace_product_id",
                                           f'The id "{show(identifier)}" contains a line break; a quote is '
                                           "probably not closed in this row or the one above."))
                identifier = clean_unprintable(identifier)
        if not identifier:
            issues.append(RowIssue(MISSING_ID, ERROR, "marketplace_product_id", "The id is empty."))
        elif len(identifier) > ID_MAX_LENGTH:
            issues.append(RowIssue(VALIDATION_ERROR, ERROR, "marketplace_product_id",
                                   f"The id is {len(identifier):,} characters long; the limit is {ID_MAX_LENGTH}. "
                                   "It was not shortened, because two products could end up with the same id."))
        return identifier

    # -- typed columns: (name, raw non-empty cell, record, issues, currencies) ------------------------

    def _price(self, name: str, value: str, record: dict[str, Any], issues: list[RowIssue],
               currencies: dict[str, str]) -> None:
        try:
            parsed = parse_price_parts(value)
        except ValueError as exc:
            issues.append(RowIssue(PARSE_ERROR, ERROR, name, f"{label(name)} {exc}"))
            return
        if parsed is None:
            return
        amount, currency, rounded = parsed
        if rounded:
            issues.append(RowIssue(VALIDATION_ERROR, WARNING, name,
                                   f'{label(name)} "{show(value.strip())}" has more than 2 decimals; '
                                   f"it was rounded to {amount}."))
        elif len(self._price_cache) < _PRICE_CACHE_SIZE:
            self._price_cache[value] = (amount, currency)
        record[name] = amount
        currencies[name] = currency

    def _gtin(self, name: str, value: str, record: dict[str, Any], issues: list[RowIssue],
              currencies: dict[str, str]) -> None:
        try:
            record[name] = normalize_gtin(value)
        except ValueError as exc:
            issues.append(RowIssue(VALIDATION_ERROR, WARNING, name, f"GTIN {exc} The GTIN was left empty."))

    def _availability(self, name: str, value: str, record: dict[str, Any], issues: list[RowIssue],
                      currencies: dict[str, str]) -> None:
        found = exact_availability(value)  # exact Google value: no strip, no folding
        if found is None:
            try:
                found = parse_availability(value)
            except ValueError as exc:
                issues.append(RowIssue(PARSE_ERROR, WARNING, name, f"Availability {exc} It was left empty."))
                return
        record[name] = found

    def _condition(self, name: str, value: str, record: dict[str, Any], issues: list[RowIssue],
                   currencies: dict[str, str]) -> None:
        found = exact_condition(value)
        if found is None:
            try:
                found = parse_condition(value)
            except ValueError as exc:
                issues.append(RowIssue(PARSE_ERROR, WARNING, name, f"Condition {exc} It was left empty."))
                return
        record[name] = found

    def _bool(self, name: str, value: str, record: dict[str, Any], issues: list[RowIssue],
              currencies: dict[str, str]) -> None:
        if not value.strip():
            return
        try:
            record[name] = parse_bool(value)
        except ValueError as exc:
            issues.append(RowIssue(PARSE_ERROR, WARNING, name, f"{label(name)} {exc} It was left empty."))

    def _int(self, name: str, value: str, record: dict[str, Any], issues: list[RowIssue],
             currencies: dict[str, str]) -> None:
        text = value.strip()
        if not text:
            return
        if is_digits(text) and int(text) <= _INT_MAX:
            record[name] = int(text)
            return
        issues.append(RowIssue(PARSE_ERROR, WARNING, name,
                               f'{label(name)} "{show(text)}" is not a whole number. It was left empty.'))

    def _url_list(self, name: str, value: str, record: dict[str, Any], issues: list[RowIssue],
                  currencies: dict[str, str]) -> None:
        urls = split_urls(clean_text(value))
        kept = []
        for url in urls:
            if len(url) > URL_MAX_LENGTH:
                issues.append(RowIssue(VALIDATION_ERROR, WARNING, name,
                                       f"An additional image link is {len(url):,} characters long; links longer "
                                       f"than {URL_MAX_LENGTH:,} were dropped."))
            else:
                kept.append(url)
        if len(kept) > MAX_ADDITIONAL_IMAGES:
            issues.append(RowIssue(VALIDATION_ERROR, WARNING, name,
                                   f"There are {len(kept)} additional image links; only the first "
                                   f"{MAX_ADDITIONAL_IMAGES} were kept."))
            kept = kept[:MAX_ADDITIONAL_IMAGES]
        record[name] = kept

    def _set_currencies(self, cells: list[str], record: dict[str, Any], issues: list[RowIssue],
                        currencies: dict[str, str]) -> None:
        column_currency = ""
        if self._currency_index is not None:
            raw = cells[self._currency_index].strip()
            if raw:
                column_currency = currency_code(raw) or ""
                if not column_currency:
                    issues.append(RowIssue(PARSE_ERROR, WARNING, "currency",
                                           f'Currency "{show(raw)}" is not a currency code such as EUR; '
                                           f"{DEFAULT_CURRENCY} was assumed."))
        price_field, sale_field = CURRENCY_FIELDS["price"], CURRENCY_FIELDS["sale_price"]
        price_currency = currencies.get("price") or column_currency or DEFAULT_CURRENCY
        record[price_field] = price_currency
        if record["sale_price"] is not None:
            sale_currency = currencies.get("sale_price") or column_currency or price_currency
            record[sale_field] = sale_currency
            if (record["price"] is not None and sale_currency == price_currency
                    and record["sale_price"] > record["price"]):
                issues.append(RowIssue(VALIDATION_ERROR, WARNING, "sale_price",
                                       f"The sale price {record['sale_price']} is higher than the price "
                                       f"{record['price']}."))


_SNAPSHOT_FIELDS_BY_NAME = {name for _key, name in _SNAPSHOT_FIELDS}


def _truncated(name: str, length: int, limit: int) -> RowIssue:
    return RowIssue(VALIDATION_ERROR, WARNING, name,
                    f"{label(name)} is {length:,} characters long; only the first {limit:,} were kept.")


def _getter(indexes: list[int]) -> Any:
    """itemgetter that always returns a tuple, even for zero or one index."""
    if not indexes:
        return lambda cells: ()
    if len(indexes) == 1:
        index = indexes[0]
        return lambda cells: (cells[index],)
    return itemgetter(*indexes)


def _as_cells(cells: object) -> list[str]:
    """Coerce anything into a list of strings (None -> "", numbers -> str)."""
    if isinstance(cells, MalformedRecord):
        return cells
    if cells is None:
        return []
    if isinstance(cells, str | bytes):
        cells = [cells]
    try:
        items = list(cells)  # type: ignore[call-overload]
    except TypeError:
        items = [cells]
    result = []
    for cell in items:
        if cell is None:
            result.append("")
        elif isinstance(cell, bytes):
            result.append(cell.decode("utf-8", "replace"))
        elif isinstance(cell, str):
            result.append(str.__str__(cell))
        else:
            try:
                result.append(str(cell))
            except Exception:
                result.append("")
    return result
