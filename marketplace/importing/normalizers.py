"""Stage 5 of an import: turn one row of cells into a product record, or row errors and warnings.

Pure module. `RowNormalizer` is built once per file (it precomputes what to do with each column) and
`normalize` is the hot path, so the common case (short printable ASCII cells, "29.99 EUR" prices,
13-digit GTINs) is handled with plain string methods; regexes only run on values that need them.

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

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from operator import gt, itemgetter
from typing import Any

from marketplace.importing.decoding import MalformedRecord
from marketplace.importing.mapping import CURRENCY_COLUMN, ColumnMap, match_keys
from marketplace.importing.schema import (
    ATTRIBUTES,
    CURRENCY_FIELDS,
    DEFAULT_CURRENCY,
    TEXT_LIMIT,
    Kind,
)

MISSING_ID = "missing_id"
MISSING_TITLE = "missing_title"
PARSE_ERROR = "parse_error"
VALIDATION_ERROR = "validation_error"
ERROR = "error"
WARNING = "warning"

ID_MAX_LENGTH = 255
SNAPSHOT_VALUE_LIMIT = 200
URL_MAX_LENGTH = 2000
MAX_ADDITIONAL_IMAGES = 20
_MESSAGE_VALUE_LIMIT = 100
_INT_MAX = 2_147_483_647  # PositiveIntegerField
_CENT = Decimal("0.01")
_PRICE_CACHE_SIZE = 20_000
_PRICE_LIMIT = Decimal("10000000000")  # DECIMAL(12, 2) holds at most 10 digits before the point

_C0_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LABELS = {"marketplace_product_id": "Id", "gtin": "GTIN", "mpn": "MPN", "link": "Link",
           "additional_image_links": "Additional image links"}


@dataclass(frozen=True, slots=True)
class RowIssue:
    error_type: str  # "missing_id" | "missing_title" | "parse_error" | "validation_error" | "row_too_long"
    severity: str  # "error" | "warning"
    field: str  # schema attribute name, "extra_attributes", or "" for the whole row
    message: str


@dataclass(slots=True)
class RowResult:
    identifier: str  # the row's id, "" when missing, at most 255 characters
    record: dict[str, Any] | None  # None when the row is skipped
    issues: list[RowIssue] = field(default_factory=list)


# --------------------------------------------------------------------------------------------------
# Text


def clean_text(value: str) -> str:
    """Trim, turn CR/CRLF into LF and drop C0 control characters other than tab and LF."""
    value = value.strip()
    if value.isprintable():
        return value
    return _clean_unprintable(value)


def _clean_unprintable(value: str) -> str:
    # Only reached for values with a newline, a control character or non-printable Unicode.
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if _C0_CONTROLS.search(value):
        value = _C0_CONTROLS.sub("", value).strip()
    return value


def _label(name: str) -> str:
    return _LABELS.get(name) or name.replace("_", " ").capitalize()


def _show(value: str) -> str:
    value = _C0_CONTROLS.sub("", value)
    return value if len(value) <= _MESSAGE_VALUE_LIMIT else value[:_MESSAGE_VALUE_LIMIT] + "…"


# --------------------------------------------------------------------------------------------------
# Prices

_CURRENCY_WORDS = {
    "€": "EUR", "EURO": "EUR", "EUROS": "EUR", "$": "USD", "US$": "USD", "USD$": "USD", "£": "GBP",
    "¥": "JPY", "FR.": "CHF", "SFR.": "CHF", "SFR": "CHF", "CHF.": "CHF", "ZŁ": "PLN", "KČ": "CZK",
    "FT": "HUF",
}
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " "})
_MINUS_SIGNS = ("-", "\u2212", "\u2013")
# German shops write whole amounts as "29,-" or "29,–".
_WHOLE_AMOUNT_SUFFIXES = (",-", ".-", ",\u2013", ".\u2013", ",\u2014", ".\u2014")


def parse_price(value: str) -> tuple[Decimal, str] | None:
    """Read a price such as "29.99 EUR", "1.299,00 €" or "$19.99".

    Returns None for a blank value, else (amount with exactly 2 decimals, ISO currency, EUR when the
    value names none). Raises ValueError, with a sentence naming the value, when it cannot be read,
    is negative or does not fit DECIMAL(12, 2).

    >>> parse_price("1 299,00 €")
    (Decimal('1299.00'), 'EUR')
    """
    parsed = _parse_price(value)
    if parsed is None:
        return None
    amount, currency, _rounded = parsed
    return amount, currency or DEFAULT_CURRENCY


def _parse_price(value: str) -> tuple[Decimal, str, bool] | None:
    """Return (amount, currency or "" when the value names none, whether it was rounded)."""
    text = value.strip()
    if not text:
        return None
    # Fast path: "29.99 EUR", "29.99", "29 EUR", the Google format.
    number, space, currency = text.partition(" ")
    if not space or (len(currency) == 3 and currency.isalpha() and currency.isascii()):
        whole, point, cents = number.partition(".")
        if (whole.isdigit() and whole.isascii() and len(whole) <= 10 and len(cents) <= 2
                and (not cents or (cents.isdigit() and cents.isascii()))):
            return Decimal(f"{whole}.{cents:0<2}"), currency.upper(), False
    return _parse_price_slow(value, text.translate(_SPACES))


def _parse_price_slow(original: str, text: str) -> tuple[Decimal, str, bool]:
    shown = _show(original.strip())
    first = last = -1
    for i, ch in enumerate(text):
        if "0" <= ch <= "9":
            if first < 0:
                first = i
            last = i
    if first < 0:
        raise ValueError(f'"{shown}" is not a number.')
    prefix, number, suffix = text[:first].strip(), text[first:last + 1], text[last + 1:].strip()
    if suffix.startswith(_WHOLE_AMOUNT_SUFFIXES):
        suffix = suffix[2:].strip()
    elif suffix[:1] in (".", ","):
        # "29.99 EUR." or a stray separator after the digits.
        suffix = suffix[1:].strip()
    if prefix.endswith(_MINUS_SIGNS) or suffix.startswith(_MINUS_SIGNS) and not suffix.strip("-\u2212\u2013"):
        raise ValueError(f'"{shown}" is negative.')
    prefix = prefix.removesuffix("+").strip()
    if prefix.startswith(_MINUS_SIGNS):
        raise ValueError(f'"{shown}" is negative.')
    if prefix and suffix:
        raise ValueError(f'"{shown}" is not a number.')
    currency = _currency_code(prefix or suffix)
    if currency is None:
        raise ValueError(f'"{shown}" is not a number with a currency.')

    whole, cents = _split_number(number, shown)
    whole = whole.lstrip("0") or "0"
    if len(whole) > 10:
        raise ValueError(f'"{shown}" is too large: a price has at most 10 digits before the decimal point.')
    try:
        exact = Decimal(f"{whole}.{cents or '0'}")
    except InvalidOperation as exc:  # pragma: no cover - _split_number only lets digits through
        raise ValueError(f'"{shown}" is not a number.') from exc
    amount = exact.quantize(_CENT, rounding=ROUND_HALF_UP)
    if amount >= _PRICE_LIMIT:
        raise ValueError(f'"{shown}" is too large: a price has at most 10 digits before the decimal point.')
    return amount, currency, amount != exact


def _currency_code(token: str) -> str | None:
    if not token:
        return ""
    upper = token.upper()
    if upper in _CURRENCY_WORDS:
        return _CURRENCY_WORDS[upper]
    if len(upper) == 3 and upper.isalpha() and upper.isascii():
        return upper
    return None


def _is_digits(value: str) -> bool:
    return value.isdigit() and value.isascii()


def _split_number(number: str, shown: str) -> tuple[str, str]:
    """Split "1.299,00", "1,299.00", "1 299,00", "1'299.00" into ("1299", "00")."""
    for grouping in (" ", "'", "\u2019"):
        number = number.replace(grouping, "")
    not_a_number = ValueError(f'"{shown}" is not a number.')
    has_point, has_comma = "." in number, "," in number
    if has_point and has_comma:
        decimal_sep = "." if number.rfind(".") > number.rfind(",") else ","
        thousands = "," if decimal_sep == "." else "."
        whole, _, cents = number.rpartition(decimal_sep)
        groups = whole.split(thousands)
        if decimal_sep in whole or not _valid_groups(groups):
            raise not_a_number
        whole = "".join(groups)
    elif has_point or has_comma:
        groups = number.split("." if has_point else ",")
        if len(groups) > 2:
            if not _valid_groups(groups):
                raise not_a_number
            whole, cents = "".join(groups), ""
        else:
            whole, cents = groups
            if len(cents) == 3 and 1 <= len(whole) <= 3 and whole != "0" and _is_digits(whole + cents):
                whole, cents = whole + cents, ""  # "1.299" / "1,299": thousands, see module docstring
    else:
        whole, cents = number, ""
    if not (whole or cents) or (whole and not _is_digits(whole)) or (cents and not _is_digits(cents)):
        raise not_a_number
    return whole or "0", cents


def _valid_groups(groups: list[str]) -> bool:
    return (1 <= len(groups[0]) <= 3 and _is_digits(groups[0])
            and all(len(g) == 3 and _is_digits(g) for g in groups[1:]))


# --------------------------------------------------------------------------------------------------
# GTIN


def normalize_gtin(value: str) -> str:
    """Return the GTIN as digits ("" for a blank value); a 12-digit UPC gets a leading 0.

    Raises ValueError with the reason (a sentence that names the value) when it is not a valid
    GTIN-8, -12, -13 or -14. A 14-digit GTIN starting with 0 is shortened to the 13-digit EAN
    it encodes, so the same product always gets the same GTIN.

    >>> normalize_gtin("012345678905")
    '0012345678905'
    """
    digits = value.strip()
    if not digits:
        return ""
    if not _is_digits(digits):
        digits = _gtin_digits(value, digits)
    length = len(digits)
    if length not in (8, 12, 13, 14):
        raise ValueError(f'"{_show(value.strip())}" has {length} digits; a GTIN has 8, 12, 13 or 14.')
    expected = _check_digit(digits[:-1])
    if int(digits[-1]) != expected:
        raise ValueError(f'"{_show(value.strip())}" has a wrong check digit: the last digit should be {expected}.')
    if digits.count("0") == length:
        raise ValueError(f'"{_show(value.strip())}" is not a real GTIN.')
    if length == 12:
        return "0" + digits
    if length == 14 and digits[0] == "0":
        return digits[1:]
    return digits


def _gtin_digits(original: str, text: str) -> str:
    shown = _show(original.strip())
    # Excel's ways of keeping a number as text: '4006381333931 and ="4006381333931".
    text = text.removeprefix("'")
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1]
    if "E+" in text.upper():
        raise ValueError(f'"{shown}" was shortened by a spreadsheet to a number in scientific notation, so digits '
                         "are lost. Format the GTIN column as text and export the file again.")
    for separator in (" ", "-", "\u00a0"):
        text = text.replace(separator, "")
    if not _is_digits(text):
        raise ValueError(f'"{shown}" contains characters other than digits.')
    return text


def _check_digit(body: str) -> int:
    # GS1 mod 10: weights 3, 1, 3... from the digit next to the check digit leftwards. Summing the
    # ASCII codes and taking 48 ("0") off each keeps the loop in C.
    data = body.encode("ascii")
    odd, even = data[-1::-2], data[-2::-2]
    total = 3 * (sum(odd) - 48 * len(odd)) + sum(even) - 48 * len(even)
    return (10 - total % 10) % 10


# --------------------------------------------------------------------------------------------------
# Availability, condition, booleans


def _word_keys(value: str) -> tuple[str, ...]:
    """Loose keys for a word: lower case, accents dropped ("ü" -> "u" and "ue"), punctuation -> "_"."""
    text = value.strip()
    lowered = text.lower()
    if "schema.org" in lowered or lowered.startswith("schema:"):
        text = text.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return tuple(match_keys(text))  # the same folding as header matching


def _word_table(groups: dict[str, tuple[str, ...]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for canonical, words in groups.items():
        for word in (canonical, *words):
            for key in (word, word.lower(), *_word_keys(word)):
                if table.setdefault(key, canonical) != canonical:
                    raise RuntimeError(f"{word!r} means both {table[key]} and {canonical}")
    return table


_AVAILABILITY = _word_table({
    "in_stock": ("in stock", "instock", "available", "available for order", "limitedavailability", "onlineonly",
                 "instoreonly", "en stock", "disponible", "en stock fournisseur", "stock limité",
                 "auf Lager", "lieferbar", "sofort lieferbar", "verfügbar", "vorrätig", "an Lager"),
    "out_of_stock": ("out of stock", "outofstock", "sold out", "soldout", "discontinued", "unavailable",
                     "not available", "en rupture de stock", "rupture de stock", "rupture", "épuisé",
                     "indisponible", "non disponible", "nicht auf Lager", "ausverkauft", "nicht verfügbar",
                     "nicht lieferbar", "vergriffen", "nicht vorrätig"),
    "preorder": ("pre order", "pre-order", "presale", "précommande", "pré-commande", "en précommande",
                 "vorbestellen", "vorbestellbar", "vorbestellung", "vorverkauf"),
    "backorder": ("back order", "back-order", "backordered", "madetoorder", "sur commande",
                  "disponible sur commande", "en réapprovisionnement", "nachbestellt", "nachbestellbar",
                  "Lieferrückstand", "im Zulauf", "bestellt"),
})
_CONDITION = _word_table({
    "new": ("newcondition", "brand new", "neuf", "neuve", "nouveau", "neu", "neuware"),
    "refurbished": ("refurbishedcondition", "renewed", "reconditionné", "reconditionnée", "remis à neuf",
                    "generalüberholt", "überholt", "wiederaufbereitet", "aufbereitet"),
    "used": ("usedcondition", "damagedcondition", "second hand", "pre-owned", "occasion", "d'occasion",
             "usagé", "gebraucht", "secondhand"),
})
_BOOLEANS = {
    **dict.fromkeys(("yes", "y", "true", "t", "1", "oui", "vrai", "ja", "wahr", "x"), True),
    **dict.fromkeys(("no", "n", "false", "f", "0", "non", "faux", "nein", "falsch"), False),
}
# The spellings seen as is, so the hot path needs no strip() or lower().
_BOOLEANS_RAW = _BOOLEANS | {word.capitalize(): v for word, v in _BOOLEANS.items()} | {
    word.upper(): v for word, v in _BOOLEANS.items()}


def _lookup_word(table: dict[str, str], value: str) -> str | None:
    found = table.get(value)
    if found is None:
        found = table.get(value.strip().lower())
    if found is None:
        found = next((table[key] for key in _word_keys(value) if key in table), None)
    return found


def parse_availability(value: str) -> str:
    """Map Google, schema.org, French and German availability words onto in_stock, out_of_stock,
    preorder or backorder ("" for a blank value); raise ValueError for anything else."""
    if not value.strip():
        return ""
    found = _lookup_word(_AVAILABILITY, value)
    if found is None:
        raise ValueError(f'"{_show(value.strip())}" is not a known availability; '
                         "use in_stock, out_of_stock, preorder or backorder.")
    return found


def parse_condition(value: str) -> str:
    """Map condition words onto new, refurbished or used ("" for a blank value); raise ValueError otherwise."""
    if not value.strip():
        return ""
    found = _lookup_word(_CONDITION, value)
    if found is None:
        raise ValueError(f'"{_show(value.strip())}" is not a known condition; use new, refurbished or used.')
    return found


def parse_bool(value: str) -> bool:
    """yes/no, true/false, 1/0, oui/non, ja/nein in any case; raise ValueError otherwise (blank too)."""
    found = _BOOLEANS.get(value.strip().lower())
    if found is None:
        raise ValueError(f'"{_show(value.strip())}" is not yes or no.')
    return found


# --------------------------------------------------------------------------------------------------
# Rows

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
                value = _C0_CONTROLS.sub("", cells[index]).strip() if index < len(cells) else ""
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
                        value = _clean_unprintable(value)
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
                found = _BOOLEANS_RAW.get(value)
                if found is not None:
                    record[name] = found
                    continue
            elif kind == _AVAILABILITY_KIND:
                word = _AVAILABILITY.get(value)
                if word is not None:
                    record[name] = word
                    continue
            elif kind == _CONDITION_KIND:
                word = _CONDITION.get(value)
                if word is not None:
                    record[name] = word
                    continue
            elif kind == _GTIN:
                if (len(value) == 13 and value.isdigit() and value.isascii()
                        and _check_digit(value[:12]) == ord(value[12]) - 48 and value != "0000000000000"):
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
                value = _clean_unprintable(value)
            if value:
                if len(value) > TEXT_LIMIT:
                    issues.append(RowIssue(VALIDATION_ERROR, WARNING, "extra_attributes",
                                           f'Column "{_show(name)}" has {len(value):,} characters; '
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
                                           f'The id "{_show(identifier)}" contains a line break; a quote is '
                                           "probably not closed in this row or the one above."))
                identifier = _clean_unprintable(identifier)
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
            parsed = _parse_price(value)
        except ValueError as exc:
            issues.append(RowIssue(PARSE_ERROR, ERROR, name, f"{_label(name)} {exc}"))
            return
        if parsed is None:
            return
        amount, currency, rounded = parsed
        if rounded:
            issues.append(RowIssue(VALIDATION_ERROR, WARNING, name,
                                   f'{_label(name)} "{_show(value.strip())}" has more than 2 decimals; '
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
        found = _AVAILABILITY.get(value)  # exact Google value: no strip, no folding
        if found is None:
            try:
                found = parse_availability(value)
            except ValueError as exc:
                issues.append(RowIssue(PARSE_ERROR, WARNING, name, f"Availability {exc} It was left empty."))
                return
        record[name] = found

    def _condition(self, name: str, value: str, record: dict[str, Any], issues: list[RowIssue],
                   currencies: dict[str, str]) -> None:
        found = _CONDITION.get(value)
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
            issues.append(RowIssue(PARSE_ERROR, WARNING, name, f"{_label(name)} {exc} It was left empty."))

    def _int(self, name: str, value: str, record: dict[str, Any], issues: list[RowIssue],
             currencies: dict[str, str]) -> None:
        text = value.strip()
        if not text:
            return
        if _is_digits(text) and int(text) <= _INT_MAX:
            record[name] = int(text)
            return
        issues.append(RowIssue(PARSE_ERROR, WARNING, name,
                               f'{_label(name)} "{_show(text)}" is not a whole number. It was left empty.'))

    def _url_list(self, name: str, value: str, record: dict[str, Any], issues: list[RowIssue],
                  currencies: dict[str, str]) -> None:
        urls = _split_urls(clean_text(value))
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
                column_currency = _currency_code(raw) or ""
                if not column_currency:
                    issues.append(RowIssue(PARSE_ERROR, WARNING, "currency",
                                           f'Currency "{_show(raw)}" is not a currency code such as EUR; '
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
                    f"{_label(name)} is {length:,} characters long; only the first {limit:,} were kept.")


def _split_urls(value: str) -> list[str]:
    """Split a comma separated list of links, keeping commas that belong to a link (e.g. "w_100,h_100")."""
    if "," not in value:
        return [value] if value else []
    parts = [part.strip() for part in value.split(",")]
    urls: list[str] = []
    starts_like_url = any(part.lower().startswith(("http://", "https://")) for part in parts)
    for part in parts:
        if not part:
            continue
        if starts_like_url and urls and not part.lower().startswith(("http://", "https://", "//")):
            urls[-1] = f"{urls[-1]},{part}"
        else:
            urls.append(part)
    return urls


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
