"""What a locked-out login sees (django-axes' AXES_LOCKOUT_CALLABLE).

Axes' own answer is a bare page, or JSON only for XMLHttpRequest; we want the API's JSON
shape for the token endpoint and a page in the portal's frame for the two login forms,
both saying how long to wait.
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext


def _wait_minutes() -> int:
    return max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    minutes = _wait_minutes()
    # In the page's language; the API's requests are always English (accounts.middleware).
    message = ngettext(
        "Too many failed logins for this account or from this address. "
        "Wait %(minutes)d minute before trying again, or ask a platform admin to unlock it.",
        "Too many failed logins for this account or from this address. "
        "Wait %(minutes)d minutes before trying again, or ask a platform admin to unlock it.",
        minutes,
    ) % {"minutes": minutes}
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "retry_after_seconds": minutes * 60}, status=429)
    else:
        response = render(request, "accounts/locked_out.html", {"message": message, "minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
