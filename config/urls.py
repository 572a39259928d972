from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="accounts:home", permanent=False)),
    path("accounts/", include("accounts.urls")),
    path("store/", include("stores.urls")),
    path("store/", include("dashboard.urls")),
    path("store/", include("marketplace.urls")),
    path("store/", include("catalog.urls")),
    path("api/", include("config.api_urls")),
    # The platform's own admin pages live under /admin/ and must come before the admin site's catch-all.
    path("admin/", include("marketplace.admin_urls")),
    path("admin/", admin.site.urls),
    path("", include("marketplace.demo_urls")),
]

handler500 = "core.errors.server_error"
