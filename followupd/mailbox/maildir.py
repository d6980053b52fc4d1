"""A local Maildir++ mailbox: the fake-free twin of the IMAP adapter.

Identity and cursors: a message's uid is a 63-bit hash of its file name's
unique part (before ":2,"), which survives the renames mail clients make
(new/ → cur/, flag changes) and, unlike an inode number, is never handed to the
next delivery. A folder's uidvalidity is its directory's inode (plus
ID_SCHEME), so a replaced folder triggers a rescan. The cursor's last_uid is a watermark on file ctimes:
the newest change in microseconds and how many files changed in that very
microsecond (packed as `microseconds × TIE_SLOTS + count`). Delivery (and any
later rename) sets ctime, so a later scan returns every file changed after the
watermark, and the files sharing its microsecond once more of them exist: a
file delivered within the newest file's clock tick is not missed. A message a
client renamed comes back; callers must tolerate repeats (IMAP repeats too,
after a UIDVALIDITY change).
"""

from __future__ import annotations

import email.message
import hashlib
import mailbox as stdlib_mailbox
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from followupd.errors import MailboxError
from followupd.mailbox.contract import (
    KEY_HEADER,
    Cursor,
    DraftOnServer,
    FolderRoles,
    ScanResult,
    draft_key,
    is_tracked,
    refusal,
)
from followupd.mailbox.parse import parse_message
from followupd.model import Account, Message

SUBDIRECTORIES = ("new", "cur")
TIE_SLOTS = 1024  # room in a cursor for the count of files sharing the newest microsecond
# Added to every uidvalidity since uids stopped being inode numbers: a ledger from
# before sees a new UIDVALIDITY, forgets the inode-keyed facts and rescans once.
ID_SCHEME = 1 << 48


@dataclass(frozen=True)
class MailFile:
    """One message file and the stat facts a scan needs."""

    path: Path
    uid: int  # message_uid of its name
    changed_us: int  # st_ctime in microseconds: set by delivery and by every rename
    modified: datetime  # st_mtime: the delivery time, as Maildir tools keep it


class MaildirMailbox:
    """Reads a Maildir++ tree without touching a flag; writes only its own drafts."""

    def __init__(self, account: Account) -> None:
        if account.path is None or not (Path(account.path) / "cur").is_dir():
            raise MailboxError(f"{account.path} is not a Maildir (it has no cur/ directory)")
        self.root = Path(account.path)
        self.account = account
        self._roles: FolderRoles | None = None
        self.last_append_thread_warning: str | None = None  # a Maildir threads nothing by itself

    def roles(self) -> FolderRoles:
        """Drafts and Sent by Maildir++ name unless the config names other folders.

        Nothing is created here: a dry run must leave the Maildir as it was, so
        the Drafts folder is made by the first append_draft.
        """
        if self._roles is None:
            folders = self.account.folders
            drafts = folders.drafts or "Drafts"
            sent = folders.sent or "Sent"
            watch = tuple(dict.fromkeys(("INBOX", sent, *folders.watch)))
            self._roles = FolderRoles(drafts=drafts, sent=sent, watch=watch)
        return self._roles

    def directory(self, folder: str) -> Path:
        """The directory of a folder: INBOX is the root, others are dot-folders."""
        if folder.upper() == "INBOX":
            return self.root
        name = folder[len("INBOX.") :] if folder.upper().startswith("INBOX.") else folder
        return self.root / ("." + name.replace("/", "."))

    def scan(
        self,
        folder: str,
        since: datetime,
        addresses: frozenset[str],
        domains: frozenset[str],
        cursor: Cursor | None,
    ) -> ScanResult:
        """Tracked messages delivered since `since`, or changed after the cursor."""
        directory = self.directory(folder)
        if not directory.is_dir():
            return ScanResult((), cursor or Cursor(0, 0))
        validity = ID_SCHEME + directory.stat().st_ino
        files = mail_files(directory)
        if cursor is None or cursor.uidvalidity != validity:
            day = since.date()
            chosen = [f for f in files if f.modified.astimezone(since.tzinfo).date() >= day]
            watermark = watermark_of(files, 0)
        else:
            chosen = changed_after(files, cursor.last_uid)
            watermark = watermark_of(files, cursor.last_uid)
        own = self.account.own_addresses
        # A draft was neither sent nor received; Maildir marks it with the D flag.
        messages = (read_message(f, folder) for f in chosen if not is_draft_file(f.path))
        found = tuple(
            m for m in messages if m is not None and is_tracked(m, addresses, domains, own)
        )
        return ScanResult(found, Cursor(validity, watermark))

    def append_draft(
        self, folder: str, message: email.message.EmailMessage, at: datetime
    ) -> int | None:
        """Store a draft in cur/ with the D flag and its time as mtime; return its uid."""
        directory = self.directory(folder)
        ensure_maildir(directory)
        draft = stdlib_mailbox.MaildirMessage(message.as_bytes())
        draft.set_subdir("cur")
        draft.set_flags("D")
        draft.set_date(at.timestamp())
        maildir = stdlib_mailbox.Maildir(directory, factory=None, create=False)
        return message_uid(maildir.add(draft))

    def drafts_with_key(self, folder: str, key: str) -> tuple[DraftOnServer, ...]:
        """Our drafts in the folder whose X-Followupd-Key is exactly `key`."""
        return tuple(d for d in self.list_own_drafts(folder) if d.key == key)

    def list_own_drafts(self, folder: str) -> tuple[DraftOnServer, ...]:
        """Every draft in the folder that carries an X-Followupd-Key."""
        drafts = []
        for file in mail_files(self.directory(folder)):
            message = read_message(file, folder)
            if message is not None and draft_key(message):
                drafts.append(
                    DraftOnServer(file.uid, message.message_id, message.body, draft_key(message))
                )
        return tuple(drafts)

    def remove_draft(self, folder: str, uid: int) -> None:
        """Delete one of our drafts; refuse anything outside Drafts or without our key."""
        if folder != self.roles().drafts:
            raise refusal(f"a message from {folder}: not the drafts folder")
        for file in mail_files(self.directory(folder)):
            if file.uid != uid:
                continue
            message = read_message(file, folder)
            if message is None or not draft_key(message):
                raise refusal(f"message {uid} in {folder}: it has no {KEY_HEADER}")
            file.path.unlink(missing_ok=True)

    def change_stamp(self) -> tuple[int, ...]:
        """The mtimes of the watched folders' new/ and cur/: any delivery or rename changes one."""
        stamps = []
        for folder in self.roles().watch:
            for subdirectory in SUBDIRECTORIES:
                try:
                    stamps.append(os.stat(self.directory(folder) / subdirectory).st_mtime_ns)
                except FileNotFoundError:
                    stamps.append(0)
        return tuple(stamps)

    def close(self) -> None:
        """Nothing to release: files are opened and closed per read."""


def ensure_maildir(directory: Path) -> None:
    """Create a Maildir++ folder (tmp/new/cur and the maildirfolder marker) if missing."""
    if (directory / "cur").is_dir():
        return
    for name in ("tmp", "new", "cur"):
        (directory / name).mkdir(parents=True, exist_ok=True)
    (directory / "maildirfolder").touch()


def mail_files(directory: Path) -> list[MailFile]:
    """The message files in new/ and cur/; files a client renamed meanwhile are skipped."""
    files = []
    for subdirectory in SUBDIRECTORIES:
        try:
            entries = list(os.scandir(directory / subdirectory))
        except FileNotFoundError:
            continue
        for entry in entries:
            if entry.name.startswith(".") or not entry.is_file():
                continue
            try:
                status = entry.stat()
            except FileNotFoundError:
                continue  # a client renamed it; its new ctime brings it back next scan
            modified = datetime.fromtimestamp(status.st_mtime, tz=timezone.utc)
            uid, changed = message_uid(entry.name), status.st_ctime_ns // 1000
            files.append(MailFile(Path(entry.path), uid, changed, modified))
    return files


def message_uid(name: str) -> int:
    """A file's stable id: a 63-bit hash of its unique name, kept by renames, never reused."""
    unique = name.split(":2,", 1)[0]
    digest = hashlib.blake2b(unique.encode("utf-8", "surrogateescape"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1  # SQLite integers are signed 64-bit


def changed_after(files: list[MailFile], watermark: int) -> list[MailFile]:
    """Files changed after the watermark, and those sharing its microsecond once there are more."""
    newest, ties = divmod(watermark, TIE_SLOTS)
    later = [f for f in files if f.changed_us > newest]
    tied = [f for f in files if f.changed_us == newest]
    # Which of the tied files the last scan saw is unknown: return them all (repeats are fine).
    return later + tied if len(tied) > ties else later


def watermark_of(files: list[MailFile], previous: int) -> int:
    """The newest change among the files and how many share it; never behind `previous`."""
    newest = max((f.changed_us for f in files), default=0)
    if newest < previous // TIE_SLOTS:
        return previous  # the newest file was deleted, or the clock went back
    ties = sum(1 for f in files if f.changed_us == newest)
    return newest * TIE_SLOTS + min(ties, TIE_SLOTS - 1)


def is_draft_file(path: Path) -> bool:
    """Whether a Maildir file name carries the D (draft) flag."""
    _, separator, info = path.name.rpartition(":2,")
    return bool(separator) and "D" in info


def read_message(file: MailFile, folder: str) -> Message | None:
    """Parse one file read directly, so no flag changes and nothing moves."""
    try:
        raw = file.path.read_bytes()
    except FileNotFoundError:
        return None
    return parse_message(raw, folder=folder, uid=file.uid, received=file.modified)
