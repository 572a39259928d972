"""The per-job endpoints the store API and the admin API share (detail, errors, errors.csv,
cancel): one implementation each. The two APIs differ only in who may call them, how a
job is found for the caller, and their documentation, so each subclass sets its
permissions and `get_job`, and documents itself with `extend_schema_view`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponseBase, StreamingHttpResponse
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import PaginationInput, limit_field, paginate
from marketplace.api.conditional import conditional_response, jobs_etag
from marketplace.api.csv import CsvApiMixin, errors_csv_response
from marketplace.api.serializers import ImportErrorOutputSerializer, ImportJobOutputSerializer
from marketplace.exports import rows_to_fix_response
from marketplace.models import MarketplaceImportError, MarketplaceImportJob
from marketplace.selectors import import_error_list
from marketplace.services import import_job_cancel


class ErrorFilterInput(PaginationInput):
    limit = limit_field(50)
    severity = serializers.ChoiceField(choices=MarketplaceImportError.Severity.choices, required=False)
    error_type = serializers.ChoiceField(choices=MarketplaceImportError.ErrorType.choices, required=False)

    class Meta:
        ref_name = "ImportErrorFilter"


def error_page(*, job: MarketplaceImportJob, query: Any) -> dict[str, Any]:
    filters = ErrorFilterInput(data=query)
    filters.is_valid(raise_exception=True)
    data = dict(filters.validated_data)
    errors = import_error_list(job=job, severity=data.pop("severity", ""), error_type=data.pop("error_type", ""))
    return paginate(queryset=errors, serializer_class=ImportErrorOutputSerializer, **data)


# No docstrings on these classes: drf-spectacular would show them as every endpoint's description.
class JobApi(APIView):
    # Subclasses say how the caller's job is found (404 for a job they may not see).

    def get_job(self, job_id: str) -> MarketplaceImportJob:
        raise NotImplementedError


class JobDetailApi(JobApi):
    # Polled while a job runs: an unchanged job answers 304 to its ETag, unserialized. The
    # job is looked up (scoped, 404 otherwise) before any tag is compared.
    def get(self, request: Request, job_id: str) -> HttpResponseBase:
        job = self.get_job(job_id)
        return conditional_response(
            request, etag=jobs_etag(request, "job", [job]), render=lambda: Response(ImportJobOutputSerializer(job).data)
        )


class JobErrorListApi(JobApi):
    def get(self, request: Request, job_id: str) -> Response:
        return Response(error_page(job=self.get_job(job_id), query=request.query_params))


class JobErrorCsvApi(CsvApiMixin, JobApi):
    def get(self, request: Request, job_id: str) -> StreamingHttpResponse:
        return errors_csv_response(self.get_job(job_id))


class JobRowsToFixCsvApi(CsvApiMixin, JobApi):
    def get(self, request: Request, job_id: str) -> StreamingHttpResponse:
        return rows_to_fix_response(self.get_job(job_id))


class JobCancelApi(JobApi):
    def post(self, request: Request, job_id: str) -> Response:
        return Response(ImportJobOutputSerializer(import_job_cancel(job=self.get_job(job_id))).data)
