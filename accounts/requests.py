"""Request types for annotations: what a view may assume about `request.user`.

Django and DRF build plain requests; these classes only tell the type checker what the
view's decorator or permission class has already made sure of. No instance is ever made.
"""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from rest_framework.request import Request

from accounts.models import User
from stores.models import Store, StoreMembership
from stores.selectors import StoreAccess


class AuthenticatedHttpRequest(HttpRequest):
    """A request behind login_required or admin_view: its user is a logged-in User."""

    user: User


class StoreApiRequest(Request):
    """A DRF request as StoreJWTAuthentication and IsStoreMember leave it (accounts.api)."""

    store_access: StoreAccess | None
    store: Store
    membership: StoreMembership | None


def authenticated_user(request: HttpRequest | Request) -> User:
    """request.user of a view that admits logged-in users only (its permission classes,
    or the admin site's staff check)."""
    return cast(User, request.user)
