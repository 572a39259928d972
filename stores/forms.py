from __future__ import annotations

from django import forms

from core.forms import HttpURLField
from stores.models import Language


def _feed_url_field(language_label: str) -> HttpURLField:
    return HttpURLField(label=f"{language_label} feed URL", required=False)


class StoreSettingsForm(forms.Form):
    """The store's Quick Fill feed URLs (one per language) and its default import language."""

    letzshop_csv_url_fr = _feed_url_field("French")
    letzshop_csv_url_en = _feed_url_field("English")
    letzshop_csv_url_de = _feed_url_field("German")
    default_language = forms.ChoiceField(label="Default language", choices=Language.choices)
