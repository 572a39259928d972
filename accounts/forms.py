from __future__ import annotations

from django import forms

from accounts.models import User

NOTIFICATION_FIELDS = ("notify_import_failed", "notify_feed_paused", "notify_removal_held", "notify_new_errors")


class NotificationPreferencesForm(forms.ModelForm[User]):
    """The four kinds of email (SPEC 12), each a checkbox: unticked means not sent."""

    class Meta:
        model = User
        fields = NOTIFICATION_FIELDS
