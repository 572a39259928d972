"""GTINs (EAN-8, UPC-12, EAN-13, GTIN-14): digits only, GS1 check digit, one form per product."""

from __future__ import annotations

from marketplace.importing.messages import ValueProblem
from marketplace.importing.normalizers.text import is_digits, show


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
    if not is_digits(digits):
        digits = _gtin_digits(value, digits)
    length = len(digits)
    if length not in (8, 12, 13, 14):
        shown = show(value.strip())
        raise ValueProblem(
            "gtin_length", f'"{shown}" has {length} digits; a GTIN has 8, 12, 13 or 14.', value=shown, length=length
        )
    expected = check_digit(digits[:-1])
    if int(digits[-1]) != expected:
        shown = show(value.strip())
        raise ValueProblem(
            "gtin_check_digit",
            f'"{shown}" has a wrong check digit: the last digit should be {expected}.',
            value=shown,
            expected=expected,
        )
    if digits.count("0") == length:
        shown = show(value.strip())
        raise ValueProblem("gtin_zero", f'"{shown}" is not a real GTIN.', value=shown)
    if length == 12:
        return "0" + digits
    if length == 14 and digits[0] == "0":
        return digits[1:]
    return digits


def exact_gtin13(value: str) -> str | None:
    """``value`` itself when it already is a valid 13-digit GTIN, the form most feeds use, else
    None (then `normalize_gtin` reads it or says what is wrong). The normalizer's shortcut: no
    strip, no copy, and the same answer `normalize_gtin` gives for such a value."""
    if (
        len(value) == 13
        and value.isdigit()
        and value.isascii()
        and check_digit(value[:12]) == ord(value[12]) - 48
        and value != "0000000000000"
    ):
        return value
    return None


def _gtin_digits(original: str, text: str) -> str:
    shown = show(original.strip())
    # Excel's ways of keeping a number as text: '4006381333931 and ="4006381333931".
    text = text.removeprefix("'")
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1]
    if "E+" in text.upper():
        raise ValueProblem(
            "gtin_scientific",
            f'"{shown}" was shortened by a spreadsheet to a number in scientific notation, so digits '
            "are lost. Format the GTIN column as text and export the file again.",
            value=shown,
        )
    for separator in (" ", "-", "\u00a0"):
        text = text.replace(separator, "")
    if not is_digits(text):
        raise ValueProblem("gtin_not_digits", f'"{shown}" contains characters other than digits.', value=shown)
    return text


def check_digit(body: str) -> int:
    # GS1 mod 10: weights 3, 1, 3... from the digit next to the check digit leftwards. Summing the
    # ASCII codes and taking 48 ("0") off each keeps the loop in C.
    data = body.encode("ascii")
    odd, even = data[-1::-2], data[-2::-2]
    total = 3 * (sum(odd) - 48 * len(odd)) + sum(even) - 48 * len(even)
    return (10 - total % 10) % 10
