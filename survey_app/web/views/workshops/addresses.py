"""The address phones in the room use to join (join link and QR code).

* SURVEY_APP_JOIN_URL (e.g. ``https://beteiligung.example.org`` or ``http://192.168.1.20:5000``)
  is used as it is, when set.
* Else the address the facilitator's browser used, unless that is this computer's own
  (127.0.0.1, localhost, ::1): a phone cannot reach it. Then this computer's address in the
  local network (the one its traffic leaves by) with the same port, if the app answers there
  (it was started with HOST=0.0.0.0); otherwise the loopback address stays, with a warning.
"""
from __future__ import annotations

import ipaddress
import os
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from flask import request, url_for

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
CHECK_EVERY_S = 60
_checked: dict[tuple[str, int], tuple[float, str | None]] = {}   # (scheme, port) -> (when, LAN host)


@dataclass(frozen=True)
class JoinAddress:
    url: str          # the join link of the workshop
    site: str         # the page to type the code into (short, for the screen)
    loopback: bool    # only this computer can open it: phones in the room cannot join


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _local_network_address() -> str | None:
    """This computer's address on the network its traffic leaves by (nothing is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))   # TEST-NET-1: never routed, only picks the interface
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if is_loopback(address) or address == "0.0.0.0" else address


def reachable_base(base_url: str) -> str:
    """`base_url` with an "all addresses" host (0.0.0.0, ::, as in HOST=0.0.0.0 make run)
    replaced by this computer's local network address, which phones can open (127.0.0.1 when
    it has none)."""
    parts = urlsplit(base_url)
    if (parts.hostname or "") not in ("0.0.0.0", "::"):
        return base_url
    host = _local_network_address() or "127.0.0.1"
    return urlunsplit((parts.scheme, host if parts.port is None else f"{host}:{parts.port}", parts.path, "", ""))


def _answers_at(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.3):
            return True
    except OSError:
        return False


def _reachable_host(scheme: str, port: int) -> str | None:
    """The local network address where this app answers on `port` (checked once a minute)."""
    now = time.monotonic()
    found = _checked.get((scheme, port))
    if found is None or now - found[0] > CHECK_EVERY_S:
        address = _local_network_address()
        found = (now, address if address and _answers_at(address, port) else None)
        _checked[(scheme, port)] = found
    return found[1]


def join_address(join_code: str) -> JoinAddress:
    link = url_for("participate.live", code=join_code, _external=True)
    site = url_for("participate.join", _external=True)
    configured = os.environ.get("SURVEY_APP_JOIN_URL", "").strip().rstrip("/")
    if configured:
        base = urlsplit(configured)
        return JoinAddress(*(urlunsplit((base.scheme, base.netloc, base.path + urlsplit(u).path, "", ""))
                             for u in (link, site)), loopback=is_loopback(base.hostname or ""))
    parts = urlsplit(link)
    if not is_loopback(parts.hostname or ""):
        return JoinAddress(link, site, loopback=False)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    lan = _reachable_host(parts.scheme, int(request.environ.get("SERVER_PORT") or port))
    if lan is None:
        return JoinAddress(link, site, loopback=True)
    netloc = lan if parts.port is None else f"{lan}:{parts.port}"
    return JoinAddress(*(urlunsplit((parts.scheme, netloc, urlsplit(u).path, "", "")) for u in (link, site)),
                       loopback=False)
