"""SPEC 9: a strict Content-Security-Policy and a Permissions-Policy on every page."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/login/",
        "/admin/login/",
        "/api/docs/",
        "/api/schema/",
        "/api/v1/store/marketplace/imports",
        "/no-such-page/",
    ],
)
def test_every_answer_carries_a_strict_policy(path):
    response = Client().get(path)
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    # Only our origin, plus (on the Swagger UI) the hash of its one fixed <style> element.
    style_sources = directives["style-src"].split()
    assert style_sources[0] == "'self'"
    assert all(source.startswith("'sha256-") for source in style_sources[1:])
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
