"""Stage 4 of an import: map the feed's header cells onto the attributes of `schema.ATTRIBUTES`.

Pure module. A header cell is matched after `normalize_header` and a looser key (accents folded both
ways, "ä" -> "a" and "ä" -> "ae", any punctuation -> "_"), so "Größe", "Groesse", "grosse" and
"GRÖSSE" all find `size`. Names come in three ranks and a better rank wins whatever the order:

0. the Google attribute name itself (``id``, ``g:image_link``, ``image link``);
1. the localized names Google accepts in delimited feeds (German ``Bildlink``, French ``lien image``);
2. names from other schemas and shop exports (``item_id``, ``url``, ``sku``, ``EAN``...).

Within a rank the first column wins. Columns that lose, and columns nobody knows, go to `extra`
under their original header name, so their values land in ``extra_attributes`` instead of being lost.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from marketplace.importing.column_aliases import ALIASES, CURRENCY_COLUMN, IMAGES_COLUMN, IMAGES_NAMES
from marketplace.importing.errors import ImportFailed
from marketplace.importing.schema import ATTRIBUTES_BY_NAME

_MAX_NAMES_IN_MESSAGE = 40
# The last column of "the rows to fix" file (marketplace.exports): never a product attribute.
PROBLEM_COLUMN = "import_problem"


class MappingError(ImportFailed):
    """The header cannot be used (no id or no title column); the job fails with `message`."""


@dataclass(frozen=True)
class ColumnMap:
    # Schema attribute name (plus "currency" when the file has such a column) -> column index.
    index_of: dict[str, int]
    # Column index -> original header name, for columns that go to extra_attributes.
    extra: dict[int, str]
    header: list[str]
    # The sub-attributes a `shipping(country:postal_code:price)` header names, in its order;
    # empty when the column is a plain `shipping` (Google's country:region:service:price).
    shipping_parts: tuple[str, ...] = ()


_GOOGLE = 0
_LOCALIZED = 1
_OTHER = 2

# Google's own names that differ from our attribute names.
_GOOGLE_NAMES = {"id": "marketplace_product_id", "additional_image_link": "additional_image_links"}

_GERMAN_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_TRAILING_PARENTHESES = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")
_CONTROL_CHARS = dict.fromkeys(range(32)) | {0x7F: None, 0xFEFF: None}
_SUB_ATTRIBUTES = re.compile(r"\(([^()]*)\)\s*$")
# Google's sub-attributes of shipping, and the order a plain `shipping` column reads.
SHIPPING_PARTS = (
    "country",
    "region",
    "postal_code",
    "location_id",
    "location_group_name",
    "service",
    "price",
    "min_handling_time",
    "max_handling_time",
    "min_transit_time",
    "max_transit_time",
)
SHIPPING_DEFAULT_ORDER = ("country", "region", "service", "price")


def normalize_header(name: str) -> str:
    """Trim, lower-case, drop a ``g:`` prefix, turn spaces and dashes into ``_``, strip quotes and BOM.

    >>> normalize_header(' "G:Image Link" ')
    'image_link'
    """
    value = name.translate(_CONTROL_CHARS).strip().strip("\"'").strip().lower()
    if value.startswith("g:"):
        value = value[2:].lstrip()
    value = value.replace(" ", "_").replace("-", "_").replace("\u00a0", "_")
    while "__" in value:
        value = value.replace("__", "_")
    return value.strip("_")


def _fold_accents(value: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", value) if not unicodedata.combining(ch))


def match_keys(name: str) -> set[str]:
    """Loose keys for a header or a word: accents dropped both ways, punctuation -> "_".

    >>> sorted(match_keys("Größe"))
    ['groesse', 'grosse']
    """
    base = normalize_header(name)
    keys = set()
    for variant in (base, base.translate(_GERMAN_TRANSLITERATION)):
        folded = _fold_accents(variant.replace("ß", "ss"))
        key = _NOT_WORD.sub("_", folded).strip("_")
        if key:
            keys.add(key)
    return keys


def _build_index() -> dict[str, tuple[str, int]]:
    index: dict[str, tuple[str, int]] = {}

    def add(name: str, attribute: str, rank: int) -> None:
        for key in match_keys(name):
            current = index.get(key)
            if current is not None and current[0] != attribute:
                # Two attributes sharing a name would make the mapping depend on table order.
                raise RuntimeError(f"Header alias {name!r} is claimed by {current[0]} and {attribute}")
            if current is None or current[1] > rank:
                index[key] = (attribute, rank)

    for attribute in ATTRIBUTES_BY_NAME:
        add(attribute, attribute, _GOOGLE)
    for google_name, attribute in _GOOGLE_NAMES.items():
        add(google_name, attribute, _GOOGLE)
    for attribute, (localized, other) in ALIASES.items():
        for name in localized:
            add(name, attribute, _LOCALIZED)
        for name in other:
            add(name, attribute, _OTHER)
    add(CURRENCY_COLUMN, CURRENCY_COLUMN, _GOOGLE)
    for name in IMAGES_NAMES:
        add(name, IMAGES_COLUMN, _OTHER)
    return index


_INDEX = _build_index()


def _lookup(header_cell: str) -> tuple[str, int] | None:
    keys = match_keys(header_cell)
    # "Preis (EUR)", "price [EUR]": the unit in brackets is decoration.
    without_unit = _TRAILING_PARENTHESES.sub("", header_cell)
    if without_unit != header_cell:
        keys |= match_keys(without_unit)
    matches = [_INDEX[key] for key in keys if key in _INDEX]
    return min(matches, key=lambda match: match[1]) if matches else None


def column_attribute(header_cell: str) -> str | None:
    """The attribute a header cell names on its own (before another column may win it)."""
    match = _lookup(header_cell)
    return match[0] if match is not None else None


def suggest_attribute(header_cell: str) -> str | None:
    """The known attribute whose name (or alias) is closest to an unknown header cell, for
    a check's report ("Tarif regulier" -> price); None when nothing is close.

    >>> suggest_attribute("avaliability")
    'availability'
    """
    for key in sorted(match_keys(header_cell)):
        close = difflib.get_close_matches(key, _INDEX, n=1, cutoff=0.75)
        if close:
            return _INDEX[close[0]][0]
    return None


def resolve_columns(header: list[str]) -> ColumnMap:
    """Map header cells onto schema attributes; raise MappingError without an id or a title column."""
    best: dict[str, tuple[int, int]] = {}  # attribute -> (rank, index)
    matched: dict[int, tuple[str, int]] = {}
    for index, cell in enumerate(header):
        match = _lookup(cell or "")
        if match is None:
            continue
        matched[index] = match
        attribute, rank = match
        if attribute not in best or rank < best[attribute][0]:
            best[attribute] = (rank, index)
    index_of = {attribute: index for attribute, (_rank, index) in best.items()}
    used = set(index_of.values())

    extra: dict[int, str] = {}
    taken: set[str] = set()
    for index, cell in enumerate(header):
        if index in used or (cell or "").strip() == PROBLEM_COLUMN:
            # The problem column of a rows-to-fix file uploaded again says what was wrong:
            # it is no product attribute.
            continue
        name = (cell or "").translate(_CONTROL_CHARS).strip() or f"column_{index + 1}"
        # Two columns with the same name must not overwrite each other in extra_attributes.
        unique, n = name, 2
        while unique in taken:
            unique, n = f"{name} ({n})", n + 1
        taken.add(unique)
        extra[index] = unique

    missing = [
        label
        for attribute, label in (("marketplace_product_id", "id"), ("title", "title"))
        if attribute not in index_of
    ]
    if missing:
        raise MappingError(_missing_message(missing, header))
    shipping = index_of.get("shipping")
    shipping_parts = _shipping_parts(header[shipping] or "") if shipping is not None else ()
    return ColumnMap(index_of=index_of, extra=extra, header=list(header), shipping_parts=shipping_parts)


def _shipping_parts(cell: str) -> tuple[str, ...]:
    """The sub-attributes `shipping(country:postal_code:price)` names, when they are Google's and
    differ from the default order; else ().

    >>> _shipping_parts("shipping(country:postal_code:price)")
    ('country', 'postal_code', 'price')
    """
    found = _SUB_ATTRIBUTES.search(cell)
    if found is None:
        return ()
    parts = tuple(normalize_header(part) for part in found.group(1).split(":"))
    if len(set(parts)) != len(parts) or not all(part in SHIPPING_PARTS for part in parts):
        return ()
    return () if parts == SHIPPING_DEFAULT_ORDER else parts


def _missing_message(missing: list[str], header: list[str]) -> str:
    names = [(cell or "").translate(_CONTROL_CHARS).strip() for cell in header]
    shown = [name or "(blank)" for name in names[:_MAX_NAMES_IN_MESSAGE]]
    found = ", ".join(shown) if shown else "none"
    if len(names) > _MAX_NAMES_IN_MESSAGE:
        found += f" and {len(names) - _MAX_NAMES_IN_MESSAGE} more"
    what = " or ".join(missing)
    column_word = "columns" if len(missing) > 1 else "column"
    message = f"The file has no {what} {column_word}. Columns found: {found}."
    if len(names) == 1:
        message += " Only one column was found: check that the file is comma, semicolon or tab separated."
    else:
        message += " The first line of the file must name the columns (for example id, title, price)."
    return message
