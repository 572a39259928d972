"""The email settings come from the environment and fail loudly on bad values."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-for-this-test-only-0123456789",
    "DJANGO_ALLOWED_HOSTS": "shop.example.lu,www.shop.example.lu",
}
PRINT = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_TIMEOUT, "
    "s.SITE_URL, s.DEFAULT_FROM_EMAIL, sep='|')"
)


def run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "SITE_URL", "DEFAULT_FROM_EMAIL", "DJANGO_"))
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_defaults_send_by_smtp_and_link_to_the_first_allowed_host():
    result = run(PRINT, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split("|") == [
        "django.core.mail.backends.smtp.EmailBackend",
        "localhost",
        "25",
        "False",
        "10",
        "https://shop.example.lu",
        "Letzshop import <noreply@shop.example.lu>",
    ]


def test_the_environment_sets_the_server_and_the_site_address():
    result = run(
        PRINT,
        **PRODUCTION,
        EMAIL_HOST="smtp.example.lu",
        EMAIL_PORT="587",
        EMAIL_USE_TLS="1",
        EMAIL_TIMEOUT="3",
        SITE_URL="https://import.example.lu/",
        DEFAULT_FROM_EMAIL="Shop <shop@example.lu>",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split("|")[1:] == [
        "smtp.example.lu",
        "587",
        "True",
        "3",
        "https://import.example.lu",
        "Shop <shop@example.lu>",
    ]


def test_tls_and_ssl_together_are_refused():
    result = run(PRINT, **PRODUCTION, EMAIL_USE_TLS="1", EMAIL_USE_SSL="1")
    assert result.returncode != 0
    assert "EMAIL_USE_TLS" in result.stderr and "not both" in result.stderr


def test_a_site_url_that_is_not_http_is_refused():
    result = run(PRINT, **PRODUCTION, SITE_URL="shop.example.lu")
    assert result.returncode != 0
    assert "SITE_URL must be an http:// or https:// address" in result.stderr


def test_the_deployment_check_passes_with_smtp_from_the_environment():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "DJANGO_"))},
            **PRODUCTION,
            "EMAIL_HOST": "smtp.example.lu",
            "EMAIL_PORT": "465",
            "EMAIL_USE_SSL": "1",
            "EMAIL_HOST_USER": "letzshop",
            "EMAIL_HOST_PASSWORD": "secret",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
