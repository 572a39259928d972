from __future__ import annotations

from django.urls import re_path

from catalog import views

app_name = "catalog"

# Included under "store/". Each page answers with or without a trailing slash; ids are at
# most 18 digits so that they always fit the database's 64-bit integers.
urlpatterns = [
    re_path(r"^(?P<code>[-\w]+)/products(?:/)?$", views.product_list, name="product-list"),
    re_path(r"^(?P<code>[-\w]+)/products/publish(?:/)?$", views.product_publish_selected, name="product-publish"),
    re_path(r"^(?P<code>[-\w]+)/products/unpublish(?:/)?$", views.product_unpublish_selected, name="product-unpublish"),
    re_path(
        r"^(?P<code>[-\w]+)/products/publish-job/(?P<job_id>[0-9]{1,18})(?:/)?$",
        views.product_publish_job,
        name="product-publish-job",
    ),
    re_path(
        r"^(?P<code>[-\w]+)/products/bulk-actions/(?P<action_id>[0-9]{1,18})(?:/)?$",
        views.bulk_action_detail,
        name="bulk-action",
    ),
    re_path(
        r"^(?P<code>[-\w]+)/products/(?P<product_id>[0-9]{1,18})(?:/)?$", views.product_detail, name="product-detail"
    ),
]
