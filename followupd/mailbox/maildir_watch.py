"""The Maildir twin of the IMAP IDLE watcher: a change in new/ or cur/ is new mail."""

from __future__ import annotations

import threading
import time

from followupd.errors import MailboxError
from followupd.mailbox.maildir import MaildirMailbox
from followupd.model import Account

# A Maildir has no IDLE: its folders' mtimes are compared this often.
MAILDIR_POLL_SECONDS = 1.0


class MaildirWatcher:
    """The Maildir twin of ImapWatcher: polls new/ and cur/ mtimes instead of IDLE."""

    supports_idle = True
    round_seconds = 60.0

    def __init__(self, account: Account) -> None:
        self.mailbox = MaildirMailbox(account)
        self.folder = str(account.path)
        self.stamp = self.mailbox.change_stamp()
        self.interrupted = threading.Event()

    def wait(self, seconds: float) -> bool:
        """True as soon as a watched folder changed; False after `seconds` without change."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            if self.interrupted.wait(min(MAILDIR_POLL_SECONDS, remaining)):
                self.interrupted.clear()
                raise MailboxError(f"watching {self.folder} was interrupted")
            stamp = self.mailbox.change_stamp()
            if stamp != self.stamp:
                self.stamp = stamp
                return True
        return False

    def interrupt(self) -> None:
        self.interrupted.set()

    def close(self) -> None:
        self.mailbox.close()
