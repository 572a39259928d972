"""The error catalogue (issue 18): every problem an import reports has a stable code, a
severity, a one-line explanation and what to do about it.

A code is the error type, refined by the field where one type covers different fixes
(`parse_error.price` is a price to rewrite, `parse_error` alone a row the CSV reader could
not split). The texts are for a shop owner with a spreadsheet, not for a developer; they
are marked for translation (`gettext_lazy`) for the portal's languages.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from marketplace.models import MarketplaceImportError

ERROR = MarketplaceImportError.Severity.ERROR
WARNING = MarketplaceImportError.Severity.WARNING


@dataclass(frozen=True)
class ErrorCode:
    code: str
    severity: str  # what the rows of this code usually are; each error keeps its own
    title: str | Promise
    explanation: str | Promise
    how_to_fix: str | Promise


def _entry(code: str, severity: str, title: Promise, explanation: Promise, how_to_fix: Promise) -> ErrorCode:
    return ErrorCode(code, severity, title, explanation, how_to_fix)


_PRICE_FIX = _(
    "Write the amount with its currency, for example 12.50 EUR or 12,50 €, without text around it. "
    "In a spreadsheet, format the column as text so it is exported as you see it."
)

CATALOGUE: dict[str, ErrorCode] = {
    entry.code: entry
    for entry in (
        _entry(
            "missing_id",
            ERROR,
            _("Id missing"),
            _("The row has no id, so it cannot be matched with a product: it was skipped."),
            _("Give every row its own id (Google's id column, often the SKU) and keep it the same in every export."),
        ),
        _entry(
            "validation_error.id",
            ERROR,
            _("Id unusable"),
            _(
                "The id appears twice in the file, contains a line break, or is over 255 characters long: "
                "the row was skipped."
            ),
            _(
                "Give each product its own short id. A line break in an id usually means a quote is not closed in "
                "this row or the one above: check the cells around it."
            ),
        ),
        _entry(
            "id_too_long",
            WARNING,
            _("Id over 50 characters"),
            _("The product was imported, but Google Shopping refuses ids longer than 50 characters."),
            _("Shorten the ids to 50 characters at most, for example the SKU without the product name."),
        ),
        _entry(
            "missing_title",
            ERROR,
            _("Title missing"),
            _("The row has no title, which every product needs: it was skipped."),
            _("Fill in the title column for these rows (the product's name as customers should see it)."),
        ),
        _entry(
            "missing_description",
            WARNING,
            _("Description missing"),
            _("The product was imported without a description; Google Shopping requires one."),
            _("Add a description of a sentence or two for these products."),
        ),
        _entry(
            "parse_error",
            ERROR,
            _("Row unreadable"),
            _("The row could not be split into cells, usually because a quote is not closed: it was skipped."),
            _(
                "Open the file in a spreadsheet, look at this row and the one above for a cell with a stray "
                'quote (") or a line break, correct it and export again as CSV.'
            ),
        ),
        _entry(
            "row_too_long",
            ERROR,
            _("Row too long"),
            _("The row is longer than the import accepts, usually a description pasted many times: it was skipped."),
            _("Shorten the long cells of this row (descriptions of a few thousand characters are plenty)."),
        ),
        _entry(
            "parse_error.price",
            ERROR,
            _("Price unreadable"),
            _("The price is not a number with a currency: the row was skipped."),
            _PRICE_FIX,
        ),
        _entry(
            "parse_error.sale_price",
            ERROR,
            _("Sale price unreadable"),
            _("The sale price is not a number with a currency: the row was skipped."),
            _PRICE_FIX,
        ),
        _entry(
            "validation_error.price",
            WARNING,
            _("Price rounded"),
            _("The price has more than two decimals; it was rounded to the cent."),
            _("Round the prices to two decimals in the export."),
        ),
        _entry(
            "validation_error.sale_price",
            WARNING,
            _("Sale price questionable"),
            _("The sale price is higher than the price, or has more than two decimals."),
            _("Check the sale price: it should be lower than the regular price, with two decimals."),
        ),
        _entry(
            "parse_error.currency",
            WARNING,
            _("Currency unknown"),
            _("The currency is not a code such as EUR; EUR was assumed."),
            _("Use three-letter currency codes (EUR, CHF, USD) in the currency column or after the amount."),
        ),
        _entry(
            "currency_assumed",
            WARNING,
            _("Currency assumed"),
            _("Prices were written without a currency, and EUR was assumed for them."),
            _("If your prices are not in euros, write the currency after each amount, for example 12.50 CHF."),
        ),
        _entry(
            "validation_error.gtin",
            WARNING,
            _("GTIN invalid"),
            _(
                "The GTIN (EAN barcode number) has the wrong length or its check digit is wrong; the product was "
                "imported without it."
            ),
            _(
                "Copy the number under the barcode on the packaging: 8, 12, 13 or 14 digits. Format the column as "
                "text in the spreadsheet, or it turns 4006381333931 into 4.00638E+12 and drops leading zeros."
            ),
        ),
        _entry(
            "parse_error.availability",
            WARNING,
            _("Availability unknown"),
            _("The availability is not one the import knows; it was left empty."),
            _("Use in stock, out of stock, preorder or backorder (the French and German words work too)."),
        ),
        _entry(
            "parse_error.condition",
            WARNING,
            _("Condition unknown"),
            _("The condition is not one the import knows; it was left empty."),
            _("Use new, refurbished or used (the French and German words work too)."),
        ),
        _entry(
            "gender_value",
            WARNING,
            _("Gender not one of Google's values"),
            _("The gender was read as the nearest of Google's values, or left empty."),
            _("Use male, female or unisex."),
        ),
        _entry(
            "age_group_value",
            WARNING,
            _("Age group not one of Google's values"),
            _("The age group was read as the nearest of Google's values, or left empty."),
            _("Use newborn, infant, toddler, kids or adult."),
        ),
        _entry(
            "parse_error.value",
            WARNING,
            _("Value unreadable"),
            _("A value could not be read for its column (a number, a yes/no, a date); it was left empty."),
            _("Check the value against the column's format in Google's product data specification."),
        ),
        _entry(
            "validation_error.shipping",
            WARNING,
            _("Shipping value does not match its column"),
            _("The shipping value does not have the parts its column names; it was kept as it is."),
            _("Write each shipping value with the parts the column header names, separated by colons."),
        ),
        _entry(
            "validation_error.additional_image_links",
            WARNING,
            _("Image links left out"),
            _("Some additional image links were too long or too many (at most 10) and were left out."),
            _("Keep at most 10 additional image links per product, separated by commas."),
        ),
        _entry(
            "validation_error.row",
            WARNING,
            _("Values beyond the last column"),
            _("The row has more values than the header has columns; the extra values were ignored."),
            _("Look for a stray delimiter (a comma or semicolon inside a cell that is not quoted)."),
        ),
        _entry(
            "validation_error.text",
            WARNING,
            _("Text shortened"),
            _("A text was longer than its column allows; only its beginning was kept."),
            _("Shorten the text in the export (titles: 150 characters is Google's limit)."),
        ),
        _entry(
            "html_cleaned",
            WARNING,
            _("HTML cleaned"),
            _("Titles or descriptions contained HTML tags or entities; they were turned into plain text."),
            _("Nothing to do if the texts look right; otherwise export plain text instead of HTML."),
        ),
        _entry(
            "language_conflict",
            WARNING,
            _("Languages disagree"),
            _(
                "This language's feed gives a product another price, availability, GTIN, brand or condition than "
                "the last import in another language; the newer value was kept."
            ),
            _("Export the three language feeds from the same catalogue at the same time, so they agree."),
        ),
    )
}

_FALLBACK = ErrorCode(
    "other",
    WARNING,
    _("Other problem"),
    _("The row has a problem the message describes."),
    _("Read the message and correct the cell it names."),
)

# Fields of a parse error that is a typed value (number, yes/no, date) rather than a price.
_PRICE_FIELDS = frozenset({"price", "sale_price"})


def error_code(error_type: str, field: str, severity: str = "") -> str:
    """The catalogue's code of one reported problem (see the module's docstring)."""
    if field == "marketplace_product_id":
        # The store knows its id column as `id`; the internal field name stays out of the code.
        field = "id"
    refined = f"{error_type}.{field}" if field else ""
    if refined in CATALOGUE:
        return refined
    if error_type == "parse_error" and field:
        return "parse_error.value"
    if error_type == "validation_error":
        if not field:
            return "validation_error.row"
        if field not in _PRICE_FIELDS:
            return "validation_error.text"
    return error_type if error_type in CATALOGUE else "other"


def describe(code: str) -> ErrorCode:
    return CATALOGUE.get(code, _FALLBACK)
