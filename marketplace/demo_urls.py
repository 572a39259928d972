from __future__ import annotations

from django.urls import path

from marketplace import demo_views

urlpatterns = [
    path("demo-feeds/<str:name>", demo_views.demo_feed, name="demo-feed"),
]
