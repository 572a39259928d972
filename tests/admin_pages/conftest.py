from __future__ import annotations

import pytest
from django.test import Client

from tests.factories.accounts import UserFactory


@pytest.fixture
def admin_client_root(admin_user) -> Client:
    """root, a superuser, logged in."""
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def plain_staff(db):
    """sam: platform staff without superuser rights (nor any model permission)."""
    return UserFactory(username="sam", is_staff=True)


@pytest.fixture
def staff_client(plain_staff) -> Client:
    client = Client()
    client.force_login(plain_staff)
    return client
