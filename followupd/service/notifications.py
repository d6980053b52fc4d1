"""Telling the user what happened: each event once, to the desktop, a URL or a command.

A notification is a courtesy: a channel that fails is logged and skipped, never
a reason for a cycle to fail. The event text names people and kinds of draft,
never a word of anyone's mail; a command gets it in environment variables,
never on a shell command line.
"""

from __future__ import annotations

import email.header
import logging
import shlex
import subprocess
import urllib.error
import urllib.request
from datetime import datetime
from typing import Mapping

from followupd.core.events import Event, cycle_events
from followupd.model import Notify
from followupd.service.desktop import show_desktop_notification
from followupd.state.store import Store

log = logging.getLogger("followupd.notify")

TIMEOUT_SECONDS = 10.0


def tell(notify: Notify, events: list[Event], store: Store, now: datetime, environ: Mapping[str, str]) -> int:
    """Send each event not told before to every configured channel; return how many were new."""
    if not (notify.desktop or notify.url or notify.command):
        return 0
    told = 0
    for event in events:
        if not store.first_notice(event.key, now):
            continue
        told += 1
        if notify.desktop:
            show_desktop_notification(event.title, event.message, environ)
        if notify.url:
            post_event(notify.url, event)
        if notify.command:
            run_event_command(notify.command, event, environ)
    return told


def post_event(url: str, event: Event) -> bool:
    """POST the message as text/plain with Title and Tags headers (ntfy's names)."""
    request = urllib.request.Request(url, data=event.message.encode("utf-8"), method="POST", headers={
        "Content-Type": "text/plain; charset=utf-8",
        "Title": header_text(event.title),
        "Tags": event.kind,
    })
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            response.read(1024)
    except (urllib.error.URLError, OSError, ValueError) as error:
        # The URL may hold a token (ntfy topics are secrets), so it is not logged.
        log.warning("the notify URL did not take the event (%s)", reason_of(error))
        return False
    return True


def header_text(text: str) -> str:
    """A header value HTTP can carry: ASCII as it is, anything else as an RFC 2047 word (ntfy decodes it)."""
    return text if text.isascii() else email.header.Header(text, "utf-8").encode()


def reason_of(error: Exception) -> str:
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code}"
    return type(getattr(error, "reason", error)).__name__


def run_event_command(command: str, event: Event, environ: Mapping[str, str]) -> bool:
    """Run the user's command with the event in FOLLOWUPD_EVENT_* variables; its output is not echoed."""
    variables = {
        "FOLLOWUPD_EVENT_KIND": event.kind,
        "FOLLOWUPD_EVENT_TITLE": event.title,
        "FOLLOWUPD_EVENT_MESSAGE": event.message,
        "FOLLOWUPD_EVENT_INTERVIEW": event.interview_id,
    }
    try:
        result = subprocess.run(shlex.split(command), env={**environ, **variables}, stdin=subprocess.DEVNULL,
                                capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
    except (OSError, ValueError, subprocess.TimeoutExpired) as error:
        log.warning("the notify command could not run (%s)", type(error).__name__)
        return False
    if result.returncode != 0:
        log.warning("the notify command exited with status %d", result.returncode)
        return False
    return True



def tell_cycle(config, report, store: Store, now: datetime, environ: Mapping[str, str]) -> int:
    """The events of one finished cycle: drafts made or taken back, companies that wrote."""
    drafted = [action for action, _ in report.drafted]
    return tell(config.notify, cycle_events(config, drafted, report.retracted, report.plan, now), store, now, environ)
