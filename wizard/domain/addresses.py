"""Reading a network address as the service uses it: pure Python, for the proxies and the sign-in records."""

from __future__ import annotations

import ipaddress


def parse_address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address, with an IPv6 zone dropped and an IPv4-mapped IPv6 address read as IPv4; None if not one."""
    try:
        address = ipaddress.ip_address((text or "").split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address
