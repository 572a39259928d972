from __future__ import annotations

from django.urls import re_path

from catalog.api import views

# Included at "v1/store/": every path answers with or without a trailing slash and never by
# a redirect, since a redirected POST loses its body. `(?:/)?` rather than
# `/?`: the same match, and drf-spectacular documents the path without the slash.
urlpatterns = [
    re_path(r"^products(?:/)?$", views.CatalogProductListApi.as_view(), name="store-products"),
    re_path(r"^products/publish(?:/)?$", views.CatalogProductPublishApi.as_view(), name="store-products-publish"),
    re_path(r"^products/unpublish(?:/)?$", views.CatalogProductUnpublishApi.as_view(), name="store-products-unpublish"),
    re_path(
        r"^products/bulk-actions/(?P<action_id>[^/]+)(?:/)?$",
        views.CatalogBulkActionDetailApi.as_view(),
        name="store-products-bulk-action",
    ),
    re_path(
        r"^products/(?P<product_id>[^/]+)(?:/)?$", views.CatalogProductDetailApi.as_view(), name="store-product-detail"
    ),
]
