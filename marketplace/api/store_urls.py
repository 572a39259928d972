"""Store API under /api/v1/store/marketplace; every path with or without a trailing slash."""

from __future__ import annotations

from django.urls import re_path

from marketplace.api import store_views as views

app_name = "store-api"

# `(?:/)?` rather than `/?`: the same match, and drf-spectacular documents the path without the slash.
# Job ids are matched loosely and parsed by the view, so any segment answers a JSON 404.
urlpatterns = [
    re_path(r"^import(?:/)?$", views.ImportJobCreateApi.as_view(), name="import-create"),
    re_path(r"^imports(?:/)?$", views.ImportJobListApi.as_view(), name="import-list"),
    re_path(r"^imports/(?P<job_id>[^/]+)(?:/)?$", views.ImportJobDetailApi.as_view(), name="import-detail"),
    re_path(r"^imports/(?P<job_id>[^/]+)/errors(?:/)?$", views.ImportJobErrorListApi.as_view(), name="import-errors"),
    re_path(
        r"^imports/(?P<job_id>[^/]+)/errors\.csv(?:/)?$", views.ImportJobErrorCsvApi.as_view(), name="import-errors-csv"
    ),
    re_path(
        r"^imports/(?P<job_id>[^/]+)/rows-to-fix\.csv(?:/)?$",
        views.ImportJobRowsToFixCsvApi.as_view(),
        name="import-rows-to-fix-csv",
    ),
    re_path(r"^imports/(?P<job_id>[^/]+)/cancel(?:/)?$", views.ImportJobCancelApi.as_view(), name="import-cancel"),
    re_path(r"^imports/(?P<job_id>[^/]+)/removal(?:/)?$", views.ImportJobRemovalApi.as_view(), name="import-removal"),
]
