"""What a user does to a mailbox by hand, on Dovecot or a Maildir: read, delete, edit, send."""

from __future__ import annotations

import email
import email.policy
import email.utils
from collections import Counter
from datetime import datetime
from email.message import EmailMessage

KEY = "X-Followupd-Key"


def folder_messages(mail, folder: str) -> list[EmailMessage]:
    """Every message in a folder, parsed, read without changing a flag."""
    return [parsed(raw) for _, raw in raw_messages(mail, folder)]


def raw_messages(mail, folder: str) -> list[tuple[object, bytes]]:
    """(place, raw bytes) of every message: a UID on IMAP, a file path in a Maildir."""
    if mail.kind == "imap":
        helper = mail.helper
        helper.select_folder(folder, readonly=True)
        uids = helper.search()
        fetched = helper.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
        return [(uid, fetched[uid][b"BODY[]"]) for uid in sorted(fetched)]
    directory = mail.directory(folder)
    files = [path for sub in ("new", "cur") if (directory / sub).is_dir()
             for path in sorted((directory / sub).iterdir())]
    return [(path, path.read_bytes()) for path in files]


def parsed(raw: bytes) -> EmailMessage:
    """The message with IMAP's CRLF line ends made plain newlines, as a Maildir file has them."""
    return email.message_from_bytes(raw.replace(b"\r\n", b"\n"), policy=email.policy.default)


def keys_in(mail, folder: str) -> Counter:
    """How many drafts with each X-Followupd-Key the folder holds."""
    return Counter(message[KEY] for message in folder_messages(mail, folder) if message[KEY])


def delete_where(mail, folder: str, key: str) -> None:
    """Delete the messages carrying this key, as a mail client does."""
    places = [place for place, raw in raw_messages(mail, folder) if parsed(raw)[KEY] == key]
    assert places, f"no message with key {key} in {folder}"
    if mail.kind == "imap":
        mail.helper.select_folder(folder)
        mail.helper.delete_messages(places)
        mail.helper.expunge()
        return
    for path in places:
        path.unlink()


def edit_draft(mail, folder: str, key: str, body: str) -> None:
    """Save an edited copy of the draft (same headers, new body) and remove the old one."""
    original = next(m for m in folder_messages(mail, folder) if m[KEY] == key)
    edited = EmailMessage(policy=email.policy.default)
    for name, value in original.items():
        if name.lower() not in ("content-type", "content-transfer-encoding", "mime-version"):
            edited[name] = value
    edited.set_content(body)
    delete_where(mail, folder, key)
    mail.deliver(edited.as_bytes(), folder, flags=(b"\\Draft",))


def send_draft(mail, folder: str, sent_folder: str, key: str, at: datetime, *,
               to: str | None = None, keep_message_id: bool = False) -> EmailMessage:
    """What Gmail does on Send: the draft leaves Drafts, a copy with a new Message-ID lands in Sent.

    keep_message_id: a client that keeps the draft's Message-ID (most but Gmail);
    to: the address the user changed the recipient to before sending.
    """
    draft = next(m for m in folder_messages(mail, folder) if m[KEY] == key)
    copy = EmailMessage(policy=email.policy.default)
    for name in ("From", "To", "Subject", "In-Reply-To", "References"):
        if draft[name]:
            copy[name] = to if name == "To" and to else draft[name]
    copy["Date"] = email.utils.format_datetime(at)
    copy["Message-ID"] = draft["Message-ID"] if keep_message_id else email.utils.make_msgid(domain="mail.gmail.com")
    copy.set_content(draft.get_content())
    delete_where(mail, folder, key)
    mail.deliver(copy.as_bytes(), sent_folder, flags=(b"\\Seen",), when=at)
    return copy


def rebuild_folder(mail, folder: str) -> None:
    """Give a folder a new UIDVALIDITY, its messages gone.

    A Maildir's UIDVALIDITY is its directory's inode; moving the old directory
    aside (rather than deleting it) keeps the filesystem from handing the same
    inode to the new one.
    """
    if mail.kind == "imap":
        mail.recreate_folder(folder)
        return
    directory = mail.directory(folder)
    directory.rename(directory.with_name(directory.name + ".old"))
    for name in ("tmp", "new", "cur"):
        (directory / name).mkdir(parents=True)
