"""The exception handler of every API (REST_FRAMEWORK["EXCEPTION_HANDLER"])."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import ApplicationError, ConflictError


def _status_code(exc: ApplicationError) -> int:
    # The one place a domain error becomes an HTTP status: services know nothing of HTTP.
    if isinstance(exc, ConflictError):
        return status.HTTP_409_CONFLICT
    return status.HTTP_400_BAD_REQUEST


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus Django's ValidationError as 400 and the domain's errors as
    `{detail, **extra}`: 409 for a ConflictError, 400 for any other ApplicationError."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    if isinstance(exc, ApplicationError):
        return Response({"detail": exc.message, **exc.extra}, status=_status_code(exc))
    return drf_exception_handler(exc, context)
