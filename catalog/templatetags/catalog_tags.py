"""Labels for the catalog's stored choice values (annotations carry no get_FOO_display)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from catalog.selectors import LanguageBadge, catalog_item_language_badges
from marketplace.models import Availability, Condition, MarketplaceProduct
from stores.models import Language

register = template.Library()

_AVAILABILITY = dict(Availability.choices)
_CONDITION = dict(Condition.choices)
_LANGUAGE = dict(Language.choices)


@register.filter
def availability_label(value: str | None) -> str:
    return str(_AVAILABILITY.get(value or "", value or ""))


@register.filter
def condition_label(value: str | None) -> str:
    return str(_CONDITION.get(value or "", value or ""))


@register.filter
def money(value: Decimal | float | str | None) -> str:
    """Two decimals, whatever the database gave back (SQLite returns computed decimals unscaled).

    >>> money(Decimal("9"))
    '9.00'
    """
    if value is None or value == "":
        return ""
    try:
        return f"{Decimal(str(value)):.2f}"
    except InvalidOperation:
        return str(value)


@register.filter
def money_in(value: Decimal | float | str | None, currency: str | None) -> str:
    """An amount with its currency, or "" without an amount: every price the pages show
    names its currency, so that no "49.00" stands beside "49.00 EUR".

    >>> money_in(Decimal("49"), "EUR")
    '49.00 EUR'
    """
    amount = money(value)
    return f"{amount} {currency}".strip() if amount else ""


@register.filter
def language_badges(item: MarketplaceProduct) -> list[LanguageBadge]:
    """The languages a product of ``catalog_item_with_languages`` has, fr, en, de."""
    return catalog_item_language_badges(item)


@register.filter
def language_name(code: str | None) -> str:
    """ "de" -> "German"."""
    return str(_LANGUAGE.get(code or "", code or ""))
