"""IMAP-only behaviour: connecting, TLS, credentials and the server-side search."""

from __future__ import annotations

import logging
import os
from datetime import datetime, timezone

import pytest

from followupd.errors import AuthError, MailboxError
from followupd.mailbox import FolderRoles, open_mailbox
from followupd.mailbox.imap import roles_from_listing
from followupd.model import Account, Folders

SINCE = datetime(2026, 3, 1, tzinfo=timezone.utc)


def test_a_wrong_password_is_an_auth_error_naming_login_and_host(imap_user):
    with pytest.raises(AuthError) as raised:
        open_mailbox(imap_user.account(), lambda: "wrong", timeout=5)

    assert str(raised.value) == f"login refused for {imap_user.username} at 127.0.0.1"
    assert raised.value.exit_code == 3


def test_a_closed_port_is_a_mailbox_error_saying_connection_refused(imap_user):
    port = imap_user.server.unused_port()

    with pytest.raises(MailboxError) as raised:
        open_mailbox(imap_user.account(port=port), lambda: imap_user.server.password, timeout=5)

    assert str(raised.value) == f"could not connect to 127.0.0.1:{port}: connection refused"
    assert raised.value.exit_code == 4


def test_plain_imap_to_a_remote_host_is_refused_before_connecting(imap_user):
    with pytest.raises(MailboxError) as raised:
        open_mailbox(imap_user.account(host="imap.example.com"), lambda: imap_user.server.password)

    assert str(raised.value) == (
        "refusing unencrypted IMAP to imap.example.com: plain is only for loopback"
    )



@pytest.mark.parametrize("host", ["LOCALHOST", "127.0.0.1"])
def test_plain_imap_to_a_loopback_host_that_validate_accepts_logs_in(imap_user, host):
    # validate and connect share one is_loopback: what one accepts, the other must too.
    mailbox = imap_user.open(host=host)
    assert mailbox.roles().drafts == "[Gmail]/Drafts"


def test_plain_imap_to_a_bracketed_ipv6_loopback_is_tried_not_refused(imap_user):
    # The fixture's Dovecot listens on 127.0.0.1 only, so [::1] answers "refused" —
    # a connection attempt, not the plain-text refusal meant for remote hosts.
    with pytest.raises(MailboxError) as raised:
        open_mailbox(imap_user.account(host="[::1]"), lambda: imap_user.server.password, timeout=5)
    assert str(raised.value).startswith("could not connect to [::1]:")


def tls_account(imap_user, **overrides):
    if imap_user.server.tls_port is None:
        message = "openssl is not installed, so Dovecot has no TLS listener"
        if os.environ.get("FOLLOWUPD_REQUIRE_DOVECOT") == "1":
            pytest.fail(f"FOLLOWUPD_REQUIRE_DOVECOT=1 but {message}", pytrace=False)
        pytest.skip(message)
    return imap_user.account(security="tls", port=imap_user.server.tls_port, **overrides)


def test_a_self_signed_certificate_fails_verification_without_a_ca_file(imap_user):
    with pytest.raises(MailboxError) as raised:
        open_mailbox(tls_account(imap_user), lambda: imap_user.server.password, timeout=5)

    assert str(raised.value) == (
        "TLS certificate of 127.0.0.1 could not be verified: self-signed certificate"
    )


def test_tls_with_the_servers_ca_file_logs_in(imap_user):
    account = tls_account(imap_user, tls_ca_file=imap_user.server.ca_file)

    mailbox = open_mailbox(account, lambda: imap_user.server.password, timeout=5)

    assert mailbox.roles().drafts == "[Gmail]/Drafts"
    mailbox.close()


def test_starttls_with_the_servers_ca_file_logs_in(imap_user):
    tls_account(imap_user)  # skips without a certificate
    account = imap_user.account(security="starttls", tls_ca_file=imap_user.server.ca_file)

    mailbox = open_mailbox(account, lambda: imap_user.server.password, timeout=5)

    assert mailbox.roles().sent == "[Gmail]/Sent Mail"
    mailbox.close()


def test_the_password_never_reaches_the_log_even_at_debug_level(imap_user, caplog):
    caplog.set_level(logging.DEBUG)

    imap_user.open().roles()

    assert any("LOGIN" in record.getMessage() for record in caplog.records)
    password = imap_user.server.password
    assert [r.getMessage() for r in caplog.records if password in r.getMessage()] == []


def test_the_first_scan_asks_the_server_for_since_and_the_tracked_people(
    imap_user, message_bytes, caplog
):
    imap_user.deliver(message_bytes(subject="Old"), when=datetime(2025, 1, 5, tzinfo=timezone.utc))
    mailbox = imap_user.open()
    caplog.set_level(logging.DEBUG, logger="imapclient")

    result = mailbox.scan("INBOX", SINCE, frozenset({"dana@acme.example"}), frozenset(), None)

    searches = [r.getMessage() for r in caplog.records if "SEARCH" in r.getMessage()]
    assert result.messages == ()
    assert (
        "UID SEARCH SINCE 01-Mar-2026 OR OR OR OR FROM dana@acme.example"
        " FROM alex@candidate.example TO dana@acme.example CC dana@acme.example"
        ' (TO alex@candidate.example HEADER IN-REPLY-TO "")'
    ) in searches[0]


def test_gmail_watches_its_all_mail_folder_found_by_flag_in_any_language():
    listing = [
        ((b"\\HasNoChildren",), b"/", "INBOX"),
        ((b"\\HasNoChildren", b"\\Drafts"), b"/", "[Google Mail]/Entwürfe"),
        ((b"\\HasNoChildren", b"\\Sent"), b"/", "[Google Mail]/Gesendet"),
        ((b"\\HasNoChildren", b"\\All"), b"/", "[Google Mail]/Alle Nachrichten"),
        ((b"\\HasNoChildren",), b"/", "Drafts"),
    ]
    account = Account(provider="gmail", address="alex@gmail.example")

    roles = roles_from_listing(listing, account, True, "imap.gmail.com")

    assert roles == FolderRoles(
        "[Google Mail]/Entwürfe", "[Google Mail]/Gesendet", ("[Google Mail]/Alle Nachrichten",)
    )


def test_folders_from_the_config_win_over_flags_and_names_and_extend_the_watch_list():
    listing = [((b"\\Drafts",), b".", "INBOX.Drafts"), ((), b".", "INBOX.Sent Items")]
    folders = Folders(drafts="INBOX.Entwürfe", watch=("INBOX.Jobs",))
    account = Account(provider="imap", address="alex@example.org", folders=folders)

    roles = roles_from_listing(listing, account, False, "mail.example.org")

    assert roles == FolderRoles(
        "INBOX.Entwürfe", "INBOX.Sent Items", ("INBOX", "INBOX.Sent Items", "INBOX.Jobs")
    )


def test_a_server_without_a_drafts_folder_is_a_mailbox_error_with_advice():
    account = Account(provider="imap", address="alex@example.org")

    with pytest.raises(MailboxError) as raised:
        roles_from_listing([((), b"/", "INBOX"), ((), b"/", "Sent")], account, False, "h")

    assert (str(raised.value), raised.value.advice) == (
        "no Drafts folder found on h", "name it in the config under account.folders.drafts"
    )


def test_a_message_arriving_during_the_session_is_seen_by_the_next_scan(imap_user, message_bytes):
    mailbox = imap_user.open()
    tracked = frozenset({"dana@acme.example"})
    first = mailbox.scan("INBOX", SINCE, tracked, frozenset(), None)
    uid = imap_user.deliver(message_bytes(subject="Fresh"))

    second = mailbox.scan("INBOX", SINCE, tracked, frozenset(), first.cursor)

    assert [(m.subject, m.uid) for m in second.messages] == [("Fresh", uid)]
    assert second.cursor.last_uid == uid
