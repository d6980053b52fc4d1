"""One daemon per state directory: the lock file, and what `status` says about the daemon."""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from .errors import StateError
from .model import Config

LOCK_NAME = "followupd.lock"


@dataclass(frozen=True)
class Holder:
    """Who holds the lock, as the lock file tells: a pid and when it started."""

    pid: int | None
    started_at: str


class InstanceLock:
    """An flock on the state directory's lock file, held for the daemon's whole life."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / LOCK_NAME
        self.descriptor: int | None = None

    def acquire(self, started_at: datetime) -> None:
        """Take the lock, or raise StateError naming the running instance."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # The kernel drops an flock when its holder dies, even by kill -9: no stale locks.
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            holder = read_holder(self.path)
            who = f" (pid {holder.pid})" if holder.pid else ""
            raise StateError(
                f"another followupd{who} is already running with the state directory {self.path.parent}",
                advice="Stop it first (systemctl --user stop followupd), or give this one another state_dir.",
            ) from None
        os.ftruncate(descriptor, 0)
        os.write(descriptor, f"{os.getpid()}\n{started_at.isoformat(timespec='seconds')}\n".encode())
        self.descriptor = descriptor

    def release(self) -> None:
        if self.descriptor is not None:
            os.close(self.descriptor)
            self.descriptor = None


def read_holder(path: Path) -> Holder:
    """The pid and start time written in the lock file; blanks when unreadable."""
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return Holder(None, "")
    pid = int(lines[0]) if lines and lines[0].isdigit() else None
    return Holder(pid, lines[1] if len(lines) > 1 else "")


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


def daemon_lines(state_dir: Path, last_success, last_failure, zone: tzinfo) -> list[str]:
    """What `status` prints above the table: running or not, last good cycle, last error."""
    holder = running_holder(state_dir)
    if holder is None:
        lines = ["daemon: not running"]
    else:
        since = f" since {moment_text(datetime.fromisoformat(holder.started_at), zone)}" if holder.started_at else ""
        lines = [f"daemon: running (pid {holder.pid}){since}"]
    if last_success is not None:
        lines.append(f"last successful cycle: {moment_text(last_success.finished_at, zone)} ({last_success.summary})")
    else:
        lines.append("last successful cycle: never")
    if last_failure is not None:
        recovered = last_success is not None and last_success.started_at > last_failure.started_at
        note = " (recovered since)" if recovered else ""
        lines.append(f"last error: {moment_text(last_failure.finished_at, zone)}: {last_failure.error}{note}")
    return lines


def moment_text(moment: datetime, zone: tzinfo) -> str:
    """'Tue 1 Dec 09:00:05' in the user's zone: seconds matter when watching a daemon."""
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %H:%M:%S}"


def status_text(config: Config, plan) -> str:
    """'3 interviews; next: check-in #1 to Mark Jones on Tue 1 Dec 09:00'."""
    from .report import action_phrase, short_moment

    count = len(config.interviews)
    head = f"{count} interview{'s' if count != 1 else ''}"
    if plan is None or not plan.upcoming:
        return f"{head}; nothing scheduled"
    action = plan.upcoming[0]
    return f"{head}; next: {action_phrase(action)} on {short_moment(action.due, ZoneInfo(config.timezone))}"
