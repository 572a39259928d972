"""Prices in every European spelling: "29.99 EUR", "1.299,00 €", "$19.99", "29,-"."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from marketplace.importing.messages import ValueProblem
from marketplace.importing.normalizers.text import is_digits, show
from marketplace.importing.schema import DEFAULT_CURRENCY

_CENT = Decimal("0.01")
_PRICE_LIMIT = Decimal("10000000000")  # DECIMAL(12, 2) holds at most 10 digits before the point
_CURRENCY_WORDS = {
    "€": "EUR",
    "EURO": "EUR",
    "EUROS": "EUR",
    "$": "USD",
    "US$": "USD",
    "USD$": "USD",
    "£": "GBP",
    "¥": "JPY",
    "FR.": "CHF",
    "SFR.": "CHF",
    "SFR": "CHF",
    "CHF.": "CHF",
    "ZŁ": "PLN",
    "KČ": "CZK",
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
    parsed = parse_price_parts(value)
    if parsed is None:
        return None
    amount, currency, _rounded = parsed
    return amount, currency or DEFAULT_CURRENCY


def parse_price_parts(value: str) -> tuple[Decimal, str, bool] | None:
    """`parse_price` for the normalizer: (amount, currency or "" when the value names none, whether
    it was rounded), so a currency column can still apply and the rounding be reported."""
    text = value.strip()
    if not text:
        return None
    # Fast path: "29.99 EUR", "29.99", "29 EUR", the Google format.
    number, space, currency = text.partition(" ")
    if not space or (len(currency) == 3 and currency.isalpha() and currency.isascii()):
        whole, point, cents = number.partition(".")
        if (
            whole.isdigit()
            and whole.isascii()
            and len(whole) <= 10
            and len(cents) <= 2
            and (not cents or (cents.isdigit() and cents.isascii()))
        ):
            return Decimal(f"{whole}.{cents:0<2}"), currency.upper(), False
    return _parse_price_slow(value, text.translate(_SPACES))


def _parse_price_slow(original: str, text: str) -> tuple[Decimal, str, bool]:
    shown = show(original.strip())
    first = last = -1
    for i, ch in enumerate(text):
        if "0" <= ch <= "9":
            if first < 0:
                first = i
            last = i
    if first < 0:
        raise ValueProblem("price_not_a_number", f'"{shown}" is not a number.', value=shown)
    prefix, number, suffix = text[:first].strip(), text[first : last + 1], text[last + 1 :].strip()
    if suffix.startswith(_WHOLE_AMOUNT_SUFFIXES):
        suffix = suffix[2:].strip()
    elif suffix[:1] in (".", ","):
        # "29.99 EUR." or a stray separator after the digits.
        suffix = suffix[1:].strip()
    if prefix.endswith(_MINUS_SIGNS) or suffix.startswith(_MINUS_SIGNS) and not suffix.strip("-\u2212\u2013"):
        raise ValueProblem("price_negative", f'"{shown}" is negative.', value=shown)
    prefix = prefix.removesuffix("+").strip()
    if prefix.startswith(_MINUS_SIGNS):
        raise ValueProblem("price_negative", f'"{shown}" is negative.', value=shown)
    if prefix and suffix:
        raise ValueProblem("price_not_a_number", f'"{shown}" is not a number.', value=shown)
    currency = currency_code(prefix or suffix)
    if currency is None:
        raise ValueProblem("price_no_currency", f'"{shown}" is not a number with a currency.', value=shown)

    whole, cents = _split_number(number, shown)
    whole = whole.lstrip("0") or "0"
    if len(whole) > 10:
        raise _too_large(shown)
    try:
        exact = Decimal(f"{whole}.{cents or '0'}")
    except InvalidOperation as exc:  # pragma: no cover - _split_number only lets digits through
        raise ValueProblem("price_not_a_number", f'"{shown}" is not a number.', value=shown) from exc
    amount = exact.quantize(_CENT, rounding=ROUND_HALF_UP)
    if amount >= _PRICE_LIMIT:
        raise _too_large(shown)
    return amount, currency, amount != exact


def _too_large(shown: str) -> ValueProblem:
    return ValueProblem(
        "price_too_large",
        f'"{shown}" is too large: a price has at most 10 digits before the decimal point.',
        value=shown,
    )


def currency_code(token: str) -> str | None:
    if not token:
        return ""
    upper = token.upper()
    if upper in _CURRENCY_WORDS:
        return _CURRENCY_WORDS[upper]
    if len(upper) == 3 and upper.isalpha() and upper.isascii():
        return upper
    return None


def _split_number(number: str, shown: str) -> tuple[str, str]:
    """Split "1.299,00", "1,299.00", "1 299,00", "1'299.00" into ("1299", "00")."""
    for grouping in (" ", "'", "\u2019"):
        number = number.replace(grouping, "")
    not_a_number = ValueProblem("price_not_a_number", f'"{shown}" is not a number.', value=shown)
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
            if len(cents) == 3 and 1 <= len(whole) <= 3 and whole != "0" and is_digits(whole + cents):
                whole, cents = whole + cents, ""  # "1.299" / "1,299": thousands, see module docstring
    else:
        whole, cents = number, ""
    if not (whole or cents) or (whole and not is_digits(whole)) or (cents and not is_digits(cents)):
        raise not_a_number
    return whole or "0", cents


def _valid_groups(groups: list[str]) -> bool:
    return 1 <= len(groups[0]) <= 3 and is_digits(groups[0]) and all(len(g) == 3 and is_digits(g) for g in groups[1:])
