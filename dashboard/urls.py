"""The store dashboard, under /store/ (see config/urls.py)."""

from __future__ import annotations

from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("<slug:code>/", views.store_dashboard, name="store"),
]
