"""JWT endpoints under /api/v1/auth/; every path with or without a trailing slash."""

from __future__ import annotations

from django.urls import re_path

from accounts.api import views

app_name = "auth-api"

urlpatterns = [
    re_path(r"^token(?:/)?$", views.TokenObtainApi.as_view(), name="token"),
    re_path(r"^token/refresh(?:/)?$", views.TokenRefreshApi.as_view(), name="token-refresh"),
]
