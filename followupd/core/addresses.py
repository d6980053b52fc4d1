"""Mail addresses and hosts as plain values: whose domain, and whether a host is this machine (pure)."""

from __future__ import annotations

import ipaddress


def domain_of(address: str) -> str:
    """The lower-case domain of an address, or "" when it has none (a bare word is no domain)."""
    return address.rpartition("@")[2].lower() if "@" in address else ""


def bare_host(host: str) -> str:
    """The host as a socket wants it: an IPv6 literal without its URL brackets."""
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses, in any case and with or without brackets:
    the only places plain, unencrypted IMAP may go."""
    name = bare_host(host.strip()).lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
