"""Numbers and prices in the page's language (SPEC 13): one rule for every page.

French and German write "1.234,50 €", English "€1,234.50"; the separators come from the
active language's formats (config/formats/), so these helpers only add the grouping, the
two decimals of a price and where its currency goes.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import translation
from django.utils.formats import get_format, number_format
from django.utils.translation import gettext

# The symbol a reader expects before or after the amount; other currencies keep their code.
_CURRENCY_SYMBOLS = {"EUR": "€"}
# Languages that put the currency before the amount (English); the others after it.
_CURRENCY_FIRST = {"en"}
_CENT = Decimal("0.01")
# What a reader may type between groups of thousands besides the language's own separator.
_SPACES = " \u00a0\u202f"


def _language() -> str:
    return (translation.get_language() or "").split("-")[0]


def format_count(value: object) -> str:
    """A count with its thousands grouped the page's way: "269.838" (fr, de), "269,838" (en).

    None is "—"; anything that is not a number is shown as it is.
    """
    if value is None or value == "":
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    return number_format(value, use_l10n=True, force_grouping=True)


def format_money(value: object, currency: str | None = None) -> str:
    """A price with two decimals and its currency: "1.234,50 €" (fr, de), "€1,234.50" (en).

    A price without a currency is in euros (the importer reads it so, README). An empty
    value gives "" so that templates can say `|default:"—"`; a value that is no number is
    shown as it is.
    """
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not amount.is_finite():
        return str(value)
    amount = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
    code = (currency or "").strip().upper() or "EUR"
    symbol = _CURRENCY_SYMBOLS.get(code, code)
    digits = number_format(abs(amount), decimal_pos=2, use_l10n=True, force_grouping=True)
    sign = "-" if amount < 0 else ""
    # A non-breaking space keeps the amount and a currency code or trailing symbol on one line.
    if _language() in _CURRENCY_FIRST:
        text = f"{symbol}{digits}" if len(symbol) == 1 else f"{symbol}\u00a0{digits}"
    else:
        text = f"{digits}\u00a0{symbol}"
    return f"{sign}{text}"


def amount_example() -> str:
    """How an amount is typed in the page's language, for error messages and hints."""
    return gettext("%(large)s or %(small)s") % {
        "large": number_format(Decimal("1234.50"), decimal_pos=2, use_l10n=True, force_grouping=True),
        "small": number_format(Decimal("99.90"), decimal_pos=2, use_l10n=True),
    }


def parse_amount(text: str) -> Decimal:
    """An amount typed in the page's language, as a Decimal; ValueError when it is none, or
    when it could be read two ways.

    Accepted, with "," as the decimal separator (fr, de; the other way round in en):
    "99,90", "1234,50", "1.234,50", "1 234,50", "1.234" (one thousand two hundred and
    thirty-four), "12 €". A point followed by one or two digits ("99.90") cannot group
    thousands, so it is read as the decimal point a reader used to the other convention
    meant. Refused: "1,234.50" (both conventions at once), "1.23.4", "9.9.9", "abc".
    """
    decimal_sep = str(get_format("DECIMAL_SEPARATOR"))
    group_sep = str(get_format("THOUSAND_SEPARATOR"))
    other_sep = "," if decimal_sep == "." else "."
    value = text.strip()
    value = re.sub(r"^(?:€|eur)\s*|\s*(?:€|eur)$", "", value, flags=re.IGNORECASE).strip()
    sign = ""
    if value[:1] in ("-", "+"):
        sign, value = ("-" if value[0] == "-" else ""), value[1:].strip()
    d, g, o = re.escape(decimal_sep), re.escape(group_sep), re.escape(other_sep)
    if re.fullmatch(r"\d+", value) or re.fullmatch(rf"\d*{d}\d+", value):
        number = value.replace(decimal_sep, ".")
    elif grouped := re.fullmatch(rf"(\d{{1,3}}(?:([{g}{_SPACES}])\d{{3}})(?:\2\d{{3}})*)(?:{d}(\d+))?", value):
        whole = re.sub(rf"[{g}{_SPACES}]", "", grouped.group(1))
        number = f"{whole}.{grouped.group(3)}" if grouped.group(3) else whole
    elif re.fullmatch(rf"\d+{o}\d{{1,2}}", value):
        number = value.replace(other_sep, ".")
    else:
        raise ValueError(text)
    try:
        return Decimal(f"{sign}{number}")
    except InvalidOperation as exc:  # pragma: no cover - the patterns above admit digits only
        raise ValueError(text) from exc
