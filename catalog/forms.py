"""Forms of the catalog pages: they only clean input; the services apply the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_stubs_ext import StrOrPromise

from catalog.selectors import ORDERING_DEFAULT, ORDERINGS, JobScope
from core.ids import MAX_DB_ID
from marketplace.models import Availability, Condition
from stores.models import Language

YES_NO = [("", pgettext_lazy("filter", "All")), ("yes", _("Yes")), ("no", _("No"))]
ORDERING_CHOICES = [
    ("title", _("Title A-Z")),
    ("-title", _("Title Z-A")),
    ("price", _("Price, lowest first")),
    ("-price", _("Price, highest first")),
    ("sku", _("Product id")),
    ("-updated", _("Recently imported")),
    ("display_order", _("Display order")),
]
assert {value for value, _ in ORDERING_CHOICES} <= set(ORDERINGS)


def _missing_in(name: StrOrPromise) -> StrOrPromise:
    # Lazy: the language's name and the sentence follow the reader's language.
    return format_lazy(_("Missing in {name}"), name=name)


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class ProductFilterForm(forms.Form):
    """The All Products filters. Invalid values are dropped rather than shown as errors,
    except the language filter's (see ``missing_language``)."""

    q = forms.CharField(
        required=False,
        max_length=200,
        label=_("Search"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Title, id, GTIN or brand")}),
    )
    published = forms.ChoiceField(
        required=False,
        choices=[("", pgettext_lazy("filter", "All")), ("yes", _("Published")), ("no", _("Not published"))],
        label=pgettext_lazy("filter", "Catalog"),
    )
    active = forms.ChoiceField(
        required=False,
        choices=[("", pgettext_lazy("filter", "All")), ("yes", _("Active")), ("no", _("Inactive"))],
        label=_("Active"),
    )
    # SPEC 11: by default the products the missing-product policy deactivated are hidden.
    missing = forms.ChoiceField(
        required=False,
        choices=[("", _("Listed by the feeds")), ("yes", _("Missing from the feeds")), ("no", _("Not missing"))],
        label=_("Feed"),
    )
    availability = forms.ChoiceField(
        required=False, choices=[("", _("Any")), *Availability.choices], label=_("Availability")
    )
    brand = forms.CharField(required=False, max_length=255, label=_("Brand"))
    job = forms.IntegerField(required=False, min_value=1, max_value=MAX_DB_ID, label=_("Import"))
    ordering = forms.ChoiceField(required=False, choices=ORDERING_CHOICES, label=_("Sort"))
    # Completeness per language (SPEC 7). Unlike the other filters, a bad value is shown:
    # "missing in xx" silently answering with everything would read as "nothing is missing".
    missing_language = forms.ChoiceField(
        required=False,
        choices=[("", _("Any")), *((code, _missing_in(name)) for code, name in Language.choices)],
        label=_("Languages"),
        error_messages={
            "invalid_choice": _(
                "Unknown language “%(value)s”: the language filter takes fr, en or de. It was not applied."
            )
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

    price = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        label=_("Price"),
        help_text=_("Empty: the imported price"),
    )
    sale_price = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        label=_("Sale price"),
        help_text=_("Empty: the imported sale price"),
    )
    availability = forms.ChoiceField(
        required=False, choices=[("", _("As imported")), *Availability.choices], label=_("Availability")
    )
    condition = forms.ChoiceField(
        required=False, choices=[("", _("As imported")), *Condition.choices], label=_("Condition")
    )
    is_featured = forms.BooleanField(required=False, label=_("Featured"))
    is_active = forms.BooleanField(required=False, label=_("Active (shown in the catalog)"))
    display_order = forms.IntegerField(
        min_value=-1_000_000, max_value=1_000_000, help_text=_("Lower numbers come first"), label=_("Display order")
    )
    min_quantity = forms.IntegerField(min_value=1, max_value=1_000_000, label=_("Minimum quantity"))
    max_quantity = forms.IntegerField(
        required=False, min_value=1, max_value=1_000_000, label=_("Maximum quantity"), help_text=_("Empty: no maximum")
    )


class PublishJobForm(forms.Form):
    """Which products of the import; a POST without ``scope`` (a plain button elsewhere) means all."""

    scope = forms.ChoiceField(choices=JobScope.CHOICES, initial=JobScope.ALL, required=False, widget=forms.RadioSelect)

    def clean_scope(self) -> str:
        return self.cleaned_data["scope"] or JobScope.ALL
