"""Conditional GET for the answers the portal polls: the job list and a job's detail.

The ETag is a digest of what the answer is made of (every column of each job shown, its
store's code and name, its creator's name, the list's total and page), so a matching
`If-None-Match` gets `304 Not Modified` without serializing or rendering anything.

Django's ConditionalGetMiddleware would tag the rendered body instead: every poll would
still serialize and render it. The `condition` decorator does not fit a DRF view whose tag
needs the view's own scoped lookup (it would look the job up a second time), so the views
call `get_conditional_response`, the function behind it, once they hold their rows. They
hold them only after authentication, the permission checks and the store-scoped query: a
job of another store is a 404 whatever `If-None-Match` says, and a tag never says more
than the answer it stands for.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpResponseBase
from django.utils.cache import get_conditional_response, patch_vary_headers
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.request import Request

from accounts.api.permissions import STORE_HEADER
from marketplace.models import MarketplaceImportJob

# Part of every tag: change it when the Job JSON changes shape, so no client keeps an old body.
ETAG_VERSION = "job-json-1"
# Polled answers are the caller's own (private) and always revalidated (no-cache), never
# served stale from a browser's cache.
CACHE_CONTROL = "private, no-cache"


def job_state(job: MarketplaceImportJob) -> tuple[Any, ...]:
    """Everything a job's JSON is made of; the job must come with store and user joined."""
    columns = tuple(getattr(job, field.attname) for field in job._meta.concrete_fields)
    creator = job.user.username if job.user is not None else None
    return columns, job.store.code, job.store.name, creator


def jobs_etag(request: Request, kind: str, jobs: Iterable[MarketplaceImportJob], *extra: Any) -> str:
    """A strong ETag of an answer made of these jobs (and `extra`, e.g. total and page) in
    the representation the request negotiated (JSON, or DRF's browsable page)."""
    parts = (ETAG_VERSION, kind, request.accepted_renderer.format, [job_state(job) for job in jobs], extra)
    return f'"{hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()}"'


def conditional_response(request: Request, *, etag: str, render: Callable[[], HttpResponseBase]) -> HttpResponseBase:
    """304 when `If-None-Match` names `etag` (412 on a failed `If-Match`), else `render()`;
    either way with the ETag and the polling cache headers."""
    response: HttpResponseBase | None = get_conditional_response(request, etag=etag)
    if response is None:
        response = render()
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = CACHE_CONTROL
    # The same URL answers differently per caller, store and format.
    patch_vary_headers(response, ("Accept", "Authorization", STORE_HEADER))
    return response


# --- How the polled endpoints document it -------------------------------------------------
CONDITIONAL_PARAMETERS = [
    OpenApiParameter(
        "If-None-Match",
        str,
        OpenApiParameter.HEADER,
        required=False,
        description="The ETag of the answer you hold: while it is still current the answer is 304 with no body.",
    ),
    OpenApiParameter(
        "ETag",
        str,
        OpenApiParameter.HEADER,
        response=[200, 304],
        description="Send it back in If-None-Match to poll for changes.",
    ),
]
NOT_MODIFIED = {304: OpenApiResponse(description="Not modified: the ETag sent in If-None-Match is current.")}
