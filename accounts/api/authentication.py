"""JWT authentication whose store claims are checked against the database on every request.

A "store JWT" carries `store_id` and `store_code` claims (SPEC section 6). The signature
proves only that the claims were true when the token was issued; a member removed since
then, or a store renamed or deleted, must lose access at once, not when the token expires.
"""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import Token

from accounts.models import User
from accounts.requests import StoreApiRequest
from stores.models import StoreMembership
from stores.selectors import StoreAccess, store_access_get, store_access_get_with_member

STORE_ID_CLAIM = "store_id"
STORE_CODE_CLAIM = "store_code"


class StoreAccessRevoked(exceptions.AuthenticationFailed):
    default_detail = "This token's store access is no longer valid: ask for a new token."
    default_code = "store_access_revoked"


def store_access_for_claims(*, user: User, claims: Any) -> StoreAccess | None:
    """The store access a token's claims give, checked against the database now.

    Returns None for a token without store claims. Raises StoreAccessRevoked when the
    store is gone, was renamed, or the user is no longer a member (admins need no
    membership).
    """
    store_id = claims.get(STORE_ID_CLAIM)
    if store_id is None:
        return None
    if not isinstance(store_id, int) or isinstance(store_id, bool):
        raise StoreAccessRevoked()
    access = store_access_get(user=user, store_id=store_id)
    if access is None or access.store.code != claims.get(STORE_CODE_CLAIM):
        raise StoreAccessRevoked()
    return access


def _claimed_access(claims: Any) -> StoreAccess | None:
    """A store JWT's access with its member's user, in one query, when all is well.

    Returns None whenever the answer is anything but a plain success (no store claims, no
    such membership, a renamed store, an inactive user, a platform admin, revocation
    checks on): the caller then takes simplejwt's path and store_access_for_claims, which
    give the exact error. A success is the same either way.
    """
    store_id, user_id = claims.get(STORE_ID_CLAIM), claims.get(jwt_settings.USER_ID_CLAIM)
    if not isinstance(store_id, int) or isinstance(store_id, bool) or user_id is None:
        return None
    if jwt_settings.CHECK_REVOKE_TOKEN:
        return None
    access = store_access_get_with_member(store_id=store_id, user_lookup={jwt_settings.USER_ID_FIELD: user_id})
    if access is None or access.store.code != claims.get(STORE_CODE_CLAIM):
        return None
    user = cast(StoreMembership, access.membership).user  # a member's access: its membership is set
    if user.is_staff or not user.is_active:
        return None
    return access


class StoreJWTAuthentication(JWTAuthentication):
    """simplejwt's JWTAuthentication, plus the store claims re-checked on every request.

    The store access found is left on the request as `request.store_access` for the
    store permission classes (accounts.api.permissions). A store member's request reads
    user, membership and store in one query (every poll of the portal is one).
    """

    def authenticate(self, request: Request) -> tuple[User, Token] | None:  # type: ignore[override]  # simplejwt's return type names a TypeVar it never binds
        header = self.get_header(request)
        if header is None:
            return None
        raw_token = self.get_raw_token(header)
        if raw_token is None:
            return None
        token = self.get_validated_token(raw_token)
        access = _claimed_access(token)
        store_request = cast(StoreApiRequest, request)  # the same request: these lines give it store_access
        if access is not None:
            store_request.store_access = access
            return cast(StoreMembership, access.membership).user, token  # _claimed_access answers members only
        # simplejwt loads the AUTH_USER_MODEL (TokenUser is for stateless authentication only).
        user = cast(User, self.get_user(token))
        store_request.store_access = store_access_for_claims(user=user, claims=token)
        return user, token


class StoreJWTScheme(SimpleJWTScheme):  # type: ignore[no-untyped-call]  # drf-spectacular's __init_subclass__ is unannotated
    """Documents StoreJWTAuthentication in the OpenAPI schema as simplejwt's bearer scheme."""

    target_class = StoreJWTAuthentication  # type: ignore[assignment]  # a class or a path (OpenApiAuthenticationExtension); SimpleJWTScheme's path narrows it to str
    name = "jwtAuth"
