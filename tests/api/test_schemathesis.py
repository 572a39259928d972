"""schemathesis against the live schema at /api/schema/: no 5xx, and every response as documented.

The schema is loaded from the running app (in-process WSGI, the test database) and every
import operation is fuzzed with valid (positive) and invalid (negative) data, as a store
owner for the store API and as a platform admin for the admin API. Half the generated job
ids are swapped for real jobs so that details, errors, cancel and retry run on real rows.
Bounded (derandomized, a few dozen examples per operation) to stay well under a minute.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, assume, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import obtain_tokens
from tests.factories.marketplace import MarketplaceImportErrorFactory, MarketplaceImportJobFactory

pytestmark = pytest.mark.django_db

# Not negative_data_rejection: by design an empty filter (`?store_id=&page=`, as the SPEC's own
# example sends) means "no filter", and X-Store-Code is ignored with a store JWT, so some
# schema-violating requests are rightly answered 2xx.
MAX_EXAMPLES = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "no-shrink": True},
        # Boundary values of every parameter, and one unexpected method per path (405). Negative
        # values come from the fuzzing phase: the coverage phase's negative types cost minutes.
        "phases": {
            "coverage": {
                "unexpected-methods": ["DELETE"],
                "generate-duplicate-query-parameters": False,
                "generation": {"mode": "positive"},
            }
        },
    }
)
# The catalog endpoints (/api/v1/store/products) are fuzzed by the catalog's own tests.
IMPORT_API = r"^/api/v1/(auth|store/marketplace|admin/marketplace-import-jobs)"


def _can_negate_bundled_refs(original):
    """schemathesis 4.3.3 crashes (PointerToNowhere) when a negative mutation leaves a
    bundled `$ref` with sibling keywords and then canonicalises it on its own; fixed
    upstream in 4.18.4 (schemathesis/schemathesis#4077) by leaving such a schema as it is,
    which makes it negatable. The same rule here, until the pin moves."""

    def can_negate(schema):
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if isinstance(ref, str) and ref.startswith("#/x-bundled/") and len(schema) > 1:
            return True
        return original(schema)

    return can_negate


@pytest.fixture
def api_schema(callers, settings, monkeypatch):
    from schemathesis.specs.openapi.negative import mutations

    monkeypatch.setattr(mutations, "can_negate", _can_negate_bundled_refs(mutations.can_negate))
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"import_create": "100000/min"},
    }
    # Like Django's test client: the WSGI handler must not close the test's database
    # connection (and its transaction) at the end of each request. After `callers`, whose
    # test-client requests connect the handlers again.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application(), config=CONFIG)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def callers(owner, admin_user, store, password):
    jobs = [
        MarketplaceImportJobFactory(store=store, user=owner, language="fr", status="processing"),
        MarketplaceImportJobFactory(store=store, user=owner, language="de", status="failed"),
        MarketplaceImportJobFactory(store=store, user=admin_user, language="en", status="completed_with_errors"),
    ]
    for job in jobs:
        MarketplaceImportErrorFactory.create_batch(3, import_job=job)
    return {
        "store": f"Bearer {obtain_tokens(owner, password)['access']}",
        "admin": f"Bearer {obtain_tokens(admin_user, password)['access']}",
        "job_ids": [job.pk for job in jobs],
    }


schema = schemathesis.pytest.from_fixture("api_schema").include(path_regex=IMPORT_API)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_import_api_matches_its_schema_and_never_fails(case, callers):
    path = case.operation.path
    headers = {}
    if path.startswith("/api/v1/admin/"):
        headers["Authorization"] = callers["admin"]
    elif path.startswith("/api/v1/store/"):
        headers["Authorization"] = callers["store"]
    # A multipart body that is not an object cannot be sent at all (the test client refuses it).
    assume(isinstance(case.body, dict) or not (case.media_type or "").startswith("multipart/"))
    job_id = (case.path_parameters or {}).get("job_id")
    if isinstance(job_id, int) and job_id % 2 == 0:
        case.path_parameters["job_id"] = callers["job_ids"][job_id % 3]

    case.call_and_validate(headers=headers, checks=CHECKS)
