"""JWT: store tokens, refresh rotation, lifetimes, and store access re-checked on every request."""

from __future__ import annotations

import threading
from datetime import timedelta

import jwt
import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from stores.models import StoreMembership
from tests.api.conftest import STORE_API, TOKEN_URL, obtain_tokens
from tests.factories.marketplace import MarketplaceImportJobFactory
from tests.factories.stores import StoreFactory, StoreMembershipFactory

pytestmark = pytest.mark.django_db
REFRESH_URL = "/api/v1/auth/token/refresh"
FEED_URL = "https://feeds.example.lu/products.csv"


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def _bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


# --- POST /auth/token ---------------------------------------------------------------------
def test_a_token_asked_with_store_code_carries_the_store_claims(owner, store, password):
    tokens = obtain_tokens(owner, password, store_code="alpha")

    assert set(tokens) == {"access", "refresh"}
    claims = _claims(tokens["access"])
    assert (claims["store_id"], claims["store_code"], str(claims["user_id"])) == (store.pk, "alpha", str(owner.pk))
    assert claims["exp"] - claims["iat"] == 5 * 60
    assert _claims(tokens["refresh"])["store_code"] == "alpha"


@pytest.mark.parametrize("path", [TOKEN_URL, f"{TOKEN_URL}/"])
def test_the_token_endpoints_answer_with_and_without_slash(owner, password, path):
    tokens = APIClient().post(path, {"username": "alice", "password": password}, format="json")
    refreshed = APIClient().post(
        path.replace("token", "token/refresh"), {"refresh": tokens.json()["refresh"]}, format="json"
    )

    assert (tokens.status_code, refreshed.status_code) == (200, 200)


def test_the_token_endpoints_take_json_only(owner, password):
    response = APIClient().post(TOKEN_URL, {"username": "alice", "password": password}, format="multipart")

    assert response.status_code == 415


def test_a_user_with_exactly_one_store_gets_a_store_token_without_asking(owner, store, password):
    claims = _claims(obtain_tokens(owner, password)["access"])

    assert (claims["store_id"], claims["store_code"]) == (store.pk, "alpha")


def test_a_user_with_several_stores_gets_a_store_token_only_by_asking(owner, other_store, password):
    StoreMembershipFactory(user=owner, store=other_store, role="staff")

    plain = _claims(obtain_tokens(owner, password)["access"])
    bound = _claims(obtain_tokens(owner, password, store_code="bravo")["access"])

    assert "store_id" not in plain
    assert (bound["store_id"], bound["store_code"]) == (other_store.pk, "bravo")


def test_an_admin_token_has_no_store_unless_asked(admin_user, store, password):
    assert "store_id" not in _claims(obtain_tokens(admin_user, password)["access"])
    assert _claims(obtain_tokens(admin_user, password, store_code="alpha")["access"])["store_id"] == store.pk


@pytest.mark.parametrize("store_code", ["bravo", "no-such-store"])
def test_a_token_for_a_store_you_do_not_belong_to_is_refused_alike(owner, other_store, password, store_code):
    response = APIClient().post(
        TOKEN_URL, {"username": "alice", "password": password, "store_code": store_code}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"store_code": ["You are not a member of this store."]}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"username": "alice", "password": "wrong"}, 401),
        ({"username": "nobody", "password": "wrong"}, 401),
        ({"username": "alice"}, 400),
        ({"username": "al\x00ice", "password": "x"}, 400),
        ({"username": ["alice"], "password": "x"}, 400),
        ({"username": "a" * 5000, "password": "x"}, 400),
        ({"username": "alice", "password": "x", "store_code": "a\x00"}, 400),
    ],
)
def test_bad_credentials_answer_401_and_bad_bodies_400(owner, body, status):
    response = APIClient().post(TOKEN_URL, body, format="json")

    assert response.status_code == status, response.content


def test_an_inactive_user_gets_no_token(owner, password):
    owner.is_active = False
    owner.save()

    response = APIClient().post(TOKEN_URL, {"username": "alice", "password": password}, format="json")

    assert response.status_code == 401


def test_the_token_endpoints_ignore_a_stale_authorization_header(owner, password):
    client = _bearer("not-a-token")

    assert client.post(TOKEN_URL, {"username": "alice", "password": password}, format="json").status_code == 200


# --- lifetimes and refresh ------------------------------------------------------------------
def test_the_access_token_lives_five_minutes(owner, password):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = _bearer(obtain_tokens(owner, password)["access"])
        traveller.shift(timedelta(minutes=4, seconds=59))
        assert client.get(f"{STORE_API}/imports").status_code == 200
        traveller.shift(timedelta(seconds=2))
        response = client.get(f"{STORE_API}/imports")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_refresh_gives_a_new_pair_with_the_same_store_claims(owner, store, password):
    tokens = obtain_tokens(owner, password, store_code="alpha")

    response = APIClient().post(REFRESH_URL, {"refresh": tokens["refresh"]}, format="json")

    assert response.status_code == 200
    fresh = response.json()
    assert set(fresh) == {"access", "refresh"}
    assert fresh["refresh"] != tokens["refresh"]
    assert _claims(fresh["access"])["store_code"] == "alpha"
    assert _bearer(fresh["access"]).get(f"{STORE_API}/imports").status_code == 200
    # The rotated refresh token works once too.
    assert APIClient().post(REFRESH_URL, {"refresh": fresh["refresh"]}, format="json").status_code == 200


def test_a_refresh_token_works_once(owner, password):
    refresh = obtain_tokens(owner, password)["refresh"]

    first = APIClient().post(REFRESH_URL, {"refresh": refresh}, format="json")
    second = APIClient().post(REFRESH_URL, {"refresh": refresh}, format="json")

    assert (first.status_code, second.status_code) == (200, 401)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_refreshes_with_one_token_exactly_one_succeeds(owner, password):
    refresh = obtain_tokens(owner, password)["refresh"]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def refresh_once() -> None:
        try:
            barrier.wait(timeout=10)
            statuses.append(APIClient().post(REFRESH_URL, {"refresh": refresh}, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=refresh_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses) == [200, 401]


@pytest.mark.parametrize("refresh", ["garbage", "", "a.b.c"])
def test_an_invalid_refresh_token_answers_401_or_400(refresh):
    response = APIClient().post(REFRESH_URL, {"refresh": refresh}, format="json")

    assert response.status_code == (400 if refresh == "" else 401)


def test_an_access_token_is_no_refresh_token(owner, password):
    access = obtain_tokens(owner, password)["access"]

    assert APIClient().post(REFRESH_URL, {"refresh": access}, format="json").status_code == 401


def test_an_expired_refresh_token_answers_401(owner, password):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        refresh = obtain_tokens(owner, password)["refresh"]
        traveller.shift(timedelta(days=1, seconds=1))
        response = APIClient().post(REFRESH_URL, {"refresh": refresh}, format="json")

    assert response.status_code == 401


def test_a_removed_member_gets_no_new_token_by_refresh(owner, store, password):
    refresh = obtain_tokens(owner, password)["refresh"]
    StoreMembership.objects.filter(user=owner).delete()

    assert APIClient().post(REFRESH_URL, {"refresh": refresh}, format="json").status_code == 401


def test_a_deleted_user_gets_no_new_token_by_refresh(owner, password):
    refresh = obtain_tokens(owner, password)["refresh"]
    owner.delete()

    assert APIClient().post(REFRESH_URL, {"refresh": refresh}, format="json").status_code == 401


# --- store access re-checked on every request --------------------------------------------
def test_removing_a_member_locks_them_out_at_once(owner, store, password):
    client = _bearer(obtain_tokens(owner, password)["access"])
    job = MarketplaceImportJobFactory(store=store)
    assert client.get(f"{STORE_API}/imports/{job.pk}").status_code == 200

    StoreMembership.objects.filter(user=owner, store=store).delete()

    response = client.get(f"{STORE_API}/imports/{job.pk}")
    assert response.status_code == 401
    assert "no longer valid" in response.json()["detail"]
    assert client.post(f"{STORE_API}/import", {"source_url": FEED_URL}, format="json").status_code == 401


def test_a_member_demoted_to_staff_can_no_longer_import(owner, store, password):
    client = _bearer(obtain_tokens(owner, password)["access"])
    StoreMembership.objects.filter(user=owner).update(role="staff")

    assert client.post(f"{STORE_API}/import", {"source_url": FEED_URL}, format="json").status_code == 403
    assert client.get(f"{STORE_API}/imports").status_code == 200


def test_a_deactivated_store_is_closed_at_once(owner, store, password):
    client = _bearer(obtain_tokens(owner, password)["access"])
    store.is_active = False
    store.save()

    listing = client.get(f"{STORE_API}/imports")
    starting = client.post(f"{STORE_API}/import", {"source_url": FEED_URL}, format="json")

    assert (listing.status_code, starting.status_code) == (403, 403)
    assert listing.json()["detail"] == "This store is inactive."


def test_a_renamed_store_invalidates_its_tokens(owner, store, password):
    client = _bearer(obtain_tokens(owner, password)["access"])
    store.code = "alpha-renamed"
    store.save()

    assert client.get(f"{STORE_API}/imports").status_code == 401


def test_a_deactivated_user_is_locked_out_at_once(owner, password):
    client = _bearer(obtain_tokens(owner, password)["access"])
    owner.is_active = False
    owner.save()

    assert client.get(f"{STORE_API}/imports").status_code == 401


def test_a_token_without_store_needs_the_store_header(owner, store, other_store, password):
    StoreMembershipFactory(user=owner, store=other_store, role="staff")
    job = MarketplaceImportJobFactory(store=other_store)
    client = _bearer(obtain_tokens(owner, password)["access"])

    assert client.get(f"{STORE_API}/imports").status_code == 403
    assert client.get(f"{STORE_API}/imports", HTTP_X_STORE_CODE="bravo").json()["items"][0]["id"] == job.pk
    # staff in bravo: read only
    assert (
        client.post(
            f"{STORE_API}/import", {"source_url": FEED_URL}, format="json", HTTP_X_STORE_CODE="bravo"
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"{STORE_API}/import", {"source_url": FEED_URL}, format="json", HTTP_X_STORE_CODE="alpha"
        ).status_code
        == 202
    )


@pytest.mark.parametrize("code", ["charlie-store", "bravo", "al pha", "a" * 300, "alpha\n"])
def test_a_store_header_naming_a_store_you_do_not_belong_to_answers_404(owner, store, other_store, password, code):
    StoreMembershipFactory(user=owner, store=StoreFactory(code="third"), role="owner")
    client = _bearer(obtain_tokens(owner, password)["access"])

    assert client.get(f"{STORE_API}/imports", HTTP_X_STORE_CODE=code).status_code == 404


def test_a_store_token_ignores_the_store_header(owner, store, other_store, password):
    MarketplaceImportJobFactory(store=store)
    client = _bearer(obtain_tokens(owner, password, store_code="alpha")["access"])

    body = client.get(f"{STORE_API}/imports", HTTP_X_STORE_CODE="bravo").json()

    assert [item["store_code"] for item in body["items"]] == ["alpha"]


# --- session authentication (the portal's own pages) -----------------------------------------
def test_session_authentication_works_with_csrf(owner, store, password):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.get(f"{STORE_API}/imports").status_code == 200

    without_csrf = client.post(f"{STORE_API}/import", {"source_url": FEED_URL}, format="json")
    assert without_csrf.status_code == 403
    assert "CSRF" in without_csrf.json()["detail"]

    token = "k" * 32  # what a page's {% csrf_token %} cookie holds
    client.cookies["csrftoken"] = token
    with_csrf = client.post(f"{STORE_API}/import", {"source_url": FEED_URL}, format="json", HTTP_X_CSRFTOKEN=token)
    assert with_csrf.status_code == 202


def test_session_removed_member_is_locked_out_at_once(owner, store):
    client = APIClient()
    client.force_login(owner)
    StoreMembership.objects.filter(user=owner).delete()

    assert client.get(f"{STORE_API}/imports").status_code == 403
    assert client.get(f"{STORE_API}/imports", HTTP_X_STORE_CODE="alpha").status_code == 404
