from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import User

NOTIFICATION_FIELDS = ("notify_import_failed", "notify_feed_paused", "notify_removal_held", "notify_new_errors")


class NotificationPreferencesForm(forms.Form):
    """The four kinds of email (SPEC 12), each a checkbox: unticked means not sent.

    A plain form, not a ModelForm: validating a ModelForm writes into its instance, and the
    service that saves needs the user as it was to tell what changed.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in NOTIFICATION_FIELDS:
            model_field = cast("models.Field[Any, Any]", User._meta.get_field(name))
            self.fields[name] = forms.BooleanField(label=model_field.verbose_name, required=False)

    @classmethod
    def for_user(cls, user: User) -> NotificationPreferencesForm:
        return cls(initial={name: getattr(user, name) for name in NOTIFICATION_FIELDS})


class LanguageForm(forms.Form):
    """The header's chooser and the profile's field (SPEC 13): one of the portal's
    languages, or "" (the profile's "as my browser asks") to forget a saved choice."""

    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("As my browser asks")), *User.Language.choices],
    )
