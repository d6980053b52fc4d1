"""A mailbox connection kept across cycles, reopened with capped, jittered backoff."""

from __future__ import annotations

import logging
import random
import time
from typing import Callable, TypeVar

from followupd.errors import AuthError, FollowupdError, MailboxError
from followupd.model import Account

log = logging.getLogger("followupd.session")

Result = TypeVar("Result")

# Backoff doubles from FIRST_DELAY up to the cap; a refused login starts higher,
# because retrying a wrong password quickly only gets an account locked.
FIRST_DELAY_SECONDS = 1.0
FIRST_AUTH_DELAY_SECONDS = 60.0
MAXIMUM_DELAY_SECONDS = 15 * 60.0
# Each IMAP command may take this long before the connection counts as dead.
COMMAND_TIMEOUT_SECONDS = 30.0


def backoff_delay(failures: int, first: float, fraction: float) -> float:
    """Seconds to wait after the n-th failure in a row: doubling, capped, with jitter.

    Half the delay is fixed and half random (fraction in [0, 1)), so many clients
    cut off together do not return together, yet none retries immediately.
    """
    ceiling = min(MAXIMUM_DELAY_SECONDS, first * 2 ** max(failures - 1, 0))
    return ceiling * (0.5 + fraction / 2)


class WaitingToReconnect(FollowupdError):
    """The last attempt failed and the backoff delay has not passed yet."""

    def __init__(self, reason: str, seconds: float) -> None:
        super().__init__(f"{reason} (next attempt in {seconds:.0f} s)")
        self.seconds = seconds


class Backoff:
    """Counts failures in a row and says when the next attempt may start (monotonic clock)."""

    def __init__(self, randomness: Callable[[], float] = random.random) -> None:
        self.failures = 0
        self.retry_at = 0.0
        self.reason = ""
        self.randomness = randomness

    def failed(self, error: Exception) -> float:
        """Note a failure; return the seconds to wait before the next attempt."""
        self.failures += 1
        first = FIRST_AUTH_DELAY_SECONDS if isinstance(error, AuthError) else FIRST_DELAY_SECONDS
        delay = backoff_delay(self.failures, first, self.randomness())
        self.retry_at = time.monotonic() + delay
        self.reason = str(error)
        return delay

    def succeeded(self) -> None:
        self.failures, self.retry_at, self.reason = 0, 0.0, ""

    def seconds_left(self) -> float:
        return max(0.0, self.retry_at - time.monotonic())


class MailboxSession:
    """The cycles' one connection; credentials are fetched afresh on every reconnect."""

    def __init__(self, account: Account, password: Callable[[], str] | None) -> None:
        self.account = account
        self.password = password
        self.current = None
        self.backoff = Backoff()
        self.stopping = False

    def use(self, work: Callable[[object], Result]) -> Result:
        """Run work on the connection; a kept connection that went stale is replaced at once."""
        mailbox, kept = self.connection()
        try:
            return work(mailbox)
        except MailboxError as error:
            self.drop()
            if self.stopping:
                raise  # the shutdown cut it: running the work again would draft during shutdown
            if not kept:
                self.note_failure(error)
                raise
            log.info("the mailbox connection was lost (%s); reconnecting", error)
        mailbox, _ = self.connection()
        try:
            return work(mailbox)
        except MailboxError as error:
            self.drop()
            self.note_failure(error)
            raise

    def connection(self) -> tuple[object, bool]:
        """The open mailbox and whether it was kept from before, or a new one when allowed."""
        if self.current is not None:
            return self.current, True
        if self.stopping:
            raise MailboxError("followupd is stopping: no new mailbox connection")
        if self.backoff.seconds_left() > 0:
            raise WaitingToReconnect(self.backoff.reason, self.backoff.seconds_left())
        from followupd.mailbox import open_mailbox

        try:
            self.current = open_mailbox(self.account, self.password, timeout=COMMAND_TIMEOUT_SECONDS)
        except (MailboxError, AuthError) as error:
            self.note_failure(error)
            raise
        if self.backoff.failures:
            log.info("connected to the mailbox again")
        self.backoff.succeeded()
        return self.current, False

    def note_failure(self, error: Exception) -> None:
        delay = self.backoff.failed(error)
        log.error("%s; next attempt in %.0f s", error, delay)

    def drop(self) -> None:
        """Close the connection (if any); the next use opens a new one."""
        mailbox, self.current = self.current, None
        if mailbox is not None:
            mailbox.close()

    def stop(self) -> None:
        """From now on a failed connection is not replaced: the daemon is shutting down."""
        self.stopping = True

    def interrupt(self) -> None:
        """Cut a connection another thread is using, so a shutdown need not wait for a slow server."""
        self.stop()
        mailbox = self.current
        if mailbox is None or self.account.provider == "maildir":
            return
        from followupd.mailbox.imap_watch import cut_connection

        cut_connection(mailbox.client)

    def retry_now(self) -> None:
        """Forget the backoff: after a reload the credential or server may be fixed."""
        self.backoff.succeeded()
