"""The daemon as a process: signals, reloads, the lock, sd_notify, a refused login."""

from __future__ import annotations

import re
import signal
from datetime import datetime, timedelta, timezone

from tests.support.daemon import drafts_on_server, eventually, interview, overdue, reply

CHECK_IN = "acme/check_in/1"


def test_sigterm_exits_0_after_telling_systemd_it_is_stopping(daemon):
    daemon.write_config(overdue())
    daemon.start_and_wait_until_ready()

    assert daemon.stop() == 0
    daemon.notify.wait_for("STOPPING")
    assert " INFO stopping\n" in daemon.log_text()


def test_sighup_reloads_the_config_and_drafts_for_a_new_interview(daemon, imap_user):
    daemon.write_config(overdue())
    daemon.start_and_wait_until_ready()
    assert drafts_on_server(imap_user) == [CHECK_IN]

    daemon.write_config(overdue(), interview("globex", datetime.now(timezone.utc) - timedelta(hours=3)))
    ready = daemon.reload_and_wait_until_ready()

    assert ready["STATUS"].startswith("2 interviews; next: ")
    assert drafts_on_server(imap_user) == [CHECK_IN, "globex/thank_you/mark.jones@acme.example"]


def test_an_invalid_config_on_reload_is_logged_and_the_old_one_keeps_running(daemon, imap_user, message_bytes):
    daemon.write_config(overdue())
    daemon.start_and_wait_until_ready()
    broken = daemon.config.read_text().replace("check_every: 1h", "check_every: often")
    daemon.config.write_text(broken.replace("timezone: UTC", "timezone: Mars/Olympus"))

    ready = daemon.reload_and_wait_until_ready()

    assert ready["STATUS"] == "reload failed; running with the previous config"
    errors = [line.split(" ERROR ", 1)[1] for line in daemon.log_text().splitlines() if " ERROR " in line]
    assert errors == [
        'reload: config.yaml:11: timezone: expected an IANA time zone like America/New_York, got "Mars/Olympus"',
        'reload: config.yaml:12: check_every: expected a duration like 90m, 2h, 3d, 1w or 5 business days, got "often"',
        f"reload: kept the running config; fix {daemon.config} and reload again",
    ]
    imap_user.deliver(reply(message_bytes))  # the old config still watches and acts
    eventually(lambda: drafts_on_server(imap_user) == [], "the check-in draft is removed")


def test_a_second_instance_on_the_same_state_directory_is_refused_with_exit_5(daemon):
    daemon.write_config(overdue())
    first = daemon.start_and_wait_until_ready()
    assert first["READY"] == "1"

    second = daemon.followupd("run")

    assert second.returncode == 5
    assert second.stderr.splitlines()[-2:] == [
        f"followupd: another followupd (pid {daemon.process.pid}) is already running"
        f" with the state directory {daemon.state}",
        "followupd: Stop it first (systemctl --user stop followupd), or give this one another state_dir.",
    ]
    assert daemon.process.poll() is None


def test_check_beside_the_daemon_is_refused_with_exit_5_but_a_dry_run_may_look(daemon, imap_user):
    daemon.write_config(overdue())
    daemon.start_and_wait_until_ready()

    check = daemon.followupd("check")
    dry_run = daemon.followupd("check", "--dry-run")

    assert (check.returncode, check.stdout) == (5, "")
    assert check.stderr.splitlines() == [
        f"followupd: followupd run is active for this state dir (pid {daemon.process.pid});"
        " it checks by itself — or stop it first",
        "followupd: `followupd status` shows its last cycle; `systemctl --user stop followupd` stops it.",
    ]
    assert (dry_run.returncode, dry_run.stdout, dry_run.stderr) == (0, "nothing to draft\n", "")
    assert drafts_on_server(imap_user) == [CHECK_IN]
    assert daemon.process.poll() is None


def test_sd_notify_reports_ready_with_status_then_watchdog_reloading_and_stopping(daemon):
    daemon.write_config(overdue())
    ready = daemon.start_and_wait_until_ready(WATCHDOG_USEC="1000000")
    assert ready["STATUS"] == "1 interview; nothing scheduled"

    index, _ = daemon.notify.wait_for("WATCHDOG")
    daemon.send(signal.SIGHUP)
    index, reloading = daemon.notify.wait_for("RELOADING", after=index)
    assert re.fullmatch(r"\d+", reloading["MONOTONIC_USEC"])
    daemon.notify.wait_for("READY", after=index)
    daemon.send(signal.SIGTERM)
    daemon.notify.wait_for("STOPPING", after=index)
    assert daemon.process.wait(timeout=20) == 0


def test_no_watchdog_pings_when_systemd_watches_another_process(daemon):
    daemon.write_config(overdue())
    daemon.start_and_wait_until_ready(WATCHDOG_USEC="200000", WATCHDOG_PID="1")
    daemon.send(signal.SIGHUP)  # a reload round trip gives the main loop time to tick many times
    daemon.notify.wait_for("RELOADING")
    daemon.notify.wait_for("READY", after=1)
    daemon.stop()
    daemon.notify.wait_for("STOPPING")

    assert [message for message in daemon.notify.messages if "WATCHDOG" in message] == []


def test_a_refused_login_backs_off_is_shown_in_status_and_recovers_on_reload(daemon, imap_user):
    daemon.write_config(overdue())
    password_file = daemon.credentials / "imap-password"
    right_password = password_file.read_text()
    password_file.write_text("wrong")

    ready = daemon.start_and_wait_until_ready()

    refusal = f"login refused for {imap_user.username} at 127.0.0.1"
    assert ready["STATUS"] == f"mailbox unavailable: {refusal}"
    delays = re.findall(rf"ERROR {refusal}; next attempt in (\d+) s", daemon.log_text())
    assert len(delays) == 1 and 30 <= int(delays[0]) <= 60
    assert "last error: " in daemon.followupd("status").stdout
    password_file.write_text(right_password)
    recovered = daemon.reload_and_wait_until_ready()
    assert recovered["STATUS"] == "1 interview; nothing scheduled"
    assert drafts_on_server(imap_user) == [CHECK_IN]
