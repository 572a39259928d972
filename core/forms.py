from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError


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
        self.error_messages["invalid"] = "Enter a complete web address, like https://shop.example.lu/feed.csv."

    def run_validators(self, value: Any) -> None:
        if value in self.empty_values:
            return
        validate_http_url(value)
        super().run_validators(value)
