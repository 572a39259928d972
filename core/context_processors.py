from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The store the page belongs to (set by store views) for the sidebar."""
    return {"current_store": getattr(request, "store", None)}
