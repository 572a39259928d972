"""Forms of the store's Marketplace Import pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import HttpURLField
from marketplace.services import BATCH_SIZE_DEFAULT, BATCH_SIZE_MAX, BATCH_SIZE_MIN
from stores.models import Language


def _batch_size_help() -> str:
    return gettext("Products written per batch, %(min)s–%(max)s. The default suits most feeds.") % {
        "min": BATCH_SIZE_MIN,
        "max": BATCH_SIZE_MAX,
    }


class ImportForm(forms.Form):
    """Start an import from a feed URL or an uploaded file. The marketplace is always Letzshop."""

    source_url = HttpURLField(label=_("CSV feed URL"), required=False)
    file = forms.FileField(
        label=_("Or upload a CSV file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.tsv,.txt,.gz,text/csv,text/plain"}),
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    batch_size = forms.IntegerField(
        label=_("Batch size"),
        min_value=BATCH_SIZE_MIN,
        max_value=BATCH_SIZE_MAX,
        initial=BATCH_SIZE_DEFAULT,
        # Formatted when shown, in the reader's language (a % on a lazy text would format it at import).
        help_text=lazy(_batch_size_help, str)(),
    )

    complete_catalog = forms.BooleanField(
        label=_("This file is my complete catalog"),
        required=False,
        help_text=_(
            "Products it does not list may then go missing, as with your configured feed "
            "(your missing-product policy on the Settings page). Leave it off for part of a catalog."
        ),
    )

    # Set by the form's "Check the feed" button (a second submit button, no field of its own).
    dry_run = forms.BooleanField(required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        has_url = bool(cleaned.get("source_url"))
        has_file = bool(cleaned.get("file"))
        if "source_url" in self.errors or "file" in self.errors:
            return cleaned
        if has_url and has_file:
            self.add_error("file", gettext("Choose one source: clear the URL or remove the file."))
        elif not has_url and not has_file:
            self.add_error("source_url", gettext("Enter the feed URL, use Quick Fill, or upload a CSV file."))
        return cleaned
