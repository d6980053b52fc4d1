"""A throwaway Dovecot on loopback for benchmarks, configured exactly like the test fixture.

Big mailboxes are written as Maildir files before the server starts: delivering
50,000 messages with `doveadm save` would take ~20 minutes, writing files takes
seconds, and Dovecot indexes them once on the first EXAMINE.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from tests.support.dovecot import (  # the fixture's config and helpers, not a copy
    CONFIG,
    PASSWORD,
    free_port,
    mail_accounts,
    wait_until_listening,
)


@dataclass(frozen=True)
class Server:
    """Where the benchmark Dovecot listens and how to reach its tools."""

    port: int
    base: Path
    config: Path
    password: str = PASSWORD

    def maildir(self, user: str, folder: str) -> Path:
        """The Maildir++ directory Dovecot uses for a user's folder."""
        root = self.base / "home" / user / "Maildir"
        return root if folder.upper() == "INBOX" else root / ("." + folder.replace("/", "."))

    def index(self, user: str, *folders: str) -> None:
        """Let Dovecot index pre-written files now, so benchmarks do not time it."""
        subprocess.run(
            ["doveadm", "-c", str(self.config), "force-resync", "-u", user, *folders],
            check=True, env={**os.environ, "TZ": "UTC0"},
        )


def write_maildir(directory: Path, messages: Iterable[tuple[bytes, float]]) -> int:
    """Write (raw message, arrival time) pairs into cur/ as seen mail; return how many."""
    for name in ("tmp", "new", "cur"):
        (directory / name).mkdir(parents=True, exist_ok=True)
    count = 0
    for count, (raw, arrived) in enumerate(messages, start=1):
        # Dovecot numbers new files in name order; the arrival time first keeps UIDs chronological.
        path = directory / "cur" / f"{int(arrived):011d}.M{count:06d}P1.bench:2,S"
        path.write_bytes(raw)
        os.utime(path, (arrived, arrived))
    return count


@contextmanager
def running_dovecot(mailboxes: dict[str, dict[str, Iterable[tuple[bytes, float]]]]) -> Iterator[Server]:
    """Start Dovecot after writing each user's folders; stop it and delete everything after."""
    binary = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/usr/local/sbin")
    if binary is None:
        raise SystemExit("dovecot is not installed (apt-get install dovecot-imapd)")
    base = Path(tempfile.mkdtemp(prefix="fudb-", dir="/tmp"))
    base.chmod(0o755)
    accounts = mail_accounts()
    port = free_port()
    config = base / "dovecot.conf"
    config.write_text(CONFIG.format(base=base, port=port, tls_port=free_port(),
                                    password=PASSWORD, ssl="ssl = no", **accounts))
    (base / "state").mkdir()
    server = Server(port, base, config)
    for user, folders in mailboxes.items():
        for folder, messages in folders.items():
            write_maildir(server.maildir(user, folder), messages)
    (base / "home").mkdir(exist_ok=True)
    subprocess.run(["chown", "-R", f"{accounts['mail_user']}:{accounts['mail_group']}",
                    str(base / "home")], check=True)
    process = subprocess.Popen([binary, "-F", "-c", str(config)],
                               env={**os.environ, "TZ": "UTC0"})
    try:
        wait_until_listening(port, process, base / "dovecot.log")
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(base, ignore_errors=True)
