"""Site-wide views that belong to no app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers and feed readers ask for /favicon.ico whatever the page links to; without an
    answer Django logs a "Not Found" warning on every page view. The static URL is built per
    request because the production storage names the file by its content's hash."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
