"""Raw RFC 5322 bytes → model.Message, tolerant of the odd mail real mailboxes hold."""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import replace
from datetime import datetime, timezone
from email import policy
from email.header import decode_header
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from types import MappingProxyType

from followupd.model import Message

logger = logging.getLogger("followupd.mailbox")

BODY_LIMIT = 16 * 1024  # characters of body kept: enough to classify a reply
KEPT_HEADERS = (
    "auto-submitted",
    "x-autoreply",
    "x-autorespond",
    "precedence",
    "x-followupd-key",
    "list-id",
)
MESSAGE_ID = re.compile(r"<[^<>\s]+>")


class MalformedMessage(ValueError):
    """The message lacks a fact no caller can do without (a sender or any date)."""


def parse_message(
    raw: bytes,
    *,
    folder: str = "",
    uid: int | None = None,
    received: datetime | None = None,
    thread_id: str | None = None,
) -> Message | None:
    """Decode one message, or log one line and return None when it cannot be used."""
    try:
        parsed = BytesParser(policy=policy.default).parsebytes(raw)
        message = message_from_parsed(parsed, folder=folder, uid=uid, received=received)
        return replace(message, thread_id=thread_id) if thread_id else message
    except Exception as error:  # the stdlib parser has crashed on hostile mail before
        where = f"{folder or 'message'}" + (f" uid {uid}" if uid is not None else "")
        logger.warning("skipping malformed message in %s: %s", where, error)
        return None


def message_from_parsed(
    parsed: EmailMessage, *, folder: str, uid: int | None, received: datetime | None
) -> Message:
    """Build a Message from a parsed email, raising MalformedMessage when unusable."""
    senders = addresses_in(parsed, "from")
    if not senders:
        raise MalformedMessage("no sender address in From")
    sender_name, sender = senders[0]
    recipients = tuple(
        dict.fromkeys(address for _, address in addresses_in(parsed, "to", "cc"))
    )
    references = MESSAGE_ID.findall(raw_header(parsed, "references"))
    in_reply_to = MESSAGE_ID.findall(raw_header(parsed, "in-reply-to"))
    kept = {name: decoded(raw_header(parsed, name)) for name in KEPT_HEADERS}
    # Where the company wants answers: the planner may address a thank-you there.
    reply_to = addresses_in(parsed, "reply-to")
    kept["reply-to"] = reply_to[0][1] if reply_to else ""
    return Message(
        message_id=raw_header(parsed, "message-id").strip(),
        date=message_date(parsed, received),
        sender=sender,
        sender_name=sender_name,
        recipients=recipients,
        subject=decoded(raw_header(parsed, "subject")),
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=tuple(references),
        headers=MappingProxyType({k: v for k, v in kept.items() if v}),
        body=body_text(parsed),
        folder=folder,
        uid=uid,
    )


def raw_header(parsed: EmailMessage, name: str) -> str:
    """The first raw value of a header, unfolded, with 8-bit bytes decoded as UTF-8 or Latin-1."""
    for header_name, value in parsed.raw_items():
        if header_name.lower() == name:
            # BytesParser keeps undeclared 8-bit header bytes as surrogate escapes.
            text = decoded_bytes(str(value).encode("ascii", "surrogateescape"), None)
            return " ".join(text.split())
    return ""


def header_value(raw: bytes, name: str) -> str:
    """One header's decoded value in a block of header lines; "" when it is absent."""
    parsed = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
    return decoded(raw_header(parsed, name.lower())).strip()


def addresses_in(parsed: EmailMessage, *names: str) -> list[tuple[str, str]]:
    """(decoded display name, lower-case address) pairs from the named address headers."""
    values = [raw_header(parsed, name) for name in names]
    pairs = getaddresses([value for value in values if value])
    return [
        (decoded(name), address.lower())
        for name, address in pairs
        if "@" in address
    ]


def decoded(value: str) -> str:
    """Decode RFC 2047 encoded words, surviving unknown charsets and broken encodings."""
    if "=?" not in value:
        return value
    try:
        chunks = decode_header(value)
    except Exception:  # a malformed encoded word: show it as written
        return value
    text = [
        chunk if isinstance(chunk, str) else decoded_bytes(chunk, charset)
        for chunk, charset in chunks
    ]
    # decode_header drops the whitespace between adjacent encoded words but not plain text.
    return " ".join("".join(text).split())


def decoded_bytes(data: bytes, charset: str | None) -> str:
    """Bytes to text in the declared charset, else UTF-8, else Latin-1 — never an exception."""
    if charset and charset.lower() not in ("unknown-8bit", "x-unknown"):
        try:
            codecs.lookup(charset)
            return data.decode(charset, errors="replace")
        except LookupError:
            pass  # a charset name Python does not know: guess below
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def message_date(parsed: EmailMessage, received: datetime | None) -> datetime:
    """The Date header as an aware datetime, else the server's arrival time."""
    try:
        date = parsedate_to_datetime(raw_header(parsed, "date"))
    except (TypeError, ValueError, IndexError):
        date = None
    if date is not None:
        return date if date.tzinfo else date.replace(tzinfo=timezone.utc)
    if received is None:
        raise MalformedMessage("no usable Date and no arrival time")
    return received if received.tzinfo else received.replace(tzinfo=timezone.utc)


def body_text(parsed: EmailMessage) -> str:
    """The text/plain part (or the text/html part without tags), at most BODY_LIMIT characters."""
    try:
        part = parsed.get_body(preferencelist=("plain", "html"))
    except Exception:  # a broken MIME tree still has headers worth keeping
        return ""
    if part is None:
        return ""
    # IMAP hands out CRLF, Maildir files hold LF: callers compare bodies across both.
    text = part_text(part).replace("\r\n", "\n")
    if part.get_content_subtype() == "html":
        text = html_text(text)
    return text[:BODY_LIMIT]


def part_text(part: EmailMessage) -> str:
    """Decode one text part, falling back to a lenient decode when the charset is odd."""
    try:
        return part.get_content()
    except Exception:  # unknown charset names raise LookupError inside get_content
        payload = part.get_payload(decode=True) or b""
        return decoded_bytes(payload, part.get_content_charset())


class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML body."""

    SKIPPED = ("script", "style", "head")
    BREAKS = ("br", "p", "div", "li", "tr", "h1", "h2", "h3", "blockquote")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BREAKS:
            self.pieces.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.pieces.append(data)


def html_text(html: str) -> str:
    """The readable text of an HTML body, one paragraph a line."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    lines = (" ".join(line.split()) for line in "".join(extractor.pieces).splitlines())
    return "\n".join(line for line in lines if line)
