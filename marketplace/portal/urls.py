"""The store's Marketplace Import pages, under /store/ (see config/urls.py)."""

from __future__ import annotations

from django.urls import path

from marketplace.portal import views

app_name = "marketplace"

urlpatterns = [
    path("<slug:code>/marketplace", views.import_page, name="import"),
    path("<slug:code>/marketplace/", views.import_page),
    path("<slug:code>/marketplace/history", views.import_history, name="history"),
    path("<slug:code>/marketplace/jobs/<int:job_id>", views.job_detail, name="job-detail"),
    path("<slug:code>/marketplace/jobs/<int:job_id>/summary", views.job_summary, name="job-summary"),
    path("<slug:code>/marketplace/jobs/<int:job_id>/errors", views.job_errors, name="job-errors"),
    path("<slug:code>/marketplace/jobs/<int:job_id>/errors.csv", views.job_errors_csv, name="job-errors-csv"),
    path(
        "<slug:code>/marketplace/jobs/<int:job_id>/rows-to-fix.csv",
        views.job_rows_to_fix_csv,
        name="job-rows-to-fix-csv",
    ),
    path("<slug:code>/marketplace/jobs/<int:job_id>/cancel", views.job_cancel, name="job-cancel"),
    path("<slug:code>/marketplace/jobs/<int:job_id>/retry", views.job_retry, name="job-retry"),
    path("<slug:code>/marketplace/jobs/<int:job_id>/removal", views.job_removal, name="job-removal"),
]
