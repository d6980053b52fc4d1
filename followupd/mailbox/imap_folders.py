"""Which IMAP folder plays which role, from a LIST response (pure)."""

from __future__ import annotations

import re

from followupd.errors import MailboxError
from followupd.mailbox.contract import FolderRoles
from followupd.model import Account

# RFC 6154 SPECIAL-USE attributes, as imapclient returns them.
ALL, DRAFTS, SENT = b"\\All", b"\\Drafts", b"\\Sent"
DRAFTS_NAMES = ("Drafts", "Draft")
SENT_NAMES = ("Sent", "Sent Items", "Sent Messages", "Sent Mail")


def roles_from_listing(
    listing: list, account: Account, gmail: bool, host: str
) -> FolderRoles:
    """Pick Drafts/Sent/watch from a LIST response: overrides, flags, then names."""
    by_flag = {flag: name for flags, _, name in listing for flag in flags}
    # Courier-style servers put every folder under INBOX: "INBOX.Sent Items" is Sent too.
    names = {re.sub(r"^inbox[./]", "", name.lower()): name for _, _, name in reversed(listing)}
    drafts = account.folders.drafts or by_flag.get(DRAFTS) or first_named(names, DRAFTS_NAMES)
    sent = account.folders.sent or by_flag.get(SENT) or first_named(names, SENT_NAMES)
    if not drafts or not sent:
        missing = "Drafts" if not drafts else "Sent"
        raise MailboxError(
            f"no {missing} folder found on {host}",
            advice=f"name it in the config under account.folders.{missing.lower()}",
        )
    if gmail and ALL in by_flag:
        # On Gmail \All holds INBOX and Sent alike: one folder sees every reply.
        watch: tuple[str, ...] = (by_flag[ALL], *account.folders.watch)
    else:
        watch = ("INBOX", sent, *account.folders.watch)
    return FolderRoles(drafts=drafts, sent=sent, watch=tuple(dict.fromkeys(watch)))


def all_mail(listing: list) -> str | None:
    """The folder flagged \\All, if the server has one."""
    return next((name for flags, _, name in listing if ALL in flags), None)


def first_named(names: dict[str, str], candidates: tuple[str, ...]) -> str | None:
    """The first candidate present in the listing, compared without case."""
    for candidate in candidates:
        if candidate.lower() in names:
            return names[candidate.lower()]
    return None
