"""Tests for classify: what an inbound message means for the follow-up sequence."""

from __future__ import annotations

from datetime import datetime, timezone
from types import MappingProxyType

import pytest

from followupd.core.classify import (
    classify,
    has_decision_words,
    has_next_step,
    has_rejection,
    is_auto_reply,
    is_own,
    visible_text,
)
from followupd.model import Message, Reply

OWN_ADDRESSES = frozenset({"dana.lee@example.com", "dana@lee.example"})
THANK_YOU_ID = "<thank-you-1@example.com>"
OWN_MESSAGE_IDS = frozenset({THANK_YOU_ID, "<check-in-1@example.com>"})

GMAIL_HISTORY = (
    "On Thu, Nov 19, 2026 at 2:00 PM Dana Lee <dana.lee@example.com>\n"
    "wrote:\n"
    "> Hi Beth,\n"
    "> I understand if you have decided to move forward with other candidates,\n"
    "> but I wanted to share one more example of my pipeline work.\n"
)


def make_message(**overrides: object) -> Message:
    """A reply from the interviewer to the user's thank-you note, with any field overridden."""
    headers = overrides.pop("headers", {})
    values: dict[str, object] = {
        "message_id": "<reply-1@acme.example>",
        "date": datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc),
        "sender": "beth.smith@acme.example",
        "sender_name": "Beth Smith",
        "recipients": ("dana.lee@example.com",),
        "subject": "Re: Thank you for today",
        "body": "",
    }
    values.update(overrides)
    return Message(headers=MappingProxyType(dict(headers)), **values)  # type: ignore[arg-type]


def classified(**overrides: object) -> Reply:
    """The classification of make_message(**overrides) for the test user."""
    return classify(make_message(**overrides), OWN_ADDRESSES, OWN_MESSAGE_IDS)


# --------------------------------------------------------------------------
# Own messages
# --------------------------------------------------------------------------


def test_the_users_own_address_is_own() -> None:
    assert classified(sender="dana.lee@example.com", body="Thanks again!") is Reply.OWN


def test_an_alias_written_in_another_case_is_own() -> None:
    message = make_message(sender="dana@lee.example")
    assert is_own(message, frozenset({"Dana@Lee.Example"})) is True


def test_a_followupd_draft_is_own_even_from_an_unlisted_address() -> None:
    message = make_message(
        sender="dana.work@other.example", headers={"x-followupd-key": "acme-ae/check_in/1"}
    )
    assert classify(message, OWN_ADDRESSES) is Reply.OWN


def test_a_message_from_the_interviewer_is_not_own() -> None:
    assert is_own(make_message(), OWN_ADDRESSES) is False


def test_the_users_own_mail_quoting_a_rejection_is_still_own() -> None:
    body = "We regret to inform you that the position has been filled."
    assert classified(sender="dana.lee@example.com", body=body) is Reply.OWN


# --------------------------------------------------------------------------
# Auto-replies
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"auto-submitted": 'auto-replied; owner-email="beth.smith@acme.example"'},
        {"auto-submitted": "Auto-Generated (vacation notice)"},
        {"x-autoreply": "yes"},
        {"x-autorespond": "Out of office"},
        {"precedence": "bulk"},
        {"precedence": "Auto_Reply"},
        {"precedence": "junk"},
    ],
)
def test_auto_reply_headers_mark_an_auto_reply(headers: dict[str, str]) -> None:
    assert is_auto_reply(make_message(headers=headers)) is True


@pytest.mark.parametrize(
    "headers",
    [
        {"auto-submitted": "no"},
        {"auto-submitted": "No; comment=typed-by-a-person"},
        {"x-autoreply": "no"},
        {"x-autorespond": ""},
        {"precedence": "list"},
        {"x-auto-response-suppress": "All"},
        {"x-auto-response-suppress": "DR, OOF, AutoReply"},
        {"list-unsubscribe": "<mailto:unsubscribe@acme.example>"},
    ],
)
def test_headers_that_do_not_mark_an_auto_reply(headers: dict[str, str]) -> None:
    assert is_auto_reply(make_message(headers=headers)) is False


@pytest.mark.parametrize(
    "subject",
    [
        "Automatic reply: Re: Thank you for today",
        "Out of Office: Thank you for today",
        "Out of the office until December 1",
        "Auto-Reply: Thank you for today",
        "Autoreply: Thank you for today",
        "[Auto Reply] Thank you for today",
        "Re: Auto-reply",
        "Abwesenheitsnotiz: AW: Vielen Dank",
        "Automatische Antwort: AW: Vielen Dank für das Gespräch",
        "Réponse automatique : Merci pour aujourd'hui",
        "Respuesta automática: Gracias",
        "I am out of the office until November 30",
        "On vacation until Monday",
    ],
)
def test_auto_reply_subjects_mark_an_auto_reply(subject: str) -> None:
    assert is_auto_reply(make_message(subject=subject)) is True


def test_a_person_mentioning_an_absence_mid_subject_is_not_an_auto_reply() -> None:
    message = make_message(subject="Re: Thank you — I'm out of office Friday, Monday instead?")
    assert is_auto_reply(message) is False


def test_an_out_of_office_reply_mentioning_scheduling_is_still_an_auto_reply() -> None:
    body = "I am away until Dec 1. For scheduling, please contact jo@acme.example."
    assert classified(subject="Out of Office: Thank you", body=body) is Reply.AUTO_REPLY


def test_an_outlook_reply_with_only_x_auto_response_suppress_is_a_real_reply() -> None:
    headers = {"x-auto-response-suppress": "All"}
    body = "Hi Dana, could you share your availability for a second interview next week?"
    assert classified(headers=headers, body=body) is Reply.NEXT_STEP


def test_auto_submitted_no_lets_a_rejection_through() -> None:
    headers = {"auto-submitted": "no"}
    body = "We regret to inform you that we will not be moving forward."
    assert classified(headers=headers, body=body) is Reply.REJECTION


# --------------------------------------------------------------------------
# Visible text
# --------------------------------------------------------------------------


def test_visible_text_drops_a_wrapped_gmail_attribution_and_its_quote() -> None:
    body = "Thanks Dana, talk soon.\n\n" + GMAIL_HISTORY
    assert visible_text(body) == "Thanks Dana, talk soon."


def test_visible_text_drops_quoted_lines_between_inline_answers() -> None:
    body = "> Are you still hiring?\nYes.\n> When will you decide?\nBy Friday."
    assert visible_text(body) == "Yes.\nBy Friday."


def test_visible_text_drops_an_outlook_header_block() -> None:
    body = (
        "Thank you, Dana.\n\n"
        "________________________________\n"
        "From: Dana Lee <dana.lee@example.com>\n"
        "Sent: Thursday, November 19, 2026 2:00 PM\n"
        "To: Beth Smith <beth.smith@acme.example>\n"
        "Subject: Thank you for today\n\n"
        "Hi Beth, if you decided to go with another candidate, I understand.\n"
    )
    assert visible_text(body) == "Thank you, Dana."


def test_visible_text_drops_an_original_message_separator() -> None:
    body = "Noted, thanks.\n-----Original Message-----\nFrom: Dana Lee\nHi Beth"
    assert visible_text(body) == "Noted, thanks."


def test_visible_text_drops_a_french_attribution() -> None:
    body = (
        "Merci Dana.\n\n"
        "Le jeu. 19 nov. 2026 à 14:00, Dana Lee <dana.lee@example.com> a écrit :\n"
        "Bonjour Beth,\n"
    )
    assert visible_text(body) == "Merci Dana."


def test_visible_text_drops_a_german_attribution() -> None:
    body = (
        "Danke, Dana.\n\n"
        "Am Do., 19. Nov. 2026 um 14:00 Uhr schrieb Dana Lee <dana.lee@example.com>:\n"
        "Hallo Beth,\n"
    )
    assert visible_text(body) == "Danke, Dana."


def test_visible_text_drops_the_signature() -> None:
    body = "See you Tuesday.\n-- \nBeth Smith\nHead of Sales, Acme\nWe regret nothing."
    assert visible_text(body) == "See you Tuesday."


def test_visible_text_keeps_a_sentence_that_starts_with_on() -> None:
    body = "On Monday the panel meets.\nI will write after that."
    assert visible_text(body) == "On Monday the panel meets.\nI will write after that."


# --------------------------------------------------------------------------
# Rejections
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "Unfortunately, we have decided to move forward with other candidates whose "
        "experience more closely matches our needs.",
        "After careful consideration, we have decided not to move forward with your application.",
        "We regret to inform you that the position has been filled.",
        "I’m sorry to say we will not be proceeding with your candidacy.",
        "The team decided to go with another candidate for this role.",
        "We have decided to pursue other applicants at this time.",
        "You were not selected for the Account Executive position.",
        "We won't be moving forward, but thank you for your time.",
        "We've decided to go in a different direction with this hire.",
        "The role has now been filled internally.",
        "We will not be extending an offer.",
        "In the end we hired someone else with more enterprise experience.",
        "Unfortunately, it was not the right fit this time. We wish you the best in your search.",
        "After reviewing your application, we've decided to move forward with candidates "
        "whose qualifications better meet our needs.",
        "Your application has been unsuccessful on this occasion.",
        "We won't be able to offer you the position.",
        "We have decided to offer the position to another candidate.",
    ],
)
def test_rejection_phrasings_are_rejections(body: str) -> None:
    assert classified(body=f"Hi Dana,\n\n{body}\n\nBest,\nBeth") is Reply.REJECTION


def test_a_rejection_stated_only_in_a_fresh_subject_is_a_rejection() -> None:
    subject = "Account Executive: the position has been filled"
    assert classified(subject=subject, body="Hi Dana, thank you for applying.") is Reply.REJECTION


def test_rejection_words_only_in_the_users_quoted_mail_are_not_a_rejection() -> None:
    body = "Thanks Dana, talk soon.\n\n" + GMAIL_HISTORY
    assert classified(body=body, in_reply_to=THANK_YOU_ID) is Reply.ACKNOWLEDGMENT


def test_a_lone_unfortunately_before_next_steps_is_a_next_step() -> None:
    body = "Unfortunately I'm out Friday, can we talk Monday about next steps?"
    assert classified(body=body) is Reply.NEXT_STEP


def test_a_lone_unfortunately_is_not_a_rejection() -> None:
    assert has_rejection("Unfortunately Beth is travelling this week.") is False


def test_still_talking_to_other_candidates_is_not_a_rejection() -> None:
    body = "We're still speaking with other candidates and hope to decide by Friday."
    assert classified(body=body, in_reply_to=THANK_YOU_ID) is Reply.ACKNOWLEDGMENT


@pytest.mark.parametrize(
    "text",
    [
        "We have not selected anyone yet; expect news next week.",
        "Great news: we decided to go with you!",
        "We're meeting with another candidate tomorrow and will decide Friday.",
        "We'll continue interviewing other candidates this week.",
        "We'd like to move forward with your candidacy!",
        "I'll forward your notes to someone else on the panel.",
        "I regret I can't make Friday.",
    ],
)
def test_status_updates_near_rejection_words_are_not_rejections(text: str) -> None:
    assert has_rejection(text) is False


# --------------------------------------------------------------------------
# Next steps
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "We'd like to invite you to a second round with our VP of Sales.",
        "Could you share your availability for next week?",
        "Are you available Tuesday at 3 pm for a call with the hiring manager?",
        "I've sent a calendar invite for the final interview.",
        "We're pleased to extend you an offer!",
        "As a next step we will run a reference check and a background check.",
        "Please pick a slot here: https://calendly.com/beth-acme/30min",
        "The team would like to meet you onsite on Thursday.",
        "We'd love to move forward with you.",
    ],
)
def test_next_step_phrasings_are_next_steps(body: str) -> None:
    assert classified(body=f"Hi Dana,\n\n{body}\n\nBest,\nBeth") is Reply.NEXT_STEP


def test_next_step_words_only_in_a_reply_subject_are_ignored() -> None:
    message = {"subject": "Re: Next steps after our interview", "in_reply_to": THANK_YOU_ID}
    assert classified(body="Got it, thanks Dana!", **message) is Reply.ACKNOWLEDGMENT


def test_decision_words_cover_both_rejections_and_next_steps() -> None:
    found = [
        has_decision_words("We regret to inform you."),
        has_decision_words("What is your availability?"),
        has_decision_words("Great meeting you too."),
    ]
    assert found == [True, True, False]


def test_next_step_cues_are_not_found_in_a_plain_thank_you() -> None:
    assert has_next_step("Thanks Dana, great meeting you too. We'll be in touch.") is False


# --------------------------------------------------------------------------
# Acknowledgments and everything else
# --------------------------------------------------------------------------

THANKS = "Thanks Dana, great meeting you too. We'll be in touch.\n\nBeth"


def test_a_short_thanks_answering_the_users_mail_is_an_acknowledgment() -> None:
    assert classified(body=THANKS, in_reply_to=THANK_YOU_ID) is Reply.ACKNOWLEDGMENT


def test_a_short_answer_referencing_the_users_mail_is_an_acknowledgment() -> None:
    references = ("<job-post@acme.example>", THANK_YOU_ID)
    body = "Received, I'll pass it on to the panel."
    assert classified(body=body, references=references) is Reply.ACKNOWLEDGMENT


def test_a_short_thanks_with_a_re_subject_is_an_acknowledgment() -> None:
    assert classified(body=THANKS, subject="Re: Thank you for today") is Reply.ACKNOWLEDGMENT


def test_a_thanks_that_answers_nothing_of_the_users_is_other() -> None:
    assert classified(body=THANKS, subject="Thank you for coming in") is Reply.OTHER


def test_a_re_subject_without_thanks_or_thread_is_other() -> None:
    assert classified(body="Got it.", subject="Re: Thank you for today") is Reply.OTHER


def test_a_long_substantive_reply_is_other() -> None:
    body = (
        "Hi Dana,\n\n"
        "Thanks for the note. To your question about the territory: the Northeast "
        "book is about forty accounts, mostly mid-market manufacturers, and the "
        "previous rep left a healthy pipeline in the two largest of them. The team "
        "uses Salesforce and Gong, and we run a weekly forecast call on Mondays. "
        "Quota is set per half-year and most reps ramp over their first quarter. "
        "On the travel question, expect roughly one week a month on the road, a "
        "bit more in the spring when the trade shows run.\n\nBeth"
    )
    assert len(visible_text(body)) > 400
    assert classified(body=body, in_reply_to=THANK_YOU_ID) is Reply.OTHER


def test_a_short_reply_above_long_quoted_history_is_an_acknowledgment() -> None:
    body = "Thank you, Dana!\n\n" + GMAIL_HISTORY + "> " + "More history. " * 60 + "\n"
    assert classified(body=body, in_reply_to=THANK_YOU_ID) is Reply.ACKNOWLEDGMENT


def test_a_rejection_from_an_applicant_tracking_system_marked_bulk_is_still_a_rejection():
    ats = make_message(
        sender="no-reply@acme.com",
        subject="Your application to Acme Corp",
        headers={"auto-submitted": "auto-generated", "precedence": "bulk"},
        body="Thank you for applying. Unfortunately, we have decided not to move forward "
        "with your application.",
    )
    assert classify(ats, OWN_ADDRESSES) is Reply.REJECTION


def test_an_out_of_office_reply_mentioning_unfortunately_stays_an_auto_reply():
    away = make_message(
        sender="mark.jones@acme.com",
        subject="Automatic reply: Thank you",
        headers={"auto-submitted": "auto-replied"},
        body="Unfortunately I am out of the office and regret to inform you replies will be slow.",
    )
    assert classify(away, OWN_ADDRESSES) is Reply.AUTO_REPLY


def test_an_offer_sent_as_bulk_mail_is_a_next_step_not_an_auto_reply():
    offer = make_message(sender="offers@acme.com", subject="Your offer from Acme Corp",
                         headers={"precedence": "bulk"},
                         body="We are pleased to extend you an offer for the Account Executive role.")
    assert classify(offer, OWN_ADDRESSES) is Reply.NEXT_STEP


def test_an_out_of_office_that_mentions_scheduling_stays_an_auto_reply():
    away = make_message(subject="Automatic reply: Thank you", headers={"auto-submitted": "auto-replied"},
                        body="I am out of the office. For scheduling, please contact my assistant.")
    assert classify(away, OWN_ADDRESSES) is Reply.AUTO_REPLY


def test_a_short_threaded_reply_to_anything_but_a_thank_you_is_not_an_acknowledgment():
    answer = make_message(in_reply_to="<check-in-2@example.com>", body="Thanks, noted.")
    assert classify(answer, OWN_ADDRESSES, frozenset({THANK_YOU_ID})) is Reply.OTHER
