"""Forms of the catalog pages: they only clean input; the services apply the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from catalog.selectors import ORDERING_DEFAULT, ORDERINGS, JobScope
from core.forms import AmountField
from core.ids import MAX_DB_ID
from marketplace.models import Availability, Condition
from stores.models import Language

YES_NO = [("", "All"), ("yes", "Yes"), ("no", "No")]
ORDERING_CHOICES = [
    ("title", "Title A-Z"),
    ("-title", "Title Z-A"),
    ("price", "Price, lowest first"),
    ("-price", "Price, highest first"),
    ("sku", "Product id"),
    ("-updated", "Recently imported"),
    ("display_order", "Display order"),
]
assert {value for value, _ in ORDERING_CHOICES} <= set(ORDERINGS)


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class ProductFilterForm(forms.Form):
    """The All Products filters. Invalid values are dropped rather than shown as errors,
    except the language filter's (see ``missing_language``)."""

    q = forms.CharField(
        required=False,
        max_length=200,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Title, id, GTIN or brand"}),
    )
    published = forms.ChoiceField(
        required=False, choices=[("", "All"), ("yes", "Published"), ("no", "Not published")], label="Catalog"
    )
    active = forms.ChoiceField(
        required=False, choices=[("", "All"), ("yes", "Active"), ("no", "Inactive")], label="Active"
    )
    # SPEC 11: by default the products the missing-product policy deactivated are hidden.
    missing = forms.ChoiceField(
        required=False,
        choices=[("", "Listed by the feeds"), ("yes", "Missing from the feeds"), ("no", "Not missing")],
        label="Feed",
    )
    availability = forms.ChoiceField(required=False, choices=[("", "Any"), *Availability.choices])
    brand = forms.CharField(required=False, max_length=255)
    job = forms.IntegerField(required=False, min_value=1, max_value=MAX_DB_ID, label="Import")
    ordering = forms.ChoiceField(required=False, choices=ORDERING_CHOICES, label="Sort")
    # Completeness per language (SPEC 7). Unlike the other filters, a bad value is shown:
    # "missing in xx" silently answering with everything would read as "nothing is missing".
    missing_language = forms.ChoiceField(
        required=False,
        choices=[("", "Any"), *((code, f"Missing in {name}") for code, name in Language.choices)],
        label="Languages",
        error_messages={
            "invalid_choice": "Unknown language “%(value)s”: the language filter takes fr, en or de. "
            "It was not applied."
        },
    )

    def filters(self) -> tuple[dict[str, Any], str]:
        """The selector's filters and ordering from whatever was valid."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        filters = {
            "q": data.get("q", ""),
            "availability": data.get("availability", ""),
            "brand": data.get("brand", ""),
            "published": _yes_no(data.get("published", "")),
            "active": _yes_no(data.get("active", "")),
            "missing": _yes_no(data.get("missing", "")),
            "job": data.get("job"),
            "missing_language": data.get("missing_language") or None,
        }
        return filters, data.get("ordering") or ORDERING_DEFAULT


class ProductOverridesForm(forms.Form):
    """A published product's overrides and settings; empty override = use the imported value."""

    # AmountField: "99,90" in French and German (SPEC 13).
    price = AmountField(
        required=False, min_value=0, max_digits=12, decimal_places=2, help_text="Empty: the imported price"
    )
    sale_price = AmountField(
        required=False, min_value=0, max_digits=12, decimal_places=2, help_text="Empty: the imported sale price"
    )
    availability = forms.ChoiceField(required=False, choices=[("", "As imported"), *Availability.choices])
    condition = forms.ChoiceField(required=False, choices=[("", "As imported"), *Condition.choices])
    is_featured = forms.BooleanField(required=False, label="Featured")
    is_active = forms.BooleanField(required=False, label="Active (shown in the catalog)")
    display_order = forms.IntegerField(min_value=-1_000_000, max_value=1_000_000, help_text="Lower numbers come first")
    min_quantity = forms.IntegerField(min_value=1, max_value=1_000_000, label="Minimum quantity")
    max_quantity = forms.IntegerField(
        required=False, min_value=1, max_value=1_000_000, label="Maximum quantity", help_text="Empty: no maximum"
    )


class PublishJobForm(forms.Form):
    """Which products of the import; a POST without ``scope`` (a plain button elsewhere) means all."""

    scope = forms.ChoiceField(choices=JobScope.CHOICES, initial=JobScope.ALL, required=False, widget=forms.RadioSelect)

    def clean_scope(self) -> str:
        return self.cleaned_data["scope"] or JobScope.ALL
