"""Pure builders and parsers for the IMAP adapter: search criteria, Gmail queries, responses."""

from __future__ import annotations

import re
from datetime import datetime

APPENDUID = re.compile(rb"\[APPENDUID \d+ (\d+)\]")


def search_criteria(
    since: datetime, addresses: frozenset[str], domains: frozenset[str], own: frozenset[str]
) -> list[object]:
    """SEARCH SINCE plus a flat OR of FROM/TO/CC; SINCE alone when a value is not ASCII.

    Mail merely *to* the user would be the whole mailbox, so the user's own
    addresses match as senders, or as recipients of a reply (In-Reply-To set).
    """
    values = sorted((addresses | domains) - own)
    keys: list[object] = [["FROM", v] for v in values + sorted(own)]
    keys += [[k, v] for v in values for k in ("TO", "CC")]
    keys += [["TO", v, "HEADER", "IN-REPLY-TO", ""] for v in sorted(own)]
    criteria: list[object] = ["SINCE", since.date()]
    if all(str(part).isascii() for key in keys for part in key):
        # Prefix notation keeps OR flat: imapclient drops the charset on nested lists,
        # so only the (ASCII-only) reply clause is parenthesised.
        criteria += ["OR"] * (len(keys) - 1)
        criteria += [part for key in keys for part in (key if len(key) == 2 else [key])]
    return criteria


def gmail_query(
    since: datetime, addresses: frozenset[str], domains: frozenset[str], own: frozenset[str]
) -> str:
    """An X-GM-RAW query: mail from, to or copied to the tracked people after `since`.

    Gmail's OR binds tighter than the implied AND, so the date applies to every
    alternative; `after:` takes epoch seconds, which avoids Gmail's time-zone guess.
    """
    people = sorted((addresses | domains) - own)
    senders = " OR ".join(people + sorted(own))
    recipients = " OR ".join(people)
    return (
        f"from:({senders}) OR to:({recipients}) OR cc:({recipients}) "
        f"after:{int(since.timestamp())}"
    )


def thread_criteria(since: datetime, threads: list[str]) -> list[object]:
    """SEARCH SINCE and a flat OR of X-GM-THRID: the messages of these Gmail conversations."""
    criteria: list[object] = ["SINCE", since.date(), *["OR"] * (len(threads) - 1)]
    for thread in threads:
        criteria += ["X-GM-THRID", thread]
    return criteria


def appended_uid(response: bytes | None) -> int | None:
    """The UID from an APPEND's [APPENDUID validity uid] response code, if any."""
    match = APPENDUID.search(response or b"")
    return int(match.group(1)) if match else None


def item(data: dict, prefix: bytes) -> bytes | None:
    """A FETCH item by prefix: servers echo HEADER.FIELDS lists in their own spelling."""
    for name, value in data.items():
        if isinstance(name, bytes) and name.startswith(prefix):
            return value
    return None


def thread_warning(key: str, draft_thread: str | None, parent_thread: str | None) -> str | None:
    """A sentence when Gmail put a reply draft into another conversation than its parent's."""
    if draft_thread is None or parent_thread is None or draft_thread == parent_thread:
        return None
    return (
        f"Gmail put draft {key} into conversation {draft_thread}, not {parent_thread} of the "
        "message it answers; it will show up as a new conversation"
    )
