"""Who the client is, behind the reverse proxies the deployment trusts (settings.TRUSTED_PROXY_COUNT).

Each proxy appends the address it received the request from to X-Forwarded-For, so the header's last entry was
written by the proxy nearest the app, the one before it by the next proxy out, and so on; whatever lies further left
came from the client, who may write anything there. The client's address is therefore the entry TRUSTED_PROXY_COUNT
places from the right: the address the outermost trusted proxy saw. Entries left of it are never read, so a forged
first hop changes nothing. With no trusted proxy the header is ignored: the client is the peer of the connection.
"""

import ipaddress
import logging

from django.conf import settings
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def parse_address(text: str) -> str | None:
    """An IP address as a proxy may write it ("203.0.113.7", "2001:db8::1", "[2001:db8::1]:443",
    "203.0.113.7:51234"), in its canonical form; None if it is not one."""
    text = text.strip()
    candidates = [text]
    if text.startswith("[") and "]" in text:
        candidates.append(text[1 : text.index("]")])
    elif text.count(":") == 1:
        candidates.append(text.split(":")[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the one the outermost trusted proxy saw (module docstring)."""
    peer = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if proxies <= 0 or not hops:
        return peer
    # Fewer entries than proxies: the request skipped the outer ones, and the leftmost entry is still one a
    # trusted proxy wrote (it saw the client directly).
    hop = hops[-proxies] if len(hops) >= proxies else hops[0]
    address = parse_address(hop)
    if address is None:  # only a misconfigured proxy writes this; the peer is the safer guess
        logger.warning("X-Forwarded-For entry %r written by a trusted proxy is not an address", hop[:60])
        return peer
    return address
