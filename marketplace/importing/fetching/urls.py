"""Check a feed URL and put it in the one form used for the request, the logs and redirects.

No network access here: a host name is resolved (and its addresses checked) only by the
transport, just before it connects.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import idna
from django.conf import settings
from requests.utils import requote_uri

from marketplace.importing.fetching.addresses import check_address
from marketplace.importing.fetching.errors import FetchError

logger = logging.getLogger(__package__)  # the stage's one logger, see errors.py

DEFAULT_ALLOWED_PORTS = frozenset({80, 443})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_MAX_URL_LENGTH = 2048
_HOSTNAME_RE = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62}))*")


@dataclass(frozen=True)
class Target:
    url: str  # normalized, as shown to people and used as the base of a relative redirect
    scheme: str
    host: str  # ASCII (IDNA), lower case, no brackets: for DNS, SNI, certificate and Host
    port: int
    request_target: str  # path and query, percent-encoded
    allowlisted: bool

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == _DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


def validate_feed_url(url: str) -> str:
    """Check a feed URL without any network access; return it normalized or raise FetchError.

    Checks the scheme, credentials, port rule and, when the host is an IP literal, the
    address. Host names are resolved (and checked) only by fetch_feed.
    """
    return parse_target(url, allowed_hosts_from_settings()).url


def parse_target(url: str, allowed_hosts: tuple[tuple[str, int | None], ...]) -> Target:
    url = url.strip()
    if not url:
        raise FetchError("The feed address is empty.")
    if len(url) > _MAX_URL_LENGTH:
        raise FetchError(f"The feed address is longer than {_MAX_URL_LENGTH} characters.")
    # urlsplit silently drops tabs and newlines; refuse them instead of guessing.
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise FetchError("The feed address contains invisible control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchError("The feed address is not a valid web address.") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        if scheme:
            raise FetchError(f"Only http:// and https:// addresses can be downloaded, not {scheme}: addresses.")
        raise FetchError("The feed address must start with http:// or https://.")
    if "@" in parts.netloc:
        raise FetchError(
            "The feed address contains a user name or password (user:password@...), which is not allowed. "
            "Use an address that works without logging in."
        )
    if not parts.hostname:
        raise FetchError("The feed address has no host name.")
    host = _normalize_host(parts.hostname)
    effective_port = port if port is not None else _DEFAULT_PORTS[scheme]
    allowlisted = any(h == host and p in (None, effective_port) for h, p in allowed_hosts)
    if effective_port not in DEFAULT_ALLOWED_PORTS and not allowlisted:
        raise FetchError(
            f"The port {effective_port} is not allowed: feeds can only be downloaded from "
            "the standard web ports 80 (http) and 443 (https)."
        )
    if not allowlisted:
        with contextlib.suppress(ValueError):
            check_address(ipaddress.ip_address(host))

    display_host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    netloc = display_host if effective_port == _DEFAULT_PORTS[scheme] else f"{display_host}:{effective_port}"
    path = parts.path or "/"
    query = f"?{parts.query}" if parts.query else ""
    return Target(
        url=urlunsplit((scheme, netloc, path, parts.query, "")),
        scheme=scheme,
        host=host,
        port=effective_port,
        request_target=requote_uri(path + query),
        allowlisted=allowlisted,
    )


def _normalize_host(host: str) -> str:
    host = host.strip().lower().removeprefix("[").removesuffix("]").rstrip(".")
    with contextlib.suppress(ValueError):
        return ipaddress.ip_address(host).compressed
    if host.isascii():
        if len(host) > 253 or not _HOSTNAME_RE.fullmatch(host):
            raise FetchError("The feed address has an invalid host name.")
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        raise FetchError("The feed address has an invalid host name.") from None


def allowed_hosts_from_settings() -> tuple[tuple[str, int | None], ...]:
    value = getattr(settings, "MARKETPLACE_FETCH_ALLOWED_HOSTS", ()) or ()
    entries = value.split(",") if isinstance(value, str) else value
    allowed = []
    for entry in entries:
        entry = entry.strip().lower()
        if not entry:
            continue
        if entry.startswith("["):  # "[::1]" or "[::1]:8000"
            host, _, rest = entry[1:].partition("]")
            port_text = rest.removeprefix(":")
        elif entry.count(":") == 1:
            host, port_text = entry.split(":")
        else:  # a host name, an IPv4 address or a bare IPv6 address
            host, port_text = entry, ""
        try:
            allowed.append((_normalize_host(host), int(port_text) if port_text else None))
        except (FetchError, ValueError):
            logger.warning("Ignoring invalid MARKETPLACE_FETCH_ALLOWED_HOSTS entry %r", entry)
    return tuple(allowed)


def redact(url: str) -> str:
    """The URL for the logs: feed URLs often carry an access token in the query string."""
    try:
        parts = urlsplit(url.strip())
        netloc = parts.netloc.rpartition("@")[2]
    except ValueError:
        return "<invalid address>"
    return urlunsplit((parts.scheme, netloc, parts.path, "..." if parts.query else "", ""))
