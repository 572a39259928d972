"""The platform's pages inside the Django admin, mounted under /admin/ before the admin site."""

from __future__ import annotations

from django.urls import path
from django.views.generic import RedirectView

from marketplace.admin_pages import feeds, views

app_name = "admin_pages"

urlpatterns = [
    path("marketplace", views.marketplace, name="marketplace"),
    path("marketplace/history", views.marketplace_history, name="marketplace-history"),
    path("imports", views.imports, name="imports"),
    path("imports/", RedirectView.as_view(pattern_name="admin_pages:imports", query_string=True)),
    path("imports/live", views.imports_live, name="imports-live"),
    path("imports/<int:job_id>", views.import_detail, name="import-detail"),
    path("imports/<int:job_id>/summary", views.import_summary, name="import-summary"),
    path("imports/<int:job_id>/errors", views.import_errors, name="import-errors"),
    path("imports/<int:job_id>/errors.csv", views.import_errors_csv, name="import-errors-csv"),
    path("imports/<int:job_id>/rows-to-fix.csv", views.import_rows_to_fix_csv, name="import-rows-to-fix-csv"),
    path("imports/<int:job_id>/cancel", views.import_cancel, name="import-cancel"),
    path("imports/<int:job_id>/retry", views.import_retry, name="import-retry"),
    path("stores/<slug:code>/edit", views.store_edit, name="store-edit"),
    path("stores/<slug:code>/feeds/<str:language>/fetch", feeds.store_feed_fetch, name="store-feed-fetch"),
    path("feeds", feeds.feeds, name="feeds"),
    path("feeds/", RedirectView.as_view(pattern_name="admin_pages:feeds", query_string=True)),
    path("stores/<slug:code>/missing-products", views.store_missing_settings, name="store-missing-settings"),
    path("logs", views.logs, name="logs"),
    path("logs/", RedirectView.as_view(pattern_name="admin_pages:logs", query_string=True)),
]
