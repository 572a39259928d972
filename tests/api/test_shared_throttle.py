"""The import throttle holds across real gunicorn worker processes: its counter lives in
the shared cache (the database's cache table here, Redis with REDIS_URL), not in each
process's memory."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest
import requests

from tests.redisserver import _free_port
from tests.worker import ROOT, kill_process_group, wait_for, worker_env

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def gunicorn(tmp_path):
    port = _free_port()
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "3", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=worker_env(extra={"MARKETPLACE_IMPORT_THROTTLE": "5/min"}),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def up() -> bool:
        try:
            return requests.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=2).status_code == 200
        except (requests.ConnectionError, requests.Timeout):  # not up yet, or a slow first page
            return False

    try:
        wait_for(up, timeout=30, what="gunicorn to answer")
        yield f"http://127.0.0.1:{port}"
    finally:
        kill_process_group(process, signal.SIGTERM)
        process.wait(timeout=15)
        log.close()


def test_the_import_throttle_counts_once_across_gunicorn_workers(gunicorn, store, owner, password, settings):
    # The servers hash with Django's default hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    owner.set_password(password)
    owner.save()
    token = requests.post(
        f"{gunicorn}/api/v1/auth/token",
        json={"username": owner.username, "password": password, "store_code": store.code},
        timeout=10,
    ).json()["access"]
    statuses = []
    for n in range(24):
        # A new connection each time (requests' default without a Session), so the
        # requests spread over the three workers; each would allow 5 with a per-process cache.
        response = requests.post(
            f"{gunicorn}/api/v1/store/marketplace/import",
            json={"source_url": f"https://feeds.example.invalid/{n}.csv", "language": "fr"},
            headers={"Authorization": f"Bearer {token}", "Connection": "close"},
            timeout=10,
        )
        statuses.append(response.status_code)
    allowed = [code for code in statuses if code != 429]
    # 5/min: the first starts the import, the next four are refused as running (409); then 429.
    assert len(allowed) == 5, statuses
    assert statuses[0] == 202 and set(allowed[1:]) == {409}
    assert statuses[5:] == [429] * 19
