"""The row problems' messages: a key and its parameters, and the English sentence they make.

Pure module (no Django): the normalizers run in the forked reader process too, and pass only
a key and small parameters. The English templates here are also the msgids of the portal's
catalogs: `gettext_noop` is the marker `makemessages` extracts, and `marketplace.row_messages`
renders the same key in the viewer's language. English is the msgid itself, so the text the
API and the stored `error_message` show needs no catalog and costs one `%` per issue.
"""

from __future__ import annotations

from typing import Any


def gettext_noop(message: str) -> str:
    """Marks a msgid for `makemessages` (its own keyword) without importing Django."""
    return message


# Integer parameters shown without a thousands separator (a row or job number).
PLAIN_NUMBERS = frozenset({"row", "job"})

# key -> English template with named placeholders. `field` is a schema attribute name, shown
# as its label in English ("Sale price") and as the feed's column name in the other languages.
TEMPLATES: dict[str, str] = {
    # Prices (columns.py)
    "price_not_a_number": gettext_noop('%(field)s "%(value)s" is not a number.'),
    "price_negative": gettext_noop('%(field)s "%(value)s" is negative.'),
    "price_no_currency": gettext_noop('%(field)s "%(value)s" is not a number with a currency.'),
    "price_too_large": gettext_noop(
        '%(field)s "%(value)s" is too large: a price has at most 10 digits before the decimal point.'
    ),
    "price_rounded": gettext_noop('%(field)s "%(value)s" has more than 2 decimals; it was rounded to %(amount)s.'),
    # GTINs
    "gtin_length": gettext_noop(
        'GTIN "%(value)s" has %(length)s digits; a GTIN has 8, 12, 13 or 14. The GTIN was left empty.'
    ),
    "gtin_check_digit": gettext_noop(
        'GTIN "%(value)s" has a wrong check digit: the last digit should be %(expected)s. The GTIN was left empty.'
    ),
    "gtin_zero": gettext_noop('GTIN "%(value)s" is not a real GTIN. The GTIN was left empty.'),
    "gtin_scientific": gettext_noop(
        'GTIN "%(value)s" was shortened by a spreadsheet to a number in scientific notation, so digits '
        "are lost. Format the GTIN column as text and export the file again. The GTIN was left empty."
    ),
    "gtin_not_digits": gettext_noop('GTIN "%(value)s" contains characters other than digits. The GTIN was left empty.'),
    # Words
    "availability_unknown": gettext_noop(
        'Availability "%(value)s" is not a known availability; use in_stock, out_of_stock, preorder or '
        "backorder. It was left empty."
    ),
    "condition_unknown": gettext_noop(
        'Condition "%(value)s" is not a known condition; use new, refurbished or used. It was left empty.'
    ),
    "gender_unknown": gettext_noop(
        '%(field)s "%(value)s" is not a gender Google knows; use male, female or unisex. It was left empty.'
    ),
    "age_group_unknown": gettext_noop(
        '%(field)s "%(value)s" is not an age group Google knows; use newborn, infant, toddler, kids or adult. '
        "It was left empty."
    ),
    "google_value_mapped": gettext_noop(
        '%(field)s "%(value)s" is not one of Google\'s values; it was read as %(found)s.'
    ),
    "bool_unknown": gettext_noop('%(field)s "%(value)s" is not yes or no. It was left empty.'),
    "not_whole_number": gettext_noop('%(field)s "%(value)s" is not a whole number. It was left empty.'),
    # Links
    "link_too_long": gettext_noop(
        "An additional image link is %(length)s characters long; links longer than %(limit)s were dropped."
    ),
    "too_many_links": gettext_noop("There are %(count)s additional image links; only the first %(limit)s were kept."),
    "images_dropped": gettext_noop("%(count)s image links were too long or too many and were left out."),
    # The row (rows.py)
    "id_empty": gettext_noop("The id is empty."),
    "id_line_break": gettext_noop(
        'The id "%(value)s" contains a line break; a quote is probably not closed in this row or the one above.'
    ),
    "id_too_long": gettext_noop(
        "The id is %(length)s characters long; the limit is %(limit)s. It was not shortened, because two "
        "products could end up with the same id."
    ),
    "id_over_google_limit": gettext_noop("The id is %(length)s characters long; Google accepts at most %(limit)s."),
    "row_too_many_values": gettext_noop(
        "This row has %(length)s values but the header names %(width)s columns; the values after the last "
        "column were ignored."
    ),
    "title_empty": gettext_noop("The title is empty."),
    "description_empty": gettext_noop("The description is empty; Google requires one."),
    "text_truncated": gettext_noop("%(field)s is %(length)s characters long; only the first %(limit)s were kept."),
    "extra_truncated": gettext_noop(
        'Column "%(column)s" has %(length)s characters; only the first %(limit)s were kept.'
    ),
    "shipping_parts": gettext_noop(
        'Shipping "%(value)s" does not have the %(count)s parts its column names (%(header)s); it was kept as it is.'
    ),
    "currency_unknown": gettext_noop(
        'Currency "%(value)s" is not a currency code such as EUR; %(currency)s was assumed.'
    ),
    "sale_above_price": gettext_noop("The sale price %(sale_price)s is higher than the price %(price)s."),
    # The batch (classification.py, batches.py)
    "duplicate_id": gettext_noop("The id '%(value)s' already appeared in row %(row)s; this row was skipped."),
    "row_unreadable": gettext_noop("This row could not be read (%(detail)s)."),
    # Records the reader could not split (decoding.py)
    "row_too_long": gettext_noop(
        "This row is longer than %(limit)s characters, so it was skipped. Usually a quote that is never "
        "closed joins the following lines into one value; check the quotes of this row."
    ),
    "row_not_csv": gettext_noop("This row could not be read as CSV (%(detail)s); a quote is probably not closed."),
}


class ValueProblem(ValueError):
    """What a value reader rejects: the key of the row issue it becomes and its parameters.
    Its text is the English sentence without a field (for callers that only show the error)."""

    def __init__(self, key: str, text: str, **params: Any) -> None:
        super().__init__(text)
        self.key = key
        self.params = params


_LABELS = {
    "marketplace_product_id": "Id",
    "gtin": "GTIN",
    "mpn": "MPN",
    "link": "Link",
    "additional_image_links": "Additional image links",
}


def label(name: str) -> str:
    """A schema attribute as an English sentence names it ("sale_price" -> "Sale price")."""
    return _LABELS.get(name) or name.replace("_", " ").capitalize()


def column_name(name: str) -> str:
    """A schema attribute as the feed's column (Google's name): the id is `id`."""
    return "id" if name == "marketplace_product_id" else name


def english_value(name: str, value: Any) -> str:
    """One parameter as the English sentence shows it."""
    if value.__class__ is int:
        return str(value) if name in PLAIN_NUMBERS else f"{value:,}"
    if name == "field":
        return label(value)
    return str(value)


def english(key: str, params: dict[str, Any], templates: dict[str, str] = TEMPLATES) -> str:
    """The English sentence of a key; a key without a template is a finished text."""
    template = templates.get(key)
    if template is None:
        return key
    return template % {name: english_value(name, value) for name, value in params.items()}
