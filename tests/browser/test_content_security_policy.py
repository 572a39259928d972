"""The strict Content-Security-Policy holds in a real browser on the pages most likely to
need inline code: the Swagger UI, the Django admin and the portal (any violation in the
console fails the test, see conftest.new_page)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_swagger_ui_renders_under_the_policy(page, login, owner):
    login(page, owner.username)
    page.goto("/api/docs/")
    page.get_by_text("Letzshop", exact=False).first.wait_for()
    page.locator(".opblock").first.wait_for()  # the operations, drawn by Swagger UI's own script


def test_the_django_admin_and_the_platform_pages_render_under_the_policy(page, login, admin_user):
    login(page, admin_user.username)
    for path in (
        "/admin/",
        "/admin/imports",
        "/admin/marketplace",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{admin_user.pk}/change/",
    ):
        response = page.goto(path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")


def test_the_store_portal_renders_under_the_policy(page, login, owner, store):
    login(page, owner.username)
    for path in (f"/store/{store.code}/", f"/store/{store.code}/marketplace", f"/store/{store.code}/products"):
        assert page.goto(path).status == 200, path
    page.wait_for_load_state("networkidle")
