"""Who the client is, for rate limits, share links and the Secure-cookie checks.

X-Forwarded-* headers are believed only when the request comes from one of the proxy
addresses in FORWARDED_ALLOW_IPS (the same setting gunicorn reads), and only as many
hops as TRUSTED_PROXIES says; from anywhere else they are removed, so an instance
reached directly cannot be told a forged address (M6). Rate limits count an IPv6
client by its /64, since one subscriber is given a whole /64 to pick addresses from.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from flask import request
from werkzeug.middleware.proxy_fix import ProxyFix

from wizard.domain.addresses import parse_address

DEFAULT_PROXY_ADDRESSES = "127.0.0.1,::1"
FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PREFIX",
)
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# Peer addresses whose answer (a proxy or not) is kept.
PEERS_KEPT = 256


def parse_proxy_addresses(text: str) -> tuple[Network, ...]:
    """Addresses or networks, comma-separated. "*" is refused: it would believe anyone."""
    networks = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        if item == "*":
            raise RuntimeError(
                "FORWARDED_ALLOW_IPS must list the proxies' addresses or networks (such as 10.0.0.5 or "
                "10.0.0.0/24), not '*': with '*' anyone could forge the client's address."
            )
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise RuntimeError(
                f"FORWARDED_ALLOW_IPS: {item!r} is not an IP address or network (such as 10.0.0.5 or 10.0.0.0/24)."
            ) from None
    return tuple(networks)


class TrustedProxies:
    """ProxyFix, applied only to requests whose peer is a listed proxy."""

    def __init__(self, app, count: int, proxies: tuple[Network, ...]):
        self.direct = app
        self.proxied = ProxyFix(app, x_for=count, x_proto=count, x_host=count)
        self.proxies = proxies
        # Reading an address and testing it against each network is some 7 microseconds of every
        # request, and nearly all requests come from the same few proxies: the answer is kept per
        # peer address (a bounded number of them: the least recently seen are forgotten).
        self._is_proxy = lru_cache(maxsize=PEERS_KEPT)(self._listed)

    def _listed(self, remote_addr: str | None) -> bool:
        peer = parse_address(remote_addr)
        return peer is not None and any(peer in network for network in self.proxies)

    def from_proxy(self, environ) -> bool:
        return self._is_proxy(environ.get("REMOTE_ADDR"))

    def __call__(self, environ, start_response):
        if self.from_proxy(environ):
            return self.proxied(environ, start_response)
        for header in FORWARDED_HEADERS:
            environ.pop(header, None)
        return self.direct(environ, start_response)


def client_key() -> str:
    """The rate-limit key: the IPv4 address, or the /64 an IPv6 address belongs to."""
    address = parse_address(request.remote_addr)
    if address is None:
        return request.remote_addr or "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def trusted_proxies(wsgi_app, config) -> object:
    """The whole site behind TRUSTED_PROXIES proxies at FORWARDED_ALLOW_IPS (outermost, so that
    every app, the host check and the request log see the client the proxy saw)."""
    count = int(config.get("TRUSTED_PROXIES", 0))
    if count <= 0:
        return wsgi_app
    proxies = parse_proxy_addresses(config.get("FORWARDED_ALLOW_IPS", DEFAULT_PROXY_ADDRESSES))
    return TrustedProxies(wsgi_app, count, proxies)
