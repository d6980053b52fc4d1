"""One contract, two mailboxes: every test runs against Dovecot and against a Maildir."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timezone
from email.message import EmailMessage

import pytest

from followupd.errors import MailboxError
from followupd.mailbox import Cursor, DraftOnServer, FolderRoles
from followupd.model import Folders
from followupd.service.cycle import run_cycle
from followupd.state.store import Store
from tests.support.factories import MARK, config, local

SINCE = datetime(2026, 3, 1, tzinfo=timezone.utc)
LONG_AGO = datetime(2025, 6, 1, 9, 0, tzinfo=timezone.utc)
INTERVIEWER = "dana@acme.example"
ADDRESSES = frozenset({INTERVIEWER})
DOMAINS = frozenset({"acme.example"})
AT = datetime(2026, 3, 3, 17, 30, tzinfo=timezone.utc)
ME = "alex@candidate.example"  # the fixtures' account
CHECK_IN = "acme-account-executive/check_in/1"  # the factories' interview's first check-in
THANK_YOU_ID = "<thanks-mark@candidate.example>"


def scan(mailbox, folder="INBOX", cursor=None):
    return mailbox.scan(folder, SINCE, ADDRESSES, DOMAINS, cursor)


def subjects(result):
    return sorted(message.subject for message in result.messages)


def draft(key: str, body: str = "Thank you for your time today.\n") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Alex <alex@candidate.example>"
    message["To"] = INTERVIEWER
    message["Subject"] = "Thank you"
    message["Message-ID"] = f"<{key}@followupd.test>"
    message["X-Followupd-Key"] = key
    message.set_content(body)
    return message


def test_roles_name_the_drafts_sent_and_watched_folders(mail):
    drafts, sent, watch = mail.expected_roles

    assert mail.open().roles() == FolderRoles(drafts=drafts, sent=sent, watch=watch)


def test_first_scan_finds_the_interviewer_the_company_and_the_user_but_nothing_else(
    mail, message_bytes
):
    dana = mail.deliver(message_bytes(sender=INTERVIEWER, subject="From Dana"))
    mail.deliver(message_bytes(sender="hr@acme.example", subject="From HR"))
    mail.deliver(message_bytes(sender="alex@candidate.example", to="x@elsewhere.example",
                               subject="From me"))
    mail.deliver(message_bytes(sender="news@shop.example", subject="Sale"))
    mail.deliver(message_bytes(sender="friend@home.example", to="hr@acme.example",
                               subject="To HR"))
    mail.deliver(message_bytes(sender=INTERVIEWER, subject="Old"), when=LONG_AGO)

    result = scan(mail.open())

    assert subjects(result) == ["From Dana", "From HR", "From me", "To HR"]
    from_dana = next(m for m in result.messages if m.subject == "From Dana")
    assert (from_dana.folder, from_dana.uid, from_dana.body) == ("INBOX", dana, "Hi Alex,\n")


def test_a_scan_with_the_cursor_returns_only_newer_messages(mail, message_bytes):
    mailbox = mail.open()
    mail.deliver(message_bytes(subject="First"))
    first = scan(mailbox)
    mail.deliver(message_bytes(subject="Second"))

    second = scan(mailbox, cursor=first.cursor)
    third = scan(mailbox, cursor=second.cursor)

    assert (subjects(first), subjects(second), subjects(third)) == (["First"], ["Second"], [])


def test_a_new_uidvalidity_makes_the_scan_start_over(mail, message_bytes):
    mailbox = mail.open()
    mail.deliver(message_bytes(subject="Before"), folder="Jobs")
    before = scan(mailbox, "Jobs")
    mail.recreate_folder("Jobs")
    mail.deliver(message_bytes(subject="After"), folder="Jobs")

    after = scan(mailbox, "Jobs", cursor=before.cursor)

    assert subjects(after) == ["After"]


def test_an_appended_draft_is_found_by_its_key_with_the_same_body(mail):
    mailbox = mail.open()
    folder = mailbox.roles().drafts
    uid = mailbox.append_draft(folder, draft("k-1"), AT)
    mailbox.append_draft(folder, draft("k-10"), AT)

    found = mailbox.drafts_with_key(folder, "k-1")

    assert isinstance(uid, int)
    assert found == (
        DraftOnServer(uid, "<k-1@followupd.test>", "Thank you for your time today.\n", "k-1"),
    )


def test_list_own_drafts_returns_every_keyed_draft_and_no_user_draft(mail, message_bytes):
    mailbox = mail.open()
    folder = mailbox.roles().drafts
    mail.deliver(message_bytes(sender="alex@candidate.example", subject="Mine"), folder=folder,
                 flags=(b"\\Draft",))
    first = mailbox.append_draft(folder, draft("k-1"), AT)
    second = mailbox.append_draft(folder, draft("k-2"), AT)

    listed = mailbox.list_own_drafts(folder)

    assert sorted((d.uid, d.key) for d in listed) == sorted([(first, "k-1"), (second, "k-2")])


def test_remove_draft_removes_that_draft_only(mail, message_bytes):
    mailbox = mail.open()
    folder = mailbox.roles().drafts
    users = mail.deliver(message_bytes(subject="Mine"), folder=folder, flags=(b"\\Draft",))
    kept = mailbox.append_draft(folder, draft("k-1"), AT)
    removed = mailbox.append_draft(folder, draft("k-2"), AT)

    mailbox.remove_draft(folder, removed)

    assert sorted(mail.folder_snapshot(folder)) == sorted([users, kept])


def test_remove_draft_refuses_a_message_without_our_key(mail, message_bytes):
    mailbox = mail.open()
    folder = mailbox.roles().drafts
    users = mail.deliver(message_bytes(subject="Mine"), folder=folder, flags=(b"\\Draft",))

    with pytest.raises(MailboxError, match=f"refusing to remove message {users} in "):
        mailbox.remove_draft(folder, users)
    assert list(mail.folder_snapshot(folder)) == [users]


def test_remove_draft_refuses_any_folder_but_drafts(mail, message_bytes):
    mailbox = mail.open()
    uid = mail.deliver(message_bytes(extra="X-Followupd-Key: k-1\n"))

    with pytest.raises(MailboxError, match="refusing to remove a message from INBOX"):
        mailbox.remove_draft("INBOX", uid)
    assert list(mail.folder_snapshot("INBOX")) == [uid]


def test_scans_appends_and_removals_leave_every_existing_message_as_it_was(mail, message_bytes):
    mailbox = mail.open()
    folder = mailbox.roles().drafts
    unread = mail.deliver(message_bytes(subject="Unread"))
    mail.deliver(message_bytes(subject="Read"), flags=(b"\\Seen",))
    mail.deliver(message_bytes(subject="Mine"), folder=folder, flags=(b"\\Draft",))
    inbox_before, drafts_before = mail.folder_snapshot("INBOX"), mail.folder_snapshot(folder)

    first = scan(mailbox)
    mail.deliver(message_bytes(subject="Later"))
    scan(mailbox, cursor=first.cursor)
    mailbox.remove_draft(folder, mailbox.append_draft(folder, draft("k-1"), AT))
    scan(mailbox, folder)
    inbox_after = mail.folder_snapshot("INBOX")

    assert mail.unread("INBOX", unread)
    assert {uid: inbox_after[uid] for uid in inbox_before} == inbox_before
    assert len(inbox_after) == 3
    assert mail.folder_snapshot(folder) == drafts_before


def test_a_deleted_messages_uid_is_never_given_to_the_next_delivery(mail, message_bytes, tmp_path):
    mailbox = mail.open()
    first = mail.deliver(message_bytes(subject="First"))
    before = scan(mailbox)
    mail.delete("INBOX", first)
    second = mail.deliver(message_bytes(subject="Second"))

    after = scan(mailbox, cursor=before.cursor)
    with Store.open(tmp_path / "state") as store:
        store.save_messages(before.messages)
        store.save_messages(after.messages)
        remembered = sorted((m.subject, m.uid) for m in store.messages())

    assert second != first
    assert [(m.subject, m.uid) for m in after.messages] == [("Second", second)]
    assert remembered == [("First", first), ("Second", second)]


def test_the_first_reply_to_address_is_kept_decoded_in_lower_case(mail, message_bytes):
    reply_to = "Reply-To: =?utf-8?q?Dana_W=C3=BC?= <Dana.Wu@Home.example>, hr@acme.example\n"
    mail.deliver(message_bytes(subject="With Reply-To", extra=reply_to))
    mail.deliver(message_bytes(subject="Without"))

    result = scan(mail.open())

    assert sorted((m.subject, dict(m.headers)) for m in result.messages) == [
        ("With Reply-To", {"reply-to": "dana.wu@home.example"}), ("Without", {}),
    ]


def deliver_existing_mail(mail, message_bytes, roles) -> int:
    """The user's thank-you to Mark in Sent, and unrelated mail; returns the unread one's uid."""
    mail.deliver(message_bytes(sender=ME, to=MARK.email, subject="Thank you",
                               date="Thu, 19 Nov 2026 18:00:00 -0500", message_id=THANK_YOU_ID),
                 roles.sent, flags=(b"\\Seen",), when=local("2026-11-19 18:00"))
    unread = mail.deliver(message_bytes(sender="news@shop.example", subject="Sale"))
    mail.deliver(message_bytes(sender="friend@home.example", subject="Dinner"),
                 flags=(b"\\Seen", b"\\Flagged"))
    mail.deliver(message_bytes(sender="jobs@board.example", subject="New roles"), "Jobs")
    mail.deliver(message_bytes(sender=ME, to=MARK.email, subject="Unfinished"), roles.drafts,
                 flags=(b"\\Draft",))
    return unread


def test_a_full_check_that_drafts_and_retracts_leaves_every_existing_message_as_it_was(
    mail, message_bytes, tmp_path
):
    folders = Folders(watch=("Jobs",))
    settings = replace(config(), account=mail.account(folders=folders), state_dir=tmp_path / "s")
    mailbox = mail.open(folders=folders)
    roles = mailbox.roles()
    unread = deliver_existing_mail(mail, message_bytes, roles)
    before = {folder: mail.folder_snapshot(folder) for folder in (*roles.watch, roles.drafts)}

    with Store.open(settings.state_dir) as store:
        drafting = run_cycle(settings, store, mailbox, local("2026-12-01 10:00"))
        reply = mail.deliver(message_bytes(sender=MARK.email, subject="Re: Thank you",
                                           date="Tue, 01 Dec 2026 11:00:00 -0500",
                                           body="Could you come in for a second round?\n",
                                           extra=f"In-Reply-To: {THANK_YOU_ID}\n"))
        inbox_with_reply = mail.folder_snapshot("INBOX")
        retracting = run_cycle(settings, store, mailbox, local("2026-12-01 12:00"))
    after = {folder: mail.folder_snapshot(folder) for folder in before}

    assert [action.key for action, _ in drafting.drafted] == [CHECK_IN]
    assert [record.key for record in retracting.retracted] == [CHECK_IN]
    assert sorted(before) == sorted(["INBOX", roles.sent, "Jobs", roles.drafts])
    assert sorted(inbox_with_reply) == sorted([*before["INBOX"], reply])
    assert after == {**before, "INBOX": inbox_with_reply}
    assert (mail.unread("INBOX", unread), mail.unread("INBOX", reply)) == (True, True)


def test_a_malformed_message_is_skipped_with_one_log_line(mail, message_bytes, caplog):
    bad = mail.deliver(message_bytes(sender="undisclosed-recipients:;", to=INTERVIEWER))
    mail.deliver(message_bytes(subject="Fine"))
    caplog.set_level(logging.WARNING, logger="followupd.mailbox")

    result = scan(mail.open())

    assert subjects(result) == ["Fine"]
    assert [r.getMessage() for r in caplog.records if r.name == "followupd.mailbox"] == [
        f"skipping malformed message in INBOX uid {bad}: no sender address in From"
    ]


def test_non_ascii_subjects_and_bodies_are_decoded(mail):
    header = (f"From: =?utf-8?q?J=C3=BCrgen?= <{INTERVIEWER}>\nTo: alex@candidate.example\n"
              "Date: Mon, 02 Mar 2026 10:00:00 +0100\nMIME-Version: 1.0\n")
    latin = header + "Subject: =?utf-8?q?Vorstellungsgespr=C3=A4ch?=\n" \
        "Content-Type: text/plain; charset=iso-8859-1\n\n"
    broken = header + "Subject: broken\nContent-Type: text/plain; charset=x-no-such-charset\n\n"
    mail.deliver(latin.encode() + "Grüße\n".encode("latin-1"))
    mail.deliver(broken.encode() + "Café\n".encode())

    result = scan(mail.open())

    facts = sorted((m.subject, m.sender_name, m.body) for m in result.messages)
    assert facts == [("Vorstellungsgespräch", "Jürgen", "Grüße\n"), ("broken", "Jürgen", "Café\n")]


def test_the_first_scan_cursor_starts_after_everything_already_there(mail, message_bytes):
    mail.deliver(message_bytes(sender="news@shop.example", subject="Sale"))
    mailbox = mail.open()

    first = scan(mailbox)
    second = scan(mailbox, cursor=first.cursor)

    assert (first.messages, second.messages, second.cursor) == ((), (), first.cursor)
    assert isinstance(first.cursor, Cursor)


def test_a_new_reply_to_the_user_from_an_untracked_address_is_returned_with_its_body(
    mail, message_bytes
):
    mailbox = mail.open()
    mail.deliver(message_bytes(subject="First"))
    first = scan(mailbox)
    mail.deliver(message_bytes(sender="dana.private@home.example", subject="Re: Thank you",
                               body="Writing from my own address: can you talk Monday?\n",
                               extra="In-Reply-To: <thanks@candidate.example>\n"))
    mail.deliver(message_bytes(sender="news@shop.example", subject="Sale"))

    second = scan(mailbox, cursor=first.cursor)

    assert [(m.subject, m.body) for m in second.messages] == [
        ("Re: Thank you", "Writing from my own address: can you talk Monday?\n")
    ]


def test_a_draft_in_a_watched_folder_is_neither_sent_nor_received_mail(mail, message_bytes):
    mail.deliver(message_bytes(sender="alex@candidate.example", to=INTERVIEWER,
                               subject="Unsent draft"), flags=(b"\\Draft",))
    mail.deliver(message_bytes(sender="alex@candidate.example", to=INTERVIEWER, subject="Sent note"))

    assert subjects(scan(mail.open())) == ["Sent note"]
