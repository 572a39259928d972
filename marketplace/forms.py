"""Forms that both the store's pages (marketplace.portal) and the admin's (marketplace.admin_pages) use."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.models import MarketplaceImportError


class ErrorFilterForm(forms.Form):
    """The error viewer's filters; an unknown value is ignored rather than refused."""

    severity = forms.ChoiceField(
        label=_("Severity"), required=False, choices=[("", _("All")), *MarketplaceImportError.Severity.choices]
    )
    error_type = forms.CharField(label=_("Type"), required=False, max_length=32)

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {"severity": "", "error_type": ""}
        return {"severity": self.cleaned_data["severity"], "error_type": self.cleaned_data["error_type"]}
