"""The daemon's parts: backoff, sd_notify addresses, journal lines, the lock, the session, the watcher."""

from __future__ import annotations

import logging
import os
import threading
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from followupd.errors import MailboxError, StateError
from followupd.service.logs import JournalFormatter, is_journal
from followupd.service.notify import socket_address, watchdog_seconds
from followupd.service.session import (
    MAXIMUM_DELAY_SECONDS,
    Backoff,
    MailboxSession,
    backoff_delay,
)
from followupd.service.watch import Watcher
from followupd.service.status import daemon_lines
from followupd.state.lock import Holder, InstanceLock, running_holder
from tests.support.daemon import eventually

NINE = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


def test_backoff_doubles_from_one_second_with_half_of_it_random():
    assert [backoff_delay(failures, 1.0, 0.0) for failures in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 4.0]
    assert [backoff_delay(failures, 1.0, 0.999999) for failures in (1, 2)] == pytest.approx([1.0, 2.0])


def test_backoff_never_exceeds_fifteen_minutes():
    assert backoff_delay(40, 60.0, 0.999999) == pytest.approx(MAXIMUM_DELAY_SECONDS)
    assert MAXIMUM_DELAY_SECONDS == 900


def test_an_at_sign_notify_socket_is_an_abstract_address():
    assert socket_address("@/org/freedesktop/systemd1/notify/42") == b"\0/org/freedesktop/systemd1/notify/42"
    assert socket_address("/run/systemd/notify") == "/run/systemd/notify"
    assert socket_address("") is None


def test_the_watchdog_period_applies_only_to_the_process_systemd_watches():
    assert watchdog_seconds({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "7"}, 7) == 30.0
    assert watchdog_seconds({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "8"}, 7) is None
    assert watchdog_seconds({"WATCHDOG_USEC": "30000000"}, 7) == 30.0
    assert watchdog_seconds({}, 7) is None


def test_journal_lines_carry_the_syslog_priority_on_every_line():
    formatter = JournalFormatter("%(message)s")
    record = logging.LogRecord("followupd", logging.ERROR, "", 0, "first\nsecond", (), None)

    assert formatter.format(record) == "<3>first\n<3>second"


def test_journal_stream_counts_only_when_it_is_really_stderr(tmp_path):
    with open(tmp_path / "log", "w") as stream:
        status = os.fstat(stream.fileno())
        assert is_journal({"JOURNAL_STREAM": f"{status.st_dev}:{status.st_ino}"}, stream) is True
        assert is_journal({"JOURNAL_STREAM": f"{status.st_dev}:{status.st_ino + 1}"}, stream) is False
        assert is_journal({}, stream) is False


def test_the_lock_names_its_holder_and_is_free_again_once_released(tmp_path):
    from datetime import datetime, timezone

    first = InstanceLock(tmp_path)
    first.acquire(datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc))
    assert running_holder(tmp_path).pid == os.getpid()
    with pytest.raises(StateError) as refused:
        InstanceLock(tmp_path).acquire(datetime(2026, 12, 1, 9, 1, tzinfo=timezone.utc))
    assert str(refused.value) == (
        f"another followupd (pid {os.getpid()}) is already running with the state directory {tmp_path}"
    )

    first.release()

    assert running_holder(tmp_path) is None


def test_a_check_waits_for_another_check_to_finish_rather_than_refusing(tmp_path):
    first = InstanceLock(tmp_path, "check")
    first.acquire(NINE)
    threading.Timer(0.3, first.release).start()
    second = InstanceLock(tmp_path, "check")

    second.acquire(NINE.replace(minute=1))

    assert running_holder(tmp_path) == Holder(os.getpid(), "2026-12-01T09:01:00+00:00", "check")
    second.release()


def test_status_says_a_check_holds_the_lock_not_the_daemon(tmp_path):
    lock = InstanceLock(tmp_path, "check")
    lock.acquire(NINE)
    try:
        lines = daemon_lines(tmp_path, None, None, ZoneInfo("UTC"))
    finally:
        lock.release()

    assert lines == [
        f"daemon: not running (followupd check, pid {os.getpid()}, is checking now)",
        "last successful cycle: never",
    ]


def test_a_session_cut_by_the_shutdown_does_not_run_its_work_again(imap_user):
    session = MailboxSession(imap_user.account(), lambda: imap_user.server.password)
    session.use(lambda mailbox: mailbox.roles())  # from here on the connection is a kept one
    runs = []

    def work(mailbox):
        runs.append(len(runs) + 1)
        session.interrupt()  # what SIGTERM does to a cycle that outlives the grace period
        return mailbox.list_own_drafts(mailbox.roles().drafts)

    with pytest.raises(MailboxError):
        session.use(work)

    assert (runs, session.current) == ([1], None)


def watch_records(caplog):
    return [record for record in caplog.records if record.name == "followupd.watch"]


def test_the_watcher_keeps_trying_when_its_ca_file_is_gone(imap_user, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="followupd.watch")
    gone = tmp_path / "ca.pem"
    watcher = Watcher(imap_user.account(tls_ca_file=gone), lambda: imap_user.server.password, lambda _: None)
    watcher.backoff = Backoff(randomness=lambda: 1.0)  # the longest delay of the first step: 1 s
    watcher.start()
    try:
        [record] = eventually(lambda: watch_records(caplog), "the watcher logs the failure")
        alive = watcher.thread.is_alive()
    finally:
        watcher.stop(timeout=2.0)

    assert (record.levelname, record.getMessage(), alive) == (
        "WARNING",
        f"cannot watch for new mail: cannot use the CA file {gone} (account.tls_ca_file):"
        " no such file or directory; next attempt in 1 s",
        True,
    )


def test_the_watcher_thread_outlives_an_unexpected_error_and_logs_its_traceback(imap_user, caplog):
    caplog.set_level(logging.INFO, logger="followupd.watch")

    def crashing_keyring():
        raise RuntimeError("the keyring backend crashed")

    watcher = Watcher(imap_user.account(), crashing_keyring, lambda _: None)
    watcher.faults = Backoff(randomness=lambda: 1.0)
    watcher.start()
    try:
        [record] = eventually(lambda: watch_records(caplog), "the watcher logs the error")
        alive = watcher.thread.is_alive()
    finally:
        watcher.stop(timeout=2.0)

    assert (record.levelname, record.getMessage(), alive) == (
        "ERROR", "unexpected error while watching for new mail; next attempt in 1 s", True)
    assert repr(record.exc_info[1]) == "RuntimeError('the keyring backend crashed')"
    assert watcher.thread.is_alive() is False


def test_a_reload_ends_the_watchers_backoff_so_a_fixed_password_is_tried_at_once(imap_user, caplog):
    caplog.set_level(logging.INFO, logger="followupd.watch")
    passwords = iter(["wrong password", imap_user.server.password])
    watcher = Watcher(imap_user.account(), lambda: next(passwords), lambda _: None)
    watcher.backoff = Backoff(randomness=lambda: 1.0)
    watcher.backoff.failures = 9  # the next refusal waits the full fifteen minutes
    watcher.start()
    try:
        eventually(lambda: [r for r in watch_records(caplog) if "next attempt in 900 s" in r.getMessage()],
                   "the watcher backs off for fifteen minutes")
        watcher.retry_now()  # what SIGHUP does
        eventually(lambda: [r for r in watch_records(caplog) if r.getMessage().startswith("watching ")],
                   "the watcher reconnects without waiting out the backoff")
    finally:
        watcher.stop(timeout=2.0)
    assert watcher.thread.is_alive() is False


def test_a_check_made_late_by_a_suspend_runs_once_not_zero_times_and_not_once_per_missed_period():
    import threading
    import time
    from datetime import datetime, timedelta, timezone

    from followupd.service.daemon import scheduler_for

    runs: list[int] = []
    ran = threading.Event()
    scheduler = scheduler_for()
    scheduler.start(paused=True)
    # As after waking up: the every-minute check was due ten and a half periods ago,
    # so even its latest missed moment is half a minute late.
    scheduler.add_job(lambda: (runs.append(1), ran.set()), "interval", seconds=60, id="every",
                      next_run_time=datetime.now(timezone.utc) - timedelta(minutes=10, seconds=30))
    scheduler.resume()
    try:
        assert ran.wait(timeout=10)
        time.sleep(0.5)  # room for further runs, were any coming
    finally:
        scheduler.shutdown(wait=False)
    assert runs == [1]
