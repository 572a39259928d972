"""A normalized record as the values the database stores, its content hash, and its
PostgreSQL COPY line.

The order of RECORD_FIELDS is the column order of every write. The language-independent
fields come first and the translatable texts last, so that one rendering of a row serves
three purposes: its first part is what the content hash covers, its last part is the
translation's COPY text, and the whole is the product's COPY line. A row is rendered once:
this runs for every row a fresh import normalizes, and rendering, hashing and escaping
separately cost about as much as normalizing the row.
"""

from __future__ import annotations

import hashlib
import json
import operator
import re
from collections.abc import Iterable
from typing import Any

from marketplace.importing.copy_format import NULL, fields_text, value_text
from marketplace.importing.schema import ATTRIBUTES, TRANSLATABLE, Kind

# The localized attributes, each language's on its translation.
TEXT_FIELDS: tuple[str, ...] = TRANSLATABLE
# The product's display copy of one language's texts (see MarketplaceProduct.title): the
# first texts of a row, so that the product's COPY line is a prefix of the row's.
DISPLAY_FIELDS: tuple[str, ...] = ("title", "description")
assert TEXT_FIELDS[: len(DISPLAY_FIELDS)] == DISPLAY_FIELDS
# What the content hash covers: everything that is the same in every language's feed.
HASHED_FIELDS: tuple[str, ...] = (
    *(a.name for a in ATTRIBUTES if a.name not in TEXT_FIELDS),
    "currency",
    "sale_price_currency",
    "extra_attributes",
)
# Every value a normalized record carries, in the column order of the writes.
RECORD_FIELDS: tuple[str, ...] = (*HASHED_FIELDS, *TEXT_FIELDS)
# The values the product itself stores.
PRODUCT_FIELDS: tuple[str, ...] = (*HASHED_FIELDS, *DISPLAY_FIELDS)

_HASHED_COUNT = len(HASHED_FIELDS)
_record_values = operator.itemgetter(*RECORD_FIELDS)
_URLS_POSITION = RECORD_FIELDS.index("additional_image_links")
_EXTRA_POSITION = RECORD_FIELDS.index("extra_attributes")
# The only values that are not text: decimals, booleans, integers, or None. The
# normalizer gives every other field a string ("" when empty).
_TYPED_POSITIONS = tuple(RECORD_FIELDS.index(a.name) for a in ATTRIBUTES if a.kind in (Kind.PRICE, Kind.BOOL, Kind.INT))
text_values = operator.itemgetter(*(RECORD_FIELDS.index(name) for name in TEXT_FIELDS))
# Characters a JSON string cannot hold as they are.
_JSON_UNSAFE = re.compile(r'["\\\x00-\x1f\x7f]')
_blake2b = hashlib.blake2b


def _json_strings(values: Iterable[str]) -> str:
    """JSON array of strings; the common case (nothing to escape) without json.dumps' overhead."""
    if _JSON_UNSAFE.search("".join(values)):
        return json.dumps(list(values), ensure_ascii=False)
    return '["' + '","'.join(values) + '"]' if values else "[]"


def _json_object(extra: dict[str, str]) -> str:
    # Sorted, so that moving an unmapped column in the file changes neither the stored
    # text nor the content hash.
    if not extra:
        return "{}"
    items = sorted(extra.items()) if len(extra) > 1 else list(extra.items())
    if _JSON_UNSAFE.search("".join(k + v for k, v in items)):
        return json.dumps(dict(items), ensure_ascii=False)
    return "{" + ",".join(f'"{k}":"{v}"' for k, v in items) + "}"


def _values(record: dict[str, Any]) -> list[Any]:
    """The record's values in RECORD_FIELDS order, JSON columns serialized."""
    values = list(_record_values(record))
    urls = values[_URLS_POSITION]
    values[_URLS_POSITION] = _json_strings(urls) if urls is not None else "[]"
    extra = values[_EXTRA_POSITION]
    values[_EXTRA_POSITION] = _json_object(extra) if extra is not None else "{}"
    return values


def _rendered(values: list[Any]) -> tuple[list[str], int]:
    """Every value as text, unescaped (None as COPY's NULL marker), and the number of Nones."""
    rendered = values.copy()
    nulls = 0
    for position in _TYPED_POSITIONS:
        value = rendered[position]
        if value is None:
            nulls += 1
            rendered[position] = NULL
        else:
            rendered[position] = value_text(value)
    return rendered, nulls


def _digest(hashed: str) -> str:
    return _blake2b(hashed.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _parts(values: list[Any]) -> tuple[str, str, int]:
    """(hashed part, texts part, Nones), both parts tab-joined and unescaped."""
    rendered, nulls = _rendered(values)
    try:
        return "\t".join(rendered[:_HASHED_COUNT]), "\t".join(rendered[_HASHED_COUNT:]), nulls
    except TypeError:
        rendered, nulls = _fully_rendered(values)
        return "\t".join(rendered[:_HASHED_COUNT]), "\t".join(rendered[_HASHED_COUNT:]), nulls


def _fully_rendered(values: list[Any]) -> tuple[list[str], int]:
    # A field that is not text where text was expected (no normalizer does this): render
    # every value, not just the typed ones.
    return [NULL if v is None else value_text(v) for v in values], values.count(None)


def prepare(record: dict[str, Any]) -> tuple[list[Any], str]:
    """(values in RECORD_FIELDS order with JSON columns serialized, content hash).

    The content hash covers the normalized, language-independent values: an equal hash
    means there is nothing to write.
    """
    values = _values(record)
    return values, _digest(_parts(values)[0])


def content_hash(record: dict[str, Any]) -> str:
    """Hash of the normalized, language-independent values: equal hash, nothing to write."""
    return prepare(record)[1]


def prepare_copy(record: dict[str, Any]) -> tuple[str, str, int]:
    """(the row's COPY line, content hash, where the translatable texts start in the line)."""
    values = _values(record)
    hashed, texts, nulls = _parts(values)
    line, start = _line(values, hashed, texts, nulls)
    return line, _digest(hashed), start


def copy_line(values: list[Any]) -> tuple[str, int]:
    """`prepare`'s values as a COPY line, and where the translatable texts start in it."""
    hashed, texts, nulls = _parts(values)
    return _line(values, hashed, texts, nulls)


def prepare_joined(record: dict[str, Any]) -> tuple[str, str]:
    """(the values as one text for `joined_values`, content hash).

    For SQLite, whose rows the reader process would otherwise send as Python values:
    pickling and unpickling 53 objects a row cost more than joining and splitting one
    string. The values are NUL-joined (decoding removes NUL from every line, so no value
    holds it), the typed ones in their COPY spelling.
    """
    values = _values(record)
    rendered, _nulls = _rendered(values)
    try:
        joined = "\x00".join(rendered)
    except TypeError:
        # A text field that is not text (no normalizer does this): its text, "" for None,
        # which is what the column, NOT NULL, can hold.
        rendered = _texts_rendered(rendered)
        joined = "\x00".join(rendered)
    chash = _digest("\t".join(rendered[:_HASHED_COUNT]))
    if joined.count("\x00") != len(RECORD_FIELDS) - 1:
        joined = "\x00".join(value.replace("\x00", "") for value in rendered)
    return joined, chash


def _texts_rendered(rendered: list[Any]) -> list[str]:
    typed = set(_TYPED_POSITIONS)
    return [
        value if position in typed else ("" if value is None else value_text(value))
        for position, value in enumerate(rendered)
    ]


_TYPED_BACK = {NULL: None, "t": True, "f": False}


def joined_values(joined: str) -> list[Any]:
    """`prepare_joined`'s text back into values the database takes as `prepare`'s: prices
    and multipacks stay text, which SQLite stores as numbers, like Django's own writes."""
    values: list[Any] = joined.split("\x00")
    for position in _TYPED_POSITIONS:
        value = values[position]
        values[position] = _TYPED_BACK.get(value, value)
    return values


def _line(values: list[Any], hashed: str, texts: str, nulls: int) -> tuple[str, int]:
    line = f"{hashed}\t{texts}"
    # Unescaped, the only backslashes may be the NULL markers and the only tabs the
    # separators; anything else (rare) means a field to escape: then field by field.
    if line.count("\\") != nulls or line.count("\t") != len(RECORD_FIELDS) - 1 or "\n" in line or "\r" in line:
        head = fields_text(values[:_HASHED_COUNT])
        return f"{head}\t{fields_text(values[_HASHED_COUNT:])}", len(head) + 1
    return line, len(hashed) + 1


_UNESCAPES = {"\\\\": "\\", "\\t": "\t", "\\n": "\n", "\\r": "\r"}
_ESCAPED = re.compile(r"\\.", re.DOTALL)


def display_part(texts: str) -> str:
    """The display copy's fields (DISPLAY_FIELDS) of a row's COPY texts part."""
    return texts[: texts.find("\t", texts.find("\t") + 1)]


def parse_fields(text: str) -> list[str | None]:
    """COPY text fields back into values (the inverse of `fields_text` for text)."""
    fields: list[str | None] = []
    for field in text.split("\t"):
        if field == NULL:
            fields.append(None)
        elif "\\" in field:
            fields.append(_ESCAPED.sub(lambda m: _UNESCAPES.get(m.group(), m.group()[1]), field))
        else:
            fields.append(field)
    return fields
