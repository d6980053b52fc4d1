"""The one Mailbox contract that IMAP and Maildir adapters both fulfil, and what a scan keeps."""

from __future__ import annotations

import email.message
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from followupd.core.addresses import domain_of
from followupd.errors import MailboxError
from followupd.model import Message

KEY_HEADER = "X-Followupd-Key"


@dataclass(frozen=True)
class Cursor:
    """Where the last scan of a folder stopped: the next scan starts after last_uid."""

    uidvalidity: int
    last_uid: int


@dataclass(frozen=True)
class ScanResult:
    """The tracked messages a scan found and the cursor for the next scan."""

    messages: tuple[Message, ...]
    cursor: Cursor


@dataclass(frozen=True)
class FolderRoles:
    """Which folder holds drafts, which holds sent mail, and which to scan for replies."""

    drafts: str
    sent: str
    watch: tuple[str, ...]


@dataclass(frozen=True)
class DraftOnServer:
    """One of followupd's drafts as it is in the mailbox now."""

    uid: int
    message_id: str
    body_text: str
    key: str


class Mailbox(Protocol):
    """What the cycle needs from a mailbox; every adapter passes the same contract tests."""

    # Why the last appended draft may sit outside its conversation (Gmail threads by its
    # own rules), for the user to read; None when there is nothing to say.
    last_append_thread_warning: str | None

    def roles(self) -> FolderRoles: ...

    def scan(
        self,
        folder: str,
        since: datetime,
        addresses: frozenset[str],
        domains: frozenset[str],
        cursor: Cursor | None,
    ) -> ScanResult: ...

    def append_draft(
        self, folder: str, message: email.message.EmailMessage, at: datetime
    ) -> int | None: ...

    def drafts_with_key(self, folder: str, key: str) -> tuple[DraftOnServer, ...]: ...

    def list_own_drafts(self, folder: str) -> tuple[DraftOnServer, ...]: ...

    def remove_draft(self, folder: str, uid: int) -> None: ...

    def close(self) -> None: ...


def is_tracked_sender(
    message: Message, addresses: frozenset[str], domains: frozenset[str]
) -> bool:
    """True when an interviewer or someone at the company wrote the message."""
    return message.sender in addresses or domain_of(message.sender) in domains


def is_tracked(
    message: Message,
    addresses: frozenset[str],
    domains: frozenset[str],
    own_addresses: frozenset[str],
) -> bool:
    """True when the message is from or to a tracked person or domain, from the user,
    or a reply to the user (which may answer the user's mail from an untracked address)."""
    # Mail *to* the user is not enough on its own: that is every message in INBOX.
    if message.sender in own_addresses or is_tracked_sender(message, addresses, domains):
        return True
    if is_reply_to_user(message, own_addresses):
        return True
    return any(
        recipient in addresses or domain_of(recipient) in domains
        for recipient in message.recipients
    )


def is_reply_to_user(message: Message, own_addresses: frozenset[str]) -> bool:
    """A reply addressed to the user: the planner checks whether it answers their mail."""
    replying = bool(message.in_reply_to or message.references)
    return replying and any(recipient in own_addresses for recipient in message.recipients)


def needs_body(
    message: Message,
    addresses: frozenset[str],
    domains: frozenset[str],
    own_addresses: frozenset[str],
) -> bool:
    """Whether classification will need the text: company mail and replies to the user."""
    if message.sender in own_addresses:
        return False
    return is_tracked_sender(message, addresses, domains) or is_reply_to_user(message, own_addresses)


def draft_key(message: Message) -> str:
    """The X-Followupd-Key of a message, or "" when it is not one of ours."""
    return (message.followupd_key or "").strip()


def refusal(what: str) -> MailboxError:
    """The error for a removal followupd must not do: it only deletes its own drafts."""
    return MailboxError(f"refusing to remove {what}")
