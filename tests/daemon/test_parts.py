"""The daemon's small pure parts: backoff, sd_notify addresses, journal lines, the lock."""

from __future__ import annotations

import logging
import os

import pytest

from followupd.errors import StateError
from followupd.instance import InstanceLock, running_holder
from followupd.logs import JournalFormatter, is_journal
from followupd.notify import socket_address, watchdog_seconds
from followupd.session import MAXIMUM_DELAY_SECONDS, backoff_delay


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
