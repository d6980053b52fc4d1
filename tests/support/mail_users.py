"""Mailbox users for the tests: a fresh Dovecot user or a Maildir tree, with one helper API."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from followupd.mailbox.maildir import message_uid
from followupd.model import Account, Folders
from tests.support.dovecot import OWN_ADDRESS, PASSWORD, DovecotServer


class ImapUser:
    """A fresh Dovecot user: builds accounts, delivers mail and inspects folders."""

    kind = "imap"
    expected_roles = ("[Gmail]/Drafts", "[Gmail]/Sent Mail", ("INBOX", "[Gmail]/Sent Mail"))

    def __init__(self, server: DovecotServer, username: str) -> None:
        self.server, self.username = server, username
        self._helper = None
        self.opened: list = []

    def account(self, **overrides) -> Account:
        """An Account for this user on the plain loopback listener."""
        base = Account(provider="imap", address=OWN_ADDRESS, host="127.0.0.1",
                       port=self.server.port, security="plain", username=self.username,
                       password="command", folders=Folders())
        return replace(base, **overrides)

    def open(self, **overrides):
        """A Mailbox for this user through open_mailbox, closed at teardown."""
        from followupd.mailbox import open_mailbox

        mailbox = open_mailbox(self.account(**overrides), lambda: PASSWORD, timeout=5)
        self.opened.append(mailbox)
        return mailbox

    @property
    def helper(self):
        """A second, independent connection for delivering and inspecting."""
        if self._helper is None:
            from imapclient import IMAPClient

            self._helper = IMAPClient("127.0.0.1", self.server.port, ssl=False, timeout=5)
            self._helper.login(self.username, PASSWORD)
        return self._helper

    def deliver(self, raw: bytes, folder: str = "INBOX", *, flags: tuple[bytes, ...] = (),
                when: datetime | None = None) -> int:
        """APPEND a message (INTERNALDATE = when) and return its UID."""
        if not self.helper.folder_exists(folder):
            self.helper.create_folder(folder)
        response = self.helper.append(folder, raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"),
                                      flags=flags, msg_time=when)
        return int(re.search(rb"APPENDUID \d+ (\d+)", response).group(1))

    def folder_snapshot(self, folder: str) -> dict[int, tuple[bytes, ...]]:
        """UID → flags (without the session-dependent \\Recent), read with EXAMINE."""
        self.helper.select_folder(folder, readonly=True)
        uids = self.helper.search()
        fetched = self.helper.fetch(uids, ["FLAGS"]) if uids else {}
        return {uid: tuple(sorted(f for f in data[b"FLAGS"] if f != b"\\Recent"))
                for uid, data in fetched.items()}

    def unread(self, folder: str, uid: int) -> bool:
        """Whether the message still lacks \\Seen, read with EXAMINE."""
        self.helper.select_folder(folder, readonly=True)
        return b"\\Seen" not in self.helper.fetch([uid], ["FLAGS"])[uid][b"FLAGS"]

    def delete(self, folder: str, uid: int) -> None:
        """Delete and expunge one message, as a mail client does."""
        self.helper.select_folder(folder)
        self.helper.delete_messages([uid])
        self.helper.expunge()

    def recreate_folder(self, folder: str) -> None:
        """Delete and create a folder again, which gives it a new UIDVALIDITY."""
        if folder.upper() == "INBOX":
            raise ValueError("INBOX cannot be recreated")
        self.helper.delete_folder(folder)
        self.helper.create_folder(folder)

    def close(self) -> None:
        for mailbox in self.opened:
            mailbox.close()
        if self._helper is not None:
            self._helper.logout()


class MaildirUser:
    """A Maildir++ tree in tmp_path with the same helper API as ImapUser."""

    kind = "maildir"
    expected_roles = ("Drafts", "Sent", ("INBOX", "Sent"))

    def __init__(self, root: Path) -> None:
        self.root = root
        self.sequence = itertools.count()
        for name in ("tmp", "new", "cur"):
            (root / name).mkdir(parents=True, exist_ok=True)
        self.opened: list = []

    def account(self, **overrides) -> Account:
        """A maildir Account pointing at the tree."""
        base = Account(provider="maildir", address=OWN_ADDRESS, path=self.root)
        return replace(base, **overrides)

    def open(self, **overrides):
        """A Mailbox through open_mailbox."""
        from followupd.mailbox import open_mailbox

        mailbox = open_mailbox(self.account(**overrides), None)
        self.opened.append(mailbox)
        return mailbox

    def directory(self, folder: str) -> Path:
        if folder.upper() == "INBOX":
            return self.root
        return self.root / ("." + folder.replace("/", "."))

    def deliver(self, raw: bytes, folder: str = "INBOX", *, flags: tuple[bytes, ...] = (),
                when: datetime | None = None) -> int:
        """Write a message into new/ (cur/ with flags), mtime = when; return its uid."""
        directory = self.directory(folder)
        for name in ("tmp", "new", "cur"):
            (directory / name).mkdir(parents=True, exist_ok=True)
        letters = "".join(sorted(MAILDIR_FLAGS[flag] for flag in flags))
        name = f"{time.time_ns()}.P{os.getpid()}Q{next(self.sequence)}.test"
        path = directory / ("cur" if flags else "new") / (f"{name}:2,{letters}" if flags else name)
        path.write_bytes(raw)
        if when is not None:
            os.utime(path, (when.timestamp(), when.timestamp()))
        return message_uid(path.name)

    def files(self, folder: str) -> dict[int, Path]:
        """Uid (as the adapter computes it) → the message's file."""
        directory = self.directory(folder)
        return {message_uid(entry.name): Path(entry.path)
                for sub in ("new", "cur") if (directory / sub).is_dir()
                for entry in os.scandir(directory / sub)}

    def folder_snapshot(self, folder: str) -> dict[int, tuple[str, ...]]:
        """Uid → (subdirectory, file name): any flag change or move shows up."""
        return {uid: (path.parent.name, path.name) for uid, path in self.files(folder).items()}

    def unread(self, folder: str, uid: int) -> bool:
        """Whether the file still lacks the S flag (a file in new/ has no flags at all)."""
        _, separator, info = self.files(folder)[uid].name.rpartition(":2,")
        return not separator or "S" not in info

    def delete(self, folder: str, uid: int) -> None:
        """Delete one message's file, as a mail client does."""
        self.files(folder)[uid].unlink()

    def recreate_folder(self, folder: str) -> None:
        """Replace a folder's directory, which gives it a new inode (its UIDVALIDITY)."""
        directory = self.directory(folder)
        shutil.rmtree(directory)
        for name in ("tmp", "new", "cur"):
            (directory / name).mkdir(parents=True)

    def close(self) -> None:
        for mailbox in self.opened:
            mailbox.close()


MAILDIR_FLAGS = {b"\\Seen": "S", b"\\Draft": "D", b"\\Flagged": "F", b"\\Answered": "R"}
