"""Which stores a user may act on: the one tenancy rule of the house.

A platform admin (`is_staff`) may act on every store and needs no membership; anyone
else only on the stores they are a member of, with what their role allows. The portal
pages (stores.permissions), the API permissions, the JWT authentication and the token
view all ask here. A store the user may not act on is answered like one that does not
exist (None), so that no caller can reveal another store's existence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from stores.models import Store, StoreMembership

if TYPE_CHECKING:
    # The AUTH_USER_MODEL, for the checker only: at run time stores sits below the accounts
    # app and imports nothing from it.
    from accounts.models import User


@dataclass(frozen=True)
class StoreAccess:
    """The store a user acts on, and their membership (None for a platform admin)."""

    store: Store
    membership: StoreMembership | None

    @property
    def can_write(self) -> bool:
        return self.membership is None or self.membership.can_write


def store_list_for_user(*, user: User) -> QuerySet[Store]:
    """Stores the user may see: all for platform admins, their memberships otherwise."""
    if user.is_staff:
        return Store.objects.all()
    return Store.objects.filter(memberships__user=user).distinct()


def store_access_get(*, user: User, code: str | None = None, store_id: int | None = None) -> StoreAccess | None:
    """The user's access to the store with this code (or id), in one query; None when there
    is no such store or the user is no member of it."""
    lookup: dict[str, Any] = {"code": code} if store_id is None else {"id": store_id}
    if user.is_staff:
        store = Store.objects.filter(**lookup).first()
        return StoreAccess(store=store, membership=None) if store is not None else None
    membership = (
        StoreMembership.objects.select_related("store")
        .filter(user=user, **{f"store__{field}": value for field, value in lookup.items()})
        .first()
    )
    return StoreAccess(store=membership.store, membership=membership) if membership is not None else None


def store_access_only(*, user: User) -> StoreAccess | None:
    """The user's access to their only store, when they are a member of exactly one."""
    memberships = list(StoreMembership.objects.select_related("store").filter(user=user)[:2])
    if len(memberships) != 1:
        return None
    return StoreAccess(store=memberships[0].store, membership=memberships[0])


def store_access_get_with_member(*, store_id: int, user_lookup: dict[str, Any]) -> StoreAccess | None:
    """A member's access to the store, with the member's user loaded, in one query.

    For a caller that knows the user only by a lookup (a JWT's user id claim) and reads
    user, membership and store together. None when there is no such membership, which
    for a platform admin is the usual case: ask store_access_get once the user is loaded.
    """
    try:
        # get(): one row at most (unique user and store), and no ORDER BY to build.
        membership = StoreMembership.objects.select_related("user", "store").get(
            store_id=store_id, **{f"user__{field}": value for field, value in user_lookup.items()}
        )
    except (StoreMembership.DoesNotExist, TypeError, ValueError):
        return None
    return StoreAccess(store=membership.store, membership=membership)
