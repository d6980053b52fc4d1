"""Shared fixtures: a real Dovecot on loopback and a Maildir in tmp_path, same helper API."""

from __future__ import annotations

import itertools
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

import pytest

from followupd.mailbox.maildir import message_uid
from followupd.model import Account, Folders

PASSWORD = "correct-horse-9"
OWN_ADDRESS = "alex@candidate.example"
GMAIL_FOLDERS = ("[Gmail]/Drafts", "[Gmail]/Sent Mail", "[Gmail]/All Mail")
CONFIG = """\
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_login_user = {login_user}
default_internal_user = {internal_user}
mail_uid = {mail_user}
mail_gid = {mail_group}
mail_location = maildir:~/Maildir
first_valid_uid = 1
first_valid_gid = 1
{ssl}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_group} home={base}/home/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox "[Gmail]/Drafts" {{
    special_use = \\Drafts
    auto = subscribe
  }}
  mailbox "[Gmail]/Sent Mail" {{
    special_use = \\Sent
    auto = subscribe
  }}
  mailbox "[Gmail]/All Mail" {{
    special_use = \\All
    auto = subscribe
  }}
}}
"""


@dataclass
class DovecotServer:
    """A running Dovecot: where it listens and the CA file that verifies its TLS port."""

    port: int
    tls_port: int | None
    ca_file: Path | None
    log: Path
    users: Iterator[int] = field(default_factory=itertools.count)
    password: str = PASSWORD

    def unused_port(self) -> int:
        """A loopback port with no listener, for connection-refused tests."""
        return free_port()


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def mail_accounts() -> dict[str, str]:
    """Which system users Dovecot's processes run as: never root for mail processes."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid()).pw_name
        return dict(login_user=me, internal_user=me, mail_user=me, mail_group=me)
    # Dovecot refuses uid 0 for mail and login processes; Debian's users exist for this.
    return dict(
        login_user="dovenull", internal_user="dovecot", mail_user="dovecot", mail_group="dovecot"
    )


def self_signed_certificate(base: Path) -> tuple[str, Path | None]:
    """A cert for 127.0.0.1 made by openssl, or ssl = no when openssl is missing."""
    if shutil.which("openssl") is None:
        return "ssl = no", None
    cert, key = base / "cert.pem", base / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return f"ssl = yes\nssl_cert = <{cert}\nssl_key = <{key}", cert


def wait_until_listening(port: int, process: subprocess.Popen, log: Path) -> None:
    """Poll the port until Dovecot accepts, failing with its log if it died."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dovecot exited: {log.read_text() if log.exists() else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("dovecot did not start listening within 10 s")


def dovecot_binary() -> str:
    """The dovecot executable, or skip — or fail when CI demands a real server."""
    binary = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/usr/local/sbin")
    if binary is None:
        message = "dovecot is not installed (apt-get install dovecot-imapd)"
        if os.environ.get("FOLLOWUPD_REQUIRE_DOVECOT") == "1":
            pytest.fail(f"FOLLOWUPD_REQUIRE_DOVECOT=1 but {message}", pytrace=False)
        pytest.skip(message)
    return binary


class DovecotProcess:
    """A Dovecot with its own directory and ports that can be stopped and started again.

    The ports and the mail stay the same across a restart, as after a real server restart.
    """

    def __init__(self) -> None:
        self.binary = dovecot_binary()
        # Socket paths must stay under ~107 characters, so not under pytest's tmp_path.
        self.base = Path(tempfile.mkdtemp(prefix="fud-", dir="/tmp"))
        self.base.chmod(0o755)  # mail processes run as another user and must reach home/
        accounts = mail_accounts()
        ssl_settings, ca_file = self_signed_certificate(self.base)
        port, tls_port = free_port(), free_port() if ca_file else 0
        self.config = self.base / "dovecot.conf"
        self.config.write_text(CONFIG.format(base=self.base, port=port, tls_port=tls_port,
                                             password=PASSWORD, ssl=ssl_settings, **accounts))
        for name in ("home", "state"):
            (self.base / name).mkdir()
        shutil.chown(self.base / "home", accounts["mail_user"], accounts["mail_group"])
        self.server = DovecotServer(port, tls_port or None, ca_file, self.base / "dovecot.log")
        self.process: subprocess.Popen | None = None

    def start(self) -> DovecotServer:
        # Its own session, so crash() can kill the master and its children together.
        self.process = subprocess.Popen([self.binary, "-F", "-c", str(self.config)],
                                        env={**os.environ, "TZ": "UTC0"}, start_new_session=True)
        wait_until_listening(self.server.port, self.process, self.server.log)
        return self.server

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def crash(self) -> None:
        """Kill every Dovecot process at once: connections drop now, not after a clean shutdown."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    """One Dovecot for the whole session; each test logs in as a fresh user."""
    process = DovecotProcess()
    try:
        yield process.start()
    finally:
        process.remove()


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
