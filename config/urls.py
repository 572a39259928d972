from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="accounts:home", permanent=False)),
    path("accounts/", include("accounts.urls")),
    path("store/", include("stores.urls")),
    path("", include("marketplace.demo_urls")),
    path("admin/", admin.site.urls),
]
