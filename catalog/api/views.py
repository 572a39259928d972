"""Catalog API, base /api/v1/store/products (SPEC section 6).

The store comes from the store JWT (or the session's only store / the X-Store-Code
header), as for the store import API: accounts.api.permissions sets request.store. Every
member may read; owners and managers may publish, unpublish and change overrides.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.status import HTTP_202_ACCEPTED
from rest_framework.views import APIView

from accounts.api.permissions import STORE_HEADER_PARAMETER, IsStoreMember, IsStoreWriter
from accounts.requests import authenticated_user
from catalog.api.serializers import CatalogProductOutputSerializer, CatalogProductPageSerializer
from catalog.bulk_actions import BulkOutcome, catalog_bulk_request
from catalog.models import CatalogBulkAction, Product
from catalog.selectors import (
    ORDERING_DEFAULT,
    ORDERINGS,
    JobScope,
    catalog_bulk_action_get,
    catalog_item_filter,
    catalog_item_get,
    catalog_item_with_translations,
)
from catalog.services import (
    OVERRIDE_FIELDS,
    PublishResult,
    UnpublishResult,
    product_update_overrides,
)
from core.api.errors import error_responses
from core.api.ids import parse_path_id
from core.api.pagination import PaginationInput, limit_field, paginate
from core.ids import MAX_DB_ID
from marketplace.models import Availability, Condition, MarketplaceImportJob
from stores.models import Language, Store

TAGS = ["store catalog"]
PRODUCT_ID_PARAMETER = OpenApiParameter(
    "product_id", int, OpenApiParameter.PATH, description="Catalog product id (the `id` of a published product)."
)
# Integer columns of PostgreSQL (display_order, quantities) are 32-bit.
INT32_MAX = 2**31 - 1
MAX_DB_IDS_PER_REQUEST = 10_000


def _parse_product_id(value: str) -> int:
    """The integer id of a path segment; anything else is an unknown product (404, never a 500)."""
    return parse_path_id(value, not_found="No such product.")


class _StoreMemberReadWriterWrite(BasePermission):
    """Any member may read (GET, HEAD, OPTIONS); only owners and managers may change."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return IsStoreMember().has_permission(request, view)
        return IsStoreWriter().has_permission(request, view)


class _QueryBooleanField(serializers.BooleanField):
    """A query-string boolean spelt exactly `true` or `false`, as the schema says."""

    TRUE_VALUES = {"true"}
    FALSE_VALUES = {"false"}
    NULL_VALUES: set[str | None] = set()


class CatalogFilterInput(PaginationInput):
    limit = limit_field(25)
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Title, feed id, GTIN or brand contains this (case-insensitive).",
    )
    availability = serializers.ChoiceField(
        choices=Availability.choices, required=False, help_text="Effective availability."
    )
    brand = serializers.CharField(required=False, allow_blank=True, max_length=255, help_text="Exact brand.")
    published = _QueryBooleanField(required=False, help_text="Published in the catalog or not.")
    active = _QueryBooleanField(required=False, help_text="Published and active (true) or inactive (false).")
    featured = _QueryBooleanField(required=False, help_text="Published and featured, or not.")
    missing = _QueryBooleanField(
        required=False,
        help_text="Products the store's full feeds no longer list (true) or the others (false). Without it the "
        "products the missing-product policy deactivated are left out.",
    )
    job_id = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_DB_ID,
        help_text="The products of this import: the rows its feed contained (new, changed and unchanged).",
    )
    ordering = serializers.ChoiceField(choices=sorted(ORDERINGS), default=ORDERING_DEFAULT)
    missing_language = serializers.ChoiceField(
        choices=Language.choices,
        required=False,
        help_text="Products that have no translation in this language yet (completeness per language).",
    )

    class Meta:
        ref_name = "CatalogProductFilter"


class CatalogProductListApi(APIView):
    permission_classes = [IsStoreMember]

    @extend_schema(
        operation_id="store_products_list",
        summary="The store's imported products with their catalog state and effective values",
        description="Every imported product of the store, published or not (`published=true` for the catalog "
        "only). `price`, `sale_price`, `availability` and `condition` are the effective values: the store's "
        "override when set, else the imported value. `translations` lists each product's languages as "
        "imported (`missing_language=de`: the products without German). An unknown query parameter is a 400, "
        "so that a misspelt filter never answers with everything.",
        tags=TAGS,
        parameters=[CatalogFilterInput, STORE_HEADER_PARAMETER],
        responses={200: CatalogProductPageSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        # A plain dict: DRF reads a missing boolean in a QueryDict as false, not as absent.
        filters = CatalogFilterInput(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        data = dict(filters.validated_data)
        page, limit, ordering = data.pop("page"), data.pop("limit"), data.pop("ordering")
        if "job_id" in data:
            data["job"] = data.pop("job_id")
        items = catalog_item_with_translations(
            catalog_item_filter(store=request.store, filters=data, ordering=ordering), store=request.store
        )
        return Response(
            paginate(queryset=items, page=page, limit=limit, serializer_class=CatalogProductOutputSerializer)
        )


class _IdListField(serializers.ListField):
    """A list of ids whose errors are flat messages ("Item 3: ..."), like every other field's.

    DRF reports a list's item errors as {index: [messages]}, which is not the documented
    error body (field -> list of strings).
    """

    def to_internal_value(self, data: Any) -> list[int]:
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not isinstance(exc.detail, dict):
                raise
            messages = [
                f"Item {index}: {' '.join(str(m) for m in errors)}" for index, errors in list(exc.detail.items())[:5]
            ]
            if len(exc.detail) > 5:
                messages.append(f"... and {len(exc.detail) - 5} more invalid items.")
            raise serializers.ValidationError(messages) from exc


class _SelectionInput(serializers.Serializer[dict[str, Any]]):
    marketplace_product_ids = _IdListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_DB_ID),
        required=False,
        min_length=1,
        max_length=MAX_DB_IDS_PER_REQUEST,
        help_text="Marketplace product ids (`marketplace_product_id` in the list). All must be the store's.",
    )
    job_id = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_DB_ID,
        help_text="Instead of ids: the products of this finished import of the store.",
    )
    scope = serializers.ChoiceField(
        choices=[JobScope.ALL, JobScope.CHANGED],
        default=JobScope.ALL,
        help_text="With job_id. `all`: the rows its feed contained (new, changed and unchanged, in its language); "
        "`changed`: only what it created or changed.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("marketplace_product_ids" in attrs) == ("job_id" in attrs):
            raise serializers.ValidationError("Give either marketplace_product_ids or job_id.")
        return attrs


def _selection(*, store: Store, data: dict[str, Any]) -> dict[str, Any]:
    """Service arguments from the validated body; a job of another store is "no such job"."""
    if "job_id" not in data:
        return {"marketplace_product_ids": data["marketplace_product_ids"]}
    job = MarketplaceImportJob.objects.filter(store=store, id=data["job_id"]).first()
    if job is None:
        raise serializers.ValidationError({"job_id": ["No such import job."]})
    return {"job": job, "scope": data["scope"]}


class PublishResultSerializer(serializers.Serializer[PublishResult]):
    matched = serializers.IntegerField(help_text="Products named by the ids or selected by the job.")
    published = serializers.IntegerField(help_text="Newly published by this call.")
    already_published = serializers.IntegerField(help_text="Were published already: left unchanged.")

    class Meta:
        ref_name = "PublishResult"


class UnpublishResultSerializer(serializers.Serializer[UnpublishResult]):
    matched = serializers.IntegerField()
    unpublished = serializers.IntegerField(help_text="Removed from the catalog, with their overrides.")
    not_published = serializers.IntegerField(help_text="Were not published: nothing to do.")

    class Meta:
        ref_name = "UnpublishResult"


class BulkActionAcceptedSerializer(serializers.Serializer[CatalogBulkAction]):
    bulk_action_id = serializers.IntegerField(source="id")
    status = serializers.CharField()
    total = serializers.IntegerField(help_text="Products the selection names.")

    class Meta:
        ref_name = "CatalogBulkActionAccepted"


class BulkActionOutputSerializer(serializers.Serializer[CatalogBulkAction]):
    id = serializers.IntegerField()
    action = serializers.ChoiceField(choices=CatalogBulkAction.Action.choices)
    scope = serializers.ChoiceField(choices=CatalogBulkAction.Scope.choices)
    job_id = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=CatalogBulkAction.Status.choices)
    total = serializers.IntegerField(help_text="Products the selection named when it was asked.")
    done = serializers.IntegerField(help_text="Of them, gone through so far.")
    progress_percent = serializers.IntegerField()
    changed = serializers.IntegerField(help_text="Published (or unpublished) by this action so far.")
    unchanged = serializers.IntegerField(help_text="Already published (or not published): left as they were.")
    error_message = serializers.CharField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "CatalogBulkAction"


def _bulk_response(request: Request, input_serializer: type[_SelectionInput], action: str) -> Response:
    serializer = input_serializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    outcome: BulkOutcome = catalog_bulk_request(
        store=request.store,
        user=authenticated_user(request),
        action=action,
        **_selection(store=request.store, data=serializer.validated_data),
    )
    if outcome.bulk_action is not None:
        return Response(BulkActionAcceptedSerializer(outcome.bulk_action).data, status=HTTP_202_ACCEPTED)
    if isinstance(outcome.result, PublishResult):
        return Response(PublishResultSerializer(outcome.result).data)
    return Response(UnpublishResultSerializer(outcome.result).data)


_SELECTION_EXAMPLES = [
    OpenApiExample("Selected products", request_only=True, value={"marketplace_product_ids": [12, 13, 20]}),
    OpenApiExample("All from an import", request_only=True, value={"job_id": 7}),
]


class CatalogProductPublishApi(APIView):
    permission_classes = [IsStoreWriter]
    parser_classes = [JSONParser]

    class InputSerializer(_SelectionInput):
        class Meta:
            ref_name = "CatalogPublish"

    @extend_schema(
        operation_id="store_products_publish",
        summary="Publish products to the store's catalog (selected, or all from an import)",
        description="Idempotent: already published products keep their overrides and settings. Unknown ids "
        "(including other stores' products) are a 400 naming them, and nothing is published. Up to "
        "MARKETPLACE_PUBLISH_SYNC_LIMIT products (5,000 by default): done at once, 200 with the counts. Above "
        "it: 202 `{bulk_action_id, status}`, run by a worker; follow it at `GET /bulk-actions/{id}`. 409 while "
        "another background publish or unpublish of the store is running.",
        tags=TAGS,
        parameters=[STORE_HEADER_PARAMETER],
        request=InputSerializer,
        responses={
            200: PublishResultSerializer,
            202: BulkActionAcceptedSerializer,
            **error_responses(400, 401, 403, 404, 409, 415),
        },
        examples=_SELECTION_EXAMPLES,
    )
    def post(self, request: Request) -> Response:
        return _bulk_response(request, self.InputSerializer, CatalogBulkAction.Action.PUBLISH)


class CatalogProductUnpublishApi(APIView):
    permission_classes = [IsStoreWriter]
    parser_classes = [JSONParser]

    class InputSerializer(_SelectionInput):
        class Meta:
            ref_name = "CatalogUnpublish"

    @extend_schema(
        operation_id="store_products_unpublish",
        summary="Remove products from the store's catalog",
        description="Deletes the catalog entries with their overrides; the imported products stay. Idempotent. "
        "Takes the same body as publish, and like it answers 202 with a bulk action above "
        "MARKETPLACE_PUBLISH_SYNC_LIMIT products.",
        tags=TAGS,
        parameters=[STORE_HEADER_PARAMETER],
        request=InputSerializer,
        responses={
            200: UnpublishResultSerializer,
            202: BulkActionAcceptedSerializer,
            **error_responses(400, 401, 403, 404, 409, 415),
        },
        examples=_SELECTION_EXAMPLES,
    )
    def post(self, request: Request) -> Response:
        return _bulk_response(request, self.InputSerializer, CatalogBulkAction.Action.UNPUBLISH)


class CatalogBulkActionDetailApi(APIView):
    permission_classes = [IsStoreMember]

    @extend_schema(
        operation_id="store_products_bulk_action_retrieve",
        summary="A background publish or unpublish: status and progress",
        description="Another store's bulk action, or an id that is not a number, is a 404.",
        tags=TAGS,
        parameters=[
            OpenApiParameter("action_id", int, OpenApiParameter.PATH, description="`bulk_action_id` of the 202."),
            STORE_HEADER_PARAMETER,
        ],
        responses={200: BulkActionOutputSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, action_id: str) -> Response:
        pk = parse_path_id(action_id, not_found="No such bulk action.")
        return Response(BulkActionOutputSerializer(catalog_bulk_action_get(store=request.store, action_id=pk)).data)


class CatalogProductDetailApi(APIView):
    permission_classes = [_StoreMemberReadWriterWrite]
    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        """Only the keys sent are changed. null (prices) or "" / null (availability, condition) removes the
        override, so the imported value shows through again."""

        price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, allow_null=True, required=False)
        sale_price = serializers.DecimalField(
            max_digits=12,
            decimal_places=2,
            min_value=0,
            allow_null=True,
            required=False,
            help_text="Not above the (effective) price.",
        )
        availability = serializers.ChoiceField(
            choices=Availability.choices, allow_blank=True, allow_null=True, required=False
        )
        condition = serializers.ChoiceField(
            choices=Condition.choices, allow_blank=True, allow_null=True, required=False
        )
        is_featured = serializers.BooleanField(required=False)
        is_active = serializers.BooleanField(required=False, help_text="False hides it without unpublishing.")
        display_order = serializers.IntegerField(required=False, min_value=-INT32_MAX, max_value=INT32_MAX)
        min_quantity = serializers.IntegerField(required=False, min_value=1, max_value=INT32_MAX)
        max_quantity = serializers.IntegerField(
            required=False,
            min_value=1,
            max_value=INT32_MAX,
            allow_null=True,
            help_text="null: no maximum. Not below min_quantity.",
        )

        class Meta:
            ref_name = "CatalogProductUpdate"

    @extend_schema(
        operation_id="store_products_retrieve",
        summary="A published product: effective values, overrides and imported data",
        tags=TAGS,
        parameters=[PRODUCT_ID_PARAMETER, STORE_HEADER_PARAMETER],
        responses={200: CatalogProductOutputSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, product_id: str) -> Response:
        item = catalog_item_get(store=request.store, product_id=_parse_product_id(product_id))
        return Response(CatalogProductOutputSerializer(item).data)

    @extend_schema(
        operation_id="store_products_partial_update",
        summary="Change a published product's overrides and settings",
        tags=TAGS,
        parameters=[PRODUCT_ID_PARAMETER, STORE_HEADER_PARAMETER],
        request=InputSerializer,
        responses={200: CatalogProductOutputSerializer, **error_responses(400, 401, 403, 404, 415)},
        examples=[
            OpenApiExample(
                "Own price, imported availability", request_only=True, value={"price": "24.90", "availability": None}
            )
        ],
    )
    def patch(self, request: Request, product_id: str) -> Response:
        pk = _parse_product_id(product_id)
        product = Product.objects.select_related("marketplace_product").filter(store=request.store, pk=pk).first()
        if product is None:
            raise NotFound("No such product.")
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = {name: value for name, value in serializer.validated_data.items() if name in OVERRIDE_FIELDS}
        product_update_overrides(product=product, data=data)
        return Response(CatalogProductOutputSerializer(catalog_item_get(store=request.store, product_id=pk)).data)
