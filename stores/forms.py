from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from core.forms import HttpURLField
from stores.models import Language, MissingPolicy


def _feed_url_field(label: StrOrPromise) -> HttpURLField:
    return HttpURLField(label=label, required=False)


class StoreSettingsForm(forms.Form):
    """The store's Quick Fill feed URLs (one per language) and its default import language."""

    letzshop_csv_url_fr = _feed_url_field(_("French feed URL"))
    letzshop_csv_url_en = _feed_url_field(_("English feed URL"))
    letzshop_csv_url_de = _feed_url_field(_("German feed URL"))
    default_language = forms.ChoiceField(label=_("Default language"), choices=Language.choices)


class MissingProductsForm(forms.Form):
    """The store's missing-product policy and the safety net's thresholds (SPEC 11)."""

    missing_policy = forms.ChoiceField(
        label=_("Products a full feed no longer lists"),
        choices=MissingPolicy.choices,
        help_text=_(
            "A full feed is your configured feed (scheduled, Fetch now or Quick Fill), or a file you marked "
            "as your complete catalog. Nothing is ever deleted: a product the feed lists again comes back by itself."
        ),
    )
    missing_grace = forms.IntegerField(
        label=_("Grace (full imports)"),
        min_value=1,
        max_value=100,
        help_text=_("How many full imports in a row must lack a product before the policy applies."),
    )
    removal_max_percent = forms.IntegerField(
        label=_("Hold when more than (% of active products)"),
        min_value=0,
        max_value=100,
        help_text=_("The safety net: a larger removal waits for you to apply it or keep the products."),
    )
    removal_min_rows_percent = forms.IntegerField(
        label=_("Hold when the feed shrinks under (% of the previous one)"),
        min_value=0,
        max_value=100,
        help_text=_("A full feed with fewer rows than this share of the previous one is held as well."),
    )
