"""Where a webhook may go: an https URL whose host resolves only to public addresses.

A farm must not be able to make our worker POST to the database, the metadata service of the
cloud, or anything else on our own network (server-side request forgery). The check runs when
the endpoint is registered and again at each delivery, and the delivery then connects to the
very address that was checked (app.webhooks.transport), so a DNS answer that changes between
the check and the connection (rebinding) cannot slip a private address in.
WEBHOOKS_ALLOW_LOCAL (development, tests with a local listener) lifts both rules.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.errors import DomainError

MAX_URL_LENGTH = 500


class AddressRefused(DomainError):
    """A webhook address that may not be used; `reason` says why in the delivery log's
    words (English, whatever the language of whoever is looking)."""

    def __init__(self, message, reason: str) -> None:
        super().__init__(message, field="url")
        self.reason = reason


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    #: The path and query to request.
    path: str
    #: The address to connect to, checked public (or any, when local ones are allowed).
    address: str


def resolve(host: str, port: int) -> list[str]:
    """Every address the host resolves to (a seam for tests without DNS)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


#: IPv6 prefixes that carry an IPv4 address in their last 32 bits (NAT64, RFC 6052 / 8215).
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one leads to by translation or tunnelling, if any: a
    network that routes these reaches that IPv4 host (10.0.0.1 behind 64:ff9b::a00:1)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if any(ip in network for network in _NAT64) or int(ip) >> 32 == 0:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)  # also ::a.b.c.d, IPv4-compatible
    return None


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.is_site_local:
            return False
        embedded = _embedded_ipv4(ip)
        if embedded is not None and not is_public(str(embedded)):
            return False
    return ip.is_global and not ip.is_multicast


def allow_local() -> bool:
    return bool(current_app.config.get("WEBHOOKS_ALLOW_LOCAL"))


def check_url(url: str) -> Target:
    """The URL's target, or AddressRefused (a DomainError on field "url") saying why it
    may not be used."""
    local = allow_local()
    if len(url) > MAX_URL_LENGTH:
        raise AddressRefused(_l("This is too long."), "address too long")
    if not url.isprintable() or " " in url:  # control characters, NUL, lone surrogates
        raise AddressRefused(_l("This is not a web address."), "not a URL")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise AddressRefused(_l("This is not a web address."), "not a URL") from error
    schemes = ("https", "http") if local else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise AddressRefused(_l("The address must start with https://."), "not https")
    if parts.username or parts.password:
        raise AddressRefused(
            _l("Leave the user name and password out of the address."), "credentials in URL"
        )
    port = port or (443 if parts.scheme == "https" else 80)
    not_found = _l("This address's host cannot be found.")
    try:
        addresses = resolve(parts.hostname, port)
    except (OSError, ValueError) as error:  # ValueError: an IDNA label too long, and such
        raise AddressRefused(not_found, f"host not found: {error}") from error
    if not addresses:
        raise AddressRefused(not_found, "host not found")
    private = [address for address in addresses if not is_public(address)]
    if private and not local:
        raise AddressRefused(
            _l("Webhooks go only to public addresses, not to private or local networks."),
            f"refused: {parts.hostname} resolves to non-public {private[0]}",
        )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, parts.hostname, port, path, addresses[0])
