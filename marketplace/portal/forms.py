"""Forms of the store's Marketplace Import pages."""

from __future__ import annotations

from typing import Any

from django import forms

from core.forms import HttpURLField
from marketplace.services import BATCH_SIZE_DEFAULT, BATCH_SIZE_MAX, BATCH_SIZE_MIN
from stores.models import Language


class ImportForm(forms.Form):
    """Start an import from a feed URL or an uploaded file. The marketplace is always Letzshop."""

    source_url = HttpURLField(label="CSV feed URL", required=False)
    file = forms.FileField(
        label="Or upload a CSV file",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.tsv,.txt,.gz,text/csv,text/plain"}),
    )
    language = forms.ChoiceField(label="Language", choices=Language.choices)
    batch_size = forms.IntegerField(
        label="Batch size",
        min_value=BATCH_SIZE_MIN,
        max_value=BATCH_SIZE_MAX,
        initial=BATCH_SIZE_DEFAULT,
        help_text=f"Products written per batch, {BATCH_SIZE_MIN}–{BATCH_SIZE_MAX}. The default suits most feeds.",
    )

    complete_catalog = forms.BooleanField(
        label="This file is my complete catalog",
        required=False,
        help_text="Products it does not list may then go missing, as with your configured feed "
        "(your missing-product policy on the Settings page). Leave it off for part of a catalog.",
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
            self.add_error("file", "Choose one source: clear the URL or remove the file.")
        elif not has_url and not has_file:
            self.add_error("source_url", "Enter the feed URL, use Quick Fill, or upload a CSV file.")
        return cleaned
