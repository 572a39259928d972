"""Admin API under /api/v1/admin/marketplace-import-jobs; every path with or without a trailing slash.

Included under /api/v1/admin/ so that the collection itself also answers without its slash;
`(?:/)?` rather than `/?` so that drf-spectacular documents the paths without the slash.
"""

from __future__ import annotations

from django.urls import re_path

from marketplace.api import admin_views as views

app_name = "admin-api"

urlpatterns = [
    re_path(r"^marketplace-import-jobs(?:/)?$", views.AdminImportJobListCreateApi.as_view(), name="import-list"),
    re_path(r"^marketplace-import-jobs/stats(?:/)?$", views.AdminImportJobStatsApi.as_view(), name="import-stats"),
    re_path(
        r"^marketplace-import-jobs/(?P<job_id>[^/]+)(?:/)?$",
        views.AdminImportJobDetailApi.as_view(),
        name="import-detail",
    ),
    re_path(
        r"^marketplace-import-jobs/(?P<job_id>[^/]+)/errors(?:/)?$",
        views.AdminImportJobErrorListApi.as_view(),
        name="import-errors",
    ),
    re_path(
        r"^marketplace-import-jobs/(?P<job_id>[^/]+)/errors\.csv(?:/)?$",
        views.AdminImportJobErrorCsvApi.as_view(),
        name="import-errors-csv",
    ),
    re_path(
        r"^marketplace-import-jobs/(?P<job_id>[^/]+)/rows-to-fix\.csv(?:/)?$",
        views.AdminImportJobRowsToFixCsvApi.as_view(),
        name="import-rows-to-fix-csv",
    ),
    re_path(
        r"^marketplace-import-jobs/(?P<job_id>[^/]+)/cancel(?:/)?$",
        views.AdminImportJobCancelApi.as_view(),
        name="import-cancel",
    ),
    re_path(
        r"^marketplace-import-jobs/(?P<job_id>[^/]+)/retry(?:/)?$",
        views.AdminImportJobRetryApi.as_view(),
        name="import-retry",
    ),
]
