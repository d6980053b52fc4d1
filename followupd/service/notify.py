"""sd_notify over $NOTIFY_SOCKET, standard library only: systemd learns readiness and health."""

from __future__ import annotations

import logging
import os
import socket
import time
from typing import Mapping

log = logging.getLogger("followupd.notify")


def socket_address(text: str) -> str | bytes | None:
    """The address $NOTIFY_SOCKET names: a path, or an abstract name written with a leading @."""
    if not text:
        return None
    if text.startswith("@"):
        return b"\0" + text[1:].encode()
    if text.startswith("/"):
        return text
    return None  # vsock and other forms are not used by service managers for user processes


def watchdog_seconds(environ: Mapping[str, str], pid: int) -> float | None:
    """The watchdog period systemd expects pings within, or None when it is not watching us."""
    usec = environ.get("WATCHDOG_USEC", "")
    watched_pid = environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    if watched_pid and watched_pid != str(pid):
        return None  # the variable was inherited from a parent that is being watched
    return int(usec) / 1_000_000


class Notifier:
    """Sends state changes to the service manager; silent when there is none."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.address = socket_address(environ.get("NOTIFY_SOCKET", ""))
        self.watchdog_period = watchdog_seconds(environ, os.getpid())
        self.socket: socket.socket | None = None
        if self.address is not None:
            self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)

    def send(self, *assignments: str) -> None:
        """One datagram of NAME=value lines; a lost notification must never stop the daemon."""
        if self.socket is None:
            return
        text = "\n".join(one_line(assignment) for assignment in assignments)
        try:
            # Never block: a manager that stopped reading must not stall a cycle.
            self.socket.sendto(text.encode("utf-8"), socket.MSG_DONTWAIT, self.address)
        except OSError as error:
            log.debug("sd_notify %r failed: %s", text, error)

    def ready(self, status: str) -> None:
        self.send("READY=1", f"STATUS={status}")

    def status(self, status: str) -> None:
        self.send(f"STATUS={status}")

    def watchdog(self) -> None:
        if self.watchdog_period is not None:  # nobody asked: a ping would only be noise
            self.send("WATCHDOG=1")

    def reloading(self) -> None:
        # MONOTONIC_USEC lets systemd (Type=notify-reload) tell this reload from an earlier one.
        self.send("RELOADING=1", f"MONOTONIC_USEC={time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000}")

    def stopping(self) -> None:
        self.send("STOPPING=1", "STATUS=stopping")

    def close(self) -> None:
        if self.socket is not None:
            self.socket.close()
            self.socket = None


def one_line(assignment: str) -> str:
    """A value with its line breaks flattened: a newline would start another assignment."""
    return " ".join(assignment.splitlines())
