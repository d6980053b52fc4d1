"""A real Dovecot on loopback with a throwaway config, shared by the tests' fixtures and bench/."""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest

PASSWORD = "correct-horse-9"
OWN_ADDRESS = "alex@candidate.example"
GMAIL_FOLDERS = ("[Gmail]/Drafts", "[Gmail]/Sent Mail", "[Gmail]/All Mail")
BASE_CONFIG = """\
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
disable_plaintext_auth = no
auth_mechanisms = {auth_mechanisms}
auth_failure_delay = 0
default_login_user = {login_user}
default_internal_user = {internal_user}
mail_uid = {mail_user}
mail_gid = {mail_group}
mail_location = maildir:~/Maildir
first_valid_uid = 1
first_valid_gid = 1
{ssl}
service imap-login {{{{
  inet_listener imap {{{{
    address = 127.0.0.1
    port = {{port}}
  }}}}
  inet_listener imaps {{{{
    address = 127.0.0.1
    port = {{tls_port}}
  }}}}
}}}}
{extra}
passdb {{{{
{passdb}
}}}}
userdb {{{{
  driver = static
  args = uid={mail_user} gid={mail_group} home={base}/home/%u
}}}}
namespace inbox {{{{
  inbox = yes
  separator = /
{mailboxes}
}}}}
"""
GMAIL_MAILBOXES = {"[Gmail]/Drafts": "\\Drafts", "[Gmail]/Sent Mail": "\\Sent", "[Gmail]/All Mail": "\\All"}
STATIC_PASSDB = "  driver = static\n  args = password={password}"


def dovecot_config(
    *,
    auth_mechanisms: str = "plain login",
    passdb: str = STATIC_PASSDB,
    mailboxes: dict[str, str] = GMAIL_MAILBOXES,
    extra: str = "",
) -> str:
    """A Dovecot config template (still to be formatted with base, ports, ssl, users, password).

    The password fixture and the OAuth fixture differ only in how users log in and
    which special folders exist; everything else is this one text.
    """
    folders = "\n".join(
        f'  mailbox "{name}" {{{{\n    special_use = {flag}\n    auto = subscribe\n  }}}}'
        for name, flag in mailboxes.items()
    )
    return BASE_CONFIG.format(
        base="{base}", login_user="{login_user}", internal_user="{internal_user}",
        mail_user="{mail_user}", mail_group="{mail_group}", ssl="{ssl}",
        auth_mechanisms=auth_mechanisms, passdb=passdb, mailboxes=folders, extra=extra,
    )


CONFIG = dovecot_config()


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
