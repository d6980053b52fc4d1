"""The IMAP adapter: the only module that imports imapclient."""

from __future__ import annotations

import email.message
import logging
import socket
import ssl
from contextlib import contextmanager
from datetime import datetime
from typing import Callable, Iterator

from imapclient import IMAPClient, SocketTimeout
from imapclient.exceptions import IMAPClientError, LoginError
from imapclient.imapclient import DELETED, DRAFT

from followupd.core.addresses import bare_host, is_loopback
from followupd.errors import AuthError, MailboxError
from followupd.mailbox.contract import (
    KEY_HEADER,
    Cursor,
    DraftOnServer,
    FolderRoles,
    ScanResult,
    draft_key,
    is_tracked,
    needs_body,
    refusal,
)
from followupd.mailbox.imap_folders import all_mail, roles_from_listing
from followupd.mailbox.imap_search import (
    appended_uid,
    gmail_query,
    item,
    search_criteria,
    thread_criteria,
    thread_warning,
)
from followupd.mailbox.imap_session import NEW, QUIET, FolderState, Selection, covers
from followupd.mailbox.parse import BODY_LIMIT, header_value, parse_message
from followupd.model import Account, Message

log = logging.getLogger("followupd.mailbox")

DEFAULT_PORTS = {"tls": 993, "starttls": 143, "plain": 143}
FIELDS = (
    "MESSAGE-ID IN-REPLY-TO REFERENCES SUBJECT FROM TO CC REPLY-TO DATE AUTO-SUBMITTED "
    "X-AUTOREPLY X-AUTORESPOND PRECEDENCE X-FOLLOWUPD-KEY LIST-ID CONTENT-TYPE "
    "CONTENT-TRANSFER-ENCODING MIME-VERSION"
)
HEADERS_ITEM = f"BODY.PEEK[HEADER.FIELDS ({FIELDS})]"
TEXT_ITEM = f"BODY.PEEK[TEXT]<0.{BODY_LIMIT}>"
KEY_ITEM = f"BODY.PEEK[HEADER.FIELDS ({KEY_HEADER.upper()})]"
BATCH = 500  # UIDs per FETCH: keeps command lines well under server limits
THREAD_LIMIT = 200  # the user's most recent Gmail conversations a first scan reads whole
THREADS_PER_SEARCH = 25  # X-GM-THRID alternatives per SEARCH
GMAIL = "X-GM-EXT-1"


def connect(account: Account, timeout: float) -> IMAPClient:
    """Open the connection the account's security setting asks for, verifying certificates."""
    host, port = account.host or "", account.port or DEFAULT_PORTS[account.security]
    if account.security == "plain" and not is_loopback(host):
        raise MailboxError(f"refusing unencrypted IMAP to {host}: plain is only for loopback")
    context = tls_context(account)
    limits = SocketTimeout(connect=timeout, read=timeout)
    try:
        client = IMAPClient(
            bare_host(host), port, ssl=account.security == "tls", ssl_context=context, timeout=limits
        )
        if account.security == "starttls":
            client.starttls(context)
    except ssl.SSLCertVerificationError as error:
        reason = error.verify_message or error.reason
        raise MailboxError(f"TLS certificate of {host} could not be verified: {reason}") from error
    except (OSError, IMAPClientError) as error:
        raise MailboxError(f"could not connect to {host}:{port}: {reason_of(error)}") from error
    client.normalise_times = False  # keep the server's offsets: aware datetimes
    return client


def tls_context(account: Account) -> ssl.SSLContext:
    """The system's trusted CAs plus the account's own CA file; an unusable file is a MailboxError."""
    context = ssl.create_default_context()
    if not account.tls_ca_file:
        return context
    try:
        context.load_verify_locations(cafile=str(account.tls_ca_file))
    except ssl.SSLError as error:
        reason = f"it holds no usable PEM certificate ({error.reason or 'unreadable'})"
    except OSError as error:
        reason = (error.strerror or str(error)).lower()
    else:
        return context
    raise MailboxError(
        f"cannot use the CA file {account.tls_ca_file} (account.tls_ca_file): {reason}",
        advice="Point account.tls_ca_file at the PEM certificate of the CA that signed the server's certificate.",
    ) from None


def reason_of(error: BaseException) -> str:
    """A short human reason for a connection failure."""
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, socket.gaierror):
        return "host name not found"
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "timed out"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return str(error) or type(error).__name__


def log_in(client: IMAPClient, login: str, credential: Callable[[], object]) -> None:
    """LOGIN with a password, or SASL XOAUTH2 with an OAuth2 access token (a model.Bearer)."""
    secret = credential()
    if isinstance(secret, str):
        client.login(login, secret)
        return
    try:
        client.oauth2_login(login, secret.token)
    except LoginError:
        # A token can be revoked or expire early: one retry with a fresh one, never a loop.
        client.oauth2_login(login, secret.renew())


class ImapMailbox:
    """One logged-in IMAP connection; reads with EXAMINE and BODY.PEEK only."""

    def __init__(self, account: Account, password: Callable[[], str], *, timeout: float = 30):
        self.account = account
        self.host = account.host or ""
        self.client = connect(account, timeout)
        with self.server_errors("logging in to"):
            try:
                log_in(self.client, account.login, password)
            except LoginError as error:
                self.close()
                raise AuthError(f"login refused for {account.login} at {self.host}") from error
            except (AuthError, MailboxError):
                self.close()  # no credential to be had (a revoked sign-in): leave no connection open
                raise
        with self.server_errors("identifying to"):
            if self.client.has_capability("ID"):
                self.client.id_({"name": "followupd"})
            self.gmail = self.client.has_capability(GMAIL)
        self._roles: FolderRoles | None = None
        self._all_mail: str | None = None
        self.selection = Selection(self.client)
        # Our drafts as last read, valid while Drafts' UIDVALIDITY/UIDNEXT/MESSAGES hold.
        self._drafts: tuple[str, FolderState, tuple[DraftOnServer, ...]] | None = None
        self._threads: dict[str, str] = {}  # Message-ID → X-GM-THRID seen by scans
        # Set by every append_draft on Gmail: a sentence when the draft left its conversation.
        self.last_append_thread_warning: str | None = None

    @contextmanager
    def server_errors(self, action: str) -> Iterator[None]:
        """Turn protocol and socket failures into a MailboxError naming the step."""
        try:
            yield
        except (IMAPClientError, OSError) as error:
            raise MailboxError(f"{action} {self.host} failed: {reason_of(error)}") from error

    def roles(self) -> FolderRoles:
        """Folders by SPECIAL-USE flag, then by common name, config overrides first."""
        if self._roles is None:
            with self.server_errors("listing folders on"):
                listing = self.client.list_folders()
            self._roles = roles_from_listing(listing, self.account, self.gmail, self.host)
            self._all_mail = all_mail(listing)
        return self._roles

    def scan(
        self,
        folder: str,
        since: datetime,
        addresses: frozenset[str],
        domains: frozenset[str],
        cursor: Cursor | None,
    ) -> ScanResult:
        """Tracked messages since `since` on a first scan, else those after the cursor."""
        with self.server_errors(f"scanning {folder} on"):
            state = self.changes(folder, cursor)
            if state is None:
                return ScanResult((), cursor)  # type: ignore[arg-type]  # proven unchanged
            if cursor is None or cursor.uidvalidity != state.uidvalidity:
                uids, messages = self.first_scan(folder, since, addresses, domains)
                last = max([state.uidnext - 1, *uids])
            else:
                found = self.client.search(["UID", f"{cursor.last_uid + 1}:*"])
                uids = [uid for uid in found if uid > cursor.last_uid]
                last = max([cursor.last_uid, state.uidnext - 1, *uids])
                messages = self.fetch_tracked(folder, uids, addresses, domains)
        return ScanResult(messages, Cursor(state.uidvalidity, last))

    def first_scan(
        self, folder: str, since: datetime, addresses: frozenset[str], domains: frozenset[str]
    ) -> tuple[list[int], tuple[Message, ...]]:
        """The searched UIDs and tracked messages; on Gmail, also the user's conversations."""
        uids = self.first_search(since, addresses, domains)
        messages = self.fetch_tracked(folder, uids, addresses, domains)
        if not self.gmail:
            return uids, messages
        # X-GM-RAW has no "reply to me" clause: a reply from an untracked address (a
        # private account, an assistant) is found through the conversation it joined.
        more = self.conversation_uids(since, messages, set(uids))
        return uids + more, messages + self.fetch_tracked(folder, more, addresses, domains)

    def conversation_uids(
        self, since: datetime, messages: tuple[Message, ...], known: set[int]
    ) -> list[int]:
        """Gmail: UIDs not yet known in the conversations of the user's own messages."""
        own = self.account.own_addresses
        mine = sorted(
            (m for m in messages if m.sender in own and m.thread_id),
            key=lambda m: m.date,
            reverse=True,
        )
        threads = list(dict.fromkeys(str(m.thread_id) for m in mine))[:THREAD_LIMIT]
        found: set[int] = set()
        for start in range(0, len(threads), THREADS_PER_SEARCH):
            batch = threads[start : start + THREADS_PER_SEARCH]
            found.update(self.client.search(thread_criteria(since, batch)))
        return sorted(found - known)

    def changes(self, folder: str, cursor: Cursor | None) -> FolderState | None:
        """Select `folder` when it may hold mail after the cursor; None, in one command, when not."""
        if cursor is None:
            return self.selection.examine(folder)
        if self.selection.holds(folder):
            # Dovecot answers from the session's old view until a NOOP syncs it.
            verdict = self.selection.noop()
            if verdict == QUIET:
                return None
            if verdict == NEW:
                return FolderState(cursor.uidvalidity, 0, self.selection.sizes.get(folder, 0))
        elif self.selection.prefers_status(folder):
            if covers(self.selection.status(folder), cursor.uidvalidity, cursor.last_uid):
                return None
        state = self.selection.examine(folder)
        return None if covers(state, cursor.uidvalidity, cursor.last_uid) else state

    def first_search(
        self, since: datetime, addresses: frozenset[str], domains: frozenset[str]
    ) -> list[int]:
        """X-GM-RAW on Gmail, else SEARCH SINCE with a flat OR; SINCE alone when that is refused."""
        own = self.account.own_addresses
        if self.gmail:
            query = gmail_query(since, addresses, domains, own)
            return self.client.gmail_search(query, None if query.isascii() else "UTF-8")
        try:
            return self.client.search(search_criteria(since, addresses, domains, own))
        except IMAPClientError:
            return self.client.search(["SINCE", since.date()])

    def fetch_tracked(
        self, folder: str, uids: list[int], addresses: frozenset[str], domains: frozenset[str]
    ) -> tuple[Message, ...]:
        """Headers for every UID, then a body excerpt only where a tracked person wrote."""
        own = self.account.own_addresses
        found: list[Message] = []
        for start in range(0, len(uids), BATCH):
            batch = uids[start : start + BATCH]
            extra = ["X-GM-THRID"] if self.gmail else []
            headers = self.client.fetch(batch, [HEADERS_ITEM, "INTERNALDATE", "FLAGS", *extra])
            # A draft (Gmail's All Mail holds them) was neither sent nor received.
            batch = [uid for uid in batch if DRAFT not in headers.get(uid, {}).get(b"FLAGS", ())]
            parsed = [self.parsed(folder, uid, headers.get(uid, {})) for uid in batch]
            tracked = [m for m in parsed if m and is_tracked(m, addresses, domains, own)]
            wanted = [m.uid for m in tracked if needs_body(m, addresses, domains, own)]
            texts = self.client.fetch(wanted, [TEXT_ITEM]) if wanted else {}
            for message in tracked:
                found.append(self.with_body(folder, message, headers[message.uid], texts))
        return tuple(found)

    def parsed(self, folder: str, uid: int, data: dict, text: bytes = b"") -> Message | None:
        """Parse the fetched header fields (and body excerpt) of one message."""
        header = item(data, b"BODY[")
        if header is None:
            return None  # the message vanished between SEARCH and FETCH
        received = data.get(b"INTERNALDATE")
        thread = str(data[b"X-GM-THRID"]) if b"X-GM-THRID" in data else None
        message = parse_message(
            header + text, folder=folder, uid=uid, received=received, thread_id=thread
        )
        if message is not None and thread is not None and message.message_id:
            self._threads[message.message_id] = thread
        return message

    def with_body(self, folder: str, message: Message, data: dict, texts: dict) -> Message:
        """The message re-parsed with its body excerpt, when one was fetched."""
        text = item(texts.get(message.uid, {}), b"BODY[TEXT]")
        if not text:
            return message
        return self.parsed(folder, message.uid, data, text) or message

    def append_draft(
        self, folder: str, message: email.message.EmailMessage, at: datetime
    ) -> int | None:
        """APPEND with \\Draft and `at` as INTERNALDATE; the UID from APPENDUID, if any."""
        raw = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
        self.last_append_thread_warning = None
        with self.server_errors(f"saving a draft to {folder} on"):
            response = self.client.append(folder, raw, flags=[DRAFT], msg_time=at)
        uid = appended_uid(response)
        if self.gmail and uid is not None and message.get("In-Reply-To"):
            self.last_append_thread_warning = self.check_thread(folder, uid, message)
        return uid

    def check_thread(
        self, folder: str, uid: int, message: email.message.EmailMessage
    ) -> str | None:
        """Gmail: a warning when the reply draft did not join its parent's conversation."""
        parent = " ".join(str(message["In-Reply-To"]).split())
        with self.server_errors(f"reading the draft's conversation in {folder} on"):
            self.selection.examine(folder)
            draft_thread = self.client.fetch([uid], ["X-GM-THRID"]).get(uid, {}).get(b"X-GM-THRID")
            parent_thread = self._threads.get(parent) or self.thread_of(parent)
        draft = None if draft_thread is None else str(draft_thread)
        warning = thread_warning(str(message.get(KEY_HEADER, "")), draft, parent_thread)
        if warning:
            log.warning("%s", warning)
        return warning

    def thread_of(self, message_id: str) -> str | None:
        """The X-GM-THRID of a message in All Mail, found by its Message-ID."""
        self.roles()
        if self._all_mail is None:
            return None
        self.selection.examine(self._all_mail)
        uids = self.client.gmail_search(f"rfc822msgid:{message_id.strip('<>')}", None)
        if not uids:
            return None
        thread = self.client.fetch(uids[:1], ["X-GM-THRID"]).get(uids[0], {}).get(b"X-GM-THRID")
        return None if thread is None else str(thread)

    def drafts_with_key(self, folder: str, key: str) -> tuple[DraftOnServer, ...]:
        """Our drafts whose X-Followupd-Key is exactly `key`."""
        return tuple(d for d in self.own_drafts(folder) if d.key == key)

    def list_own_drafts(self, folder: str) -> tuple[DraftOnServer, ...]:
        """Every draft in the folder that carries an X-Followupd-Key."""
        return self.own_drafts(folder)

    def own_drafts(self, folder: str) -> tuple[DraftOnServer, ...]:
        """The last read while STATUS shows the same messages, else every draft's key, then ours."""
        with self.server_errors(f"reading drafts in {folder} on"):
            # Same UIDVALIDITY, UIDNEXT and count means the very same (immutable) messages.
            if self._drafts and self._drafts[0] == folder and not self.selection.holds(folder):
                if self.selection.status(folder) == self._drafts[1]:
                    return self._drafts[2]
            state = self.selection.examine(folder)
            # Drafts is small: read every key rather than SEARCH HEADER, which Gmail's
            # index may not support and which can lag behind an APPEND.
            uids = self.keyed_uids(self.client.search(["ALL"]) if state.messages else [])
            fetched: dict = {}
            for start in range(0, len(uids), BATCH):
                batch = uids[start : start + BATCH]
                fetched.update(self.client.fetch(batch, ["BODY.PEEK[]", "INTERNALDATE"]))
        drafts = []
        for uid in uids:
            data = fetched.get(uid, {})
            message = self.parsed(folder, uid, data) if b"BODY[]" in data else None
            if message is not None and draft_key(message):
                key = draft_key(message)
                drafts.append(DraftOnServer(uid, message.message_id, message.body, key))
        self._drafts = (folder, state, tuple(drafts))
        return tuple(drafts)

    def keyed_uids(self, uids: list[int]) -> list[int]:
        """The UIDs among `uids` of messages with an X-Followupd-Key, by FETCH in batches."""
        keyed = []
        for start in range(0, len(uids), BATCH):
            fetched = self.client.fetch(uids[start : start + BATCH], [KEY_ITEM])
            keyed += [
                uid for uid, data in fetched.items()
                if header_value(item(data, b"BODY[HEADER") or b"", KEY_HEADER)
            ]
        return sorted(keyed)

    def remove_draft(self, folder: str, uid: int) -> None:
        """Expunge exactly one of our drafts; refuse other folders and unkeyed messages."""
        if folder != self.roles().drafts:
            raise refusal(f"a message from {folder}: not the drafts folder")
        with self.server_errors(f"removing a draft from {folder} on"):
            if not self.client.has_capability("UIDPLUS"):
                raise MailboxError(f"{self.host} lacks UIDPLUS: cannot expunge a single draft")
            self.selection.select_drafts_for_removal(folder)
            data = self.client.fetch([uid], [KEY_ITEM])
            if uid not in data:
                return  # already gone: the user deleted or sent it
            header = item(data[uid], b"BODY[HEADER") or b""
            if not header.split(b":", 1)[-1].strip():
                raise refusal(f"message {uid} in {folder}: it has no {KEY_HEADER}")
            self.client.add_flags([uid], [DELETED], silent=True)
            self.client.uid_expunge([uid])

    def close(self) -> None:
        """Log out; a connection that already died needs no goodbye."""
        try:
            self.client.logout()
        except (IMAPClientError, OSError):
            pass
