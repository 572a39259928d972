"""Every write to a store that its owners and managers ask for from the portal."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.services import model_update
from stores.models import Store

FEED_URL_FIELDS = ["letzshop_csv_url_fr", "letzshop_csv_url_en", "letzshop_csv_url_de"]
SETTINGS_FIELDS = [*FEED_URL_FIELDS, "default_language"]


def store_update_settings(*, store: Store, data: dict[str, Any]) -> tuple[Store, bool]:
    """Save the store's Quick Fill feed URLs and default language.

    Only the settings fields are taken from data (never the code, name or active flag).
    Raises ValidationError for a URL that is not http/https, that carries a user name or
    password (the importer refuses those, so Quick Fill would only lead to an error), or
    for an unknown language. Returns the store and whether anything changed.
    """
    cleaned = {field: str(data[field] or "").strip() for field in SETTINGS_FIELDS if field in data}
    errors = {
        field: [_("Leave the user name and password out of the address.")]
        for field in FEED_URL_FIELDS
        if cleaned.get(field) and _has_credentials(cleaned[field])
    }
    if errors:
        raise ValidationError(errors)
    return model_update(instance=store, fields=SETTINGS_FIELDS, data=cleaned)


def _has_credentials(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False  # full_clean() reports the malformed address
    return parts.username is not None or parts.password is not None


MISSING_FIELDS = ["missing_policy", "missing_grace", "removal_max_percent", "removal_min_rows_percent"]


def store_update_missing_settings(*, store: Store, data: dict[str, Any]) -> tuple[Store, bool]:
    """Save the store's missing-product policy, its grace and the safety net's two
    thresholds (SPEC 11); only those fields are taken from data.

    Raises ValidationError for a value out of range (grace 1-100, percentages 0-100) or an
    unknown policy. Returns the store and whether anything changed.
    """
    cleaned = {field: data[field] for field in MISSING_FIELDS if field in data}
    errors: dict[str, list[str]] = {}
    if "missing_grace" in cleaned and not 1 <= int(cleaned["missing_grace"]) <= 100:
        errors["missing_grace"] = [_("Give a number of full imports between 1 and 100.")]
    for field in ("removal_max_percent", "removal_min_rows_percent"):
        if field in cleaned and not 0 <= int(cleaned[field]) <= 100:
            errors[field] = [_("Give a percentage between 0 and 100.")]
    if errors:
        raise ValidationError(errors)
    return model_update(instance=store, fields=MISSING_FIELDS, data=cleaned)
