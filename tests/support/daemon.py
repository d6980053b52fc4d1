"""Daemon test support: `followupd run` as a subprocess, a NOTIFY_SOCKET listener, a TCP proxy."""

from __future__ import annotations

import email.utils
import itertools
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import pytest

from tests.support import REPOSITORY
from tests.support.config_files import config_text, interview_text

OWN_ADDRESS = "alex@candidate.example"  # as in the shared fixtures
DRAFTS = "[Gmail]/Drafts"
WAIT_SECONDS = 20.0
names = itertools.count()

def eventually(probe: Callable[[], object], what: str, timeout: float = WAIT_SECONDS):
    """Poll until probe returns something truthy; fail naming what never happened."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"within {timeout:g} s: {what} (last seen: {value!r})")
        time.sleep(0.05)


def moment(at: datetime) -> str:
    return at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S+00:00")


def interview(identifier: str, when: datetime, domain: str = "acme.example") -> str:
    company = identifier.split("-")[0].title()
    return interview_text(company, moment(when), identifier=identifier, domain=domain)


def overdue(identifier: str = "acme", domain: str = "acme.example") -> str:
    """An interview three weeks ago whose one-week decision date passed: a check-in is due."""
    return interview(identifier, datetime.now(timezone.utc) - timedelta(days=21), domain)


class NotifyListener:
    """A NOTIFY_SOCKET (abstract, as systemd's are) that collects every datagram."""

    def __init__(self) -> None:
        self.name = f"@followupd-test-{os.getpid()}-{next(names)}"
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.socket.bind(b"\0" + self.name[1:].encode())
        self.messages: list[dict[str, str]] = []

    def receive(self) -> None:
        while select.select([self.socket], [], [], 0)[0]:
            text = self.socket.recv(4096).decode()
            self.messages.append(dict(line.split("=", 1) for line in text.splitlines()))

    def wait_for(self, name: str, value: str = "1", after: int = 0) -> tuple[int, dict[str, str]]:
        """The first message at index >= after that sets name=value, and its index."""
        def find():
            self.receive()
            for index, message in enumerate(self.messages[after:], after):
                if message.get(name) == value:
                    return index, message
            return None
        return eventually(find, f"sd_notify {name}={value}")

    def close(self) -> None:
        self.socket.close()


class Daemon:
    """`followupd run` in a subprocess with its own config, state, credential and log."""

    def __init__(self, root: Path, server_port: int, username: str, password: str) -> None:
        self.root, self.port, self.username = root, server_port, username
        self.config = root / "config.yaml"
        self.state = root / "state"
        self.log = root / "daemon.log"
        self.credentials = root / "credentials"
        self.credentials.mkdir(parents=True, exist_ok=True)
        (self.credentials / "imap-password").write_text(password)
        self.notify = NotifyListener()
        self.process: subprocess.Popen | None = None
        # Protocol detail in the log a failing test prints; FOLLOWUPD_TEST_QUIET=1 to leave it out.
        self.options = () if os.environ.get("FOLLOWUPD_TEST_QUIET") == "1" else ("--verbose",)

    def write_config(self, *interviews: str, check_every: str = "1h", thank_you_after: str = "2h",
                     port: int | None = None) -> None:
        account = (f"  host: 127.0.0.1\n  port: {port or self.port}\n  security: plain\n"
                   f"  username: {self.username}\n  password: credential")
        self.config.write_text(config_text("imap", account, self.state, "".join(interviews),
                                           check_every=check_every, thank_you_after=thank_you_after))

    def write_maildir_config(self, maildir: Path, *interviews: str) -> None:
        self.config.write_text(config_text("maildir", f"  path: {maildir}", self.state, "".join(interviews),
                                           check_every="1h", thank_you_after="2h"))

    def environment(self, **extra: str) -> dict[str, str]:
        unwanted = ("NOTIFY_SOCKET", "WATCHDOG_", "JOURNAL_STREAM", "XDG_", "FOLLOWUPD_")
        environ = {k: v for k, v in os.environ.items() if not k.startswith(unwanted)}
        environ.update(HOME=str(self.root), PYTHONPATH=str(REPOSITORY), NOTIFY_SOCKET=self.notify.name,
                       CREDENTIALS_DIRECTORY=str(self.credentials), **extra)
        return environ

    def start(self, **extra_environment: str) -> subprocess.Popen:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "followupd", "--config", str(self.config), *self.options, "run"],
                env=self.environment(**extra_environment), stdout=log, stderr=log, cwd=self.root,
            )
        return self.process

    def start_and_wait_until_ready(self, **extra_environment: str) -> dict[str, str]:
        self.notify.receive()  # what earlier processes sent, so their READY=1 is not taken for this one's
        after = len(self.notify.messages)
        self.start(**extra_environment)
        return self.notify.wait_for("READY", after=after)[1]

    def send(self, number: int) -> None:
        self.process.send_signal(number)

    def reload_and_wait_until_ready(self) -> dict[str, str]:
        self.notify.receive()
        after = len(self.notify.messages)
        self.send(signal.SIGHUP)
        index, _ = self.notify.wait_for("RELOADING", after=after)
        return self.notify.wait_for("READY", after=index + 1)[1]

    def stop(self) -> int:
        self.send(signal.SIGTERM)
        return self.process.wait(timeout=WAIT_SECONDS)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=WAIT_SECONDS)

    def log_text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def followupd(self, *arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "followupd", "--config", str(self.config), *arguments],
                              env=self.environment(), capture_output=True, text=True, timeout=60)

    def ledger(self) -> dict[str, tuple[str, int | None]]:
        """Draft key → (state, uid) as the daemon recorded them."""
        from followupd.state.store import Store

        with Store.open(self.state) as store:
            return {record.key: (record.state, record.uid) for record in store.drafts()}

    def draft_created_at(self, key: str) -> datetime:
        from followupd.state.store import Store

        with Store.open(self.state) as store:
            return store.draft(key).created_at

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill()
        self.notify.close()
        print(f"--- {self.log} ---\n{self.log_text()}")  # pytest shows it when a test fails


def drafts_on_server(user) -> list[str]:
    """The X-Followupd-Key of every message in Drafts, one entry per message (duplicates show)."""
    helper = user.helper
    if not helper.folder_exists(DRAFTS):
        return []
    helper.select_folder(DRAFTS, readonly=True)
    uids = helper.search(["HEADER", "X-Followupd-Key", ""])
    fetched = helper.fetch(uids, ["BODY.PEEK[HEADER.FIELDS (X-FOLLOWUPD-KEY)]"]) if uids else {}
    keys = []
    for data in fetched.values():
        raw = next(value for name, value in data.items() if name.startswith(b"BODY["))
        keys.append(raw.decode().split(":", 1)[1].strip())
    return sorted(keys)


def reply(message_bytes, domain: str = "acme.example") -> bytes:
    """Mark's answer, dated after the check-in draft.

    Date headers carry whole seconds: one written in the second the draft was made
    would read as older than the draft, so it is dated a second ahead.
    """
    written = datetime.now(timezone.utc) + timedelta(seconds=1)
    return message_bytes(sender=f"Mark Jones <mark.jones@{domain}>", subject="Re: Account Executive",
                         date=email.utils.format_datetime(written),
                         body="Hi Alex, we would like to invite you to a second interview next week. Are you free on Tuesday?\n")


class TcpProxy:
    """A loopback proxy in front of Dovecot that can cut every connection, cut on a marker,
    or hold back the data carrying a marker for a while (a slow server)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.seen = bytearray()  # everything the server sent, for waiting on "+ idling"
        self.cut_rule: tuple[str, bytes] | None = None  # ("client" | "server", marker): drop and cut
        self.cuts = 0
        self.hold_rule: tuple[str, bytes, float] | None = None  # (side, marker, seconds): once
        self.holding = threading.Event()  # set when held data starts waiting
        self.lock = threading.Lock()
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target_port))
            with self.lock:
                self.pairs.append((client, server))
            threading.Thread(target=self.pump, args=(client, server, "client"), daemon=True).start()
            threading.Thread(target=self.pump, args=(server, client, "server"), daemon=True).start()

    def pump(self, source: socket.socket, sink: socket.socket, side: str) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            with self.lock:
                rule = self.cut_rule
                if rule is not None and rule[0] == side and rule[1] in data:
                    self.cut_rule = None
                    self.cuts += 1
                    self.close_pair(source, sink)
                    return
                if side == "server":
                    self.seen += data
                hold = self.hold_rule
                if hold is not None and hold[0] == side and hold[1] in data:
                    self.hold_rule = None
                else:
                    hold = None
            if hold is not None:
                self.holding.set()
                time.sleep(hold[2])
            try:
                sink.sendall(data)
            except OSError:
                break
        self.close_pair(source, sink)

    def close_pair(self, *sockets: socket.socket) -> None:
        for each in sockets:
            try:
                each.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            each.close()

    def cut_all(self) -> None:
        with self.lock:
            pairs, self.pairs = self.pairs, []
            self.cuts += 1
        for pair in pairs:
            self.close_pair(*pair)

    def close(self) -> None:
        self.listener.close()
        self.cut_all()


