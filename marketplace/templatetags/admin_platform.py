"""Template helpers of the admin's dashboard and sidebar."""

from __future__ import annotations

from django import template

from marketplace.services import import_job_stats

register = template.Library()


@register.simple_tag
def import_stats() -> dict[str, int]:
    """Platform-wide job counts per status, in one aggregate query (the admin dashboard's cards)."""
    return import_job_stats()
