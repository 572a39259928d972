from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A platform user. `is_staff` marks a platform admin; store access is by membership."""

    class Language(models.TextChoices):
        # Each language named in itself, the way a language chooser shows them (SPEC 13).
        FR = "fr", "Français"
        DE = "de", "Deutsch"
        EN = "en", "English"

    # Email notifications (SPEC 12), each kind switched off in the user's profile.
    notify_import_failed = models.BooleanField(_("Email me when an import fails"), default=True, db_default=True)
    notify_feed_paused = models.BooleanField(_("Email me when a feed pauses itself"), default=True, db_default=True)
    notify_removal_held = models.BooleanField(
        _("Email me when a removal of products is held"), default=True, db_default=True
    )
    notify_new_errors = models.BooleanField(
        _("Email me when a scheduled import has errors where the previous one had none"), default=True, db_default=True
    )
    # The portal's language (SPEC 13). Empty: not chosen, the browser's Accept-Language decides.
    language = models.CharField(
        _("Language"), max_length=8, choices=Language.choices, blank=True, default="", db_default=""
    )

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined,misc]  # django-stubs declares no AbstractUser.Meta
        db_table = "users"
        swappable = "AUTH_USER_MODEL"
