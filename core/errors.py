"""Error pages and the 503 answer while the database or the task broker is unreachable.

Django answers an exception it does not know with a 500 (or, under DEBUG, its yellow
debug page). An unreachable database or broker is no bug of the request: the user gets a
503 with `Retry-After` (JSON from the API, a friendly page from the portal), and the
request can simply be sent again.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.urls import Resolver404, resolve
from django.views.defaults import page_not_found

from core.db_errors import DATABASE_UNAVAILABLE

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5

_unavailable: list[type[BaseException]] = list(DATABASE_UNAVAILABLE)
try:
    import redis

    _unavailable += [redis.exceptions.ConnectionError, redis.exceptions.TimeoutError]
except ImportError:
    pass
INFRASTRUCTURE_UNAVAILABLE: tuple[type[BaseException], ...] = tuple(_unavailable)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def service_unavailable(request: HttpRequest) -> HttpResponse:
    response: HttpResponse
    if _is_api(request):
        response = JsonResponse(
            {
                "detail": "The service is briefly unavailable (database or task queue unreachable); "
                f"retry in {RETRY_AFTER_SECONDS} seconds."
            },
            status=503,
        )
    else:
        # Rendered without a request context: context processors may need the database.
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an exception that escaped a middleware lands here, not in the middleware below."""
    exc = sys.exc_info()[1]
    if isinstance(exc, INFRASTRUCTURE_UNAVAILABLE):
        return service_unavailable(request)
    if _is_api(request):
        return JsonResponse({"detail": "Internal server error; it has been logged."}, status=500)
    return HttpResponse(loader.get_template("500.html").render(), status=500)


class ErrorPagesMiddleware:
    """Answer infrastructure failures with 503, and show our own 404/500 pages in the demo.

    `make run` runs with DEBUG on (no secret key or static build needed), where Django
    would show its debug pages to the demo's users; MARKETPLACE_FRIENDLY_ERROR_PAGES
    switches to the product's own pages there too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 404 and settings.DEBUG and settings.MARKETPLACE_FRIENDLY_ERROR_PAGES:
            # A URL that matches no pattern fails before any view runs, so process_exception
            # never sees it and Django shows its debug 404: answer with our page instead.
            try:
                resolve(request.path_info)
            except Resolver404 as exc:
                if not _is_api(request):
                    return page_not_found(request, exc)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, INFRASTRUCTURE_UNAVAILABLE):
            logger.warning("%s %s answered 503: %s", request.method, request.path, exception)
            return service_unavailable(request)
        if not (settings.DEBUG and settings.MARKETPLACE_FRIENDLY_ERROR_PAGES):
            return None  # outside DEBUG Django already uses handler404 / handler500
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        if _is_api(request):
            return None  # DRF answers its own errors; anything else is a bug to see in full
        logger.error("Internal error on %s %s", request.method, request.path, exc_info=exception)
        return HttpResponse(loader.get_template("500.html").render(), status=500)
