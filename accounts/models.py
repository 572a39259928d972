from __future__ import annotations

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A platform user. `is_staff` marks a platform admin; store access is by membership."""

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined,misc]  # django-stubs declares no AbstractUser.Meta
        db_table = "users"
        swappable = "AUTH_USER_MODEL"
