from __future__ import annotations

from django.urls import path

from stores import views

app_name = "stores"

urlpatterns = [
    path("<slug:code>/settings", views.store_settings, name="settings"),
    path("<slug:code>/settings/", views.store_settings),
    path("<slug:code>/settings/feeds/<str:language>/fetch", views.store_feed_fetch, name="feed-fetch"),
    path("<slug:code>/settings/missing-products", views.store_missing_settings, name="missing-settings"),
]
