"""Which IP addresses a feed may not be downloaded from (SPEC section 9)."""

from __future__ import annotations

import ipaddress

from marketplace.importing.fetching.errors import FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_LOOPBACK = "a loopback address"
_PRIVATE = "a private network address"
_LINK_LOCAL = "a link-local address"
_MULTICAST = "a multicast address"
_UNSPECIFIED = "an unspecified address"
_RESERVED = "a reserved address"

# SPEC section 9: the IANA special-purpose ranges, not just ipaddress' is_private, which lets
# 100.64/10, multicast, 6to4, NAT64 and some reserved ranges through. Order matters only for
# the wording of the message (::1 before ::/96).
_BLOCKED_NETWORKS: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...] = tuple(
    (ipaddress.ip_network(network), kind)
    for network, kind in (
        ("0.0.0.0/8", _UNSPECIFIED),
        ("10.0.0.0/8", _PRIVATE),
        ("100.64.0.0/10", "a shared (carrier-grade NAT) address"),
        ("127.0.0.0/8", _LOOPBACK),
        ("169.254.0.0/16", _LINK_LOCAL),
        ("172.16.0.0/12", _PRIVATE),
        ("192.0.0.0/24", _RESERVED),
        ("192.0.2.0/24", _RESERVED),
        ("192.88.99.0/24", _RESERVED),
        ("192.168.0.0/16", _PRIVATE),
        ("198.18.0.0/15", _RESERVED),
        ("198.51.100.0/24", _RESERVED),
        ("203.0.113.0/24", _RESERVED),
        ("224.0.0.0/4", _MULTICAST),
        ("240.0.0.0/4", _RESERVED),
        ("::/128", _UNSPECIFIED),
        ("::1/128", _LOOPBACK),
        ("::ffff:0:0/96", "an IPv4-mapped IPv6 address"),
        ("::/96", "an IPv4-compatible IPv6 address"),
        ("64:ff9b::/96", "a NAT64 address"),
        ("64:ff9b:1::/48", "a NAT64 address"),
        ("2002::/16", "a 6to4 address"),
        ("2001::/23", _RESERVED),
        ("2001:db8::/32", _RESERVED),
        ("fc00::/7", _PRIVATE),
        ("fe80::/10", _LINK_LOCAL),
        ("fec0::/10", _PRIVATE),
        ("ff00::/8", _MULTICAST),
    )
)
_EMBEDS_IPV4 = tuple(ipaddress.ip_network(n) for n in ("::/96", "64:ff9b::/96"))


def is_blocked_address(address: str | IPAddress) -> bool:
    """Return True if a feed may not be downloaded from this IP address (SPEC section 9).

    >>> is_blocked_address("10.0.0.5"), is_blocked_address("::ffff:127.0.0.1"), is_blocked_address("8.8.8.8")
    (True, True, False)
    """
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    return _blocked_kind(ip) is not None


def _blocked_kind(ip: IPAddress) -> str | None:
    for network, kind in _BLOCKED_NETWORKS:
        if ip.version == network.version and ip in network:
            return kind
    if isinstance(ip, ipaddress.IPv6Address):
        # Belt and braces: an IPv6 form that carries an IPv4 address is judged by that address
        # too, should the table above ever be narrowed.
        embedded = _embedded_ipv4(ip)
        if embedded is not None and _blocked_kind(embedded) is not None:
            return _blocked_kind(embedded)
    # Second line of defence: whatever the standard library knows to be non-public.
    if ip.is_private or ip.is_reserved or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_unspecified:
        return _RESERVED
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if any(ip in network for network in _EMBEDS_IPV4):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def check_address(ip: IPAddress) -> None:
    kind = _blocked_kind(ip)
    if kind is not None:
        raise FetchError(
            f"The address resolves to {kind} ({ip}), which is not allowed: "
            "feeds can only be downloaded from the public internet."
        )
