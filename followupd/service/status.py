"""What `status` and systemd's STATUS= say about the daemon and its schedule."""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from followupd.core.report import action_phrase, short_moment
from followupd.model import Config
from followupd.state.lock import running_holder


def daemon_lines(state_dir: Path, last_success, last_failure, zone: tzinfo) -> list[str]:
    """What `status` prints above the table: running or not, last good cycle, last error."""
    holder = running_holder(state_dir)
    if holder is None:
        lines = ["daemon: not running"]
    elif holder.command == "check":
        lines = [f"daemon: not running (followupd check, pid {holder.pid}, is checking now)"]
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
    count = len(config.interviews)
    head = f"{count} interview{'s' if count != 1 else ''}"
    if plan is None or not plan.upcoming:
        return f"{head}; nothing scheduled"
    action = plan.upcoming[0]
    return f"{head}; next: {action_phrase(action)} on {short_moment(action.due, ZoneInfo(config.timezone))}"
