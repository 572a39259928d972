"""`RowNormalizer`: one row of cells in, a product record or the row's issues out.

Built once per file (it precomputes what to do with each column); `normalize` is the hot path,
so the common case (short printable ASCII cells, "29.99 EUR" prices, 13-digit GTINs) is handled
with plain string methods and dict lookups; regexes only run on values that need them.
"""

from __future__ import annotations

from operator import gt, itemgetter
from typing import Any

from marketplace.importing.column_aliases import CURRENCY_COLUMN, IMAGES_COLUMN
from marketplace.importing.decoding import MalformedRecord
from marketplace.importing.mapping import ColumnMap
from marketplace.importing.normalizers.columns import READERS, PriceReader, Reader, Shortcut
from marketplace.importing.normalizers.issues import (
    ERROR,
    ID_TOO_LONG,
    MISSING_DESCRIPTION,
    MISSING_ID,
    MISSING_TITLE,
    NOTE_CURRENCY_ASSUMED,
    NOTE_HTML,
    PARSE_ERROR,
    VALIDATION_ERROR,
    WARNING,
    RowIssue,
    RowResult,
)
from marketplace.importing.normalizers.markup import decode_entities, has_markup, html_to_text, strip_tags
from marketplace.importing.normalizers.prices import currency_code
from marketplace.importing.normalizers.reshaping import (
    NO_GROUP,
    dropped_shipping_parts,
    reorder_shipping,
    split_images,
)
from marketplace.importing.normalizers.text import C0_CONTROLS, clean_unprintable, show
from marketplace.importing.schema import ATTRIBUTES, CURRENCY_FIELDS, DEFAULT_CURRENCY, TEXT_LIMIT, Kind

ID_MAX_LENGTH = 255
SNAPSHOT_VALUE_LIMIT = 200

_TEXT_KINDS = (Kind.TEXT, Kind.URL)
# Typed columns whose empty value is "" (the others' is None).
_STRING_KINDS = (Kind.AVAILABILITY, Kind.CONDITION, Kind.GTIN, Kind.GENDER, Kind.AGE_GROUP)
# Google: "Use a maximum of 50 characters" for id; longer ids are kept (up to ID_MAX_LENGTH).
GOOGLE_ID_LENGTH = 50
_SNAPSHOT_FIELDS = (
    ("id", "marketplace_product_id"),
    ("title", "title"),
    ("price", "price"),
    ("gtin", "gtin"),
    ("availability", "availability"),
)


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
        urls: list[tuple[str, int, int]] = []
        # (attribute, column index, shortcut, reader): see columns.py
        self._typed_columns: list[tuple[str, int, Shortcut, Reader]] = []
        prices = PriceReader()
        readers: dict[Kind, tuple[Shortcut, Reader]] = {Kind.PRICE: (prices.shortcut, prices), **READERS}
        for attribute in ATTRIBUTES:
            kind = attribute.kind
            if kind in _TEXT_KINDS or kind in _STRING_KINDS:
                self._template[attribute.name] = ""
            else:
                self._template[attribute.name] = None  # a URL list gets a fresh [] in every record
            index = index_of.get(attribute.name)
            if index is None or attribute.name == "marketplace_product_id":
                continue
            if kind in _TEXT_KINDS:
                (text if kind == Kind.TEXT else urls).append(
                    (attribute.name, index, attribute.max_length or TEXT_LIMIT)
                )
            else:
                shortcut, reader = readers[kind]
                self._typed_columns.append((attribute.name, index, shortcut, reader))
        self._template["currency"] = DEFAULT_CURRENCY
        self._template["sale_price_currency"] = ""
        # Text columns are read in bulk: one itemgetter call, one strip per cell through map(), and
        # a single isprintable() and length check for the whole row; only a row that fails the
        # check is walked cell by cell. The free texts come first: HTML is looked for in them
        # only (a link's "&" is part of the link).
        self._markup_fields = len(text)
        self._markup_cleaners = tuple(_MARKUP_CLEANERS.get(name, decode_entities) for name, _index, _limit in text)
        text += urls
        self._text_names = tuple(name for name, _index, _limit in text)
        self._text_limits = tuple(limit for _name, _index, limit in text)
        self._text_get = _getter([index for _name, index, _limit in text])
        extra = sorted(columns.extra.items())
        self._extra_names = tuple(name for _index, name in extra)
        self._extra_get = _getter([index for index, _name in extra])
        self._snapshot_indexes = {key: index_of[name] for key, name in _SNAPSHOT_FIELDS if name in index_of}
        # Values the header says how to read (see reshaping.py); only for files with such columns.
        self._shipping_parts = columns.shipping_parts
        self._images_index = index_of.get(IMAGES_COLUMN)
        self._has_description = "description" in index_of
        self._reshape = bool(self._shipping_parts or self._images_index is not None or "item_group_id" in index_of)

    # -- public API ---------------------------------------------------------------------------------

    def normalize(self, cells: list[str]) -> RowResult:
        """Return the record or the row's errors, for any cells the decoder produces.

        The batch that calls it catches what a bug here would raise, so one row costs one row.
        """
        return self._normalize(cells)

    def snapshot(self, cells: list[str], field: str = "") -> dict[str, str]:
        """The row's key values for the error viewer: id, title, price, gtin, availability and `field`.

        Raw values (what the user typed), each cut to 200 characters, so at most a few KB.
        """
        try:
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
            return RowResult("", None, [RowIssue(cells.error_type, ERROR, "", cells.key, cells.params)])
        issues: list[RowIssue] = []
        if len(cells) != self._width:
            cells = self._fit_width(cells, issues)

        identifier = cells[self._id_index] if self._id_index is not None else ""
        if identifier:
            identifier = identifier.strip()
        if not (identifier and identifier.isprintable() and len(identifier) <= ID_MAX_LENGTH):
            identifier = self._identifier(cells, issues)  # reports what is wrong with it
        if len(identifier) > GOOGLE_ID_LENGTH and len(identifier) <= ID_MAX_LENGTH:
            issues.append(
                RowIssue(
                    ID_TOO_LONG,
                    WARNING,
                    "marketplace_product_id",
                    "id_over_google_limit",
                    {"length": len(identifier), "limit": GOOGLE_ID_LENGTH},
                )
            )
        record = self._template.copy()
        record["marketplace_product_id"] = identifier

        notes = NOTE_HTML if self._read_texts(cells, record, issues) else 0
        currencies = self._read_typed(cells, record, issues)
        if self._currency_index is None and record["sale_price"] is None:
            # The common case: only the price's own currency matters.
            currency = currencies.get("price")
            if currency:
                record["currency"] = currency
            elif record["price"] is not None:
                notes |= NOTE_CURRENCY_ASSUMED  # the template's currency is DEFAULT_CURRENCY
        elif self._set_currencies(cells, record, issues, currencies):
            notes |= NOTE_CURRENCY_ASSUMED
        record["extra_attributes"] = self._read_extras(cells, issues) if self._extra_names else {}
        if self._reshape:
            self._reshape_values(cells, record, issues)

        if issues and any(issue.severity == ERROR for issue in issues):
            return RowResult(identifier[:ID_MAX_LENGTH], None, issues, notes)
        return RowResult(identifier, record, issues, notes)

    def _fit_width(self, cells: list[str], issues: list[RowIssue]) -> list[str]:
        width, length = self._width, len(cells)
        if length < width:
            # Exporters often drop trailing empty cells: pad instead of complaining.
            return cells + [""] * (width - length)
        if any(cells[width:]):
            issues.append(
                RowIssue(
                    VALIDATION_ERROR,
                    WARNING,
                    "",
                    "row_too_many_values",
                    {"length": length, "width": width},
                )
            )
        return cells

    def _read_texts(self, cells: list[str], record: dict[str, Any], issues: list[RowIssue]) -> bool:
        """Read the text columns into ``record``; return whether HTML was cleaned out of them."""
        names = self._text_names
        values = tuple(map(str.strip, self._text_get(cells)))
        limits = self._text_limits
        joined = "".join(values)
        # Two substring searches keep HTML's cost off every row that has none.
        markup = ("<" in joined or "&" in joined) and any(map(has_markup, values[: self._markup_fields]))
        cleaned = False
        if not markup and joined.isprintable() and not any(map(gt, map(len, values), limits)):
            record.update(zip(names, values, strict=False))
        else:
            cleaners = self._markup_cleaners
            for position, (name, value, limit) in enumerate(zip(names, values, limits, strict=True)):
                if value:
                    if markup and position < len(cleaners) and ("<" in value or "&" in value):
                        plain = cleaners[position](value)
                        if plain != value:
                            cleaned = True
                            value = plain
                    if not value.isprintable():
                        value = clean_unprintable(value)
                    if len(value) > limit:
                        issues.append(_truncated(name, len(value), limit))
                        value = value[:limit]
                    record[name] = value
        if not record["title"]:
            issues.append(RowIssue(MISSING_TITLE, ERROR, "title", "title_empty"))
        if self._has_description and not record["description"]:
            issues.append(RowIssue(MISSING_DESCRIPTION, WARNING, "description", "description_empty"))
        return cleaned

    def _reshape_values(self, cells: list[str], record: dict[str, Any], issues: list[RowIssue]) -> None:
        """Shipping in the header's order, a list of all images, a parent of "0"."""
        if record["item_group_id"] in NO_GROUP:
            record["item_group_id"] = ""
        parts = self._shipping_parts
        if parts and record["shipping"]:
            original = record["shipping"]
            record["shipping"], mismatched = reorder_shipping(original, parts)
            header = ":".join(parts)
            if mismatched:
                issues.append(
                    RowIssue(
                        VALIDATION_ERROR,
                        WARNING,
                        "shipping",
                        "shipping_parts",
                        {"value": show(mismatched[0]), "count": len(parts), "header": header},
                    )
                )
            if dropped_shipping_parts(parts):
                # Google's default order has no place for them: the value as written is kept too.
                record["extra_attributes"][f"shipping({header})"] = original
        if self._images_index is not None:
            value = cells[self._images_index]
            if value.strip():
                record["image_link"], record["additional_image_links"], dropped = split_images(
                    value, record["image_link"], record["additional_image_links"]
                )
                if dropped:
                    issues.append(
                        RowIssue(
                            VALIDATION_ERROR,
                            WARNING,
                            "additional_image_links",
                            "images_dropped",
                            {"count": dropped},
                        )
                    )

    def _read_typed(self, cells: list[str], record: dict[str, Any], issues: list[RowIssue]) -> dict[str, str]:
        """Read the typed columns into ``record``; return the currencies the prices named."""
        currencies: dict[str, str] = {}
        for name, index, shortcut, reader in self._typed_columns:
            value = cells[index]
            if not value:
                continue
            found = shortcut(value)
            if found is None:
                reader(name, value, record, issues, currencies)
            elif found.__class__ is tuple:  # a price its PriceReader remembered: (amount, currency)
                record[name], currencies[name] = found
            else:
                record[name] = found
        if record["additional_image_links"] is None:
            record["additional_image_links"] = []
        return currencies

    def _read_extras(self, cells: list[str], issues: list[RowIssue]) -> dict[str, str]:
        values = tuple(map(str.strip, self._extra_get(cells)))
        if "".join(values).isprintable() and max(map(len, values)) <= TEXT_LIMIT:
            return {name: value for name, value in zip(self._extra_names, values, strict=False) if value}
        return self._extra_slow(values, issues)

    def _extra_slow(self, values: tuple[str, ...], issues: list[RowIssue]) -> dict[str, str]:
        extra: dict[str, str] = {}
        for name, value in zip(self._extra_names, values, strict=True):
            if value and not value.isprintable():
                value = clean_unprintable(value)
            if value:
                if len(value) > TEXT_LIMIT:
                    issues.append(
                        RowIssue(
                            VALIDATION_ERROR,
                            WARNING,
                            "extra_attributes",
                            "extra_truncated",
                            {"column": show(name), "length": len(value), "limit": TEXT_LIMIT},
                        )
                    )
                    value = value[:TEXT_LIMIT]
                extra[name] = value
        return extra

    def _identifier(self, cells: list[str], issues: list[RowIssue]) -> str:
        if self._id_index is None:
            issues.append(RowIssue(MISSING_ID, ERROR, "marketplace_product_id", "id_empty"))
            return ""
        identifier = cells[self._id_index]
        if identifier:
            identifier = identifier.strip()
            if not identifier.isprintable():
                if "\n" in identifier or "\r" in identifier:
                    issues.append(
                        RowIssue(
                            VALIDATION_ERROR,
                            ERROR,
                            "marketplace_product_id",
                            "id_line_break",
                            {"value": show(identifier)},
                        )
                    )
                identifier = clean_unprintable(identifier)
        if not identifier:
            issues.append(RowIssue(MISSING_ID, ERROR, "marketplace_product_id", "id_empty"))
        elif len(identifier) > ID_MAX_LENGTH:
            issues.append(
                RowIssue(
                    VALIDATION_ERROR,
                    ERROR,
                    "marketplace_product_id",
                    "id_too_long",
                    {"length": len(identifier), "limit": ID_MAX_LENGTH},
                )
            )
        return identifier

    def _set_currencies(
        self, cells: list[str], record: dict[str, Any], issues: list[RowIssue], currencies: dict[str, str]
    ) -> bool:
        """Set the currencies of the prices; return whether DEFAULT_CURRENCY was assumed."""
        column_currency = ""
        if self._currency_index is not None:
            raw = cells[self._currency_index].strip()
            if raw:
                column_currency = currency_code(raw) or ""
                if not column_currency:
                    issues.append(
                        RowIssue(
                            PARSE_ERROR,
                            WARNING,
                            "currency",
                            "currency_unknown",
                            {"value": show(raw), "currency": DEFAULT_CURRENCY},
                        )
                    )
        price_field, sale_field = CURRENCY_FIELDS["price"], CURRENCY_FIELDS["sale_price"]
        price_currency = currencies.get("price") or column_currency
        assumed = not price_currency and (
            record["price"] is not None or (record["sale_price"] is not None and not currencies.get("sale_price"))
        )
        price_currency = price_currency or DEFAULT_CURRENCY
        record[price_field] = price_currency
        if record["sale_price"] is not None:
            sale_currency = currencies.get("sale_price") or column_currency or price_currency
            record[sale_field] = sale_currency
            if (
                record["price"] is not None
                and sale_currency == price_currency
                and record["sale_price"] > record["price"]
            ):
                issues.append(
                    RowIssue(
                        VALIDATION_ERROR,
                        WARNING,
                        "sale_price",
                        "sale_above_price",
                        {"sale_price": str(record["sale_price"]), "price": str(record["price"])},
                    )
                )
        return assumed


_SNAPSHOT_FIELDS_BY_NAME = {name for _key, name in _SNAPSHOT_FIELDS}
_MARKUP_CLEANERS = {"title": strip_tags, "description": html_to_text}


def _truncated(name: str, length: int, limit: int) -> RowIssue:
    return RowIssue(
        VALIDATION_ERROR,
        WARNING,
        name,
        "text_truncated",
        {"field": name, "length": length, "limit": limit},
    )


def _getter(indexes: list[int]) -> Any:
    """itemgetter that always returns a tuple, even for zero or one index."""
    if not indexes:
        return lambda cells: ()
    if len(indexes) == 1:
        index = indexes[0]
        return lambda cells: (cells[index],)
    return itemgetter(*indexes)
