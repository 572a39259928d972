"""The platform's pages inside the Django admin, mounted under /admin/ before the admin site."""

from __future__ import annotations

from django.urls import path
from django.views.generic import RedirectView

from marketplace import admin_views

app_name = "admin_pages"

urlpatterns = [
    path("marketplace", admin_views.marketplace, name="marketplace"),
    path("marketplace/history", admin_views.marketplace_history, name="marketplace-history"),
    path("imports", admin_views.imports, name="imports"),
    path("imports/", RedirectView.as_view(pattern_name="admin_pages:imports", query_string=True)),
    path("imports/live", admin_views.imports_live, name="imports-live"),
    path("imports/<int:job_id>", admin_views.import_detail, name="import-detail"),
    path("imports/<int:job_id>/summary", admin_views.import_summary, name="import-summary"),
    path("imports/<int:job_id>/errors", admin_views.import_errors, name="import-errors"),
    path("imports/<int:job_id>/errors.csv", admin_views.import_errors_csv, name="import-errors-csv"),
    path("imports/<int:job_id>/cancel", admin_views.import_cancel, name="import-cancel"),
    path("imports/<int:job_id>/retry", admin_views.import_retry, name="import-retry"),
    path("stores/<slug:code>/edit", admin_views.store_edit, name="store-edit"),
    path("logs", admin_views.logs, name="logs"),
    path("logs/", RedirectView.as_view(pattern_name="admin_pages:logs", query_string=True)),
]
