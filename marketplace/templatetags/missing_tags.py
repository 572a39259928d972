"""The held-removal banner (SPEC 11), shown on the store dashboard and the import page."""

from __future__ import annotations

from typing import Any

from django import template

from marketplace.missing import held_removal_count_for_job, held_removal_for_store, held_removal_sample
from stores.models import Store

register = template.Library()


@register.inclusion_tag("marketplace/_removal_banner.html", takes_context=True)
def held_removal_banner(context: template.Context, store: Store, can_write: bool) -> dict[str, Any]:
    """The store's latest held removal with its count and a sample; nothing when none is held."""
    job = held_removal_for_store(store=store)
    request = context.get("request")
    return {
        "store": store,
        "can_write": can_write,
        "held_job": job,
        "held_count": held_removal_count_for_job(job=job) if job else 0,
        "held_sample": held_removal_sample(job=job) if job else [],
        "next": request.get_full_path() if request is not None else "",
        "csrf_token": context.get("csrf_token"),
    }
