"""The IDLE watcher: a second IMAP connection that wakes the daemon when mail arrives.

It drives the IMAPClient object that followupd.mailbox.imap opened, so imapclient
itself is still imported in that one module only.
"""

from __future__ import annotations

import socket
import time
from typing import Callable

from followupd.mailbox.imap import ImapMailbox
from followupd.model import Account

# The watcher: a second connection that waits in IDLE, so a reply is seen in seconds.

# Servers drop an IDLE after 30 minutes (RFC 2177) and NAT boxes forget quiet
# connections sooner; a round this short also bounds how long a silently dead
# connection (a laptop that slept, a changed network) can go unnoticed.
IDLE_ROUND_SECONDS = 4 * 60


class ImapWatcher:
    """Waits in IDLE on the folder where replies arrive: INBOX, or \\All on Gmail."""

    round_seconds = IDLE_ROUND_SECONDS

    def __init__(self, account: Account, password: Callable[[], str], *, timeout: float = 30):
        self.mailbox = ImapMailbox(account, password, timeout=timeout)
        self.client = self.mailbox.client
        self.folder = self.mailbox.roles().watch[0]
        self.supports_idle = self.client.has_capability("IDLE")
        with self.mailbox.server_errors(f"opening {self.folder} on"):
            self.client.select_folder(self.folder, readonly=True)

    def wait(self, seconds: float) -> bool:
        """One IDLE round of at most `seconds`: True when new mail arrived; MailboxError when dead."""
        with self.mailbox.server_errors(f"waiting for mail in {self.folder} on"):
            self.client.idle()
            arrived = self.idle_until(time.monotonic() + seconds)
            _, responses = self.client.idle_done()
            # idle_check hides timeouts and EOF, so silence proves nothing: a NOOP
            # answered within the read timeout is what shows the connection lives.
            _, more = self.client.noop()
        return arrived or has_arrival(responses) or has_arrival(more)

    def idle_until(self, deadline: float) -> bool:
        """Collect IDLE responses until new mail, the deadline, or a socket with nothing to say."""
        while (remaining := deadline - time.monotonic()) > 0:
            responses = self.client.idle_check(timeout=remaining)
            if has_arrival(responses):
                return True
            if not responses:
                # Either the round is over, or the socket woke with no line: EOF,
                # which idle_check swallows. Either way end the round and let
                # DONE and NOOP find out.
                return False
        return False

    def interrupt(self) -> None:
        """Make a blocked wait fail at once (from another thread), as at shutdown."""
        cut_connection(self.client)

    def close(self) -> None:
        self.mailbox.close()


def has_arrival(responses: list) -> bool:
    """True when an untagged EXISTS (new mail in the folder) is among the responses."""
    return any(isinstance(r, tuple) and len(r) >= 2 and r[1] == b"EXISTS" for r in responses)


def cut_connection(client) -> None:
    """Shut the socket down so a command blocked on it fails now rather than at its timeout."""
    try:
        client.socket().shutdown(socket.SHUT_RDWR)
    except (OSError, AttributeError):
        pass  # already closed
