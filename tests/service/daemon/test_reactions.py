"""The running daemon reacts to mail, to due moments and to a server that goes away.

check_every is 1h throughout (except where polling is the mechanism under
test), so within a test's wait only the mechanism under test (IDLE, the
due-moment job, reconnecting, polling) can have made the outcome.
"""

from __future__ import annotations

import random
import signal
import time
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.daemon import (
    WAIT_SECONDS,
    Daemon,
    TcpProxy,
    drafts_on_server,
    eventually,
    interview,
    overdue,
    reply,
)

CHECK_IN = "acme/check_in/1"


def thank_you_key(identifier: str, domain: str = "acme.example") -> str:
    return f"{identifier}/thank_you/mark.jones@{domain}"


def test_a_reply_delivered_while_running_retracts_the_pending_check_in_draft(daemon, imap_user, message_bytes):
    daemon.write_config(overdue())
    daemon.start_and_wait_until_ready()
    assert drafts_on_server(imap_user) == [CHECK_IN]

    imap_user.deliver(reply(message_bytes))

    eventually(lambda: drafts_on_server(imap_user) == [], "the check-in draft is removed")
    assert daemon.ledger()[CHECK_IN][0] == "retracted"
    daemon.reload_and_wait_until_ready()  # one more full cycle
    assert drafts_on_server(imap_user) == []
    assert [state for state, _ in daemon.ledger().values()] == ["retracted"]


def test_a_thank_you_that_becomes_due_while_running_is_drafted_once(daemon, imap_user):
    due = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=8)
    daemon.write_config(interview("globex", due - timedelta(hours=2)))
    ready = daemon.start_and_wait_until_ready()
    assert ready["STATUS"] == f"1 interview; next: thank-you to Mark Jones on {due:%a} {due.day} {due:%b %H:%M}"

    eventually(lambda: drafts_on_server(imap_user), "the thank-you is drafted")
    time.sleep(1.0)  # room for a duplicate to show up, were one coming
    assert drafts_on_server(imap_user) == [thank_you_key("globex")]
    assert daemon.ledger()[thank_you_key("globex")][0] == "created"


@pytest.mark.slow
def test_after_dovecot_restarts_the_daemon_reconnects_and_drafts_what_became_due_once(
    tmp_path, private_dovecot, private_imap_user
):
    server = private_dovecot.server
    runner = Daemon(tmp_path, server.port, private_imap_user.username, server.password)
    try:
        due = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=6)
        runner.write_config(interview("initech", due - timedelta(hours=2)))
        ready = runner.start_and_wait_until_ready()
        private_dovecot.crash()
        assert ready["STATUS"].startswith("1 interview; next: thank-you to Mark Jones")
        eventually(lambda: "could not connect" in runner.log_text(), "the daemon notices the server is gone")
        eventually(lambda: datetime.now(timezone.utc) > due + timedelta(seconds=1), "the thank-you is due")
        restarted = datetime.now(timezone.utc)
        private_dovecot.start()

        eventually(lambda: drafts_on_server(private_imap_user), "the thank-you is drafted after the restart")
        time.sleep(1.0)  # room for a duplicate to show up, were one coming
        assert drafts_on_server(private_imap_user) == [thank_you_key("initech")]
        assert runner.draft_created_at(thank_you_key("initech")) > restarted
        status = runner.followupd("status").stdout
        assert status.startswith(f"daemon: running (pid {runner.process.pid}) since ")
        assert f"could not connect to 127.0.0.1:{server.port}: connection refused" in status
    finally:
        runner.close()


def test_a_connection_cut_mid_idle_recovers_and_the_reply_still_retracts_the_draft(
    daemon, imap_user, proxy: TcpProxy, message_bytes
):
    daemon.write_config(overdue(), port=proxy.port)
    daemon.start_and_wait_until_ready()
    eventually(lambda: b"+ idling" in proxy.seen, "the watcher is in IDLE")

    proxy.cut_all()
    imap_user.deliver(reply(message_bytes))

    eventually(lambda: drafts_on_server(imap_user) == [], "the check-in draft is removed")
    assert daemon.ledger()[CHECK_IN][0] == "retracted"
    assert "lost the watch connection" in daemon.log_text()


@pytest.mark.parametrize(
    "side, marker",
    [("client", b"APPEND"), ("server", b"APPENDUID")],
    ids=["before-the-server-stores-it", "after-the-server-stored-it"],
)
def test_a_connection_cut_mid_append_leaves_exactly_one_draft(daemon, imap_user, proxy, side, marker):
    proxy.cut_rule = (side, marker)
    daemon.write_config(interview("hooli", datetime.now(timezone.utc) - timedelta(hours=3)), port=proxy.port)
    daemon.start()

    eventually(lambda: daemon.ledger().get(thank_you_key("hooli"), ("", None))[1], "the draft's UID is recorded")
    assert proxy.cuts == 1
    assert drafts_on_server(imap_user) == [thank_you_key("hooli")]


def test_sigterm_during_a_slow_append_makes_no_draft_after_the_one_in_flight(daemon, imap_user, proxy):
    # The first APPEND waits 3 s in the proxy: well inside the 7 s a shutdown gives the cycle.
    proxy.hold_rule = ("client", b"APPEND", 3.0)
    three_hours_ago = datetime.now(timezone.utc) - timedelta(hours=3)
    daemon.write_config(*(interview(name, three_hours_ago) for name in ("globex", "hooli", "initech")),
                        port=proxy.port)
    daemon.start()
    eventually(proxy.holding.is_set, "the first APPEND is held back")

    daemon.send(signal.SIGTERM)

    assert daemon.process.wait(timeout=WAIT_SECONDS) == 0
    [made] = drafts_on_server(imap_user)
    assert [(key, state) for key, (state, _) in daemon.ledger().items()] == [(made, "created")]
    assert daemon.ledger()[made][1] is not None
    assert "stopping: 2 due draft(s) are left for the next start" in daemon.log_text()


@pytest.mark.slow
def test_kill_9_at_random_moments_leaves_every_due_draft_exactly_once(daemon, imap_user):
    start = datetime.now(timezone.utc)
    # Thank-yous fall due one after another through the run, so kills land mid-draft.
    identifiers = [f"company{number}" for number in range(12)]
    daemon.write_config(
        *(interview(name, start - timedelta(hours=2) + timedelta(seconds=number))
          for number, name in enumerate(identifiers)),
        check_every="1s",
    )
    chance = random.Random(20261126)
    for _ in range(20):
        daemon.start()
        time.sleep(chance.uniform(0.3, 1.2))
        daemon.kill()

    daemon.start_and_wait_until_ready()
    expected = sorted(thank_you_key(name) for name in identifiers)
    eventually(lambda: drafts_on_server(imap_user) == expected, "every thank-you is drafted")
    assert sorted(daemon.ledger()) == expected
    assert all(uid is not None for _, uid in daemon.ledger().values())
    daemon.send(signal.SIGTERM)
    assert daemon.process.wait(timeout=20) == 0


def test_a_reply_delivered_to_a_maildir_retracts_the_pending_check_in_draft(daemon, maildir_user, message_bytes):
    daemon.write_maildir_config(maildir_user.root, overdue())
    daemon.start_and_wait_until_ready()
    drafts = maildir_user.directory("Drafts") / "cur"
    assert len(list(drafts.iterdir())) == 1

    maildir_user.deliver(reply(message_bytes))

    eventually(lambda: list(drafts.iterdir()) == [], "the check-in draft is removed")
    assert daemon.ledger()[CHECK_IN][0] == "retracted"


def without_idle(private_dovecot) -> None:
    """Restart the private Dovecot advertising everything it did except IDLE."""
    from imapclient import IMAPClient

    with IMAPClient("127.0.0.1", private_dovecot.server.port, ssl=False) as client:
        client.login("probe", private_dovecot.server.password)
        capabilities = [c.decode() for c in client.capabilities() if c != b"IDLE"]
    private_dovecot.stop()
    with private_dovecot.config.open("a") as config:
        config.write(f"protocol imap {{\n  imap_capability = {' '.join(capabilities)}\n}}\n")
    private_dovecot.start()


def test_without_idle_on_the_server_polling_alone_retracts_the_check_in(
    tmp_path, private_dovecot, private_imap_user, message_bytes
):
    without_idle(private_dovecot)
    runner = Daemon(tmp_path, private_dovecot.server.port, private_imap_user.username,
                    private_dovecot.server.password)
    try:
        runner.write_config(overdue(), check_every="2s")
        runner.start_and_wait_until_ready()
        assert drafts_on_server(private_imap_user) == [CHECK_IN]

        private_imap_user.deliver(reply(message_bytes))

        eventually(lambda: drafts_on_server(private_imap_user) == [], "the check-in draft is removed")
        assert runner.ledger()[CHECK_IN][0] == "retracted"
        assert "the server has no IDLE: replies are noticed at each scheduled check" in runner.log_text()
    finally:
        runner.close()
