"""Store API, base /api/v1/store/marketplace (SPEC section 6).

The store comes from the store JWT (or the session's only store / X-Store-Code header),
never from the body or the URL: accounts.api.permissions sets request.store. Owners and
managers may import and cancel; staff members only read.
"""

from __future__ import annotations

from django.http import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.exceptions import APIException
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.permissions import STORE_HEADER_PARAMETER, IsStoreMember, IsStoreWriter
from core.api.errors import error_responses
from core.api.pagination import PaginationInput, page_body, page_rows
from marketplace.api.common import JOB_ID_PARAMETER, parse_job_id
from marketplace.api.conditional import CONDITIONAL_PARAMETERS, NOT_MODIFIED, conditional_response, jobs_etag
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
    RemovalInputSerializer,
)
from marketplace.api.throttles import ImportCreateThrottle
from marketplace.missing import RemovalNotHeld, removal_settle
from marketplace.models import MarketplaceImportJob
from marketplace.selectors import import_job_get_for_store, import_job_list_for_store

TAGS = ["store imports"]
READ_ERRORS = error_responses(401, 403, 404)
WRITE_ERRORS = error_responses(401, 403, 404, 409)


class ImportJobCreateApi(APIView):
    permission_classes = [IsStoreWriter]
    parser_classes = [JSONParser, MultiPartParser]
    throttle_classes = [ImportCreateThrottle]
    throttle_scope = "import_create"

    class InputSerializer(ImportSettingsInput):
        file = None  # type: ignore[assignment]  # None removes the inherited field (DRF), which the stubs do not model; documented for multipart bodies only

        class Meta:
            ref_name = "StoreImportRequest"

    class MultipartInputSerializer(ImportSettingsInput):
        class Meta:
            ref_name = "StoreImportUploadRequest"

    @extend_schema(
        operation_id="store_import_create",
        summary="Start an import",
        tags=TAGS,
        parameters=[STORE_HEADER_PARAMETER],
        request={"application/json": InputSerializer, "multipart/form-data": MultipartInputSerializer},
        responses={202: ImportJobCreatedSerializer, **error_responses(400, 401, 403, 404, 409, 415, 429)},
        examples=[
            OpenApiExample(
                "Feed URL",
                request_only=True,
                value={
                    "source_url": "https://feeds.example.invalid/products.csv",
                    "marketplace": "Letzshop",
                    "batch_size": 1000,
                    "language": "en",
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = self.MultipartInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return start_import(request=request, store=request.store, data=serializer.validated_data)


class ImportJobListApi(APIView):
    permission_classes = [IsStoreMember]

    class FilterSerializer(PaginationInput):
        pass

    @extend_schema(
        operation_id="store_import_list",
        summary="List the store's imports, newest first",
        tags=TAGS,
        parameters=[FilterSerializer, STORE_HEADER_PARAMETER, *CONDITIONAL_PARAMETERS],
        responses={200: ImportJobPageSerializer, **NOT_MODIFIED, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request) -> HttpResponseBase:
        # Polled by the portal: an unchanged page answers 304 to its ETag, unserialized.
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page, limit = filters.validated_data["page"], filters.validated_data["limit"]
        total, rows = page_rows(queryset=import_job_list_for_store(store=request.store), page=page, limit=limit)
        return conditional_response(
            request,
            etag=jobs_etag(request, "list", rows, request.store.pk, total, page, limit),
            render=lambda: Response(
                page_body(rows=rows, total=total, page=page, limit=limit, serializer_class=ImportJobOutputSerializer)
            ),
        )


class _StoreJob(JobApi):
    # The job of the caller's store (404 for any other store's job). A comment, not a
    # docstring: drf-spectacular would make it the endpoints' description.

    def get_job(self, job_id: str) -> MarketplaceImportJob:
        return import_job_get_for_store(store=self.request.store, job_id=parse_job_id(job_id))


@extend_schema_view(
    get=extend_schema(
        operation_id="store_import_retrieve",
        summary="An import's status and counters",
        tags=TAGS,
        parameters=[JOB_ID_PARAMETER, STORE_HEADER_PARAMETER, *CONDITIONAL_PARAMETERS],
        responses={200: ImportJobOutputSerializer, **NOT_MODIFIED, **READ_ERRORS},
    )
)
class ImportJobDetailApi(_StoreJob, JobDetailApi):
    permission_classes = [IsStoreMember]


@extend_schema_view(
    get=extend_schema(
        operation_id="store_import_errors_list",
        summary="An import's row errors and warnings, in row order",
        tags=TAGS,
        parameters=[JOB_ID_PARAMETER, ErrorFilterInput, STORE_HEADER_PARAMETER],
        responses={200: ImportErrorPageSerializer, **error_responses(400, 401, 403, 404)},
    )
)
class ImportJobErrorListApi(_StoreJob, JobErrorListApi):
    permission_classes = [IsStoreMember]


@extend_schema_view(
    get=extend_schema(
        operation_id="store_import_errors_csv",
        summary="All of an import's errors as CSV (safe to open in a spreadsheet)",
        tags=TAGS,
        parameters=[JOB_ID_PARAMETER, STORE_HEADER_PARAMETER],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="UTF-8 CSV with a BOM."),
            **READ_ERRORS,
        },
    )
)
class ImportJobErrorCsvApi(_StoreJob, JobErrorCsvApi):
    permission_classes = [IsStoreMember]


ROWS_TO_FIX_DESCRIPTION = (
    "The rejected rows in the feed's own columns, encoding and delimiter, with a last column"
    " `import_problem`; fixed and uploaded again, they import like the feed."
)


@extend_schema_view(
    get=extend_schema(
        operation_id="store_import_rows_to_fix_csv",
        summary="The rows to fix: an import's rejected rows as a file to correct and upload again",
        tags=TAGS,
        parameters=[JOB_ID_PARAMETER, STORE_HEADER_PARAMETER],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description=ROWS_TO_FIX_DESCRIPTION),
            **READ_ERRORS,
        },
    )
)
class ImportJobRowsToFixCsvApi(_StoreJob, JobRowsToFixCsvApi):
    permission_classes = [IsStoreMember]


@extend_schema_view(
    post=extend_schema(
        operation_id="store_import_cancel",
        summary="Cancel a pending or processing import",
        description="A pending job is cancelled at once; a processing one stops within a few seconds "
        "(its status is still `processing` in this answer until the worker stops).",
        tags=TAGS,
        request=None,
        parameters=[JOB_ID_PARAMETER, STORE_HEADER_PARAMETER],
        responses={200: ImportJobOutputSerializer, **WRITE_ERRORS},
    )
)
class ImportJobCancelApi(_StoreJob, JobCancelApi):
    permission_classes = [IsStoreWriter]


class NoHeldRemoval(APIException):
    status_code = 409
    default_detail = "This import has no held removal: it was settled already, or nothing was held."
    default_code = "no_held_removal"


@extend_schema_view(
    post=extend_schema(
        operation_id="store_import_removal",
        summary="Settle an import's held removal of missing products",
        description="`apply` hands the held products to the store's missing-product policy now (except those a "
        "feed has listed since); `keep` keeps them and resets their absence. 409 when nothing is held.",
        tags=TAGS,
        request=RemovalInputSerializer,
        parameters=[JOB_ID_PARAMETER, STORE_HEADER_PARAMETER],
        responses={200: ImportJobOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
)
class ImportJobRemovalApi(_StoreJob):
    permission_classes = [IsStoreWriter]
    parser_classes = [JSONParser]

    def post(self, request: Request, job_id: str) -> Response:
        job = self.get_job(job_id)
        serializer = RemovalInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            job = removal_settle(job=job, action=serializer.validated_data["action"])
        except RemovalNotHeld:
            raise NoHeldRemoval() from None
        return Response(ImportJobOutputSerializer(import_job_get_for_store(store=request.store, job_id=job.pk)).data)
