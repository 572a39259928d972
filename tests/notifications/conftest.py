from __future__ import annotations

import pytest

from tests.notifications.smtpserver import LoopbackSMTPServer, free_port


def _point_django_at(settings, monkeypatch, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.SITE_URL = "https://shop.example.lu"
    settings.DEFAULT_FROM_EMAIL = "Letzshop import <noreply@shop.example.lu>"
    # Django names this machine in HELO and Message-ID by socket.getfqdn(), a resolver call: the tests stay off it.
    monkeypatch.setattr("django.core.mail.utils.DNS_NAME._fqdn", "localhost", raising=False)


@pytest.fixture
def smtp_server(settings, monkeypatch):
    """A real SMTP server on loopback, and Django's SMTP backend pointed at it."""
    with LoopbackSMTPServer() as server:
        _point_django_at(settings, monkeypatch, server.port)
        yield server


@pytest.fixture
def smtp_down(settings, monkeypatch):
    """Django's SMTP backend pointed at a loopback port where nothing listens."""
    _point_django_at(settings, monkeypatch, free_port())
