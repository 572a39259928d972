"""The admin's navigation carries the guide's entries, and the standard admin keeps working."""

from __future__ import annotations

import pytest
from django.urls import reverse

from marketplace.models import MarketplaceImportJob
from tests.factories.marketplace import MarketplaceImportJobFactory

pytestmark = pytest.mark.django_db
Status = MarketplaceImportJob.Status

ENTRIES = {
    "Dashboard": "/admin/",
    "Users": "/admin/accounts/user/",
    "Stores": "/admin/stores/store/",
    "Marketplace Import": "/admin/marketplace",
    "Developer Tools": "api-docs",  # the Swagger UI, wherever the API's URLs put it
    "Import Jobs": "/admin/imports",
    "Feeds": "/admin/feeds",
    "Application Logs": "/admin/logs",
}


def _assert_entries(content: str) -> None:
    for label, url in ENTRIES.items():
        url = url if url.startswith("/") else reverse(url)
        assert f'<a href="{url}"' in content and f">{label}</a>" in content, label
    assert "Platform Monitoring" in content


def test_the_dashboard_shows_import_statistics_and_the_entries(admin_client_root, store):
    MarketplaceImportJobFactory(store=store, status=Status.PROCESSING)
    MarketplaceImportJobFactory(store=store, status=Status.FAILED, language="de")
    response = admin_client_root.get(reverse("admin:index"))
    content = response.content.decode()
    _assert_entries(content)
    assert '<span class="stat-value">2</span><span class="stat-label">Total jobs</span>' in content
    assert '<span class="stat-value">1</span><span class="stat-label">Failed</span>' in content
    assert "/admin/imports?status=failed" in content
    # Django's own app list is still there.
    assert reverse("admin:marketplace_marketplaceimportjob_changelist") in content


@pytest.mark.parametrize(
    "url",
    [
        "/admin/marketplace",
        "/admin/imports",
        "/admin/logs",
        "/admin/stores/alpha/edit",
        "/admin/marketplace/marketplaceimportjob/",
        "/admin/stores/store/",
    ],
)
def test_every_admin_page_has_the_entries_in_its_sidebar(admin_client_root, store, url):
    content = admin_client_root.get(url).content.decode()
    sidebar = content.split('id="nav-sidebar"')[1].split("</nav>")[0]
    _assert_entries(sidebar)


def test_the_current_page_is_marked_in_the_sidebar(admin_client_root):
    content = admin_client_root.get("/admin/imports").content.decode()
    assert '<a href="/admin/imports" aria-current="page">Import Jobs</a>' in content


def test_the_standard_admin_still_works(admin_client_root, store, admin_user):
    for url in [
        reverse("admin:app_list", args=["marketplace"]),
        reverse("admin:stores_store_change", args=[store.pk]),
        reverse("admin:accounts_user_change", args=[admin_user.pk]),
        reverse("admin:stores_store_add"),
        reverse("admin:password_change"),
    ]:
        assert admin_client_root.get(url).status_code == 200, url


def test_staff_without_model_permissions_see_only_the_platform_pages(staff_client):
    content = staff_client.get(reverse("admin:index")).content.decode()
    assert "/admin/marketplace" in content
    assert "/admin/accounts/user/" not in content
