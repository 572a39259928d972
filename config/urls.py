from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from core.views import favicon

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="accounts:home", permanent=False)),
    path("accounts/", include("accounts.urls")),
    path("store/", include("stores.urls")),
    path("store/", include("dashboard.urls")),
    path("store/", include("marketplace.portal.urls")),
    path("store/", include("catalog.urls")),
    path("api/", include("config.api_urls")),
    path("favicon.ico", favicon),
    # The platform's own admin pages live under /admin/ and must come before the admin site's catch-all.
    path("admin/", include("marketplace.admin_pages.urls")),
    path("admin/", admin.site.urls),
]
if settings.MARKETPLACE_DEMO_FEEDS:
    # The demo store's feeds (demo/), served by the application itself for make run; off in a deployment.
    urlpatterns.append(path("", include("demo.urls")))

handler500 = "core.errors.server_error"
