from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.forms import NOTIFICATION_FIELDS
from accounts.models import User


def user_update_notification_preferences(*, user: User, data: dict[str, Any]) -> list[str]:
    """Save the user's email opt-outs; return the names of the fields that changed."""
    changed = [name for name in NOTIFICATION_FIELDS if name in data and getattr(user, name) != bool(data[name])]
    for name in changed:
        setattr(user, name, bool(data[name]))
    if changed:
        user.save(update_fields=changed)
    return changed


def user_update_language(*, user: User, language: str) -> bool:
    """Save the user's portal language ("" forgets the choice); return whether it changed."""
    if user.language == language:
        return False
    if language and language not in User.Language.values:
        raise ValidationError({"language": _("Choose one of the languages offered.")}, code="invalid_choice")
    user.language = language
    user.save(update_fields=["language"])
    return True
