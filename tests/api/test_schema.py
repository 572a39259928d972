"""The OpenAPI schema at /api/schema/ and the offline Swagger UI at /api/docs/."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.api.conftest import ERROR_FIELDS, JOB_FIELDS

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("post", "/api/v1/auth/token"): {"200", "400", "401", "415"},
    ("post", "/api/v1/auth/token/refresh"): {"200", "400", "401", "415"},
    ("post", "/api/v1/store/marketplace/import"): {"202", "400", "401", "403", "404", "409", "415", "429"},
    ("get", "/api/v1/store/marketplace/imports"): {"200", "304", "400", "401", "403", "404"},
    ("get", "/api/v1/store/marketplace/imports/{job_id}"): {"200", "304", "401", "403", "404"},
    ("get", "/api/v1/store/marketplace/imports/{job_id}/errors"): {"200", "400", "401", "403", "404"},
    ("get", "/api/v1/store/marketplace/imports/{job_id}/errors.csv"): {"200", "401", "403", "404"},
    ("post", "/api/v1/store/marketplace/imports/{job_id}/cancel"): {"200", "401", "403", "404", "409"},
    ("get", "/api/v1/admin/marketplace-import-jobs"): {"200", "400", "401", "403"},
    ("post", "/api/v1/admin/marketplace-import-jobs"): {"202", "400", "401", "403", "409", "415", "429"},
    ("get", "/api/v1/admin/marketplace-import-jobs/stats"): {"200", "401", "403"},
    ("get", "/api/v1/admin/marketplace-import-jobs/{job_id}"): {"200", "304", "401", "403", "404"},
    ("get", "/api/v1/admin/marketplace-import-jobs/{job_id}/errors"): {"200", "400", "401", "403", "404"},
    ("get", "/api/v1/admin/marketplace-import-jobs/{job_id}/errors.csv"): {"200", "401", "403", "404"},
    ("post", "/api/v1/admin/marketplace-import-jobs/{job_id}/cancel"): {"200", "401", "403", "404", "409"},
    ("post", "/api/v1/admin/marketplace-import-jobs/{job_id}/retry"): {"202", "400", "401", "403", "404", "409", "429"},
}


@pytest.fixture
def schema():
    response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("path", ["/api/schema", "/api/schema/"])
def test_the_schema_is_served_with_and_without_slash(path):
    response = Client().get(path, HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_every_import_operation_is_documented_with_its_error_answers(schema):
    for (method, path), statuses in OPERATIONS.items():
        operation = schema["paths"][path][method]
        assert set(operation["responses"]) == statuses, (method, path)
        for status in statuses - {"200", "202", "304"}:
            assert "application/json" in operation["responses"][status]["content"], (method, path, status)
        if "304" in statuses:  # a poll's "not modified" has no body, and says which ETag to send back
            assert "content" not in operation["responses"]["304"]
            assert "ETag" in operation["responses"]["304"]["headers"]


def test_the_job_and_error_components_have_exactly_the_spec_fields(schema):
    components = schema["components"]["schemas"]

    assert set(components["ImportJob"]["properties"]) == JOB_FIELDS
    assert set(components["ImportError"]["properties"]) == ERROR_FIELDS
    assert set(components["ImportJobPage"]["properties"]) == {"items", "total", "page", "limit"}
    assert set(components["ImportJobStats"]["properties"]) == {
        "total",
        "active",
        "pending",
        "processing",
        "completed",
        "completed_with_errors",
        "failed",
        "cancelled",
    }
    assert set(components["Conflict"]["properties"]) == {"detail", "job_id", "job_status"}


def test_the_import_accepts_json_or_multipart_with_a_file(schema):
    body = schema["paths"]["/api/v1/store/marketplace/import"]["post"]["requestBody"]["content"]

    assert set(body) == {"application/json", "multipart/form-data"}
    multipart = schema["components"]["schemas"][body["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]]
    json_body = schema["components"]["schemas"][body["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]
    assert multipart["properties"]["file"]["format"] == "binary"
    assert "file" not in json_body["properties"]
    assert json_body["properties"]["batch_size"]["minimum"] == 100
    assert json_body["properties"]["batch_size"]["maximum"] == 5000


def test_the_bearer_scheme_is_documented(schema):
    assert schema["components"]["securitySchemes"]["jwtAuth"]["scheme"] == "bearer"


@pytest.mark.parametrize("path", ["/api/docs", "/api/docs/"])
def test_swagger_ui_is_served_from_our_own_static_files(path):
    response = Client().get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
