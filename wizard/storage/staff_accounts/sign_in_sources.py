"""Where a staff sign-in came from, told coarsely enough to keep out of personal detail
and clearly enough for an investigation (ASVS 16.2.1): the network (/24 for IPv4,
/48 for IPv6), the browser family, and a keyed hash of the full address for the
per-source throttle. Only staff-authentication events carry this; the public
journey never records an address.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass

from wizard.domain.addresses import parse_address

IPV4_PREFIX = 24
IPV6_PREFIX = 48

# Order matters: Edge and Opera say "Chrome" too, and Chrome says "Safari".
_FAMILIES = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
    ("python", "script"),
)


@dataclass(frozen=True)
class Source:
    network: str = "unknown network"
    agent: str = "unknown browser"
    # HMAC-SHA256 of the full address under a key of this deployment.
    key: str = "unknown"

    def describe(self) -> str:
        return f"from {self.network}, {self.agent}"


COMMAND_LINE_SOURCE = Source("the server", "command line", "command-line")


def network_of(address: str | None) -> str:
    ip = parse_address((address or "").strip())
    if ip is None:
        return "unknown network"
    prefix = IPV4_PREFIX if ip.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def agent_family(user_agent: str | None) -> str:
    text = user_agent or ""
    for marker, family in _FAMILIES:
        if marker.lower() in text.lower():
            return family
    return "other browser" if text else "unknown browser"


def source_of(address: str | None, user_agent: str | None, *, secret: str, throttle_as: str | None = None) -> Source:
    """`throttle_as` is what the per-source throttle counts by (an IPv6 client's /64, as
    the rate limits do, since one subscriber may pick any address in it)."""
    counted = throttle_as if throttle_as is not None else (address or "")
    key = hmac.new(secret.encode("utf-8"), counted.encode("utf-8"), hashlib.sha256).hexdigest()
    return Source(network_of(address), agent_family(user_agent), key)
