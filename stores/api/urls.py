from __future__ import annotations

from django.urls import re_path

from stores.api import views

# Included at "v1/store/"; with or without a trailing slash, never by a redirect.
urlpatterns = [
    re_path(r"^settings(?:/)?$", views.StoreSettingsApi.as_view(), name="store-settings"),
]
