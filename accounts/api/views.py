"""JWT endpoints: POST /api/v1/auth/token and /api/v1/auth/token/refresh (SPEC section 6).

A token asked for with `store_code` (or for a user with exactly one store) carries
`store_id` and `store_code` claims: the store JWT of the guide. Refresh tokens rotate and
the used one is blacklisted: of two refreshes with the same token exactly one succeeds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth import authenticate
from django.db import transaction
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.api.authentication import STORE_CODE_CLAIM, STORE_ID_CLAIM, store_access_for_claims
from accounts.models import User
from core.api.errors import error_responses
from stores.models import Store
from stores.selectors import store_access_get, store_access_only

if TYPE_CHECKING:
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

TAGS = ["auth"]


class TokenPairSerializer(serializers.Serializer[dict[str, str]]):
    access = serializers.CharField(help_text="Bearer token for the Authorization header; lives 5 minutes.")
    refresh = serializers.CharField(help_text="Use once at /api/v1/auth/token/refresh for a new pair.")

    class Meta:
        ref_name = "TokenPair"


def _token_store(*, user: User, store_code: str) -> Store | None:
    """The store to bind the token to: the one asked for, else the user's only store."""
    if store_code:
        access = store_access_get(user=user, code=store_code)
        if access is None:
            # The same answer for a store that does not exist: existence is not revealed.
            raise serializers.ValidationError({"store_code": ["You are not a member of this store."]})
        return access.store
    if user.is_staff:
        return None  # without store_code an admin's token is bound to no store: admins may act on all
    access = store_access_only(user=user)
    return access.store if access is not None else None


class _NoAuthentication(BaseAuthentication):
    """Authenticates nobody (a stale Authorization header must not block logging in again),
    but keeps the Bearer challenge so that bad credentials answer 401, not 403."""

    def authenticate(self, request: Request) -> None:
        return None

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class TokenObtainApi(APIView):
    authentication_classes = [_NoAuthentication]
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
        store_code = serializers.CharField(
            max_length=50,
            required=False,
            allow_blank=True,
            help_text="Bind the token to this store (you must be a member).",
        )

        class Meta:
            ref_name = "TokenRequest"

    @extend_schema(
        operation_id="auth_token_create",
        summary="Log in: a JWT pair, bound to a store when store_code is given",
        tags=TAGS,
        request=InputSerializer,
        responses={200: TokenPairSerializer, **error_responses(400, 401, 415)},
        examples=[
            OpenApiExample(
                "Store token",
                request_only=True,
                value={"username": "owner", "password": "secret", "store_code": "demo"},
            )
        ],
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None:
            raise exceptions.AuthenticationFailed("No active account found with the given credentials.")
        store = _token_store(user=user, store_code=data.get("store_code", ""))
        refresh = RefreshToken.for_user(user)
        if store is not None:
            refresh[STORE_ID_CLAIM] = store.pk
            refresh[STORE_CODE_CLAIM] = store.code
        return Response(TokenPairSerializer({"access": str(refresh.access_token), "refresh": str(refresh)}).data)


class TokenRefreshApi(APIView):
    authentication_classes = [_NoAuthentication]
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        refresh = serializers.CharField(max_length=4096)

        class Meta:
            ref_name = "TokenRefreshRequest"

    @extend_schema(
        operation_id="auth_token_refresh",
        summary="Trade a refresh token (once) for a new pair",
        tags=TAGS,
        request=InputSerializer,
        responses={200: TokenPairSerializer, **error_responses(400, 401, 415)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            refresh = RefreshToken(serializer.validated_data["refresh"])  # checks signature, expiry, blacklist
        except TokenError as exc:
            raise InvalidToken(str(exc)) from None
        user = User.objects.filter(
            **{jwt_settings.USER_ID_FIELD: refresh.payload.get(jwt_settings.USER_ID_CLAIM)}
        ).first()
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed("No active account found for the given token.")
        # The store claims are checked again, like on every request: a removed member gets no new token.
        store_access_for_claims(user=user, claims=refresh)
        with transaction.atomic():
            # Blacklisting is the single point of decision: the outstanding token row is unique,
            # so when two requests race with the same token only one creates the blacklist row.
            # simplejwt annotates blacklist() as the row; it returns get_or_create's (row, created).
            _, created = cast("tuple[BlacklistedToken, bool]", refresh.blacklist())
            if not created:
                raise InvalidToken("Token is blacklisted")
        access = refresh.access_token
        refresh.set_jti()
        refresh.set_exp()
        refresh.set_iat()
        refresh.outstand()
        return Response(TokenPairSerializer({"access": str(access), "refresh": str(refresh)}).data)
