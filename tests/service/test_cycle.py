"""One cycle against a real Dovecot and a real Maildir: drafts made once, followed, retracted."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest

from followupd.errors import MailboxError
from followupd.model import Interviewer
from followupd.service.cycle import run_cycle
from followupd.state.store import Store
from tests.support.e2e import (
    delete_where,
    edit_draft,
    folder_messages,
    keys_in,
    rebuild_folder,
    send_draft,
)
from tests.support.factories import DANA, MARK, config, interview, local

THANKS_MARK = f"acme-account-executive/thank_you/{MARK.email}"
THANKS_DANA = f"acme-account-executive/thank_you/{DANA.email}"
CHECK_IN = "acme-account-executive/check_in/1"
SECOND_CHECK_IN = "acme-account-executive/check_in/2"
THANK_YOU_DUE = local("2026-11-19 17:00")  # three hours after the interview
CHECK_IN_DUE = local("2026-12-01 10:00")  # the working day after "by the end of the month"
THANK_YOU_ID = "<thanks-mark@candidate.example>"
OWN_ADDRESS = "alex@candidate.example"  # the fixture's account; checked in the setup fixture


class CrashingMailbox:
    """The real mailbox, except that append_draft fails, after or before the server stores it."""

    def __init__(self, mailbox, stored_before_failing: bool) -> None:
        self.mailbox, self.stored_before_failing = mailbox, stored_before_failing

    def __getattr__(self, name):
        return getattr(self.mailbox, name)

    def append_draft(self, folder, message, at):
        if self.stored_before_failing:
            self.mailbox.append_draft(folder, message, at)
        raise ConnectionResetError("the connection dropped during APPEND")


class RefusingRemoval:
    """The real mailbox, except that the server will not remove a draft (no UIDPLUS, say)."""

    def __init__(self, mailbox) -> None:
        self.mailbox = mailbox

    def __getattr__(self, name):
        return getattr(self.mailbox, name)

    def remove_draft(self, folder, uid):
        raise MailboxError("removing a draft failed: the server cannot expunge one message")


@pytest.fixture
def setup(mail, tmp_path: Path):
    """The factories' Acme interview, on the fixture's account, with its ledger in tmp_path."""
    assert mail.account().address == OWN_ADDRESS
    settings = replace(config(), account=mail.account(), state_dir=tmp_path / "state")
    store = Store.open(settings.state_dir)
    yield settings, store, mail.open()
    store.close()


def cycle(setup, now: datetime, **options):
    settings, store, mailbox = setup
    return run_cycle(settings, store, mailbox, now, **options)


def deliver_thank_you(mail, message_bytes, folder: str) -> None:
    """The thank-you the user wrote to Mark on the interview day, in Sent."""
    raw = message_bytes(sender=OWN_ADDRESS, to=MARK.email, subject="Thank you — Account Executive",
                        date="Thu, 19 Nov 2026 18:00:00 -0500", message_id=THANK_YOU_ID)
    mail.deliver(raw, folder, flags=(b"\\Seen",), when=local("2026-11-19 18:00"))


def deliver_reply(mail, message_bytes, at: str, sender: str = MARK.email) -> None:
    raw = message_bytes(sender=sender, subject="Re: Thank you — Account Executive",
                        date=f"{at} -0500", body="Hi Alex, could you come in for a second round with our VP next Tuesday?\n",
                        extra=f"In-Reply-To: {THANK_YOU_ID}\n")
    mail.deliver(raw, "INBOX")


def ledger(store) -> dict[str, str]:
    return {record.key: record.state for record in store.drafts()}


def overdue_check_in(setup, mail, message_bytes):
    """The user thanked Mark; December comes with no word: check-in 1 is drafted."""
    roles = setup[2].roles()
    deliver_thank_you(mail, message_bytes, roles.sent)
    report = cycle(setup, CHECK_IN_DUE)
    assert [action.key for action, _ in report.drafted] == [CHECK_IN]
    return roles


def test_due_thank_yous_are_drafted_once_however_often_the_cycle_runs(setup, mail):
    drafts = setup[2].roles().drafts

    first = cycle(setup, THANK_YOU_DUE)
    second = cycle(setup, local("2026-11-19 17:15"))

    assert sorted(action.key for action, _ in first.drafted) == [THANKS_DANA, THANKS_MARK]
    assert second.drafted == []
    assert keys_in(mail, drafts) == Counter({THANKS_MARK: 1, THANKS_DANA: 1})
    assert ledger(setup[1]) == {THANKS_MARK: "created", THANKS_DANA: "created"}


@pytest.mark.parametrize("stored_before_failing", [True, False], ids=["after-append", "before-append"])
def test_a_crash_during_append_heals_into_exactly_one_draft_per_key(setup, mail, stored_before_failing):
    settings, store, mailbox = setup
    crashing = CrashingMailbox(mailbox, stored_before_failing)
    with pytest.raises(ConnectionResetError):
        run_cycle(settings, store, crashing, THANK_YOU_DUE)

    cycle(setup, local("2026-11-19 17:15"))

    assert keys_in(mail, mailbox.roles().drafts) == Counter({THANKS_MARK: 1, THANKS_DANA: 1})
    assert all(record.uid is not None for record in store.drafts())


def test_an_intent_with_no_uid_and_no_draft_on_the_server_is_made_again(setup, mail):
    settings, store, mailbox = setup
    cycle(setup, THANK_YOU_DUE)
    delete_where(mail, mailbox.roles().drafts, THANKS_MARK)
    store.execute("UPDATE drafts SET uid = NULL WHERE key = ?", (THANKS_MARK,))

    report = cycle(setup, local("2026-11-19 17:15"))

    assert [action.key for action, _ in report.drafted] == [THANKS_MARK]
    assert keys_in(mail, mailbox.roles().drafts) == Counter({THANKS_MARK: 1, THANKS_DANA: 1})


def crash_after_appending_the_check_in(setup, mail, message_bytes):
    """December, no word since the thank-you: the check-in reaches Drafts, then the run dies."""
    settings, store, mailbox = setup
    roles = mailbox.roles()
    deliver_thank_you(mail, message_bytes, roles.sent)
    with pytest.raises(ConnectionResetError):
        run_cycle(settings, store, CrashingMailbox(mailbox, stored_before_failing=True), CHECK_IN_DUE)
    assert (keys_in(mail, roles.drafts), store.draft(CHECK_IN).uid) == (Counter({CHECK_IN: 1}), None)
    return roles


def test_a_draft_sent_between_a_crash_and_the_restart_is_recorded_as_sent_not_made_again(
    setup, mail, message_bytes
):
    roles = crash_after_appending_the_check_in(setup, mail, message_bytes)
    sent_at = local("2026-12-01 15:00")
    send_draft(mail, roles.drafts, roles.sent, CHECK_IN, sent_at)

    report = cycle(setup, local("2026-12-02 10:00"))

    assert ([r.key for r in report.became_sent], report.drafted) == ([CHECK_IN], [])
    assert ledger(setup[1]) == {CHECK_IN: "sent"}
    assert setup[1].draft(CHECK_IN).updated_at == sent_at
    assert keys_in(mail, roles.drafts) == Counter()


def test_a_draft_sent_to_another_address_after_a_crash_is_recognised_by_its_message_id(
    setup, mail, message_bytes
):
    roles = crash_after_appending_the_check_in(setup, mail, message_bytes)
    send_draft(mail, roles.drafts, roles.sent, CHECK_IN, local("2026-12-01 15:00"),
               to="mark@jones-family.example", keep_message_id=True)

    report = cycle(setup, local("2026-12-02 10:00"))

    assert ([r.key for r in report.became_sent], report.drafted) == ([CHECK_IN], [])
    assert ledger(setup[1]) == {CHECK_IN: "sent"}
    assert keys_in(mail, roles.drafts) == Counter()


def test_a_draft_deleted_between_a_crash_and_the_restart_is_made_again(setup, mail, message_bytes):
    roles = crash_after_appending_the_check_in(setup, mail, message_bytes)
    delete_where(mail, roles.drafts, CHECK_IN)

    report = cycle(setup, local("2026-12-02 10:00"))

    # Without a sent copy this cannot be told from an APPEND that never happened:
    # making it again is the choice that never loses a check-in.
    assert ([a.key for a, _ in report.drafted], report.became_dismissed) == ([CHECK_IN], [])
    assert keys_in(mail, roles.drafts) == Counter({CHECK_IN: 1})
    assert ledger(setup[1]) == {CHECK_IN: "created"}


def test_a_draft_the_server_will_not_remove_is_reported_and_other_interviews_still_get_drafts(
    setup, mail, message_bytes
):
    settings, store, mailbox = setup
    luis = Interviewer(name="Luis Ortega", email="luis.ortega@globex.com")
    globex = interview(id="globex-sales-manager", company="Globex", position="Sales Manager",
                       when=local("2026-12-01 10:00"), decision="within two weeks",
                       deadline=date(2026, 12, 15), domains=("globex.com",), interviewers=(luis,))
    both = (replace(settings, interviews=(*settings.interviews, globex)), store, mailbox)
    roles = overdue_check_in(both, mail, message_bytes)
    deliver_reply(mail, message_bytes, "Tue, 01 Dec 2026 11:00:00")

    report = run_cycle(both[0], store, RefusingRemoval(mailbox), local("2026-12-01 12:00"))

    thanks_luis = f"globex-sales-manager/thank_you/{luis.email}"
    assert report.warnings == [
        f"could not remove the unsent check-in draft to {MARK.email}; please delete it yourself"
        " (removing a draft failed: the server cannot expunge one message)"
    ]
    assert ([a.key for a, _ in report.drafted], report.retracted) == ([thanks_luis], [])
    assert keys_in(mail, roles.drafts) == Counter({CHECK_IN: 1, thanks_luis: 1})
    assert ledger(store) == {CHECK_IN: "created", thanks_luis: "created"}


def test_a_dry_run_reports_the_drafts_and_writes_nothing(setup, mail, message_bytes):
    settings, store, mailbox = setup
    roles = mailbox.roles()
    deliver_thank_you(mail, message_bytes, roles.sent)
    before = mail.folder_snapshot(roles.drafts)

    report = cycle(setup, THANK_YOU_DUE, dry_run=True)

    assert ([a.key for a, _ in report.drafted], report.new_messages) == ([THANKS_DANA], 1)
    assert [store.cursor(folder) for folder in roles.watch] == [None] * len(roles.watch)
    assert (store.messages(), store.drafts()) == ((), ())
    assert mail.folder_snapshot(roles.drafts) == before


def test_a_reply_removes_the_unsent_check_in_and_the_ledger_says_retracted(setup, mail, message_bytes):
    roles = overdue_check_in(setup, mail, message_bytes)
    deliver_reply(mail, message_bytes, "Tue, 01 Dec 2026 11:00:00")

    report = cycle(setup, local("2026-12-01 12:00"))

    assert [record.key for record in report.retracted] == [CHECK_IN]
    assert keys_in(mail, roles.drafts) == Counter()
    assert ledger(setup[1]) == {CHECK_IN: "retracted"}


def test_an_edited_check_in_is_left_alone_and_reported_when_they_reply(setup, mail, message_bytes):
    roles = overdue_check_in(setup, mail, message_bytes)
    edit_draft(mail, roles.drafts, CHECK_IN, "Dear Mark,\n\nMy own words.\n\nAlex\n")
    deliver_reply(mail, message_bytes, "Tue, 01 Dec 2026 11:00:00")

    report = cycle(setup, local("2026-12-01 12:00"))

    assert ([r.key for r in report.kept_edited], report.retracted) == ([CHECK_IN], [])
    [kept] = folder_messages(mail, roles.drafts)
    assert kept.get_content() == "Dear Mark,\n\nMy own words.\n\nAlex\n"
    assert ledger(setup[1]) == {CHECK_IN: "created"}


def test_a_draft_the_user_deleted_is_dismissed_and_never_made_again(setup, mail, message_bytes):
    roles = overdue_check_in(setup, mail, message_bytes)
    delete_where(mail, roles.drafts, CHECK_IN)

    noticed = cycle(setup, local("2026-12-01 12:00"))
    weeks_later = cycle(setup, local("2026-12-22 10:00"))

    assert [record.key for record in noticed.became_dismissed] == [CHECK_IN]
    assert (noticed.drafted, weeks_later.drafted) == ([], [])
    assert ledger(setup[1]) == {CHECK_IN: "dismissed"}
    assert keys_in(mail, roles.drafts) == Counter()


def test_a_sent_check_in_is_recognised_by_thread_and_the_next_comes_a_spacing_later(
    setup, mail, message_bytes
):
    roles = overdue_check_in(setup, mail, message_bytes)
    sent_at = local("2026-12-01 15:00")
    send_draft(mail, roles.drafts, roles.sent, CHECK_IN, sent_at)

    noticed = cycle(setup, local("2026-12-02 10:00"))
    too_early = cycle(setup, local("2026-12-07 17:00"))
    due = cycle(setup, local("2026-12-08 09:00"))

    assert [record.key for record in noticed.became_sent] == [CHECK_IN]
    assert setup[1].draft(CHECK_IN).updated_at == sent_at
    assert [(a.key, a.due) for a in noticed.plan.upcoming[:1]] == [
        (SECOND_CHECK_IN, local("2026-12-08 09:00"))
    ]
    assert too_early.drafted == []
    assert [action.key for action, _ in due.drafted] == [SECOND_CHECK_IN]
    assert ledger(setup[1]) == {CHECK_IN: "sent", SECOND_CHECK_IN: "created"}


def test_a_rebuilt_sent_folder_is_rescanned_without_duplicates(setup, mail, message_bytes):
    settings, store, mailbox = setup
    roles = mailbox.roles()
    # The thank-you gets a later UID before the rebuild than after it, as on a real server.
    mail.deliver(message_bytes(sender=OWN_ADDRESS, to="friend@home.example"), roles.sent)
    deliver_thank_you(mail, message_bytes, roles.sent)
    first = cycle(setup, THANK_YOU_DUE)
    rebuild_folder(mail, roles.sent)
    deliver_thank_you(mail, message_bytes, roles.sent)

    second = cycle(setup, local("2026-11-19 19:00"))

    assert ([a.key for a, _ in first.drafted], second.drafted) == ([THANKS_DANA], [])
    assert [m.message_id for m in store.messages()] == [THANK_YOU_ID]
    assert keys_in(mail, roles.drafts) == Counter({THANKS_DANA: 1})


def test_a_malformed_message_in_the_inbox_does_not_stop_the_cycle(setup, mail, message_bytes):
    mail.deliver(message_bytes(sender="undisclosed-recipients:;", to=MARK.email))
    mail.deliver(b"From: \xff\xfe\x00 <>\nTo: mark.jones@acme.com\nDate: never\nSubject: =?x?q?\n\n\x00")

    report = cycle(setup, THANK_YOU_DUE)

    assert sorted(action.key for action, _ in report.drafted) == [THANKS_DANA, THANKS_MARK]
