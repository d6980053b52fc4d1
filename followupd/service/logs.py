"""Daemon logging on stderr: syslog priority prefixes for journald, timestamps elsewhere."""

from __future__ import annotations

import logging
import os
import sys
from typing import Mapping

# journald reads a leading <N> as the line's syslog priority (sd-daemon(3)).
PRIORITIES = {
    logging.CRITICAL: 2,
    logging.ERROR: 3,
    logging.WARNING: 4,
    logging.INFO: 6,
    logging.DEBUG: 7,
}


class JournalFormatter(logging.Formatter):
    """`<6>drafted thank-you to Mark Jones`: journald adds the time and the unit itself."""

    def format(self, record: logging.LogRecord) -> str:
        priority = PRIORITIES.get(record.levelno, 6)
        text = super().format(record)
        # Every continuation line gets the prefix too, or journald would log it as INFO.
        return "\n".join(f"<{priority}>{line}" for line in text.splitlines())


def is_journal(environ: Mapping[str, str], stream=None) -> bool:
    """True when stderr is the very stream journald gave us ($JOURNAL_STREAM is device:inode)."""
    device_inode = environ.get("JOURNAL_STREAM", "")
    if not device_inode:
        return False
    try:
        status = os.fstat((stream or sys.stderr).fileno())
    except (OSError, ValueError):
        return False
    # An inherited $JOURNAL_STREAM with stderr redirected elsewhere does not count.
    return device_inode == f"{status.st_dev}:{status.st_ino}"


def configure_daemon_logging(verbose: bool, environ: Mapping[str, str]) -> None:
    """One line per action and per error; protocol detail only with --verbose."""
    handler = logging.StreamHandler(sys.stderr)
    if is_journal(environ):
        handler.setFormatter(JournalFormatter("%(message)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=[handler], force=True)
    # APScheduler announces every job run at INFO; imapclient logs each command at DEBUG.
    # Both stay quiet unless asked, and imapclient masks LOGIN arguments even then.
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if verbose else logging.WARNING)
    logging.getLogger("imapclient").setLevel(logging.DEBUG if verbose else logging.WARNING)
    # imaplib's own trace (how every line was matched) is noise even then; the commands stay.
    logging.getLogger("imapclient.imaplib").setLevel(logging.INFO)
