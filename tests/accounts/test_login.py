from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_page_renders(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_a_store_owner_lands_on_their_store(client, owner, store, password):
    response = client.post("/accounts/login/", {"username": "alice", "password": password}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboard:store", args=[store.code])
    assert response.status_code == 200
    assert store.name.encode() in response.content


def test_a_member_of_several_stores_gets_a_chooser(client, owner, other_store, password):
    from stores.models import StoreMembership

    StoreMembership.objects.create(user=owner, store=other_store, role="staff")
    response = client.post("/accounts/login/", {"username": "alice", "password": password}, follow=True)
    assert response.status_code == 200
    assert b"Choose a store" in response.content
    assert b"/store/alpha/" in response.content and b"/store/bravo/" in response.content


def test_an_admin_lands_on_the_admin(client, admin_user, password):
    response = client.post("/accounts/login/", {"username": "root", "password": password})
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert follow.status_code == 302 and follow["Location"] == reverse("admin:index")


def test_a_wrong_password_is_refused(client, owner):
    response = client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert b"form-error" in response.content
    assert "_auth_user_id" not in client.session


def test_logout_ends_the_session(client, owner, password):
    client.post("/accounts/login/", {"username": "alice", "password": password})
    assert "_auth_user_id" in client.session
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get("/store/alpha/").status_code == 302  # back to login


def test_a_store_page_of_another_store_is_404(client, owner, other_store, password):
    client.post("/accounts/login/", {"username": "alice", "password": password})
    assert client.get(f"/store/{other_store.code}/").status_code == 404
    assert client.get("/store/does-not-exist/").status_code == 404
