"""Store feeds API under /api/v1/store/feeds (SPEC 11); every path with or without a trailing slash."""

from __future__ import annotations

from django.urls import re_path

from feeds.api import views

# Included at "v1/store/". The language is matched loosely and checked by the view, so any
# segment answers a JSON 404.
urlpatterns = [
    re_path(r"^feeds(?:/)?$", views.FeedListApi.as_view(), name="store-feeds"),
    re_path(r"^feeds/(?P<language>[^/]+)(?:/)?$", views.FeedUpdateApi.as_view(), name="store-feed-detail"),
    re_path(r"^feeds/(?P<language>[^/]+)/fetch(?:/)?$", views.FeedFetchApi.as_view(), name="store-feed-fetch"),
]
