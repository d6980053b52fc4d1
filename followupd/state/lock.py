"""One followupd at a time per state directory: the lock file and who holds it."""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterator

from followupd.errors import StateError

LOCK_NAME = "followupd.lock"
# A check (or the demo) holds the lock for seconds: another command waits this
# long for it rather than refusing; only `followupd run` holds it for good.
CHECK_WAIT_SECONDS = 60.0
POLL_SECONDS = 0.1


@dataclass(frozen=True)
class Holder:
    """Who holds the lock, as the lock file tells: a pid, when it started, which command."""

    pid: int | None
    started_at: str
    command: str = ""  # "run" or "check"; "" while the holder has not written the file yet


class InstanceLock:
    """An flock on the state directory's lock file: the daemon holds it for its whole life,
    a check for its one cycle, so two processes never settle the same ledger at once."""

    def __init__(self, state_dir: Path, command: str = "run") -> None:
        self.path = state_dir / LOCK_NAME
        self.command = command
        self.descriptor: int | None = None

    def acquire(self, started_at: datetime, patience: float = CHECK_WAIT_SECONDS) -> None:
        """Take the lock, waiting while a check holds it; raise StateError naming a daemon that does."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # The kernel drops an flock when its holder dies, even by kill -9: no stale locks.
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        deadline = time.monotonic() + patience
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = read_holder(self.path)
                if holder.command == "run" or time.monotonic() >= deadline:
                    os.close(descriptor)
                    raise self.refusal(holder) from None
                time.sleep(POLL_SECONDS)
        os.ftruncate(descriptor, 0)
        stamp = started_at.isoformat(timespec="seconds")
        os.write(descriptor, f"{os.getpid()}\n{stamp}\n{self.command}\n".encode())
        self.descriptor = descriptor

    def refusal(self, holder: Holder) -> StateError:
        """What to tell the user about the process holding the lock."""
        who = f" (pid {holder.pid})" if holder.pid else ""
        if holder.command == "run" and self.command == "check":
            return StateError(
                f"followupd run is active for this state dir{who}; it checks by itself — or stop it first",
                advice="`followupd status` shows its last cycle; `systemctl --user stop followupd` stops it.",
            )
        if holder.command == "run":
            return StateError(
                f"another followupd{who} is already running with the state directory {self.path.parent}",
                advice="Stop it first (systemctl --user stop followupd), or give this one another state_dir.",
            )
        return StateError(
            f"a followupd check{who} has held the state directory {self.path.parent}"
            f" for over {CHECK_WAIT_SECONDS:.0f} s",
            advice="Wait for it to finish, or stop it, then try again.",
        )

    def release(self) -> None:
        if self.descriptor is not None:
            os.close(self.descriptor)
            self.descriptor = None


@contextmanager
def holding(state_dir: Path, command: str, started_at: datetime) -> Iterator[InstanceLock]:
    """The state directory's lock for the length of a with-block."""
    lock = InstanceLock(state_dir, command)
    lock.acquire(started_at)
    try:
        yield lock
    finally:
        lock.release()


def read_holder(path: Path) -> Holder:
    """The pid and start time written in the lock file; blanks when unreadable."""
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return Holder(None, "")
    pid = int(lines[0]) if lines and lines[0].isdigit() else None
    # A lock file from before the command was written in it was the daemon's.
    command = lines[2] if len(lines) > 2 else ("run" if pid else "")
    return Holder(pid, lines[1] if len(lines) > 1 else "", command)


def running_holder(state_dir: Path) -> Holder | None:
    """The running daemon's holder, or None when nobody holds the lock."""
    path = state_dir / LOCK_NAME
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return read_holder(path)
    finally:
        os.close(descriptor)  # closing also drops the probe's own shared lock
    return None
