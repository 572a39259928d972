"""The error bodies every API documents, by status code: `error_responses(400, 404, ...)`.

What the answers themselves look like is decided by DRF and by
core.api.exception_handlers; this only tells the OpenAPI schema.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer[dict[str, Any]]):
    detail = serializers.CharField()

    class Meta:
        ref_name = "ErrorDetail"


class ConflictSerializer(serializers.Serializer[dict[str, Any]]):
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
CONFLICT = OpenApiResponse(
    ConflictSerializer,
    description="An import of this store and language is already active, "
    "or the job is not in a state that allows this.",
)
THROTTLED = OpenApiResponse(
    ErrorDetailSerializer, description="Too many imports started: retry after `Retry-After` seconds."
)
UNSUPPORTED_MEDIA = OpenApiResponse(ErrorDetailSerializer, description="The body's content type is not accepted here.")


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    table = {
        400: BAD_REQUEST,
        401: UNAUTHORIZED,
        403: FORBIDDEN,
        404: NOT_FOUND,
        409: CONFLICT,
        415: UNSUPPORTED_MEDIA,
        429: THROTTLED,
    }
    return {code: table[code] for code in codes}
