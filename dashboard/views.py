"""The store dashboard, /store/<code>/: the page a store user lands on after login."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from accounts.requests import AuthenticatedHttpRequest
from dashboard.selectors import store_dashboard_data
from stores.permissions import store_for_request


@login_required
def store_dashboard(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    store = store_for_request(request, code)
    context = {
        "store": store,
        "poll_seconds": getattr(settings, "MARKETPLACE_PORTAL_REFRESH_SECONDS", 10),
        **store_dashboard_data(store=store),
    }
    return render(request, "dashboard/store.html", context)
