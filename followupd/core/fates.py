"""What became of a draft that left Drafts: sent, deleted by the user, or still unknown (pure)."""

from __future__ import annotations

from datetime import timedelta

from followupd.model import DraftRecord, Message

# Clocks of mail clients and servers disagree a little.
CLOCK_SKEW = timedelta(minutes=5)


def fate_of_vanished_draft(
    record: DraftRecord,
    messages: tuple[Message, ...],
    own_addresses: frozenset[str],
    sent_folder: str = "",
) -> str | None:
    """A draft gone from Drafts was sent if matching mail is in Sent, else dismissed."""
    if sent_copy(record, messages, own_addresses, sent_folder) is not None:
        return "sent"
    return "dismissed" if record.state == "created" else None


def sent_copy(
    record: DraftRecord,
    messages: tuple[Message, ...],
    own_addresses: frozenset[str],
    sent_folder: str = "",
) -> Message | None:
    """The user's outgoing mail that stands for this draft, if any.

    Gmail gives a sent draft a new Message-ID, so the match is by recipient,
    time and thread, never by Message-ID alone.
    """
    recipient = record.recipient.lower()
    for message in messages:
        if message.followupd_key and message.followupd_key != record.key:
            continue  # another of our drafts
        if message.message_id == record.message_id and message.folder != sent_folder:
            continue  # the draft itself, seen in a folder like Gmail's All Mail
        if recipient not in message.recipients or message.date < record.created_at - CLOCK_SKEW:
            continue
        if message.sender not in own_addresses or not is_sent_copy(message):
            continue
        if record.in_reply_to and not in_thread(message, record.in_reply_to):
            continue
        return message
    return None


def sent_trace(
    record: DraftRecord,
    messages: tuple[Message, ...],
    own_addresses: frozenset[str],
    sent_folder: str = "",
) -> Message | None:
    """Proof that a draft never recorded as appended was sent: its sent copy, or its own Message-ID
    on mail outside Drafts (a client that keeps the ID, to a recipient the user changed)."""
    copy = sent_copy(record, messages, own_addresses, sent_folder)
    if copy is not None:
        return copy
    return next(
        (m for m in messages if m.message_id == record.message_id and is_sent_copy(m)), None
    )


def in_thread(message: Message, parent_id: str) -> bool:
    return message.in_reply_to == parent_id or parent_id in message.references


def is_sent_copy(message: Message) -> bool:
    """Whether a message is the user's outgoing mail (it lives outside Drafts)."""
    return "draft" not in message.folder.lower()
