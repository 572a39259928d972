"""Settings come from the environment and refuse bad values (SPEC section 3)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _settings_value(expr: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "MARKETPLACE_", "DATABASE_URL", "REDIS_URL"))
    }
    clean.update(env)
    code = (
        f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; "
        f"from django.conf import settings; print(repr({expr}))"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)


def test_it_refuses_the_dev_secret_key_when_debug_is_off():
    result = _settings_value("settings.SECRET_KEY", DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_it_accepts_a_real_secret_key_in_production():
    result = _settings_value("settings.SECRET_KEY", DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr("x" * 60)


def test_defaults_are_sqlite_and_the_orm_broker():
    result = _settings_value(
        "(settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['OPTIONS'], "
        "settings.Q_CLUSTER.get('orm'), settings.Q_CLUSTER.get('redis'))",
        DJANGO_DEBUG="1",
    )
    assert result.returncode == 0, result.stderr
    engine, options, orm, redis = ast.literal_eval(result.stdout)
    assert engine == "django.db.backends.sqlite3"
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]
    assert options["init_command"].startswith("PRAGMA page_size=16384;")  # before WAL, or it is ignored
    assert options["timeout"] >= 5
    assert orm == "default"
    assert redis is None


def test_database_url_and_redis_url_switch_backends():
    result = _settings_value(
        "(settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'], "
        "settings.Q_CLUSTER.get('orm'), settings.Q_CLUSTER.get('redis'))",
        DJANGO_DEBUG="1",
        DATABASE_URL="postgres://u:p@db.internal:5432/shop",
        REDIS_URL="redis://cache:6379/1",
    )
    assert result.returncode == 0, result.stderr
    assert ast.literal_eval(result.stdout) == ("django.db.backends.postgresql", "shop", None, "redis://cache:6379/1")


def test_marketplace_settings_are_read_from_the_environment():
    result = _settings_value(
        "(settings.MARKETPLACE_FETCH_ALLOWED_HOSTS, settings.MARKETPLACE_MAX_DOWNLOAD_BYTES, "
        "settings.MARKETPLACE_FETCH_TIMEOUT, settings.MARKETPLACE_STALE_JOB_SECONDS, settings.ALLOWED_HOSTS)",
        DJANGO_DEBUG="1",
        MARKETPLACE_FETCH_ALLOWED_HOSTS="127.0.0.1:8000, feeds.local",
        MARKETPLACE_MAX_DOWNLOAD_BYTES="1024",
        MARKETPLACE_FETCH_TIMEOUT="5",
        MARKETPLACE_STALE_JOB_SECONDS="120",
        DJANGO_ALLOWED_HOSTS="shop.lu,www.shop.lu",
    )
    assert result.returncode == 0, result.stderr
    assert ast.literal_eval(result.stdout) == (
        ["127.0.0.1:8000", "feeds.local"],
        1024,
        5,
        120,
        ["shop.lu", "www.shop.lu"],
    )


def test_the_defaults_match_the_spec():
    result = _settings_value(
        "(settings.MARKETPLACE_FETCH_ALLOWED_HOSTS, settings.MARKETPLACE_MAX_DOWNLOAD_BYTES, "
        "settings.MARKETPLACE_FETCH_TIMEOUT, settings.MARKETPLACE_STALE_JOB_SECONDS, settings.ALLOWED_HOSTS, "
        "settings.Q_CLUSTER['timeout'] < settings.Q_CLUSTER['retry'])",
        DJANGO_DEBUG="1",
    )
    assert result.returncode == 0, result.stderr
    assert ast.literal_eval(result.stdout) == ([], 536870912, 30, 600, ["localhost", "127.0.0.1"], True)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DJANGO_DEBUG", "maybe"),
        ("MARKETPLACE_FETCH_TIMEOUT", "soon"),
        ("MARKETPLACE_MAX_DOWNLOAD_BYTES", "0"),
        ("DATABASE_URL", "mysql://x@y/z"),
    ],
)
def test_it_fails_loudly_on_bad_values(name, value):
    env = {"DJANGO_DEBUG": "1", name: value}
    result = _settings_value("settings.DEBUG", **env)
    assert result.returncode != 0
    assert name in result.stderr or "DATABASE_URL" in result.stderr
