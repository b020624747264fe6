"""Which client sent this request.

``X-Forwarded-For`` is honoured only across ``TRUSTED_PROXY_COUNT`` hops: the
app is wrapped in Werkzeug's ``ProxyFix`` with exactly that many, so a client
cannot choose its own address by sending the header itself.
"""

from __future__ import annotations

import ipaddress

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix


def install_proxy_fix(app: Flask) -> None:
    hops = int(app.config["TRUSTED_PROXY_COUNT"])
    if hops > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0
        )


def client_ip() -> str:
    """The client's address as the trusted proxy chain reports it, or "unknown".

    Only a parsed address comes out: with one hop too many trusted, the hop we believe
    is whatever the client wrote, and this string is printed in emails and stored.
    """
    try:
        address = str(ipaddress.ip_address(request.remote_addr or ""))
    except ValueError:
        return "unknown"
    return address if len(address) <= 45 else "unknown"  # an IPv6 zone id can run long


def anonymize_ip(address: str) -> str:
    """Keep the network, drop the host: IPv4 to /24, IPv6 to /48, for logs."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


def rate_limit_bucket(address: str) -> str:
    """The bucket a client's requests are counted in: the IPv4 address, or the IPv6 /64.

    One IPv6 customer usually holds a whole /64, so counting single addresses
    would hand an attacker 2**64 fresh buckets.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def client_bucket() -> str:
    return rate_limit_bucket(client_ip())
