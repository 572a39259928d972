from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from stores.models import Store, StoreMembership


def store_list_for_user(*, user: User) -> QuerySet[Store]:
    """Stores the user may see: all for platform admins, their memberships otherwise."""
    if user.is_staff:
        return Store.objects.all()
    return Store.objects.filter(memberships__user=user).distinct()


def membership_get(*, user: User, store: Store) -> StoreMembership | None:
    return StoreMembership.objects.filter(user=user, store=store).first()
