"""The site's icon: every page links it, and /favicon.ico answers (a browser asks for it
whatever a page links, and a 404 there logged a warning on every page view)."""

from __future__ import annotations

import logging

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_favicon_ico_redirects_to_the_icon_and_logs_nothing(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
    assert finders.find("favicon.svg") is not None
    assert not [r for r in caplog.records if r.name == "django.request"]


@pytest.mark.parametrize(
    ("role", "url"),
    [("anonymous", "/accounts/login/"), ("owner", "/store/alpha/"), ("admin_user", "/admin/imports")],
)
def test_portal_and_admin_pages_link_the_icon(as_role, role, url):
    response = as_role(role).get(url, follow=True)

    assert response.status_code == 200
    assert b'rel="icon"' in response.content and b"favicon.svg" in response.content
