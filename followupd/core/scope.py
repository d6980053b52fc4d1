"""What mail is worth reading: how far back, from whom, and when a full search is due again (pure)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from followupd.model import Config

# Mail this long before the earliest interview still matters: the scheduling
# thread is what a check-in replies to when nothing else was exchanged.
LOOKBACK = timedelta(days=30)

def scan_since(config: Config, now: datetime) -> datetime:
    """How far back the first scan of a folder looks."""
    active = [i.when for i in config.interviews if i.status == "active"]
    earliest = min(active, default=now)
    return min(earliest, now) - LOOKBACK


def scan_scope(config: Config) -> tuple[frozenset[str], frozenset[str]]:
    """The addresses and domains whose mail the planner needs."""
    addresses = set(config.account.own_addresses)
    domains: set[str] = set()
    for interview in config.interviews:
        addresses |= interview.addresses
        domains |= set(interview.domains)
    return frozenset(addresses), frozenset(domains)


def scope_text(addresses: frozenset[str], domains: frozenset[str], since: datetime) -> str:
    """What a folder's full search covered, to store beside its cursor."""
    return json.dumps(
        {"addresses": sorted(addresses), "domains": sorted(domains), "since": since.isoformat()}
    )


def needs_full_scan(
    old_scope: str | None, addresses: frozenset[str], domains: frozenset[str], since: datetime
) -> bool:
    """Whether the last full search missed someone or some time now tracked (a new interview)."""
    if old_scope is None:
        return True
    old = json.loads(old_scope)
    return (
        not addresses <= set(old["addresses"])
        or not domains <= set(old["domains"])
        or since < datetime.fromisoformat(old["since"])
    )
