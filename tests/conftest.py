from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest
from django.urls import clear_url_caches

from stores.models import StoreMembership
from tests.factories.accounts import DEFAULT_PASSWORD, AdminFactory, UserFactory
from tests.factories.stores import StoreFactory, StoreMembershipFactory
from tests.netguard import guard

# SPEC 9: this process and every process it starts stay on loopback.
guard.install()
_NETGUARD_DIR = str(Path(__file__).parent / "netguard")
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (_NETGUARD_DIR, os.environ.get("PYTHONPATH", "")) if p)


def pytest_configure(config):
    # The pages' French and German come from compiled catalogs, which git does not keep:
    # `make test` compiles them in `make install`; a direct `pytest` gets them here. Once,
    # in the controller: xdist's workers start after it.
    if not hasattr(config, "workerinput"):
        from django.core.management import call_command

        call_command("compile_catalogs", verbosity=0)


@pytest.fixture(autouse=True)
def _no_network_outside_loopback():
    guard.attempts.clear()
    yield
    if guard.attempts:
        found = list(guard.attempts)
        guard.attempts.clear()
        pytest.fail(f"the test tried to leave the machine: {found}")


@pytest.fixture(autouse=True)
def _fast_test_settings(settings, tmp_path, monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Login throttling counts in the shared cache, which outlives a test: the tests about
    # it turn it on (tests/accounts/test_login_throttle.py) and start from a clean cache.
    settings.AXES_ENABLED = False
    # django-q2 reads Q_CLUSTER once at import into Conf, so the settings fixture cannot
    # switch it: patch Conf. Unit tests run queued tasks inline.
    monkeypatch.setattr("django_q.conf.Conf.SYNC", True)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MARKETPLACE_UPLOAD_DIR = tmp_path / "media" / "feeds"
    settings.MARKETPLACE_DOWNLOAD_DIR = tmp_path / "media" / "downloads"
    settings.SECURE_SSL_REDIRECT = False
    # The portal's default language is French (SPEC 13); the tests read its English texts
    # unless they ask for another language (Accept-Language, the user's choice). The tests
    # of the default itself set it back from config.settings.
    settings.LANGUAGE_CODE = "en"


def _mount_demo_feeds(settings, on: bool) -> None:
    # config/urls.py reads MARKETPLACE_DEMO_FEEDS once, when it is imported.
    settings.MARKETPLACE_DEMO_FEEDS = on
    importlib.reload(importlib.import_module(settings.ROOT_URLCONF))
    clear_url_caches()


@pytest.fixture
def demo_feeds(settings):
    """The demo feeds served at /demo-feeds/, as under `make run` (MARKETPLACE_DEMO_FEEDS=1)."""
    before = settings.MARKETPLACE_DEMO_FEEDS
    _mount_demo_feeds(settings, True)
    yield
    _mount_demo_feeds(settings, before)


@pytest.fixture
def no_demo_feeds(settings):
    """MARKETPLACE_DEMO_FEEDS off, as in a deployment."""
    before = settings.MARKETPLACE_DEMO_FEEDS
    _mount_demo_feeds(settings, False)
    yield
    _mount_demo_feeds(settings, before)


@pytest.fixture
def password() -> str:
    return DEFAULT_PASSWORD


@pytest.fixture
def store(db):
    return StoreFactory(code="alpha", name="Alpha Store")


@pytest.fixture
def other_store(db):
    return StoreFactory(code="bravo", name="Bravo Store")


@pytest.fixture
def owner(store):
    """alice: owner of the store."""
    user = UserFactory(username="alice")
    StoreMembershipFactory(user=user, store=store, role=StoreMembership.Role.OWNER)
    return user


@pytest.fixture
def manager(store):
    user = UserFactory(username="mia")
    StoreMembershipFactory(user=user, store=store, role=StoreMembership.Role.MANAGER)
    return user


@pytest.fixture
def staff_member(store):
    """bob: read-only staff member of the store."""
    user = UserFactory(username="bob")
    StoreMembershipFactory(user=user, store=store, role=StoreMembership.Role.STAFF)
    return user


@pytest.fixture
def outsider(other_store):
    """charlie: owner of another store."""
    user = UserFactory(username="charlie")
    StoreMembershipFactory(user=user, store=other_store, role=StoreMembership.Role.OWNER)
    return user


@pytest.fixture
def admin_user(db):
    return AdminFactory(username="root")


@pytest.fixture
def as_role(client, request):
    """Log the client in as one of the users above, by fixture name ("anonymous" stays
    logged out), and return it: for tests parametrized over roles."""

    def login(role: str):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return login


# --- real django-q2 worker ---
@pytest.fixture
def qcluster(transactional_db, tmp_path, settings, monkeypatch):
    """A real `manage.py qcluster` over the ORM broker, sharing the test database.

    Use with live_server or transactional_db: the worker only sees committed data. The
    fixture turns sync mode off so services queue tasks for the worker.
    """
    from tests.worker import running_qcluster

    monkeypatch.setattr("django_q.conf.Conf.SYNC", False)
    with running_qcluster(log_path=tmp_path / "qcluster.log") as process:
        yield process


# --- loopback HTTP servers ---


@pytest.fixture
def feed_server(settings):
    """A loopback HTTP server fetch_feed may download from: its host:port is allowlisted.

    Program it with route()/redirect()/handle(); build URLs with url("/path").
    """
    from tests.httpserver import LoopbackHTTPServer

    with LoopbackHTTPServer() as server:
        allowed = settings.MARKETPLACE_FETCH_ALLOWED_HOSTS
        allowed = allowed.split(",") if isinstance(allowed, str) else list(allowed)
        settings.MARKETPLACE_FETCH_ALLOWED_HOSTS = [*allowed, server.netloc]
        yield server


@pytest.fixture
def canary_server():
    """A loopback HTTP server that is NOT allowlisted: any request it records got past the SSRF rules."""
    from tests.httpserver import LoopbackHTTPServer

    with LoopbackHTTPServer() as server:
        yield server
