from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.formatting import amount_example, parse_amount


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: under its field when the form has one,
    above the form otherwise (a service may name things the form does not show, like "store")."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, field_errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, field_errors)


def validate_http_url(value: str) -> None:
    """Only http:// and https:// web addresses (a URLField alone also accepts ftp://)."""
    scheme = urlsplit(value).scheme.lower()
    if scheme not in ("http", "https"):
        raise ValidationError(
            f"Only http:// and https:// addresses can be downloaded, not {scheme}: addresses.",
            code="scheme",
        )


class HttpURLField(forms.URLField):
    """A feed's web address: one message per problem.

    URLField's own validator and a scheme check would both refuse `ftp://...` or
    `javascript:...`, with two messages for one mistake: the scheme is checked first, and the
    generic "Enter a valid URL." only runs for an http(s) address.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 2000)
        kwargs.setdefault("assume_scheme", "https")
        kwargs.setdefault(
            "widget", forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off", "spellcheck": "false"})
        )
        super().__init__(**kwargs)
        self.error_messages["invalid"] = _("Enter a complete web address, like https://shop.example.lu/feed.csv.")

    def run_validators(self, value: Any) -> None:
        if value in self.empty_values:
            return
        # validate_http_url's message stays English (the import engine stores it on the job);
        # the form says the same in the page's language.
        try:
            validate_http_url(value)
        except ValidationError:
            scheme = urlsplit(value).scheme.lower()
            raise ValidationError(
                _("Only http:// and https:// addresses can be downloaded, not %(scheme)s: addresses."),
                code="scheme",
                params={"scheme": scheme},
            ) from None
        super().run_validators(value)


class AmountField(forms.DecimalField):
    """A price typed the page's way (SPEC 13): "99,90" in French and German, "99.90" in
    English, thousands grouped or not (core.formatting.parse_amount).

    A text input, not <input type="number">: a browser's number input drops a comma it does
    not expect, so "99,90" reached us as "9990". What cannot be read one way only is a form
    error that shows how to write it, never a guess.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs["localize"] = True
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")
        self.widget.attrs.setdefault("autocomplete", "off")

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]  # the stubs type it as IntegerField.to_python
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return parse_amount(str(value))
        except ValueError:
            raise ValidationError(
                _("Enter an amount such as %(example)s."), code="invalid", params={"example": amount_example()}
            ) from None
