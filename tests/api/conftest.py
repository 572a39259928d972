from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import User
from marketplace.models import MarketplaceImportJob
from tests.factories.marketplace import MarketplaceImportJobFactory

TOKEN_URL = "/api/v1/auth/token"
STORE_API = "/api/v1/store/marketplace"
ADMIN_API = "/api/v1/admin/marketplace-import-jobs"
LIST = f"{STORE_API}/imports"
# The fields of a job and of a row error in the API's JSON (SPEC 5).
JOB_FIELDS = {
    "id",
    "store_id",
    "store_code",
    "store_name",
    "user_id",
    "created_by",
    "marketplace",
    "source_url",
    "language",
    "batch_size",
    "status",
    "imported_count",
    "updated_count",
    "unchanged_count",
    "translations_added",
    "error_count",
    "warning_count",
    "total_processed",
    "progress_percent",
    "detected_encoding",
    "detected_delimiter",
    "error_message",
    "started_at",
    "completed_at",
    "created_at",
    "updated_at",
    "duration_seconds",
    "is_full_feed",
    "missing_count",
    "returned_count",
    "removal_held",
    "dry_run",
    "check_report",
}
ERROR_FIELDS = {
    "id",
    "row_number",
    "identifier",
    "error_type",
    "severity",
    "field",
    "error_message",
    "code",
    "row_data",
}
FEED_URL = "https://feeds.example.lu/products.csv"


def detail_url(job: MarketplaceImportJob) -> str:
    return f"{STORE_API}/imports/{job.pk}"


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    # The import_create throttle counts in the (locmem) cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def obtain_tokens(user: User, password: str, store_code: str | None = None) -> dict[str, str]:
    body = {"username": user.username, "password": password}
    if store_code is not None:
        body["store_code"] = store_code
    response = APIClient().post(TOKEN_URL, body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def client_for(password) -> Callable[..., APIClient]:
    """An APIClient with a bearer token of the user (bound to store_code when given)."""

    def make(user: User | None, store_code: str | None = None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(user, password, store_code)['access']}")
        return client

    return make


@pytest.fixture
def api(client_for, owner):
    """alice's client, with the store JWT she gets by default (she has one store); modules
    that need another caller define their own."""
    return client_for(owner)


@pytest.fixture
def job(store, owner) -> MarketplaceImportJob:
    """A job of alice's store, running: what the portal's auto-refresh polls."""
    return MarketplaceImportJobFactory(
        store=store, user=owner, status=MarketplaceImportJob.Status.PROCESSING, total_processed=1000
    )
