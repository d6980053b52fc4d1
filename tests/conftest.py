"""Shared fixtures: a real Dovecot on loopback and a Maildir in tmp_path, same helper API."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest

from tests.support.dovecot import OWN_ADDRESS, DovecotProcess, DovecotServer
from tests.support.mail_users import ImapUser, MaildirUser


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    """One Dovecot for the whole session; each test logs in as a fresh user."""
    process = DovecotProcess()
    try:
        yield process.start()
    finally:
        process.remove()


@pytest.fixture
def imap_user(dovecot: DovecotServer) -> Iterator[ImapUser]:
    """A Dovecot user nobody has used before, so tests stay independent."""
    user = ImapUser(dovecot, f"user{os.getpid()}-{next(dovecot.users)}")
    yield user
    user.close()


@pytest.fixture
def private_dovecot() -> Iterator[DovecotProcess]:
    """A Dovecot of the test's own, which it may stop and start again; the shared one stays up."""
    process = DovecotProcess()
    process.start()
    yield process
    process.remove()


@pytest.fixture
def private_imap_user(private_dovecot: DovecotProcess) -> Iterator[ImapUser]:
    """A user on the test's own Dovecot."""
    user = ImapUser(private_dovecot.server, f"user{os.getpid()}-private")
    yield user
    user.close()


@pytest.fixture
def maildir_user(tmp_path: Path) -> Iterator[MaildirUser]:
    """An empty Maildir++ tree."""
    user = MaildirUser(tmp_path / "Maildir")
    yield user
    user.close()


@pytest.fixture(params=["imap", "maildir"])
def mail(request: pytest.FixtureRequest) -> ImapUser | MaildirUser:
    """Each contract test runs once against Dovecot and once against a Maildir."""
    return request.getfixturevalue(f"{request.param}_user")


@pytest.fixture
def message_bytes() -> Callable[..., bytes]:
    """Build a raw RFC 5322 message from a few keyword headers and a body."""
    def build(sender: str = "dana@acme.example", to: str = OWN_ADDRESS, subject: str = "Hello",
              body: str = "Hi Alex,\n", date: str = "Mon, 02 Mar 2026 10:00:00 +0000",
              message_id: str | None = None, extra: str = "") -> bytes:
        identifier = message_id or f"<{time.time_ns()}@test.example>"
        head = (f"From: {sender}\nTo: {to}\nSubject: {subject}\nDate: {date}\n"
                f"Message-ID: {identifier}\n{extra}MIME-Version: 1.0\n"
                "Content-Type: text/plain; charset=utf-8\n\n")
        return (head + body).encode("utf-8")
    return build
