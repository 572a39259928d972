"""The two filters every page shows its numbers with (SPEC 13; core.formatting):

{{ job.total_processed|count }}      269.838 (fr, de) · 269,838 (en)
{{ item.price|money:item.currency }} 1.234,50 € (fr, de) · €1,234.50 (en)
"""

from __future__ import annotations

from django import template

from core.formatting import format_count, format_money

register = template.Library()


@register.filter
def count(value: object) -> str:
    return format_count(value)


@register.filter
def money(value: object, currency: str | None = None) -> str:
    return format_money(value, currency)
