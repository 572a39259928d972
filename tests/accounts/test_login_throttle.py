"""SPEC 9: every door (portal login, admin login, the API's token) is throttled per user
name and per client address, with a clear message saying how long to wait."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

pytestmark = pytest.mark.django_db

DOORS = ["/accounts/login/", "/admin/login/", "/api/v1/auth/token"]


@pytest.fixture(autouse=True)
def _throttled(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    cache.clear()
    yield
    cache.clear()


def _try(door: str, username: str, password: str, address: str = "198.51.100.7"):
    client = Client(REMOTE_ADDR=address)
    if door.startswith("/api/"):
        return client.post(door, {"username": username, "password": password}, content_type="application/json")
    return client.post(door, {"username": username, "password": password})


@pytest.mark.parametrize("door", DOORS)
def test_five_wrong_passwords_lock_the_user_name_out_with_a_429_saying_how_long(door, owner, password):
    for _ in range(4):
        assert _try(door, owner.username, "wrong").status_code in (200, 401)  # the form again, or 401
    assert _try(door, owner.username, "wrong").status_code == 429  # the fifth locks
    locked = _try(door, owner.username, password)  # even the right password now
    assert locked.status_code == 429
    assert locked["Retry-After"] == "900"
    text = locked.json()["detail"] if door.startswith("/api/") else locked.content.decode()
    assert "Wait 15 minutes" in text


def test_the_lock_of_a_name_holds_from_another_address_and_across_doors(owner, password):
    for n in range(5):
        _try("/accounts/login/", owner.username, "wrong", address=f"198.51.100.{n + 1}")
    assert _try("/api/v1/auth/token", owner.username, password, address="203.0.113.9").status_code == 429


def test_one_address_guessing_many_names_is_locked_out(owner, password, staff_member):
    for n in range(5):
        _try("/api/v1/auth/token", f"nobody{n}", "wrong", address="192.0.2.44")
    assert _try("/api/v1/auth/token", owner.username, password, address="192.0.2.44").status_code == 429
    # Another address is not affected by that one's guessing.
    assert _try("/api/v1/auth/token", owner.username, password, address="192.0.2.45").status_code == 200


def test_fewer_failures_than_the_limit_still_let_the_right_password_in(owner, password):
    for _ in range(4):
        _try("/api/v1/auth/token", owner.username, "wrong")
    assert _try("/api/v1/auth/token", owner.username, password).status_code == 200
