"""schemathesis against /api/v1/store/feeds: no 5xx, and every response as documented
(the pattern of tests/api/test_schemathesis.py, as the store's owner)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from tests.api.conftest import obtain_tokens
from tests.api.test_schemathesis import CHECKS, CONFIG, MAX_EXAMPLES

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_schema(caller, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"import_create": "100000/min"},
    }
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application(), config=CONFIG)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def caller(owner, store, password):
    # A documentation address: the address check refuses it before any connection, so
    # Fetch now answers 400 without leaving the machine.
    store.letzshop_csv_url_fr = "https://192.0.2.1/feed.csv"
    store.save()
    return f"Bearer {obtain_tokens(owner, password)['access']}"


# Fetch now apart: within one test the examples share the database, and a fuzzed PATCH
# may leave an address whose host name a fetch would look up outside the machine.
schema = schemathesis.pytest.from_fixture("api_schema")
feeds = schema.include(path_regex=r"^/api/v1/store/feeds(/\{language\})?$")
fetch = schema.include(path_regex=r"^/api/v1/store/feeds/\{language\}/fetch$")


@feeds.parametrize()
@settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_feeds_api_matches_its_schema_and_never_fails(case, caller):
    case.call_and_validate(headers={"Authorization": caller}, checks=CHECKS)


@fetch.parametrize()
@settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_fetch_now_matches_its_schema_and_never_fails(case, caller):
    case.call_and_validate(headers={"Authorization": caller}, checks=CHECKS)
