"""SPEC 9: the test set-up refuses any name lookup or connection that would leave the
machine, in the test process and in every process it starts."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from tests.netguard import guard


def test_a_lookup_of_a_public_name_is_refused_and_recorded():
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("feeds.example.lu", 443)
    assert guard.attempts == ["resolving 'feeds.example.lu'"]
    guard.attempts.clear()  # recorded: the autouse guard would otherwise fail this test


def test_a_connection_outside_loopback_is_refused_and_recorded():
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
        sock.connect(("192.0.2.1", 80))
    assert guard.attempts == ["connecting to 192.0.2.1:80"]
    guard.attempts.clear()


def test_loopback_stays_open():
    assert socket.getaddrinfo("localhost", 80)
    assert socket.getaddrinfo("127.0.0.1", 80)
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("feeds.example.invalid", 80)  # reserved, refused without a lookup
    assert guard.attempts == []


def test_processes_the_tests_start_are_guarded_too():
    code = "import socket\ntry:\n    socket.getaddrinfo('pypi.org', 443)\nexcept socket.gaierror:\n    print('refused')"
    result = subprocess.run(
        [sys.executable, "-c", code], env=dict(os.environ), capture_output=True, text=True, timeout=30, check=True
    )
    assert result.stdout.strip() == "refused"
    assert "netguard: refused resolving 'pypi.org'" in result.stderr
