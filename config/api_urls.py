from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("v1/auth/", include("accounts.api.urls")),
    path("v1/store/marketplace", include("marketplace.api.store_urls")),
    path("v1/admin/marketplace-import-jobs", include("marketplace.api.admin_urls")),
    path("v1/store/products", include("catalog.api.urls")),
]
