from __future__ import annotations

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
    if urlsplit(value).scheme.lower() not in ("http", "https"):
        raise ValidationError("Enter a web address starting with http:// or https://.", code="scheme")
