"""The messages of row errors and warnings, rendered in the active language (SPEC 13).

An error is stored with a message key and small parameters (`message_key`, `params`) next
to its English `error_message`, which the API returns. The error viewer, its CSV and the
rows-to-fix file render the key in the viewer's language instead. The normalizers' keys live
in `marketplace.importing.messages` (a pure module: the reader process makes them); the few
made by Django-side code (duplicates, language conflicts, the job's notes) are added here.

A field is named by its label in English ("Sale price", as the API always said) and by the
feed's column name in French and German (`sale_price`, `id`): that is the word a shop owner
finds in the spreadsheet's header whatever the language of the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_noop, ngettext_lazy, pgettext, pgettext_lazy

from marketplace.importing.messages import PLAIN_NUMBERS, TEMPLATES, column_name, english_value, label

TEMPLATES_HERE: dict[str, str] = {
    "language_conflict": gettext_noop(
        "%(field)s %(new)s in this %(language)s import differs from %(old)s set by the %(other_language)s "
        "import #%(job)s; the newer value, %(new)s, is kept."
    ),
}
ALL_TEMPLATES = {**TEMPLATES, **TEMPLATES_HERE}

# The job's notes (row 0): a number of rows, so plural forms (chosen by the `rows` parameter).
PLURALS = {
    "currency_assumed": ngettext_lazy(
        "%(rows)s row had a price without a currency; %(currency)s was assumed. "
        'Write the currency after the amount ("250.00 %(currency)s") or add a currency column.',
        "%(rows)s rows had a price without a currency; %(currency)s was assumed. "
        'Write the currency after the amount ("250.00 %(currency)s") or add a currency column.',
        "count",
    ),
    "html_cleaned": ngettext_lazy(
        "%(rows)s row had HTML in its texts: character references were decoded, tags removed from "
        "titles, and descriptions kept as plain text with their line breaks.",
        "%(rows)s rows had HTML in their texts: character references were decoded, tags removed from "
        "titles, and descriptions kept as plain text with their line breaks.",
        "count",
    ),
}

# Parameters that are amounts (localized decimal separator) or language codes.
_DECIMALS = frozenset({"amount", "price", "sale_price"})
_LANGUAGES = frozenset({"language", "other_language"})
_ENGLISH_NAMES = {"fr": "French", "de": "German", "en": "English"}
# As a sentence names them ("this French import", "cet import en français").
_LANGUAGE_NAMES = {
    "fr": pgettext_lazy("language in a sentence", "French"),
    "de": pgettext_lazy("language in a sentence", "German"),
    "en": pgettext_lazy("language in a sentence", "English"),
}
_NONE = "(none)"  # a conflict's missing value: the parameter is "", shown as this


def english(key: str, params: Mapping[str, Any]) -> str:
    """The English sentence of a key (what `error_message` stores); rendered once per error."""
    if key in PLURALS:
        with translation.override("en"):
            return render(key, params)
    template = ALL_TEMPLATES.get(key)
    if template is None:
        return key
    values = {name: _english(name, value) for name, value in params.items()}
    return template % values


def render(key: str, params: Mapping[str, Any]) -> str:
    """The sentence of a key in the active language; the key itself when it has no template."""
    english_page = (translation.get_language() or "en").startswith("en")
    values = {name: _localized(name, value, english_page) for name, value in params.items()}
    plural = PLURALS.get(key)
    try:
        if plural is not None:
            return str(plural % {**values, "count": params.get("rows", 0)})
        template = ALL_TEMPLATES.get(key)
        if template is None:
            return key
        return gettext(template) % values
    except (KeyError, TypeError, ValueError):
        # A translation that names a parameter the message lacks: English, not a failed page.
        return english(key, params)


def message_of(key: str, params: Mapping[str, Any] | None, stored: str) -> str:
    """What the viewer shows: the key rendered in the active language, else (an error stored
    before keys existed) its stored English message."""
    if not key:
        return stored
    return render(key, params or {})


def language_name(code: str) -> str:
    """A language as a sentence names it, in the active language when it is shown (lazy)."""
    return _LANGUAGE_NAMES.get(code, code)  # type: ignore[return-value]  # a lazy str


def _english(name: str, value: Any) -> str:
    if name in _LANGUAGES:
        return str(_ENGLISH_NAMES.get(value, value))
    if value == "" and name in ("new", "old"):
        return _NONE
    return english_value(name, value)


def _localized(name: str, value: Any, english_page: bool) -> str:
    if value.__class__ is int:
        return str(value) if name in PLAIN_NUMBERS else number_format(value, force_grouping=True)
    if name == "field":
        return label(value) if english_page else column_name(value)
    if name in _LANGUAGES:
        return str(_LANGUAGE_NAMES.get(value, value))
    if value == "" and name in ("new", "old"):
        return pgettext("a value that is not set", "(none)")
    if name in _DECIMALS:
        try:
            return number_format(Decimal(value))
        except (InvalidOperation, TypeError, ValueError):
            return str(value)
    return str(value)
