"""Gmail's extensions (X-GM-EXT-1) against a scripted peer that answers as Gmail does."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from email.message import EmailMessage

import pytest

from followupd.mailbox import DraftOnServer, FolderRoles, open_mailbox
from followupd.model import Account
from tests.support.gmail_peer import GMAIL_FOLDERS, GmailPeer

SINCE = datetime(2026, 3, 1, tzinfo=timezone.utc)  # epoch 1772323200
AT = datetime(2026, 3, 3, 17, 30, tzinfo=timezone.utc)
ME = "alex@gmail.example"
DANA = "dana@acme.example"
ALL_MAIL = "[Gmail]/All Mail"
THREAD = 1_790_000_000_000_000_001  # the interview conversation's X-GM-THRID
OTHER_THREAD = 1_790_000_000_000_000_999
BETA_THREAD = 1_790_000_000_000_000_002  # the user's conversation with another company


def raw(sender: str, subject: str, message_id: str, extra: str = "", to: str = ME) -> bytes:
    return (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n"
            f"Date: Mon, 02 Mar 2026 10:00:00 +0000\r\nMessage-ID: {message_id}\r\n{extra}"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            "Could you come in on Thursday?\r\n").encode()


def reply_draft(key: str = "acme/check_in/1") -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Alex <{ME}>"
    message["To"] = DANA
    message["Subject"] = "Re: Interview"
    message["Message-ID"] = "<draft-1@followupd.test>"
    message["In-Reply-To"] = "<invite@acme.example>"
    message["References"] = "<invite@acme.example>"
    message["X-Followupd-Key"] = key
    message.set_content("Just checking in.\n")
    return message


@pytest.fixture
def peer():
    with GmailPeer() as running:
        yield running


def gmail(peer: GmailPeer):
    account = Account(provider="imap", address=ME, host="127.0.0.1", port=peer.port,
                      security="plain", password="command")
    return open_mailbox(account, lambda: "app-password", timeout=5)


def scan(mailbox, cursor=None):
    return mailbox.scan(ALL_MAIL, SINCE, frozenset({DANA, ME}), frozenset({"acme.example"}),
                        cursor)


def test_gmail_roles_are_its_drafts_and_sent_mail_and_the_watch_is_all_mail(peer):
    assert gmail(peer).roles() == FolderRoles("[Gmail]/Drafts", "[Gmail]/Sent Mail", (ALL_MAIL,))


def test_a_localized_drafts_folder_is_found_by_its_flag_and_named_in_modified_utf7(peer):
    # Gmail in German: LIST sends the folder names in modified UTF-7.
    peer.folders = tuple((flags, name.replace("[Gmail]/Drafts", "[Google Mail]/Entw&APw-rfe"))
                         for flags, name in GMAIL_FOLDERS)
    mailbox = gmail(peer)
    folder = mailbox.roles().drafts

    mailbox.append_draft(folder, reply_draft(), AT)

    assert folder == "[Google Mail]/Entwürfe"
    assert [c for c in peer.commands if c.startswith("APPEND")] == [
        'APPEND "[Google Mail]/Entw&APw-rfe" (\\Draft) "03-Mar-2026 17:30:00 +0000"'
    ]


def test_the_first_scan_asks_gmail_with_one_flat_x_gm_raw_query_in_examined_all_mail(peer):
    peer.add(ALL_MAIL, raw(DANA, "Interview", "<invite@acme.example>"), THREAD)

    scan(gmail(peer))

    assert [c for c in peer.commands if "SEARCH" in c or c.startswith(("EXAMINE", "SELECT"))] == [
        f'EXAMINE "{ALL_MAIL}"',
        'UID SEARCH X-GM-RAW "from:(acme.example OR dana@acme.example OR alex@gmail.example)'
        ' OR to:(acme.example OR dana@acme.example) OR cc:(acme.example OR dana@acme.example)'
        ' after:1772323200"',
    ]


def test_scanned_messages_carry_gmails_thread_id_and_bodies_are_only_peeked(peer):
    peer.search_hits = [peer.add(ALL_MAIL, raw(DANA, "Interview", "<invite@acme.example>"),
                                 THREAD)]

    result = scan(gmail(peer))

    assert [(m.subject, m.thread_id) for m in result.messages] == [("Interview", str(THREAD))]
    fetches = [c for c in peer.commands if c.startswith("UID FETCH")]
    assert fetches[0].endswith(" INTERNALDATE FLAGS X-GM-THRID)")
    assert fetches[1] == "UID FETCH 1 (BODY.PEEK[TEXT]<0.16384>)"


def test_a_reply_from_an_untracked_address_is_found_in_the_conversation_the_user_wrote_in(peer):
    invite = peer.add(ALL_MAIL, raw(DANA, "Interview", "<invite@acme.example>"), THREAD)
    thanks = peer.add(ALL_MAIL, raw(ME, "Re: Interview", "<thanks@gmail.example>", to=DANA),
                      THREAD)
    private = peer.add(ALL_MAIL, raw("dana.lee@home.example", "Re: Interview", "<r@home.example>",
                                     "In-Reply-To: <thanks@gmail.example>\r\n"), THREAD)
    peer.add(ALL_MAIL, raw("news@shop.example", "Sale", "<sale@shop.example>"), OTHER_THREAD)
    note = peer.add(ALL_MAIL, raw(ME, "Hello", "<hello@gmail.example>", to="sam@beta.example"),
                    BETA_THREAD)
    peer.search_hits = [invite, thanks, note]  # X-GM-RAW: from/to the tracked people and me

    result = scan(gmail(peer))

    assert [(m.uid, m.sender, m.thread_id) for m in result.messages] == [
        (invite, DANA, str(THREAD)), (thanks, ME, str(THREAD)), (note, ME, str(BETA_THREAD)),
        (private, "dana.lee@home.example", str(THREAD)),
    ]
    assert [c for c in peer.commands if "SEARCH" in c][1:] == [
        f"UID SEARCH SINCE 01-Mar-2026 OR X-GM-THRID {THREAD} X-GM-THRID {BETA_THREAD}"
    ]
    assert result.messages[-1].body == "Could you come in on Thursday?\n"


def test_our_drafts_are_found_by_fetching_every_drafts_key_never_by_a_header_search(peer):
    peer.add("[Gmail]/Drafts", raw(ME, "My own draft", "<mine@gmail.example>"), OTHER_THREAD)
    mailbox = gmail(peer)
    uid = mailbox.append_draft("[Gmail]/Drafts", reply_draft(), AT)
    before = len(peer.commands)

    found = mailbox.drafts_with_key("[Gmail]/Drafts", "acme/check_in/1")

    assert found == (
        DraftOnServer(uid, "<draft-1@followupd.test>", "Just checking in.\n", "acme/check_in/1"),
    )
    assert peer.commands[before:] == [
        'EXAMINE "[Gmail]/Drafts"',
        "UID SEARCH ALL",
        "UID FETCH 1,2 (BODY.PEEK[HEADER.FIELDS (X-FOLLOWUPD-KEY)])",
        f"UID FETCH {uid} (BODY.PEEK[] INTERNALDATE)",
    ]
    assert [c for c in peer.commands if "HEADER X-FOLLOWUPD-KEY" in c.upper()] == []


def test_a_scan_with_nothing_new_costs_gmail_one_noop_and_downloads_nothing(peer):
    peer.search_hits = [peer.add(ALL_MAIL, raw(DANA, "Interview", "<invite@acme.example>"),
                                 THREAD)]
    mailbox = gmail(peer)
    first = scan(mailbox)
    before = len(peer.commands)

    second = scan(mailbox, first.cursor)

    assert (second.messages, second.cursor) == ((), first.cursor)
    assert peer.commands[before:] == ["NOOP"]


def test_an_appended_draft_gets_its_uid_from_appenduid_and_its_thread_read_back(peer):
    peer.search_hits = [peer.add(ALL_MAIL, raw(DANA, "Interview", "<invite@acme.example>"),
                                 THREAD)]
    peer.append_thread = THREAD
    mailbox = gmail(peer)
    scan(mailbox)

    uid = mailbox.append_draft("[Gmail]/Drafts", reply_draft(), AT)

    assert uid == 1
    assert peer.commands[-2:] == ['EXAMINE "[Gmail]/Drafts"', "UID FETCH 1 (X-GM-THRID)"]
    assert mailbox.last_append_thread_warning is None


def test_a_draft_gmail_files_in_another_conversation_is_warned_about(peer, caplog):
    # The parent was scanned in an earlier run: found again through rfc822msgid.
    peer.add(ALL_MAIL, raw(DANA, "Interview", "<invite@acme.example>"), THREAD)
    peer.search_hits = [1]
    peer.append_thread = OTHER_THREAD
    mailbox = gmail(peer)
    caplog.set_level(logging.WARNING, logger="followupd.mailbox")

    mailbox.append_draft("[Gmail]/Drafts", reply_draft(), AT)

    expected = (
        f"Gmail put draft acme/check_in/1 into conversation {OTHER_THREAD}, not {THREAD} of "
        "the message it answers; it will show up as a new conversation"
    )
    assert mailbox.last_append_thread_warning == expected
    assert [r.getMessage() for r in caplog.records] == [expected]
    assert "UID SEARCH X-GM-RAW rfc822msgid:invite@acme.example" in peer.commands


def test_nothing_gmail_is_asked_of_a_server_without_the_extension(imap_user, message_bytes):
    imap_user.deliver(message_bytes(sender=DANA, subject="Interview"))
    mailbox = imap_user.open()

    result = mailbox.scan("INBOX", SINCE, frozenset({DANA}), frozenset(), None)

    assert (mailbox.gmail, [m.thread_id for m in result.messages]) == (False, [None])
