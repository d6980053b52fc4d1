"""Mailboxes: the one contract every adapter fulfils (contract.py), and the door that opens one."""

from __future__ import annotations

from typing import Callable

from followupd.mailbox.contract import Cursor, DraftOnServer, FolderRoles, Mailbox, ScanResult
from followupd.model import Account

__all__ = ["Cursor", "DraftOnServer", "FolderRoles", "Mailbox", "ScanResult", "open_mailbox"]


def open_mailbox(
    account: Account, password: Callable[[], str] | None, *, timeout: float = 30
) -> Mailbox:
    """Connect to the account's mailbox; adapters are imported here so --help stays fast."""
    if account.provider == "maildir":
        from followupd.mailbox.maildir import MaildirMailbox

        return MaildirMailbox(account)
    from followupd.mailbox.imap import ImapMailbox

    if password is None:
        raise ValueError("an IMAP account needs a password source")
    return ImapMailbox(account, password, timeout=timeout)
