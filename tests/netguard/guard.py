"""SPEC 9: no test resolves a host name or connects outside loopback.

Installed in the test process (tests/conftest.py) and, through sitecustomize.py on
PYTHONPATH, in every process the tests start (qcluster workers, live servers). A name
other than localhost, or an address outside 127.0.0.0/8 and ::1, is refused at once with
the resolver's own error; the test process also fails the test that tried.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from typing import Any

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}
attempts: list[str] = []
_real_getaddrinfo = socket.getaddrinfo
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_loopback_address(host: str) -> bool | None:
    """True/False for an IP literal (also the numeric forms inet_aton reads, such as
    2130706433 or 0x7f.1, which the resolver parses without a lookup), None for a name."""
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host)).is_loopback
    except (OSError, ValueError):
        return None


def _refuse(what: str) -> None:
    attempts.append(what)
    print(f"netguard: refused {what} (tests stay on loopback, SPEC 9)", file=sys.stderr)


def _guarded_getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else host
    if name is None or name.lower().rstrip(".") in LOOPBACK_NAMES or _is_loopback_address(name):
        return _real_getaddrinfo(host, port, *args, **kwargs)
    if _is_loopback_address(name) is False:
        # A public or private IP literal needs no resolver; the connect guard judges it.
        return _real_getaddrinfo(host, port, *args, **kwargs)
    if not name.lower().rstrip(".").endswith(".invalid"):  # RFC 6761: never resolves anyway
        _refuse(f"resolving {name!r}")
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known (blocked in tests)")


def _check_address(address: Any) -> None:
    if (
        isinstance(address, tuple)
        and address
        and isinstance(address[0], str)
        and _is_loopback_address(address[0]) is not True
    ):
        _refuse(f"connecting to {address[0]}:{address[1] if len(address) > 1 else ''}")
        raise ConnectionRefusedError(111, "Connection refused (blocked in tests)")


def _guarded_connect(self: socket.socket, address: Any) -> None:
    _check_address(address)
    _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    _check_address(address)
    return _real_connect_ex(self, address)


def install() -> None:
    socket.getaddrinfo = _guarded_getaddrinfo
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
