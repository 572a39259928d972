"""A real django-q2 worker (`manage.py qcluster`) running against the test database."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.db import connection

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] or ""
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or "5432"
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


def worker_env(*, redis_url: str = "", extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(
        DJANGO_DEBUG="1",
        DATABASE_URL=_database_url(),
        Q_WORKERS="1",
        DJANGO_MEDIA_ROOT=str(settings.MEDIA_ROOT),
        MARKETPLACE_FETCH_ALLOWED_HOSTS=",".join(settings.MARKETPLACE_FETCH_ALLOWED_HOSTS),
        MARKETPLACE_STALE_JOB_SECONDS=str(settings.MARKETPLACE_STALE_JOB_SECONDS),
        MARKETPLACE_PENDING_REQUEUE_SECONDS=str(settings.MARKETPLACE_PENDING_REQUEUE_SECONDS),
        PYTHONUNBUFFERED="1",
        # The test's mail settings (pytest-django's in-memory backend unless a test points
        # them at its SMTP server): a worker never tries a mail server nobody runs.
        EMAIL_BACKEND=settings.EMAIL_BACKEND,
        EMAIL_HOST=settings.EMAIL_HOST,
        EMAIL_PORT=str(settings.EMAIL_PORT),
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra or {})
    return env


@contextmanager
def running_qcluster(
    *, log_path: Path, redis_url: str = "", extra_env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Start `manage.py qcluster` in its own process group; stop it (and its workers) on exit."""
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=ROOT,
            env=worker_env(redis_url=redis_url, extra=extra_env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        kill_process_group(process, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            kill_process_group(process, signal.SIGKILL)
            process.wait(timeout=5)


def kill_process_group(process: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def wait_for(predicate: Callable[[], T], *, timeout: float, interval: float = 0.2, what: str = "condition") -> T:
    """Poll until predicate() is truthy; return its value or fail with what we waited for."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
