from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from stores.permissions import store_for_request
from stores.selectors import store_dashboard_data


@login_required
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    store = store_for_request(request, code)
    return render(request, "stores/dashboard.html", {"store": store, **store_dashboard_data(store=store)})
