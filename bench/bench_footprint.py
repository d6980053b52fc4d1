"""The daemon's footprint and reaction times, against a private Dovecot on loopback.

    python -m bench.bench_footprint [--minutes 10]

Prints: resident memory of the idle daemon after --minutes, CPU seconds per idle
hour (extrapolated from that window), reply-to-retraction latency over 20
deliveries (median, worst), and how late thank-yous appear in Drafts after their
due moment (median, worst). Latencies are observed by polling Drafts every 20 ms
from another connection, so they include up to ~20 ms of observation delay.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("FOLLOWUPD_TEST_QUIET", "1")  # the daemon logs as in production: no --verbose

from tests.support.daemon import (
    Daemon,
    drafts_on_server,
    eventually,
    interview,
    overdue,
)
from tests.support.dovecot import DovecotProcess
from tests.support.mail_users import ImapUser

DELIVERIES = 20
THANK_YOUS = 5
POLL_SECONDS = 0.02
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def resident_megabytes(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def wait_for(probe, timeout: float = 30.0) -> float:
    """Poll until probe() is true; return the monotonic moment it was first seen true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():
            return time.monotonic()
        time.sleep(POLL_SECONDS)
    raise RuntimeError("timed out")


def reply_from(domain: str) -> bytes:
    written = datetime.now(timezone.utc) + timedelta(seconds=1)
    return (
        f"From: Mark Jones <mark.jones@{domain}>\r\nTo: alex@candidate.example\r\n"
        f"Subject: Re: Account Executive\r\nDate: {written:%a, %d %b %Y %H:%M:%S +0000}\r\n"
        f"Message-ID: <{time.time_ns()}@{domain}>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Hi Alex, we would like to invite you to a second interview next week.\r\n"
    ).encode()


def companies() -> list[tuple[str, str]]:
    return [(f"company{number}", f"company{number}.example") for number in range(DELIVERIES)]


def idle_footprint(daemon: Daemon, minutes: float) -> tuple[float, float]:
    """RSS in MB after the idle window, and CPU seconds per hour extrapolated from it."""
    pid = daemon.process.pid
    time.sleep(5)  # let the start-up cycle's garbage settle
    before, started = cpu_seconds(pid), time.monotonic()
    time.sleep(minutes * 60)
    used, elapsed = cpu_seconds(pid) - before, time.monotonic() - started
    return resident_megabytes(pid), used * 3600 / elapsed


def retraction_latencies(daemon: Daemon, user: ImapUser) -> list[float]:
    latencies = []
    for name, domain in companies():
        key = f"{name}/check_in/1"
        user.deliver(reply_from(domain))
        delivered = time.monotonic()
        seen = wait_for(lambda: key not in drafts_on_server(user))
        latencies.append(seen - delivered)
    return latencies


def thank_you_lateness(daemon: Daemon, user: ImapUser) -> list[float]:
    """Reload with thank-yous falling due 3 s apart; how long after each due moment it shows."""
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=6)
    dues = {f"late{number}": start + timedelta(seconds=3 * number) for number in range(THANK_YOUS)}
    entries = [overdue(name, domain) for name, domain in companies()]
    entries += [interview(name, due - timedelta(hours=2), f"{name}.example") for name, due in dues.items()]
    daemon.write_config(*entries)
    daemon.reload_and_wait_until_ready()
    lateness = []
    for name, due in dues.items():
        key = f"{name}/thank_you/mark.jones@{name}.example"
        wait_for(lambda: key in drafts_on_server(user), timeout=60)
        lateness.append((datetime.now(timezone.utc) - due).total_seconds())
    return lateness


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="idle window (default 10)")
    minutes = parser.parse_args().minutes
    dovecot = DovecotProcess()
    server = dovecot.start()
    user = ImapUser(server, "bench")
    daemon = Daemon(Path(tempfile.mkdtemp(prefix="fud-bench-")), server.port, user.username, server.password)
    try:
        daemon.write_config(*(overdue(name, domain) for name, domain in companies()), check_every="15m")
        daemon.start_and_wait_until_ready()
        eventually(lambda: len(drafts_on_server(user)) == DELIVERIES, "20 check-ins drafted", 60)
        rss, cpu_per_hour = idle_footprint(daemon, minutes)
        latencies = retraction_latencies(daemon, user)
        lateness = thank_you_lateness(daemon, user)
        started = time.monotonic()
        daemon.send(signal.SIGTERM)
        status = daemon.process.wait(timeout=30)
        stop_seconds = time.monotonic() - started
    finally:
        daemon.close()
        user.close()
        dovecot.remove()
    print(f"idle window: {minutes:g} min; Python {sys.version.split()[0]}")
    print(f"resident memory after the idle window: {rss:.1f} MB")
    print(f"CPU per idle hour (extrapolated): {cpu_per_hour:.2f} s")
    print(f"reply → retraction over {len(latencies)} deliveries: median {statistics.median(latencies) * 1000:.0f} ms,"
          f" worst {max(latencies) * 1000:.0f} ms")
    print(f"thank-you lateness over {len(lateness)} due moments: median {statistics.median(lateness) * 1000:.0f} ms,"
          f" worst {max(lateness) * 1000:.0f} ms")
    print(f"SIGTERM → exit {status}: {stop_seconds * 1000:.0f} ms")


if __name__ == "__main__":
    main()
