"""The watcher thread: new mail where replies arrive triggers a cycle within seconds."""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from followupd.errors import FollowupdError
from followupd.model import Account
from followupd.service.session import COMMAND_TIMEOUT_SECONDS, Backoff

log = logging.getLogger("followupd.watch")

# Longest a watcher may go without a heartbeat before the daemon stops petting
# the systemd watchdog: a full IDLE round, DONE and NOOP at their timeouts, a reconnect.
WATCHER_SILENCE_LIMIT_SECONDS = 4 * 60 + 4 * COMMAND_TIMEOUT_SECONDS + 60
# Backoff sleeps are cut into slices so the heartbeat keeps beating while waiting.
SLEEP_SLICE_SECONDS = 60.0


def open_watcher(account: Account, password: Callable[[], str] | None):
    """An IDLE watcher for IMAP accounts, an mtime poller for a Maildir."""
    if account.provider == "maildir":
        from followupd.mailbox.maildir_watch import MaildirWatcher

        return MaildirWatcher(account)
    from followupd.mailbox.imap_watch import ImapWatcher

    return ImapWatcher(account, password, timeout=COMMAND_TIMEOUT_SECONDS)


class Watcher:
    """Keeps a watcher connected in its own thread, reconnecting with backoff, forever."""

    def __init__(self, account: Account, password, on_new_mail: Callable[[str], None]) -> None:
        self.account = account
        self.password = password
        self.on_new_mail = on_new_mail
        self.stopped = threading.Event()
        self.woken = threading.Event()  # set on reload: a fixed credential is tried at once
        self.backoff = Backoff()  # connection failures in a row
        # Unexpected errors since the last full round: a bug that recurs backs off rather than spins.
        self.faults = Backoff()
        self.last_beat = time.monotonic()
        self.current = None
        self.connected_before = self.watching = False
        self.without_idle = False  # the server lacks IDLE: polling alone does the work
        self.thread = threading.Thread(target=self.run, name="followupd-watcher", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def run(self) -> None:
        """Connect, watch until the connection dies, back off, connect again; never die of an error."""
        while not self.stopped.is_set():
            self.last_beat = time.monotonic()
            self.watching = False
            try:
                self.connect_and_watch()
            except FollowupdError as error:
                if self.stopped.is_set():
                    break
                if self.watching:
                    log.warning("lost the watch connection (%s); reconnecting", error)
                else:
                    delay = self.backoff.failed(error)
                    log.warning("cannot watch for new mail: %s; next attempt in %.0f s", error, delay)
                    self.sleep(delay)
            except Exception as error:  # a bug must not end the thread: replies would go unnoticed
                delay = self.faults.failed(error)
                log.exception("unexpected error while watching for new mail; next attempt in %.0f s", delay)
                self.sleep(delay)
            finally:
                self.close_current()
            if self.without_idle:
                return

    def connect_and_watch(self) -> None:
        """One connection's life: open it, then IDLE rounds until it fails or the daemon stops."""
        self.current = open_watcher(self.account, self.password)
        if not self.current.supports_idle:
            log.info("the server has no IDLE: replies are noticed at each scheduled check")
            self.without_idle = True
            return
        self.backoff.succeeded()
        log.info("watching %s for new mail", self.current.folder)
        if self.connected_before:
            self.on_new_mail("reconnected: catching up")  # mail may have come meanwhile
        self.connected_before, self.watching = True, True
        self.watch()

    def watch(self) -> None:
        """IDLE rounds until the connection fails (an exception) or the daemon stops."""
        round_seconds = self.current.round_seconds
        while not self.stopped.is_set():
            self.last_beat = time.monotonic()
            if self.current.wait(round_seconds):
                log.debug("new mail in %s", self.current.folder)
                self.on_new_mail("new mail")
            else:
                log.debug("%s: quiet round, connection alive", self.current.folder)
            self.faults.succeeded()

    def sleep(self, seconds: float) -> None:
        """Wait out a backoff, unless the daemon stops or a reload asks to retry now."""
        deadline = time.monotonic() + seconds
        self.woken.clear()
        while (remaining := deadline - time.monotonic()) > 0 and not self.stopped.is_set():
            if self.woken.wait(min(remaining, SLEEP_SLICE_SECONDS)):
                break
            self.last_beat = time.monotonic()

    def retry_now(self) -> None:
        """End a backoff wait early (after a reload, the credential may be fixed)."""
        self.woken.set()

    def close_current(self) -> None:
        current, self.current = self.current, None
        if current is not None:
            current.close()

    def reconnect(self) -> None:
        """Drop the connection now (after a suspend it is likely dead); the thread reconnects."""
        current = self.current
        if current is not None:
            current.interrupt()

    def stop(self, timeout: float) -> None:
        self.stopped.set()
        self.woken.set()  # ends a backoff wait at once
        self.reconnect()
        self.thread.join(timeout)

    def is_making_progress(self, now: float) -> bool:
        """Alive and beating recently, or finished because the server has no IDLE."""
        if self.without_idle:
            return True
        return self.thread.is_alive() and now - self.last_beat < WATCHER_SILENCE_LIMIT_SECONDS
