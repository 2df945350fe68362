"""Which addresses the LTI bridge may call: public ones only, unless an administrator allows a host.

URLs from partner platforms (an OpenID configuration handed to Dynamic Registration, the endpoints it names)
must not make the server call its own loopback, the private network or link-local addresses such as a cloud
metadata service. The host's addresses are checked after DNS resolution, before connecting, and the address
actually connected to is checked again (a name that resolves differently the second time is caught), for
every connection, so for every redirect too. Hosts in ``settings.ALLOW_PRIVATE_HOSTS``
(``CAREGIVING_ALLOW_PRIVATE_HOSTS``) are exempt: a lab platform, or the tests' fake platform on 127.0.0.1.
"""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError


def is_public(address: str) -> bool:
    """Whether ``address`` (an IP address) is a public unicast address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def host_allowed(host: str) -> bool:
    """Whether ``host`` may be called whatever its addresses (the administrator's allow-list)."""
    return host.strip("[]").lower() in getattr(settings, "ALLOW_PRIVATE_HOSTS", [])


def refusal(host: str, port: int) -> str | None:
    """Why ``host`` may not be called (it resolves to a non-public address), or None when it may."""
    if host_allowed(host):
        return None
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)}
    except (socket.gaierror, UnicodeError) as exc:
        return f"{host} does not resolve ({exc})"
    private = sorted(a for a in found if not is_public(a))
    return f"{host} resolves to a non-public address ({', '.join(private)})" if private else None


def check_url(url: str) -> None:
    """Raise ValueError when ``url`` is not http(s) or names a host that may not be called."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url[:200]!r} is not an http(s) URL")
    reason = refusal(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    if reason:
        raise ValueError(reason)


class _Checked:
    """A urllib3 connection that refuses non-public destinations before and after connecting."""

    def _new_conn(self):
        reason = refusal(self._dns_host, self.port)
        if reason:
            raise NewConnectionError(self, f"refused: {reason}")
        sock = super()._new_conn()
        peer = sock.getpeername()[0]
        if not host_allowed(self._dns_host) and not is_public(peer):
            sock.close()
            raise NewConnectionError(self, f"refused: {self._dns_host} connected to non-public {peer}")
        return sock


class CheckedHTTPConnection(_Checked, HTTPConnection):
    pass


class CheckedHTTPSConnection(_Checked, HTTPSConnection):
    pass


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = CheckedHTTPConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = CheckedHTTPSConnection


class CheckedAdapter(HTTPAdapter):
    """A requests adapter whose every connection goes through :class:`_Checked`."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _CheckedHTTPPool, "https": _CheckedHTTPSPool}
