from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from demo.feeds import DEMO_FEEDS, demo_feed_bytes


def demo_feed(request: HttpRequest, name: str) -> HttpResponse:
    """Serve a demo feed, so the demo store's Quick Fill URLs work without the internet."""
    if name not in DEMO_FEEDS:
        raise Http404("No such demo feed")
    feed = DEMO_FEEDS[name]
    response = HttpResponse(demo_feed_bytes(name), content_type=f"text/csv; charset={feed.encoding}")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
