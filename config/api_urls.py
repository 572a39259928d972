from __future__ import annotations

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

# Every API path answers with and without a trailing slash, never by a redirect (SPEC section 6).
urlpatterns = [
    re_path(r"^schema(?:/)?$", SpectacularAPIView.as_view(), name="api-schema"),
    re_path(r"^docs(?:/)?$", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("v1/auth/", include("accounts.api.urls")),
    path("v1/store/marketplace/", include("marketplace.api.store_urls")),
    path("v1/admin/", include("marketplace.api.admin_urls")),
    path("v1/store/", include("catalog.api.urls")),  # products, products/publish, ...
]
