"""A rendered draft as an RFC 5322 message, and its body read back (no I/O)."""

from __future__ import annotations

import email.policy
import email.utils
import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.message import Message as MimeMessage

from followupd.core.phrasing import one_line, valid_message_ids
from followupd.model import Action, Config, Message

# Keep the first and the last ten references, as mail clients do, so long threads
# still thread without the header growing without bound.
MAX_REFERENCES = 11
# Raw msg-id headers are never refolded: refolding turns long ids into encoded
# words, which breaks threading.  Every other header is built and folded safely.
MESSAGE_POLICY = email.policy.SMTP.clone(refold_source="none")


@dataclass(frozen=True)
class DraftText:
    """A rendered draft: what the user will review before pressing Send."""

    subject: str
    body: str
    warnings: tuple[str, ...] = ()


def is_threaded(action: Action) -> bool:
    """Whether the draft replies to a message; a note to oneself never does."""
    return action.reply_to is not None and action.kind != "call_reminder"


def build_message(
    action: Action, text: DraftText, config: Config, now: datetime, message_id: str | None = None
) -> EmailMessage:
    """The draft as an RFC 5322 message, threaded onto action.reply_to when there is one."""
    sender = mailbox_address(config.me.name, config.account.address)
    message = EmailMessage(policy=MESSAGE_POLICY)
    message["From"] = sender
    if action.kind == "call_reminder":
        message["To"] = sender
    else:
        message["To"] = mailbox_address(action.recipient_name, action.recipient)
    message["Subject"] = one_line(text.subject)
    message["Date"] = email.utils.format_datetime(now)
    domain = config.account.address.rpartition("@")[2]
    if message_id is None:
        own_ids = [email.utils.make_msgid(domain=domain)]
    else:
        own_ids = valid_message_ids([message_id])
    if not own_ids:
        raise ValueError(f"not a Message-ID: {message_id!r}")
    message["Message-ID"] = own_ids[0]
    message["X-Followupd-Key"] = one_line(action.key)
    message["X-Followupd-Kind"] = one_line(action.kind)
    if is_threaded(action):
        add_threading_headers(message, action.reply_to)
    # Quoted-printable keeps the draft 7-bit clean for any IMAP server while soft line
    # breaks leave each paragraph one line, which Gmail then wraps to the screen.
    message.set_content(text.body, charset="utf-8", cte="quoted-printable")
    return message


def mailbox_address(name: str, address: str) -> Address:
    """`"name" <address>`, with line breaks in the name flattened so no header can be forged."""
    address = address.strip()
    local_part, at, domain = address.rpartition("@")
    if not (local_part and at and domain):
        raise ValueError(f"not an email address: {address!r}")
    return Address(display_name=one_line(name), addr_spec=address)


def add_threading_headers(message: EmailMessage, original: Message) -> None:
    """In-Reply-To and References that put message in original's thread."""
    parent = valid_message_ids([original.message_id])
    ancestors = original.references or ((original.in_reply_to,) if original.in_reply_to else ())
    chain = list(dict.fromkeys(valid_message_ids([*ancestors, *parent])))
    if len(chain) > MAX_REFERENCES:
        chain = chain[:1] + chain[-(MAX_REFERENCES - 1):]
    if parent:
        message.set_raw("In-Reply-To", parent[0])
    if chain:
        message.set_raw("References", "\n ".join(chain))


def body_hash(text: str) -> str:
    """SHA-256 of a body with line endings and trailing whitespace normalized away."""
    lines = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    normalized = "\n".join(line.rstrip() for line in lines).strip("\n")
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def message_body_text(message: MimeMessage) -> str:
    """The decoded text/plain body of a parsed message, with \\n line ends ("" if none)."""
    for part in message.walk():
        if part.get_content_type() != "text/plain":
            continue
        if part.get_content_disposition() == "attachment":
            continue
        payload = part.get_payload(decode=True) or b""
        try:
            text = payload.decode(part.get_content_charset() or "utf-8", errors="replace")
        except LookupError:  # an unknown charset name: UTF-8 is the likeliest truth
            text = payload.decode("utf-8", errors="replace")
        return text.replace("\r\n", "\n")
    return ""
