"""What a finished cycle tells the user: plain values in, events with stable keys out."""

from __future__ import annotations

from followupd.core.events import cycle_events, login_failing_event
from followupd.core.planner import Facts, plan
from tests.support.factories import config, draft_record, local, message

BETH = "beth.smith@gmail.com"
ID = "acme-account-executive"


def test_each_draft_made_is_one_event_naming_who_and_which_role():
    made = plan(config(), Facts(), local("2026-11-19 16:00")).due
    events = cycle_events(config(), list(made), [], None, local("2026-11-19 16:00"))
    assert [(event.key, event.kind, event.message) for event in events] == [
        (f"drafted/{ID}/thank_you/mark.jones@acme.com", "draft_ready",
         "The thank-you to Mark Jones is waiting in Drafts (Acme Corp, Account Executive)."),
        (f"drafted/{ID}/thank_you/dana.wu@acme.com", "draft_ready",
         "The thank-you to Dana Wu is waiting in Drafts (Acme Corp, Account Executive)."),
    ]


def test_a_retracted_check_in_says_they_replied_and_quotes_nothing():
    record = draft_record(f"{ID}/check_in/1", "retracted", local("2026-12-01 09:00"))
    (event,) = cycle_events(config(), [], [record], None, local("2026-12-01 10:00"))
    assert (event.kind, event.message) == (
        "retracted", "Removed the unsent check-in to mark.jones@acme.com (Acme Corp): they replied.")


def test_a_fresh_reply_from_the_company_is_news_and_an_old_one_is_not():
    reply = message("mark.jones@acme.com", BETH, local("2026-11-25 11:00"),
                    body="Thanks Beth, we would like you to come in for a second round.")
    facts = Facts(messages=(reply,))
    fresh = plan(config(), facts, local("2026-11-26 09:00"))
    stale = plan(config(), facts, local("2026-12-10 09:00"))
    fresh_events = cycle_events(config(), [], [], fresh, local("2026-11-26 09:00"))
    assert [(event.kind, event.title) for event in fresh_events] == [("replied", "followupd: Acme Corp wrote")]
    assert "second round" not in fresh_events[0].message  # never a word of their mail
    assert cycle_events(config(), [], [], stale, local("2026-12-10 09:00")) == []


def test_the_same_reply_seen_by_two_cycles_has_one_key():
    reply = message("mark.jones@acme.com", BETH, local("2026-11-25 11:00"), body="Next round?")
    first, second = (cycle_events(config(), [], [], plan(config(), Facts(messages=(reply,)), now), now)
                     for now in (local("2026-11-25 12:00"), local("2026-11-26 12:00")))
    assert [event.key for event in first] == [event.key for event in second]


def test_a_failing_mailbox_is_told_once_a_day():
    today, tomorrow = (login_failing_event("beth", 3, day) for day in ("2026-12-01", "2026-12-02"))
    assert today.key != tomorrow.key and today.key == login_failing_event("beth", 9, "2026-12-01").key
