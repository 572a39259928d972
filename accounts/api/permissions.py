"""Who may call the store API and the admin API.

The store an API call acts on never comes from the request body (SPEC section 9):
- a store JWT names it in its claims (checked by StoreJWTAuthentication);
- otherwise (session authentication, or a token without store claims) it is the user's
  only store, or the store named by the `X-Store-Code` header when they have several.

Membership, role and the store's `is_active` are read from the database on every
request, so removing a member or deactivating a store takes effect at once.
"""

from __future__ import annotations

import re
from typing import cast

from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.models import User
from accounts.requests import StoreApiRequest, authenticated_user
from stores.selectors import StoreAccess, store_access_get, store_access_only

STORE_HEADER = "X-Store-Code"
_STORE_HEADER_META = "HTTP_X_STORE_CODE"
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")
# How every store endpoint documents the header.
STORE_HEADER_PARAMETER = OpenApiParameter(
    STORE_HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="The store to act on, for session authentication or a token without store claims when the "
    "user belongs to several stores. Ignored with a store JWT.",
)


class NoStoreSelected(exceptions.PermissionDenied):
    default_detail = "No store selected: ask for a token with store_code, or name the store in the X-Store-Code header."
    default_code = "no_store_selected"


class StoreInactive(exceptions.PermissionDenied):
    default_detail = "This store is inactive."
    default_code = "store_inactive"


class ReadOnlyRole(exceptions.PermissionDenied):
    default_detail = "Your role in this store is read-only."
    default_code = "read_only_role"


def _store_access_from_header(*, user: User, code: str) -> StoreAccess:
    # Another store answers exactly like a store that does not exist (SPEC section 4).
    access = store_access_get(user=user, code=code) if _SLUG.fullmatch(code) else None
    if access is None:
        raise exceptions.NotFound("No such store.")
    return access


def _only_store_access(*, user: User) -> StoreAccess:
    access = store_access_only(user=user)
    if access is None:
        raise NoStoreSelected()
    return access


def store_access_for_request(request: Request) -> StoreAccess:
    """The store the request acts on; raises 403/404 when there is none the user may use."""
    access: StoreAccess | None = getattr(request, "store_access", None)
    if access is None:
        code = request.META.get(_STORE_HEADER_META, "")
        if code:
            access = _store_access_from_header(user=authenticated_user(request), code=code)
        else:
            access = _only_store_access(user=authenticated_user(request))
        cast(StoreApiRequest, request).store_access = access
    return access


class IsStoreMember(BasePermission):
    """A member of an active store (or a platform admin acting on one); any role may read.

    Sets request.store and request.membership for the view.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        access = store_access_for_request(request)
        if not access.store.is_active:
            raise StoreInactive()
        store_request = cast(StoreApiRequest, request)  # the same request: these lines give it the attributes
        store_request.store = access.store
        store_request.membership = access.membership
        return True


class IsStoreWriter(IsStoreMember):
    """An owner or manager of an active store (or a platform admin): may import and cancel."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not super().has_permission(request, view):
            return False
        if not request.store_access.can_write:
            raise ReadOnlyRole()
        return True


class IsPlatformAdmin(BasePermission):
    """A platform admin (`is_staff`); store users never are."""

    message = "This endpoint is for platform admins."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)
