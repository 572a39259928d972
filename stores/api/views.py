"""Store settings API, /api/v1/store/settings (SPEC 11): the store's name, default
language, Quick Fill feed URLs, missing-product policy and safety net.

The store comes from the store JWT (or the session's only store / the X-Store-Code
header): accounts.api.permissions sets request.store. Every member reads; owners and
managers write (staff get 403).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.permissions import STORE_HEADER_PARAMETER, IsStoreMember, IsStoreWriter
from core.api.errors import error_responses
from stores.models import Language, MissingPolicy, Store
from stores.services import store_update_missing_settings, store_update_settings

TAGS = ["store settings"]


class _MembersReadWritersWrite(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return IsStoreMember().has_permission(request, view)
        return IsStoreWriter().has_permission(request, view)


def _url_field(language: str) -> serializers.CharField:
    return serializers.CharField(
        max_length=2000, allow_blank=True, required=False, help_text=f"The Quick Fill feed URL in {language}."
    )


class StoreSettingsSerializer(serializers.Serializer[Store]):
    name = serializers.CharField(read_only=True)
    default_language = serializers.ChoiceField(choices=Language.choices, required=False)
    letzshop_csv_url_fr = _url_field("French")
    letzshop_csv_url_en = _url_field("English")
    letzshop_csv_url_de = _url_field("German")
    missing_policy = serializers.ChoiceField(
        choices=MissingPolicy.choices, required=False, help_text="What a full import does to the products it lacks."
    )
    missing_grace = serializers.IntegerField(
        min_value=1, max_value=100, required=False, help_text="Consecutive full imports a product must be absent from."
    )
    removal_max_percent = serializers.IntegerField(
        min_value=0,
        max_value=100,
        required=False,
        help_text="Hold the removal when more than this share of the active products would go missing.",
    )
    removal_min_rows_percent = serializers.IntegerField(
        min_value=0,
        max_value=100,
        required=False,
        help_text="Hold the removal when a full feed has fewer rows than this share of the previous one.",
    )

    class Meta:
        ref_name = "StoreSettings"


class StoreSettingsApi(APIView):
    permission_classes = [_MembersReadWritersWrite]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="store_settings_retrieve",
        summary="The store's settings",
        tags=TAGS,
        parameters=[STORE_HEADER_PARAMETER],
        responses={200: StoreSettingsSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        return Response(StoreSettingsSerializer(request.store).data)

    @extend_schema(
        operation_id="store_settings_update",
        summary="Change some of the store's settings",
        tags=TAGS,
        parameters=[STORE_HEADER_PARAMETER],
        request=StoreSettingsSerializer,
        responses={200: StoreSettingsSerializer, **error_responses(400, 401, 403, 404)},
    )
    def patch(self, request: Request) -> Response:
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": ["Send a JSON object."]})
        serializer = StoreSettingsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(serializer.validated_data)
        store = Store.objects.get(pk=request.store.pk)
        try:
            with transaction.atomic():
                store_update_settings(store=store, data=data)
                store_update_missing_settings(store=store, data=data)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from None
        return Response(StoreSettingsSerializer(store).data)
