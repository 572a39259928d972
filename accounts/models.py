from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A platform user. `is_staff` marks a platform admin; store access is by membership."""

    # Email notifications (SPEC 12), each kind switched off in the user's profile.
    notify_import_failed = models.BooleanField("Email me when an import fails", default=True, db_default=True)
    notify_feed_paused = models.BooleanField("Email me when a feed pauses itself", default=True, db_default=True)
    notify_removal_held = models.BooleanField(
        "Email me when a removal of products is held", default=True, db_default=True
    )
    notify_new_errors = models.BooleanField(
        "Email me when a scheduled import has errors where the previous one had none", default=True, db_default=True
    )

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined,misc]  # django-stubs declares no AbstractUser.Meta
        db_table = "users"
        swappable = "AUTH_USER_MODEL"
