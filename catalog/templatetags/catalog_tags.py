"""Labels for the catalog's stored choice values (annotations carry no get_FOO_display)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from catalog.selectors import LanguageBadge, catalog_item_language_badges
from core.formatting import format_money
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
    """A price in euros, the page's way (core.formatting: "1.234,50 €", "€1,234.50")."""
    return format_money(value)


@register.filter
def money_in(value: Decimal | float | str | None, currency: str | None) -> str:
    """An amount with its currency, or "" without an amount: every price the pages show
    names its currency, so that no "49,00" stands beside "49,00 €" (core.formatting)."""
    return format_money(value, currency)


@register.filter
def language_badges(item: MarketplaceProduct) -> list[LanguageBadge]:
    """The languages a product of ``catalog_item_with_languages`` has, fr, en, de."""
    return catalog_item_language_badges(item)


@register.filter
def language_name(code: str | None) -> str:
    """ "de" -> "German"."""
    return str(_LANGUAGE.get(code or "", code or ""))
