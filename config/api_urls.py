from __future__ import annotations

from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

# Swagger UI (drf-spectacular-sidecar's pinned build) adds one fixed <style> element at
# start-up; its hash admits exactly that one, instead of 'unsafe-inline' for the page.
# The init script is served as a file by the split view, so scripts stay 'self' only.
SWAGGER_UI_STYLE_HASH = "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"
swagger_ui = csp_update({"style-src": [SWAGGER_UI_STYLE_HASH]})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema")
)

# Every API path answers with and without a trailing slash, never by a redirect (SPEC section 6).
urlpatterns = [
    re_path(r"^schema(?:/)?$", SpectacularAPIView.as_view(), name="api-schema"),
    re_path(r"^docs(?:/)?$", swagger_ui, name="api-docs"),
    path("v1/auth/", include("accounts.api.urls")),
    path("v1/store/marketplace/", include("marketplace.api.store_urls")),
    path("v1/admin/", include("marketplace.api.admin_urls")),
    path("v1/store/", include("catalog.api.urls")),  # products, products/publish, ...
    path("v1/store/", include("feeds.api.urls")),  # feeds, feeds/{language}, feeds/{language}/fetch
    path("v1/store/", include("stores.api.urls")),  # settings
]
