"""The missing-product settings section of the store's Settings page and of the admin's
store edit page: a form of its own, posted to its own URL, so the pages' other sections
stay independent of it."""

from __future__ import annotations

from typing import Any

from django import template

from stores.forms import MissingProductsForm
from stores.models import Store
from stores.services import MISSING_FIELDS

register = template.Library()


def missing_form_for(store: Store) -> MissingProductsForm:
    return MissingProductsForm(initial={field: getattr(store, field) for field in MISSING_FIELDS})


@register.inclusion_tag("stores/_missing_settings.html", takes_context=True)
def missing_settings_section(context: template.Context, store: Store, action: str) -> dict[str, Any]:
    """The section, with the bound form a failed save left in the context (`missing_form`)."""
    return {
        "missing_form": context.get("missing_form") or missing_form_for(store),
        "action": action,
        "csrf_token": context.get("csrf_token"),
        # The admin's store edit page lays it out as the admin's change forms do.
        "admin": action.startswith("/admin/"),
    }
