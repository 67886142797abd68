"""Brakes on guessing: passwords, workshop join codes and resume codes.

Each purpose has its own brake, so wrong join codes never lock anybody's login:

* LOGIN, JOIN_CODE, RESUME_CODE count wrong attempts per network address (IPv4: the address,
  IPv6: its /64 network, which one household or phone usually gets whole). After `limit`
  failures within `window` seconds, further attempts of that purpose from there are refused
  until the window has passed.
* The account brake counts wrong passwords per user name (known or not, so it tells nothing
  about which names exist): after a few free attempts, each further one must wait twice as
  long as the one before, up to a cap.

Only attempts sent by POST count: a page elsewhere that makes a browser load our links (e.g. a
page of <img> tags) cannot lock anybody out. Only keyed hashes of addresses and names are
stored (store.count_brake_failure), never the address or name itself.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import time
import unicodedata
from dataclasses import dataclass

from flask import current_app, request

from survey_app.web.db import get_store


@dataclass(frozen=True)
class Brake:
    purpose: str
    limit_setting: str      # app config key for the number of failures
    default_limit: int
    window: int             # seconds

    def limit(self) -> int:
        return int(current_app.config.get(self.limit_setting, self.default_limit))


LOGIN = Brake("login", "LOGIN_FAILURE_LIMIT", 20, 600)
JOIN_CODE = Brake("join", "CODE_FAILURE_LIMIT", 20, 600)
RESUME_CODE = Brake("resume", "CODE_FAILURE_LIMIT", 20, 600)
# Wrong passwords from a browser that logged in to the account before (auth: trusted devices),
# counted per device instead of per address and account.
DEVICE = Brake("device", "DEVICE_FAILURE_LIMIT", 10, 600)

ACCOUNT_PURPOSE = "account"
ACCOUNT_WINDOW = 24 * 3600
ACCOUNT_FREE_FAILURES = 5       # config LOGIN_ACCOUNT_FREE_FAILURES
ACCOUNT_MAX_DELAY = 15 * 60     # seconds, config LOGIN_ACCOUNT_MAX_DELAY


def network_of(address: str | None) -> str:
    """What counts as one client: an IPv4 address, or the /64 network of an IPv6 address."""
    try:
        ip = ipaddress.ip_address((address or "").split("%")[0])
    except ValueError:
        return address or ""
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _key(*parts: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, "\0".join(parts).encode(), hashlib.sha256).hexdigest()[:32]


def _client_key(brake: Brake, subject: str | None) -> str:
    return _key(brake.purpose, network_of(request.remote_addr) if subject is None else subject)


def locked_out(brake: Brake, subject: str | None = None) -> bool:
    """The client (or `subject`, e.g. a device) made too many wrong attempts of this purpose lately."""
    counter = get_store().brake_counter(brake.purpose, _client_key(brake, subject), time.time())
    return counter is not None and counter["count"] >= brake.limit()


def count_failure(brake: Brake, subject: str | None = None) -> bool:
    """Count one wrong attempt (POST requests only); True when the client is now locked out."""
    if request.method != "POST":
        return locked_out(brake, subject)
    counter = get_store().count_brake_failure(brake.purpose, _client_key(brake, subject), time.time(),
                                              brake.window)
    return counter["count"] >= brake.limit()


# --------------------------------------------------------------------------- per account

def _account_key(username: str) -> str:
    return _key(ACCOUNT_PURPOSE, unicodedata.normalize("NFKC", username).strip().casefold())


def _delay(failures: int) -> int:
    free = int(current_app.config.get("LOGIN_ACCOUNT_FREE_FAILURES", ACCOUNT_FREE_FAILURES))
    cap = int(current_app.config.get("LOGIN_ACCOUNT_MAX_DELAY", ACCOUNT_MAX_DELAY))
    if failures < free:
        return 0
    return min(2 ** min(failures - free, 30), cap)


def account_wait(username: str) -> int:
    """Seconds until the next password for this user name may be tried (0: now)."""
    now = time.time()
    counter = get_store().brake_counter(ACCOUNT_PURPOSE, _account_key(username), now)
    if counter is None:
        return 0
    return max(0, int(counter["last"] + _delay(counter["count"]) - now + 0.999))


def count_account_failure(username: str) -> None:
    get_store().count_brake_failure(ACCOUNT_PURPOSE, _account_key(username), time.time(), ACCOUNT_WINDOW)


def clear_account(username: str) -> None:
    get_store().clear_brake(ACCOUNT_PURPOSE, _account_key(username))
