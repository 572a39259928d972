"""Catalog API under /api/v1/store/products: roles, tenancy, validation, shapes, query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from catalog.models import Product
from marketplace.models import MarketplaceImportJob
from stores.models import StoreMembership
from tests.catalog.conftest import contained
from tests.factories.catalog import ProductFactory
from tests.factories.marketplace import (
    MarketplaceImportJobFactory,
    MarketplaceProductFactory,
)

pytestmark = pytest.mark.django_db
Status = MarketplaceImportJob.Status
API = "/api/v1/store/products"

ITEM_KEYS = {
    "id",
    "marketplace_product_id",
    "is_published",
    "price",
    "sale_price",
    "currency",
    "availability",
    "condition",
    "overrides",
    "is_featured",
    "is_active",
    "display_order",
    "min_quantity",
    "max_quantity",
    "published_at",
    "updated_at",
    "marketplace_product",
    "translations",
}
IMPORTED_KEYS = {
    "id",
    "marketplace_product_id",
    "marketplace",
    "title",
    "brand",
    "gtin",
    "mpn",
    "link",
    "image_link",
    "price",
    "sale_price",
    "currency",
    "availability",
    "condition",
    "last_import_job_id",
    "updated_at",
}


@pytest.fixture
def token_client(password):
    """An APIClient with a store JWT of the user (or a plain one for None)."""

    def make(user, store_code: str | None = "alpha") -> APIClient:
        client = APIClient()
        if user is None:
            return client
        body = {"username": user.username, "password": password}
        if store_code:
            body["store_code"] = store_code
        response = APIClient().post("/api/v1/auth/token", body, format="json")
        assert response.status_code == 200, response.content
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
        return client

    return make


@pytest.fixture
def published(store, products):
    return ProductFactory(marketplace_product=products[0], price=Decimal("2.99"), is_featured=True)


# --- list ------------------------------------------------------------------------------
def test_list_shape(token_client, owner, products, published):
    response = token_client(owner).get(API)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "total", "page", "limit"}
    assert (body["total"], body["page"], body["limit"]) == (3, 1, 25)
    apple, bread = body["items"][0], body["items"][1]
    assert set(apple) == ITEM_KEYS and set(apple["marketplace_product"]) == IMPORTED_KEYS
    assert apple["id"] == published.pk and apple["marketplace_product_id"] == products[0].pk
    assert (apple["is_published"], apple["price"], apple["is_featured"], apple["is_active"]) == (
        True,
        "2.99",
        True,
        True,
    )
    assert apple["overrides"] == {"price": "2.99", "sale_price": None, "availability": "", "condition": ""}
    assert apple["marketplace_product"]["price"] == "3.50"
    assert apple["marketplace_product"]["marketplace_product_id"] == products[0].marketplace_product_id
    assert (bread["id"], bread["is_published"], bread["overrides"], bread["is_active"]) == (None, False, None, None)
    assert bread["price"] == "2.20" and bread["availability"] == "in_stock"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Apple juice", "Bread", "Cheese"]),
        ("?published=true", ["Apple juice"]),
        ("?published=false", ["Bread", "Cheese"]),
        ("?active=true", ["Apple juice"]),
        ("?featured=true", ["Apple juice"]),
        ("?q=moselle&ordering=-title", ["Cheese", "Apple juice"]),
        ("?brand=boulangerie%20kirchberg", ["Bread"]),
        ("?availability=in_stock&ordering=price", ["Bread", "Apple juice", "Cheese"]),
        ("?limit=2&page=2", ["Cheese"]),
        ("?page=50", []),
        ("?format=json&published=true", ["Apple juice"]),
    ],
)
def test_list_filters(token_client, owner, products, published, query, expected):
    response = token_client(owner).get(API + query)

    assert response.status_code == 200, response.content
    assert [item["marketplace_product"]["title"] for item in response.json()["items"]] == expected


def test_list_job_filter(token_client, owner, store, products, finished_job):
    later = MarketplaceImportJobFactory(store=store, status=Status.COMPLETED)
    # The products of an import are those its feed contained (feed membership).
    dates = MarketplaceProductFactory(store=store, title="Dates")
    contained(later, [dates])

    response = token_client(owner).get(f"{API}?job_id={later.pk}")

    assert [item["marketplace_product"]["title"] for item in response.json()["items"]] == ["Dates"]


@pytest.mark.parametrize(
    "query",
    [
        "?limit=0",
        "?page=0",
        "?page=abc",
        "?availability=sold_out",
        "?published=maybe",
        "?published=1",
        "?ordering=brand",
        "?job_id=99999999999999999999",
        "?job_id=-1",
        "?q=%00",
    ],
)
def test_list_rejects_bad_parameters_with_400(token_client, owner, products, query):
    response = token_client(owner).get(API + query)

    assert response.status_code == 400
    assert isinstance(response.json(), dict)


def test_list_caps_the_limit(token_client, owner, products):
    assert token_client(owner).get(f"{API}?limit=5000").json()["limit"] == 100


def test_list_queries_do_not_grow_with_limit(token_client, owner, store):
    client = token_client(owner)
    for i in range(40):
        product = ProductFactory(marketplace_product__store=store)
        if i % 2:
            product.delete()

    def count(limit: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{API}?limit={limit}")
        assert len(response.json()["items"]) == limit
        return len(queries)

    assert count(2) == count(40)


@pytest.mark.parametrize("path", [API, API + "/"])
def test_paths_answer_with_and_without_trailing_slash(token_client, owner, products, path):
    assert token_client(owner).get(path).status_code == 200


# --- tenancy ---------------------------------------------------------------------------
def test_anonymous_gets_401(api_client_anon, products, published):
    for method, path in [
        ("get", API),
        ("post", f"{API}/publish"),
        ("post", f"{API}/unpublish"),
        ("get", f"{API}/{published.pk}"),
        ("patch", f"{API}/{published.pk}"),
    ]:
        assert getattr(api_client_anon, method)(path, {}, format="json").status_code == 401


@pytest.fixture
def api_client_anon() -> APIClient:
    return APIClient()


def test_another_stores_member_sees_only_their_own_store(token_client, outsider, other_store, products, published):
    theirs = MarketplaceProductFactory(store=other_store, title="Bravo wine")
    client = token_client(outsider, "bravo")

    listing = client.get(API).json()

    assert [item["marketplace_product"]["title"] for item in listing["items"]] == ["Bravo wine"]
    assert client.get(f"{API}/{published.pk}").status_code == 404
    assert client.patch(f"{API}/{published.pk}", {"price": "1.00"}, format="json").status_code == 404
    response = client.post(f"{API}/publish", {"marketplace_product_ids": [products[1].pk]}, format="json")
    assert response.status_code == 400 and "marketplace_product_ids" in response.json()
    response = client.post(f"{API}/unpublish", {"marketplace_product_ids": [products[0].pk]}, format="json")
    assert response.status_code == 400
    assert client.post(f"{API}/publish", {"marketplace_product_ids": [theirs.pk]}, format="json").status_code == 200
    assert Product.objects.filter(store__code="alpha").count() == 1


def test_another_store_named_in_the_header_is_404(client, outsider, products):
    client.force_login(outsider)

    assert client.get(API, HTTP_X_STORE_CODE="alpha").status_code == 404


@pytest.mark.parametrize(
    ("who", "read", "write"),
    [
        ("owner", 200, 200),
        ("manager", 200, 200),
        ("staff_member", 200, 403),
    ],
)
def test_roles(token_client, request, products, published, who, read, write):
    client = token_client(request.getfixturevalue(who))

    assert client.get(API).status_code == read
    assert client.get(f"{API}/{published.pk}").status_code == read
    assert (
        client.post(f"{API}/publish", {"marketplace_product_ids": [products[1].pk]}, format="json").status_code == write
    )
    assert (
        client.post(f"{API}/unpublish", {"marketplace_product_ids": [products[1].pk]}, format="json").status_code
        == write
    )
    assert client.patch(f"{API}/{published.pk}", {"is_featured": False}, format="json").status_code == write


def test_session_authentication_with_csrf(client, owner, products):
    csrf_client = APIClient(enforce_csrf_checks=True)
    csrf_client.force_login(owner)

    assert csrf_client.get(API).status_code == 200
    assert (
        csrf_client.post(f"{API}/publish", {"marketplace_product_ids": [products[0].pk]}, format="json").status_code
        == 403
    )
    assert not Product.objects.exists()


def test_admins_act_on_the_store_they_name(client, admin_user, products):
    client.force_login(admin_user)

    assert client.get(API, HTTP_X_STORE_CODE="alpha").json()["total"] == 3
    response = client.post(
        f"{API}/publish",
        {"marketplace_product_ids": [products[0].pk]},
        content_type="application/json",
        HTTP_X_STORE_CODE="alpha",
    )
    assert response.status_code == 200 and response.json()["published"] == 1


def test_a_removed_member_loses_access_at_once(token_client, owner, products):
    client = token_client(owner)
    StoreMembership.objects.filter(user=owner).delete()

    assert client.get(API).status_code == 401


# --- publish / unpublish ---------------------------------------------------------------
def test_publish_selected(token_client, owner, products, published):
    ids = [p.pk for p in products]

    response = token_client(owner).post(f"{API}/publish/", {"marketplace_product_ids": ids}, format="json")

    assert response.status_code == 200
    assert response.json() == {"matched": 3, "published": 2, "already_published": 1}
    published.refresh_from_db()
    assert published.price == Decimal("2.99")


def test_publish_all_from_a_job(token_client, owner, store, products, finished_job, reimport):
    client = token_client(owner)

    changed = client.post(f"{API}/publish", {"job_id": reimport.pk, "scope": "changed"}, format="json")
    everything = client.post(f"{API}/publish", {"job_id": reimport.pk}, format="json")

    assert changed.json() == {"matched": 1, "published": 1, "already_published": 0}
    assert everything.json() == {"matched": 4, "published": 3, "already_published": 1}


def test_publish_a_job_of_another_store_is_400(token_client, owner, other_store):
    job = MarketplaceImportJobFactory(store=other_store, status=Status.COMPLETED)

    response = token_client(owner).post(f"{API}/publish", {"job_id": job.pk}, format="json")

    assert response.status_code == 400 and response.json() == {"job_id": ["No such import job."]}


def test_publish_a_running_job_is_409(token_client, owner, store):
    job = MarketplaceImportJobFactory(store=store, status=Status.PROCESSING)

    response = token_client(owner).post(f"{API}/publish", {"job_id": job.pk}, format="json")

    assert response.status_code == 409
    assert response.json()["job_id"] == job.pk and response.json()["job_status"] == "processing"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"marketplace_product_ids": []},
        {"marketplace_product_ids": ["x"]},
        {"marketplace_product_ids": [0]},
        {"marketplace_product_ids": [2**63]},
        {"marketplace_product_ids": 5},
        {"marketplace_product_ids": [1], "job_id": 1},
        {"job_id": "abc"},
        {"job_id": 1, "scope": "some"},
        {"marketplace_product_ids": [True]},
        [1, 2],
    ],
)
def test_publish_rejects_bad_bodies_with_400(token_client, owner, products, body):
    response = token_client(owner).post(f"{API}/publish", body, format="json")

    assert response.status_code == 400, response.content
    assert not Product.objects.exists()


def test_publish_unknown_ids_names_them_and_publishes_nothing(token_client, owner, products):
    response = token_client(owner).post(
        f"{API}/publish", {"marketplace_product_ids": [products[0].pk, 987654]}, format="json"
    )

    assert response.status_code == 400
    assert "987654" in response.json()["marketplace_product_ids"][0]
    assert not Product.objects.exists()


def test_publish_needs_json(token_client, owner, products):
    response = token_client(owner).post(f"{API}/publish", {"marketplace_product_ids": [products[0].pk]})

    assert response.status_code == 415


def test_publish_answers_only_post(token_client, owner):
    assert token_client(owner).get(f"{API}/publish").status_code == 405


def test_unpublish(token_client, owner, products, published):
    response = token_client(owner).post(
        f"{API}/unpublish", {"marketplace_product_ids": [products[0].pk, products[1].pk]}, format="json"
    )

    assert response.json() == {"matched": 2, "unpublished": 1, "not_published": 1}
    assert not Product.objects.exists()


def test_unpublish_all_from_a_job(token_client, owner, products, published, finished_job):
    response = token_client(owner).post(f"{API}/unpublish/", {"job_id": finished_job.pk}, format="json")

    assert response.json() == {"matched": 3, "unpublished": 1, "not_published": 2}


# --- detail and overrides ----------------------------------------------------------------
def test_detail(token_client, staff_member, products, published):
    response = token_client(staff_member).get(f"{API}/{published.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == ITEM_KEYS
    assert (body["id"], body["price"], body["marketplace_product"]["price"]) == (published.pk, "2.99", "3.50")


@pytest.mark.parametrize("product_id", ["abc", "0", "-1", "99999999999999999999999", "1.5", "%C3%A9"])
def test_detail_of_nonsense_ids_is_404(token_client, owner, product_id):
    assert token_client(owner).get(f"{API}/{product_id}").status_code == 404


def test_patch_overrides(token_client, owner, products, published):
    client = token_client(owner)

    response = client.patch(
        f"{API}/{published.pk}",
        {"price": None, "sale_price": "3.00", "availability": "preorder", "is_active": False, "max_quantity": 4},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["price"], body["sale_price"], body["availability"], body["is_active"]) == (
        "3.50",
        "3.00",
        "preorder",
        False,
    )
    assert body["overrides"] == {"price": None, "sale_price": "3.00", "availability": "preorder", "condition": ""}
    assert body["max_quantity"] == 4


def test_patch_clears_availability_with_null_or_empty(token_client, owner, published):
    client = token_client(owner)
    client.patch(f"{API}/{published.pk}", {"availability": "backorder"}, format="json")

    assert client.patch(f"{API}/{published.pk}", {"availability": None}, format="json").json()["availability"] == (
        "in_stock"
    )
    assert client.patch(f"{API}/{published.pk}", {"availability": ""}, format="json").json()["availability"] == (
        "in_stock"
    )


def test_patch_with_an_empty_body_changes_nothing(token_client, owner, published):
    response = token_client(owner).patch(f"{API}/{published.pk}", {}, format="json")

    assert response.status_code == 200 and response.json()["price"] == "2.99"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"price": "-1"}, "price"),
        ({"price": "abc"}, "price"),
        ({"price": "1.234"}, "price"),
        ({"price": "12345678901234"}, "price"),
        ({"price": "NaN"}, "price"),
        ({"sale_price": "5.00"}, "sale_price"),  # above the effective price 2.99
        ({"price": "1.00", "sale_price": "1.01"}, "sale_price"),
        ({"min_quantity": 0}, "min_quantity"),
        ({"min_quantity": 3, "max_quantity": 2}, "max_quantity"),
        ({"max_quantity": 2**31}, "max_quantity"),
        ({"display_order": 2**40}, "display_order"),
        ({"availability": "sold_out"}, "availability"),
        ({"condition": 5}, "condition"),
        ({"is_active": "perhaps"}, "is_active"),
    ],
)
def test_patch_rejects_invalid_values_with_the_field_at_fault(token_client, owner, published, body, field):
    response = token_client(owner).patch(f"{API}/{published.pk}", body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    published.refresh_from_db()
    assert published.price == Decimal("2.99")


def test_patch_with_a_non_object_body_is_400(token_client, owner, published):
    assert token_client(owner).patch(f"{API}/{published.pk}", [1], format="json").status_code == 400


def test_list_rejects_unknown_query_parameters(token_client, owner, products):
    response = token_client(owner).get(f"{API}?publised=true")

    assert response.status_code == 400
    assert response.json() == {"publised": ["Unknown query parameter."]}


def test_invalid_ids_are_reported_as_flat_messages(token_client, owner, products):
    response = token_client(owner).post(
        f"{API}/publish", {"marketplace_product_ids": [1, "x", None, 2.5]}, format="json"
    )

    assert response.status_code == 400
    errors = response.json()["marketplace_product_ids"]
    assert all(isinstance(message, str) for message in errors)
    assert errors[0] == "Item 1: A valid integer is required."
