from __future__ import annotations

from django import forms

from core.forms import validate_http_url
from stores.models import Language


def _feed_url_field(language_label: str) -> forms.URLField:
    return forms.URLField(
        label=f"{language_label} feed URL",
        required=False,
        max_length=2000,
        assume_scheme="https",
        validators=[validate_http_url],
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off", "spellcheck": "false"}),
    )


class StoreSettingsForm(forms.Form):
    """The store's Quick Fill feed URLs (one per language) and its default import language."""

    letzshop_csv_url_fr = _feed_url_field("French")
    letzshop_csv_url_en = _feed_url_field("English")
    letzshop_csv_url_de = _feed_url_field("German")
    default_language = forms.ChoiceField(label="Default language", choices=Language.choices)
