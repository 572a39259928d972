"""The demo feeds, mounted at the site's root by config/urls.py only while MARKETPLACE_DEMO_FEEDS is on."""

from __future__ import annotations

from django.urls import path

from demo import views

urlpatterns = [
    path("demo-feeds/<str:name>", views.demo_feed, name="demo-feed"),
]
