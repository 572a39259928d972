"""SPEC 11 through the APIs: the job JSON's missing-product fields, settling a held removal
(POST imports/{id}/removal: roles, tenancy, 409, 400), the catalog API that no longer lists
a deactivated product, and complete_catalog on POST /import."""

from __future__ import annotations

import pytest

from marketplace.models import MarketplaceImportJob, MarketplaceProduct
from tests.api.conftest import STORE_API
from tests.marketplace.missing.conftest import product, run

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/store/products"


@pytest.fixture
def api(client_for, owner):
    return client_for(owner)


def _removal(client, job, action="apply"):
    return client.post(f"{STORE_API}/imports/{job.pk}/removal", {"action": action}, format="json")


@pytest.fixture
def held(store, tmp_path):
    run(store, tmp_path, range(1, 11))
    job = run(store, tmp_path, range(1, 5))
    assert job.removal_held
    return job


def test_the_job_json_says_what_the_import_did_to_missing_products(api, store, held):
    body = api.get(f"{STORE_API}/imports/{held.pk}").json()
    assert (body["is_full_feed"], body["missing_count"], body["returned_count"], body["removal_held"]) == (
        True,
        0,
        0,
        True,
    )


def test_apply_answers_the_job_and_a_second_settle_is_a_409(api, store, held):
    response = _removal(api, held)
    assert response.status_code == 200, response.content
    assert (response.json()["removal_held"], response.json()["missing_count"]) == (False, 6)
    assert _removal(api, held, "keep").status_code == 409


def test_keep_keeps_the_products(api, store, held):
    assert _removal(api, held, "keep").status_code == 200
    assert not MarketplaceProduct.objects.filter(store=store, missing_since__isnull=False).exists()


def test_a_job_with_nothing_held_is_a_409(api, store, tmp_path):
    job = run(store, tmp_path, range(1, 3))
    assert _removal(api, job).status_code == 409


@pytest.mark.parametrize("body", [{"action": "delete"}, {}, {"action": ""}])
def test_another_action_is_a_400(api, held, body):
    response = api.post(f"{STORE_API}/imports/{held.pk}/removal", body, format="json")
    assert response.status_code == 400 and "action" in response.json()


def test_staff_may_not_settle_and_another_store_sees_a_404(client_for, staff_member, outsider, manager, held):
    assert _removal(client_for(staff_member), held).status_code == 403
    assert _removal(client_for(outsider), held).status_code == 404
    assert _removal(client_for(manager), held, "keep").status_code == 200


def test_a_deactivated_product_leaves_the_catalog_api_and_comes_back(api, store, tmp_path):
    from catalog.services import product_publish

    store.missing_grace = 2
    store.save()
    run(store, tmp_path, range(1, 11))
    ids = {product(store, n).pk: n for n in range(1, 11)}
    product_publish(store=store, marketplace_product_ids=list(MarketplaceProduct.objects.values_list("id", flat=True)))

    def listed(query=""):
        items = api.get(f"{PRODUCTS}?limit=100{query}").json()["items"]
        return {f"SKU-{ids[item['marketplace_product_id']]:04d}" for item in items}

    run(store, tmp_path, range(1, 10))
    assert "SKU-0010" in listed() and "SKU-0010" in listed("&active=true")  # the grace: one full import
    run(store, tmp_path, range(1, 10))
    assert product(store, 10).missing_action == "deactivated"
    assert "SKU-0010" not in listed() and "SKU-0010" not in listed("&active=true")
    assert listed("&missing=true") == {"SKU-0010"}
    assert len(listed("&missing=false")) == 9

    run(store, tmp_path, range(1, 11))
    assert "SKU-0010" in listed("&active=true")


def test_complete_catalog_makes_an_upload_a_full_feed(api, store, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    def upload(complete):
        feed = SimpleUploadedFile("part.csv", b"id,title\nA,Apple\n", content_type="text/csv")
        body = {"file": feed, "language": "fr"}
        if complete is not None:
            body["complete_catalog"] = complete
        response = api.post(f"{STORE_API}/import", body, format="multipart")
        assert response.status_code == 202, response.content
        job = MarketplaceImportJob.objects.get(pk=response.json()["job_id"])
        MarketplaceImportJob.objects.filter(pk=job.pk).update(status="cancelled")
        return job.is_full_feed

    assert upload(None) is False
    assert upload("true") is True
