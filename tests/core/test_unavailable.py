"""While the database is unreachable the API answers 503 JSON with Retry-After and the
portal a friendly 503 page, never a 500; the next request after it is back works."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from tests.factories.marketplace import MarketplaceImportJobFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_goes_away():
    """Make the default connection fail for real: its server kills it (PostgreSQL) or its
    file cannot be opened (SQLite)."""

    def go_away() -> None:
        if connection.vendor == "postgresql":
            from django.db import connections

            killer = connections.create_connection("default")
            with killer.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])
            killer.close()
        else:
            connection.close()
            connection.settings_dict["NAME"] = "/nonexistent-directory/db.sqlite3"

    name = connection.settings_dict["NAME"]
    health = connection.settings_dict.get("CONN_HEALTH_CHECKS")
    # A health check would reconnect before the request: the outage is what we want to see.
    connection.settings_dict["CONN_HEALTH_CHECKS"] = False
    yield go_away
    connection.close()
    connection.settings_dict["NAME"] = name
    connection.settings_dict["CONN_HEALTH_CHECKS"] = health


def _logged_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_api_answers_503_json_with_retry_after_while_the_database_is_down(store, owner, database_goes_away):
    job = MarketplaceImportJobFactory(store=store)
    client = _logged_in_client(owner)
    url = f"/api/v1/store/marketplace/imports/{job.pk}"
    assert client.get(url).status_code == 200
    database_goes_away()
    response = client.get(url)
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "5"
    assert "unavailable" in response.json()["detail"]


def test_the_portal_shows_a_friendly_503_page_while_the_database_is_down(store, owner, database_goes_away):
    client = _logged_in_client(owner)
    url = f"/store/{store.code}/marketplace"
    assert client.get(url).status_code == 200
    database_goes_away()
    response = client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert b"Back in a moment" in response.content
    assert b"Traceback" not in response.content


def test_once_the_database_answers_again_the_next_request_works(store, owner, database_goes_away):
    if connection.vendor != "postgresql":
        pytest.skip("a killed PostgreSQL connection is replaced on the next request")
    client = _logged_in_client(owner)
    database_goes_away()
    assert client.get("/api/v1/store/marketplace/imports").status_code == 503
    # A real server closes a broken connection when each request ends; the test client
    # leaves that signal out, so send it here.
    from django.db import close_old_connections

    close_old_connections()
    assert client.get("/api/v1/store/marketplace/imports").status_code == 200


def test_another_stores_page_shows_our_own_404_page_in_the_demo(settings, store, outsider):
    settings.DEBUG = True  # as `make run` runs
    settings.MARKETPLACE_FRIENDLY_ERROR_PAGES = True
    response = _logged_in_client(outsider).get(f"/store/{store.code}/marketplace")
    assert response.status_code == 404
    assert b"This page does not exist" in response.content
    assert b"technical_404" not in response.content and b"Django tried these URL patterns" not in response.content


def test_an_unknown_address_shows_our_own_404_page_in_the_demo(settings, owner):
    settings.DEBUG = True  # as `make run` runs
    settings.MARKETPLACE_FRIENDLY_ERROR_PAGES = True
    response = _logged_in_client(owner).get("/store/no/such/page/")
    assert response.status_code == 404
    assert b"This page does not exist" in response.content
    assert b"Django tried these URL patterns" not in response.content
    # Without the demo switch, DEBUG keeps Django's own page for developers.
    settings.MARKETPLACE_FRIENDLY_ERROR_PAGES = False
    assert b"Django tried these URL patterns" in _logged_in_client(owner).get("/store/no/such/page/").content
