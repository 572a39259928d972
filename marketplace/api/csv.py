"""The errors.csv endpoints: a streamed CSV on success, JSON for every error answer."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponseBase, StreamingHttpResponse
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from marketplace.exports import errors_csv_lines
from marketplace.models import MarketplaceImportJob
from marketplace.selectors import import_error_list


class CsvRenderer(BaseRenderer):
    """Lets a client send `Accept: text/csv`; the CSV itself is streamed by the view."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return b"" if data is None else str(data).encode(self.charset)


class CsvApiMixin(APIView):
    """Accept JSON or CSV clients; errors (401/403/404...) always answer in JSON."""

    renderer_classes = [JSONRenderer, CsvRenderer]

    def finalize_response(  # type: ignore[override]  # DRF finalizes any HttpResponseBase; its stubs say Response
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        if not isinstance(response, StreamingHttpResponse):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)  # type: ignore[arg-type]  # as above


def errors_csv_response(job: MarketplaceImportJob) -> StreamingHttpResponse:
    """Every error and warning of the job, formula-safe, streamed row by row."""
    errors = import_error_list(job=job).iterator(chunk_size=2000)
    response = StreamingHttpResponse(errors_csv_lines(errors), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response
