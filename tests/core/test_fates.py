"""What became of a vanished draft: plain values only."""

from __future__ import annotations

from datetime import timedelta

from followupd.core.fates import fate_of_vanished_draft, sent_trace
from tests.support.factories import (
    DANA,
    MARK,
    draft_record,
    local,
    message,
)

ME = "beth.smith@gmail.com"
OWN = frozenset({ME, "beth@smith.example"})
CREATED = local("2026-12-02 09:00")
PARENT = "<thanks@gmail.com>"
SENT = "[Gmail]/Sent Mail"


def check_in(state: str = "created", **overrides):
    values = dict(message_id="<draft-1@gmail.com>", in_reply_to=PARENT)
    values.update(overrides)
    return draft_record("acme-account-executive/check_in/1", state, CREATED, **values)


def sent_reply(at=CREATED + timedelta(hours=2), **overrides):
    """The user's copy in Sent, with the new Message-ID Gmail gives a sent draft."""
    values = dict(message_id="<rewritten@mail.gmail.com>", in_reply_to=PARENT,
                  references=(PARENT,), folder=SENT)
    values.update(overrides)
    sender = values.pop("sender", ME)
    return message(sender, values.pop("recipients", MARK.email), at, **values)


def test_a_draft_with_a_threaded_reply_to_the_recipient_in_sent_was_sent():
    assert fate_of_vanished_draft(check_in(), (sent_reply(),), OWN, SENT) == "sent"


def test_a_sent_copy_threaded_only_through_references_still_counts():
    copy = sent_reply(in_reply_to="<other@x>", references=("<root@x>", PARENT))

    assert fate_of_vanished_draft(check_in(), (copy,), OWN, SENT) == "sent"


def test_mail_from_an_alias_counts_as_the_user_sending_it():
    copy = sent_reply(sender="beth@smith.example")

    assert fate_of_vanished_draft(check_in(), (copy,), OWN, SENT) == "sent"


def test_a_draft_that_vanished_with_nothing_in_sent_was_dismissed():
    assert fate_of_vanished_draft(check_in(), (), OWN, SENT) == "dismissed"


def test_mail_to_the_recipient_outside_the_thread_does_not_mean_the_draft_was_sent():
    copy = sent_reply(in_reply_to=None, references=())

    assert fate_of_vanished_draft(check_in(), (copy,), OWN, SENT) == "dismissed"


def test_an_unthreaded_draft_needs_no_thread_to_be_recognised_as_sent():
    thank_you = draft_record("acme-account-executive/thank_you/mark.jones@acme.com", "created",
                             CREATED, message_id="<ty@gmail.com>")
    copy = sent_reply(in_reply_to=None, references=())

    assert fate_of_vanished_draft(thank_you, (copy,), OWN, SENT) == "sent"


def test_mail_sent_before_the_draft_was_made_does_not_count():
    copy = sent_reply(at=CREATED - timedelta(hours=1))

    assert fate_of_vanished_draft(check_in(), (copy,), OWN, SENT) == "dismissed"


def test_a_few_minutes_of_clock_skew_are_forgiven():
    copy = sent_reply(at=CREATED - timedelta(minutes=4))

    assert fate_of_vanished_draft(check_in(), (copy,), OWN, SENT) == "sent"


def test_mail_to_someone_else_does_not_count():
    copy = sent_reply(recipients=DANA.email)

    assert fate_of_vanished_draft(check_in(), (copy,), OWN, SENT) == "dismissed"


def test_their_reply_in_the_thread_is_not_the_user_sending_the_draft():
    theirs = message(MARK.email, (ME, MARK.email), CREATED + timedelta(hours=1),
                     in_reply_to=PARENT, references=(PARENT,))

    assert fate_of_vanished_draft(check_in(), (theirs,), OWN, SENT) == "dismissed"


def test_another_of_our_drafts_is_not_the_sent_copy():
    other = sent_reply(headers={"X-Followupd-Key": "acme-account-executive/check_in/2"})

    assert fate_of_vanished_draft(check_in(), (other,), OWN, SENT) == "dismissed"


def test_the_draft_itself_seen_in_all_mail_before_it_vanished_is_not_a_sent_copy():
    itself = sent_reply(message_id="<draft-1@gmail.com>", folder="[Gmail]/All Mail",
                        headers={"X-Followupd-Key": "acme-account-executive/check_in/1"})

    assert fate_of_vanished_draft(check_in(), (itself,), OWN, SENT) == "dismissed"


def test_a_client_that_keeps_the_message_id_on_send_leaves_a_copy_in_sent_that_counts():
    kept = sent_reply(message_id="<draft-1@gmail.com>")

    assert fate_of_vanished_draft(check_in(), (kept,), OWN, SENT) == "sent"


def test_a_copy_in_a_drafts_folder_is_not_sent_mail():
    copy = sent_reply(folder="[Gmail]/Drafts")

    assert fate_of_vanished_draft(check_in(), (copy,), OWN, SENT) == "dismissed"


def test_a_dismissed_draft_becomes_sent_when_its_copy_reaches_sent_late():
    dismissed = check_in("dismissed", updated_at=CREATED + timedelta(hours=1))

    late = fate_of_vanished_draft(dismissed, (sent_reply(),), OWN, SENT)
    still = fate_of_vanished_draft(dismissed, (), OWN, SENT)

    assert (late, still) == ("sent", None)


def test_an_interrupted_draft_sent_to_a_changed_address_is_traced_by_its_message_id():
    kept = sent_reply(message_id="<draft-1@gmail.com>", recipients="mark@jones-family.example")

    assert sent_trace(check_in(), (kept,), OWN, SENT) == kept


def test_an_interrupted_draft_is_traced_by_its_sent_copy_first():
    rewritten, kept = sent_reply(), sent_reply(message_id="<draft-1@gmail.com>", recipients=DANA.email)

    assert sent_trace(check_in(), (kept, rewritten), OWN, SENT) == rewritten


def test_its_own_message_id_still_in_a_drafts_folder_is_no_trace_of_sending():
    itself = sent_reply(message_id="<draft-1@gmail.com>", folder="Drafts")

    assert sent_trace(check_in(), (itself,), OWN, SENT) is None


