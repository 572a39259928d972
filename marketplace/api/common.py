"""Pieces every list and detail API shares: pagination, path ids, the documented error bodies.

Pagination answers `{items, total, page, limit}` (SPEC section 6). `page` and `limit`
must be integers of at least 1 (400 otherwise); a `limit` above 100 is served as 100, and
the answer's `limit` says so; a page past the end is an empty `items` list. A query
parameter a list does not know is a 400, so that a misspelt filter never answers with
everything.
"""

from __future__ import annotations

from typing import Any

from django.db.models import IntegerField, QuerySet, Subquery
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.settings import api_settings

MAX_LIMIT = 100
# Far past any real history, and small enough that (page - 1) * limit stays a valid OFFSET.
MAX_PAGE = 1_000_000
MAX_DB_ID = 2**63 - 1


def limit_field(default: int) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1, default=default,
        help_text=f"Items per page; values above {MAX_LIMIT} are served as {MAX_LIMIT}.",
    )


class PaginationInput(serializers.Serializer):
    """Query parameters `page` and `limit` (10 by default; subclasses may change it with limit_field)."""

    page = serializers.IntegerField(min_value=1, max_value=MAX_PAGE, default=1, help_text="1-based page number.")
    limit = limit_field(10)

    def validate_limit(self, value: int) -> int:
        return min(value, MAX_LIMIT)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A misspelt filter (`created_by_mee=true`) must not silently answer with everything.
        unknown = sorted(set(self.initial_data) - set(self.fields) - {api_settings.URL_FORMAT_OVERRIDE})
        if unknown:
            raise serializers.ValidationError(dict.fromkeys(unknown[:10], ["Unknown query parameter."]))
        return attrs


class _Count(Subquery):
    """`(SELECT COUNT(*) FROM (subquery))`: an uncorrelated scalar subquery, which PostgreSQL
    and SQLite both evaluate once per statement."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()


def page_rows(*, queryset: QuerySet[Any], page: int, limit: int) -> tuple[int, list[Any]]:
    """The total and one page's rows of the queryset, in one query: the total rides on every
    row as a scalar subquery. Only a page past the end (no row to ride on) costs a second
    query. For plain querysets (no annotations of their own); the polled job list uses it.
    """
    offset = (page - 1) * limit
    rows = list(queryset.annotate(_total=_Count(queryset.order_by().values("pk")))[offset : offset + limit])
    total = rows[0]._total if rows else queryset.count()
    return total, rows


def page_body(*, rows: list[Any], total: int, page: int, limit: int,
              serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
    return {"items": serializer_class(rows, many=True).data, "total": total, "page": page, "limit": limit}


def paginate(*, queryset: QuerySet[Any], page: int, limit: int, serializer_class: type[serializers.Serializer]
             ) -> dict[str, Any]:
    """One page of the queryset as `{items, total, page, limit}`, in two queries whatever the limit."""
    total = queryset.count()
    offset = (page - 1) * limit
    rows = list(queryset[offset : offset + limit]) if offset < total else []
    return page_body(rows=rows, total=total, page=page, limit=limit, serializer_class=serializer_class)


def page_serializer(name: str, item_serializer: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The schema component of a page of items, e.g. `ImportJobPage`."""
    return type(
        f"{name}Serializer",
        (serializers.Serializer,),
        {
            "items": item_serializer(many=True),
            "total": serializers.IntegerField(help_text="Items matching the filters, on all pages."),
            "page": serializers.IntegerField(),
            "limit": serializers.IntegerField(),
            "Meta": type("Meta", (), {"ref_name": name}),
        },
    )


def parse_job_id(value: str) -> int:
    """The integer id of a path segment; anything else is an unknown job (404, never a 500)."""
    if not value.isascii() or not value.isdigit() or len(value) > 19 or not 0 < int(value) <= MAX_DB_ID:
        raise NotFound("No such import job.")
    return int(value)


JOB_ID_PARAMETER = OpenApiParameter(
    "job_id", int, OpenApiParameter.PATH, description="Import job id.",
)


# --- Documented error bodies -----------------------------------------------------------
class ErrorDetailSerializer(serializers.Serializer):
    detail = serializers.CharField()

    class Meta:
        ref_name = "ErrorDetail"


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    job_id = serializers.IntegerField(required=False, help_text="The import that is already pending or processing.")
    job_status = serializers.CharField(required=False)

    class Meta:
        ref_name = "Conflict"


VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": "DRF's error body: a list of messages per field at fault "
    "(`non_field_errors` for the whole body), or `detail` for a body that could not be parsed.",
    "additionalProperties": {
        "oneOf": [
            {"type": "string"},
            {"type": "array", "items": {"type": "string"}},
        ]
    },
    "example": {"batch_size": ["Ensure this value is greater than or equal to 100."]},
}

BAD_REQUEST = OpenApiResponse(VALIDATION_ERROR_SCHEMA, description="Invalid input.")
UNAUTHORIZED = OpenApiResponse(
    ErrorDetailSerializer, description="No valid credentials (missing, expired or revoked token)."
)
FORBIDDEN = OpenApiResponse(
    ErrorDetailSerializer,
    description="The caller may not do this: a read-only role, an inactive store, no store selected, or not an admin.",
)
NOT_FOUND = OpenApiResponse(ErrorDetailSerializer, description="No such object among those the caller may see.")
CONFLICT = OpenApiResponse(ConflictSerializer, description="An import of this store and language is already active, "
                           "or the job is not in a state that allows this.")
THROTTLED = OpenApiResponse(
    ErrorDetailSerializer, description="Too many imports started: retry after `Retry-After` seconds."
)
UNSUPPORTED_MEDIA = OpenApiResponse(ErrorDetailSerializer, description="The body's content type is not accepted here.")


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    table = {400: BAD_REQUEST, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT, 415: UNSUPPORTED_MEDIA,
             429: THROTTLED}
    return {code: table[code] for code in codes}
