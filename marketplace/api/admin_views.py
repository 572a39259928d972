"""Admin API, base /api/v1/admin/marketplace-import-jobs (SPEC section 6): platform admins only."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from accounts.api.permissions import IsPlatformAdmin
from accounts.requests import authenticated_user
from core.api.errors import error_responses
from core.api.ids import MAX_DB_ID
from core.api.pagination import PaginationInput, paginate
from marketplace.api.common import JOB_ID_PARAMETER, parse_job_id
from marketplace.api.conditional import CONDITIONAL_PARAMETERS, NOT_MODIFIED
from marketplace.api.imports import ImportSettingsInput, start_import
from marketplace.api.job_views import (
    ErrorFilterInput,
    JobApi,
    JobCancelApi,
    JobDetailApi,
    JobErrorCsvApi,
    JobErrorListApi,
    JobRowsToFixCsvApi,
)
from marketplace.api.serializers import (
    ImportErrorPageSerializer,
    ImportJobCreatedSerializer,
    ImportJobOutputSerializer,
    ImportJobPageSerializer,
)
from marketplace.api.throttles import ImportCreateThrottle
from marketplace.models import Marketplace, MarketplaceImportJob
from marketplace.selectors import import_job_get_for_user, import_job_list_filtered
from marketplace.services import import_job_retry, import_job_stats
from stores.models import Language, Store

TAGS = ["admin imports"]
READ_ERRORS = error_responses(401, 403, 404)


class _AdminImportInput(ImportSettingsInput):
    store_id = serializers.IntegerField(min_value=1, max_value=MAX_DB_ID)

    def validate_store_id(self, value: int) -> int:
        # A field check (not the view's look-up afterwards), so that an unknown store is
        # reported with the other fields' mistakes in one answer.
        if not Store.objects.filter(id=value).exists():
            raise serializers.ValidationError(_("No store with this id."))
        return value


class AdminImportJobListCreateApi(APIView):
    """`GET /` lists every job with filters; `POST /` starts an import for any store."""

    permission_classes = [IsPlatformAdmin]
    parser_classes = [JSONParser, MultiPartParser]
    throttle_scope = "import_create"

    class InputSerializer(_AdminImportInput):
        file = None  # type: ignore[assignment]  # None removes the inherited field (DRF), which the stubs do not model; documented for multipart bodies only

        class Meta:
            ref_name = "AdminImportRequest"

    class MultipartInputSerializer(_AdminImportInput):
        class Meta:
            ref_name = "AdminImportUploadRequest"

    class FilterSerializer(PaginationInput):
        store_id = serializers.IntegerField(min_value=1, max_value=MAX_DB_ID, required=False)
        status = serializers.ChoiceField(choices=MarketplaceImportJob.Status.choices, required=False)
        marketplace = serializers.ChoiceField(choices=Marketplace.choices, required=False)
        language = serializers.ChoiceField(choices=Language.choices, required=False)
        created_by_me = serializers.BooleanField(required=False, help_text="Only the jobs this admin started.")

        class Meta:
            ref_name = "AdminImportJobFilter"

    def get_throttles(self) -> list[BaseThrottle]:
        # Only starting an import is throttled, not the listing on the same path.
        return [ImportCreateThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        operation_id="admin_import_list",
        summary="List every import, newest first, with filters",
        description="Newest first (`id` descending as tie-breaker). `created_by_me=true` keeps the jobs this "
        "admin started.",
        tags=TAGS,
        parameters=[FilterSerializer],
        responses={200: ImportJobPageSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = dict(filters.validated_data)
        page, limit = data.pop("page"), data.pop("limit")
        jobs = import_job_list_filtered(user=authenticated_user(request), filters=data)
        return Response(paginate(queryset=jobs, page=page, limit=limit, serializer_class=ImportJobOutputSerializer))

    @extend_schema(
        operation_id="admin_import_create",
        summary="Start an import for any store",
        description="JSON with `source_url`, or multipart with `file`; `store_id` names the store.",
        tags=TAGS,
        request={"application/json": InputSerializer, "multipart/form-data": MultipartInputSerializer},
        responses={202: ImportJobCreatedSerializer, **error_responses(400, 401, 403, 409, 415, 429)},
        examples=[
            OpenApiExample(
                "Feed URL",
                request_only=True,
                value={
                    "store_id": 5,
                    "source_url": "https://feeds.example.invalid/products.csv",
                    "marketplace": "Letzshop",
                    "batch_size": 1000,
                    "language": "fr",
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = self.MultipartInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        store = Store.objects.filter(id=data["store_id"]).first()
        if store is None:
            raise serializers.ValidationError({"store_id": ["No store with this id."]})
        return start_import(request=request, store=store, data=data, rename={"store": "store_id"})


class AdminImportJobStatsApi(APIView):
    permission_classes = [IsPlatformAdmin]

    class OutputSerializer(serializers.Serializer[dict[str, int]]):
        total = serializers.IntegerField()
        active = serializers.IntegerField(help_text="pending + processing")
        pending = serializers.IntegerField()
        processing = serializers.IntegerField()
        completed = serializers.IntegerField()
        completed_with_errors = serializers.IntegerField()
        failed = serializers.IntegerField()
        cancelled = serializers.IntegerField()

        class Meta:
            ref_name = "ImportJobStats"

    @extend_schema(
        operation_id="admin_import_stats",
        summary="Job counts per status, platform-wide",
        tags=TAGS,
        responses={200: OutputSerializer, **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(import_job_stats()).data)


class _AnyJob(JobApi):
    # Any job (platform admins). A comment, not a docstring: drf-spectacular would make it
    # the endpoints' description.

    def get_job(self, job_id: str) -> MarketplaceImportJob:
        return import_job_get_for_user(user=authenticated_user(self.request), job_id=parse_job_id(job_id))


@extend_schema_view(
    get=extend_schema(
        operation_id="admin_import_retrieve",
        summary="Any import's details",
        tags=TAGS,
        parameters=[JOB_ID_PARAMETER, *CONDITIONAL_PARAMETERS],
        responses={200: ImportJobOutputSerializer, **NOT_MODIFIED, **READ_ERRORS},
    )
)
class AdminImportJobDetailApi(_AnyJob, JobDetailApi):
    permission_classes = [IsPlatformAdmin]


@extend_schema_view(
    get=extend_schema(
        operation_id="admin_import_errors_list",
        summary="Any import's row errors and warnings",
        tags=TAGS,
        parameters=[JOB_ID_PARAMETER, ErrorFilterInput],
        responses={200: ImportErrorPageSerializer, **error_responses(400, 401, 403, 404)},
    )
)
class AdminImportJobErrorListApi(_AnyJob, JobErrorListApi):
    permission_classes = [IsPlatformAdmin]


@extend_schema_view(
    get=extend_schema(
        operation_id="admin_import_errors_csv",
        summary="All of an import's errors as CSV",
        tags=TAGS,
        parameters=[JOB_ID_PARAMETER],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="UTF-8 CSV with a BOM."),
            **READ_ERRORS,
        },
    )
)
class AdminImportJobErrorCsvApi(_AnyJob, JobErrorCsvApi):
    permission_classes = [IsPlatformAdmin]


@extend_schema_view(
    get=extend_schema(
        operation_id="admin_import_rows_to_fix_csv",
        summary="The rows to fix: an import's rejected rows as a file to correct and upload again",
        tags=TAGS,
        parameters=[JOB_ID_PARAMETER],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="The rejected rows in the feed's own columns, encoding and delimiter, with a last column"
                " `import_problem`.",
            ),
            **READ_ERRORS,
        },
    )
)
class AdminImportJobRowsToFixCsvApi(_AnyJob, JobRowsToFixCsvApi):
    permission_classes = [IsPlatformAdmin]


@extend_schema_view(
    post=extend_schema(
        operation_id="admin_import_cancel",
        summary="Cancel any pending or processing import",
        tags=TAGS,
        request=None,
        parameters=[JOB_ID_PARAMETER],
        responses={200: ImportJobOutputSerializer, **error_responses(401, 403, 404, 409)},
    )
)
class AdminImportJobCancelApi(_AnyJob, JobCancelApi):
    permission_classes = [IsPlatformAdmin]


class AdminImportJobRetryApi(_AnyJob, JobApi):
    permission_classes = [IsPlatformAdmin]
    throttle_classes = [ImportCreateThrottle]
    throttle_scope = "import_create"

    @extend_schema(
        operation_id="admin_import_retry",
        summary="Start a new import with the settings of a failed, cancelled or partly failed one",
        tags=TAGS,
        request=None,
        parameters=[JOB_ID_PARAMETER],
        responses={202: ImportJobCreatedSerializer, **error_responses(400, 401, 403, 404, 409, 429)},
    )
    def post(self, request: Request, job_id: str) -> Response:
        new_job = import_job_retry(job=self.get_job(job_id), user=authenticated_user(request))
        return Response(ImportJobCreatedSerializer({"job_id": new_job.pk, "status": new_job.status}).data, status=202)
