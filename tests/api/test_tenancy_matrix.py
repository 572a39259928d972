"""Who gets what: every import endpoint against every kind of caller, with the exact status.

Actors: anonymous, the store's owner (alice), manager (mia), staff member (bob, read only),
the owner of another store (charlie), and a platform admin (root). Store users hold the
store JWT they get by default (they have exactly one store); the admin holds a plain token.
Objects all belong to store "alpha": a pending job with an error and a failed job.
"""

from __future__ import annotations

import pytest

from marketplace.models import MarketplaceImportJob
from tests.api.conftest import ADMIN_API, STORE_API
from tests.factories.marketplace import MarketplaceImportErrorFactory, MarketplaceImportJobFactory

pytestmark = pytest.mark.django_db

ACTORS = ("anonymous", "owner", "manager", "staff", "other_store_owner", "admin")
FEED = "https://feeds.example.lu/products.csv"

# (method, path, body) -> status per actor, in ACTORS order. {job} is the pending job, {failed} the failed one.
MATRIX = {
    # store API
    ("post", f"{STORE_API}/import", "store_body"): (401, 202, 202, 403, 202, 403),
    ("get", f"{STORE_API}/imports", None): (401, 200, 200, 200, 200, 403),
    ("get", f"{STORE_API}/imports/{{job}}", None): (401, 200, 200, 200, 404, 403),
    ("get", f"{STORE_API}/imports/{{job}}/errors", None): (401, 200, 200, 200, 404, 403),
    ("get", f"{STORE_API}/imports/{{job}}/errors.csv", None): (401, 200, 200, 200, 404, 403),
    ("post", f"{STORE_API}/imports/{{job}}/cancel", None): (401, 200, 200, 403, 404, 403),
    # admin API
    ("post", ADMIN_API, "admin_body"): (401, 403, 403, 403, 403, 202),
    ("get", ADMIN_API, None): (401, 403, 403, 403, 403, 200),
    ("get", f"{ADMIN_API}/stats", None): (401, 403, 403, 403, 403, 200),
    ("get", f"{ADMIN_API}/{{job}}", None): (401, 403, 403, 403, 403, 200),
    ("get", f"{ADMIN_API}/{{job}}/errors", None): (401, 403, 403, 403, 403, 200),
    ("get", f"{ADMIN_API}/{{job}}/errors.csv", None): (401, 403, 403, 403, 403, 200),
    ("post", f"{ADMIN_API}/{{job}}/cancel", None): (401, 403, 403, 403, 403, 200),
    ("post", f"{ADMIN_API}/{{failed}}/retry", None): (401, 403, 403, 403, 403, 202),
}
CASES = [
    pytest.param(method, path, body, actor, statuses[index], id=f"{actor}-{method.upper()} {path}")
    for (method, path, body), statuses in MATRIX.items()
    for index, actor in enumerate(ACTORS)
]


@pytest.fixture
def actors(owner, manager, staff_member, outsider, admin_user):
    return {
        "anonymous": None,
        "owner": owner,
        "manager": manager,
        "staff": staff_member,
        "other_store_owner": outsider,
        "admin": admin_user,
    }


@pytest.fixture
def objects(store, owner):
    job = MarketplaceImportJobFactory(store=store, user=owner, language="fr")
    MarketplaceImportErrorFactory(import_job=job)
    failed = MarketplaceImportJobFactory(store=store, user=owner, language="de", status="failed")
    return {"job": job.pk, "failed": failed.pk}


@pytest.mark.parametrize(("method", "path", "body", "actor", "status"), CASES)
def test_tenancy_matrix(client_for, actors, objects, store, method, path, body, actor, status):
    client = client_for(actors[actor])
    data = {
        None: None,
        "store_body": {"source_url": FEED, "language": "en"},
        "admin_body": {"store_id": store.pk, "source_url": FEED, "language": "en"},
    }[body]

    response = getattr(client, method)(path.format(**objects), data, format="json")

    assert response.status_code == status, response.content
    if status >= 400:
        assert "detail" in response.json()


def test_a_store_user_only_lists_their_own_stores_jobs(client_for, outsider, objects, other_store):
    own = MarketplaceImportJobFactory(store=other_store, user=outsider)

    body = client_for(outsider).get(f"{STORE_API}/imports").json()

    assert [item["id"] for item in body["items"]] == [own.pk]
    assert body["total"] == 1


def test_an_import_started_by_another_stores_owner_goes_to_their_store(client_for, outsider, other_store):
    response = client_for(outsider).post(f"{STORE_API}/import", {"source_url": FEED}, format="json")

    assert MarketplaceImportJob.objects.get(pk=response.json()["job_id"]).store == other_store


def test_the_store_comes_from_the_token_never_the_body(client_for, outsider, store, other_store):
    response = client_for(outsider).post(
        f"{STORE_API}/import", {"source_url": FEED, "store_id": store.pk, "store_code": "alpha"}, format="json"
    )

    assert response.status_code == 202
    assert MarketplaceImportJob.objects.get().store == other_store


def test_an_admin_with_a_store_token_acts_on_that_store(client_for, admin_user, objects, store):
    client = client_for(admin_user, store_code="alpha")

    assert client.get(f"{STORE_API}/imports/{objects['job']}").status_code == 200
    assert client.post(f"{STORE_API}/imports/{objects['job']}/cancel").status_code == 200
    assert client.post(f"{STORE_API}/import", {"source_url": FEED}, format="json").status_code == 202
