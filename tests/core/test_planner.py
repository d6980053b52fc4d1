"""The planner: every rule, with explicit `now` values."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone
from types import MappingProxyType

from followupd.core.planner import Facts, plan
from followupd.model import Interviewer
from tests.support.factories import (
    DANA,
    MARK,
    config,
    days,
    draft_record,
    interview,
    local,
    message,
    with_interviewers,
)

BETH = "beth.smith@gmail.com"
ID = "acme-account-executive"


def kinds_and_recipients(actions):
    return [(a.kind, a.recipient) for a in actions]


# --- thank-you notes ---------------------------------------------------------


def test_thank_you_is_due_two_hours_after_the_interview_starts_for_each_interviewer():
    result = plan(config(), Facts(), local("2026-11-19 16:00"))
    assert kinds_and_recipients(result.due) == [
        ("thank_you", "mark.jones@acme.com"),
        ("thank_you", "dana.wu@acme.com"),
    ]
    assert [a.key for a in result.due] == [
        f"{ID}/thank_you/mark.jones@acme.com",
        f"{ID}/thank_you/dana.wu@acme.com",
    ]


def test_thank_you_waits_until_its_moment_and_that_moment_is_the_next_wake_up():
    result = plan(config(), Facts(), local("2026-11-19 15:59"))
    assert result.due == ()
    assert result.next_due == local("2026-11-19 16:00")


def test_thank_you_is_skipped_once_the_window_has_passed():
    result = plan(config(), Facts(), local("2026-11-22 14:00"))
    assert [a.kind for a in result.due] == []


def test_thank_you_is_skipped_for_an_interviewer_the_user_already_wrote_to():
    sent = message(BETH, "mark.jones@acme.com", local("2026-11-19 15:00"), folder="Sent")
    result = plan(config(), Facts(messages=(sent,)), local("2026-11-19 16:00"))
    assert kinds_and_recipients(result.due) == [("thank_you", "dana.wu@acme.com")]


def test_thank_you_the_user_deleted_is_never_drafted_again():
    dismissed = draft_record(
        f"{ID}/thank_you/mark.jones@acme.com", "dismissed", local("2026-11-19 16:00")
    )
    result = plan(config(), Facts(drafts=(dismissed,)), local("2026-11-19 17:00"))
    assert kinds_and_recipients(result.due) == [("thank_you", "dana.wu@acme.com")]


def test_interviewer_without_an_email_gets_no_thank_you():
    no_email = Interviewer(name="Pat Lee")
    setup = config(with_interviewers(interview(), no_email, DANA))
    result = plan(setup, Facts(), local("2026-11-19 16:00"))
    assert kinds_and_recipients(result.due) == [("thank_you", "dana.wu@acme.com")]


def test_thank_you_after_an_exact_span_counts_real_time_across_the_end_of_daylight_saving():
    # 2026-11-01 00:30 EDT + 2 h of real time is 01:30 EST, not 02:30.
    night = interview(when=local("2026-11-01 00:30"))
    result = plan(config(night), Facts(), local("2026-11-01 00:31"))
    # Compared in UTC: Python never finds an ambiguous local time equal across zones.
    assert result.next_due.astimezone(timezone.utc) == datetime(2026, 11, 1, 6, 30, tzinfo=timezone.utc)


# --- the first check-in ------------------------------------------------------


def after_thank_yous(**overrides):
    """Ledger rows saying both thank-yous were drafted and sent on the interview day."""
    at = local("2026-11-19 16:00")
    return tuple(
        draft_record(f"{ID}/thank_you/{person.email}", "sent", at, recipient=person.email)
        for person in (MARK, DANA)
    )


def test_check_in_waits_for_the_grace_day_after_the_deadline():
    facts = Facts(drafts=after_thank_yous())
    result = plan(config(), facts, local("2026-12-01 08:59"))
    assert result.due == ()
    assert result.next_due == local("2026-12-01 09:00")


def test_check_in_is_due_at_nine_on_the_grace_day_addressed_to_the_first_interviewer():
    facts = Facts(drafts=after_thank_yous())
    result = plan(config(), facts, local("2026-12-01 09:00"))
    assert [(a.kind, a.recipient, a.sequence, a.key) for a in result.due] == [
        ("check_in", "mark.jones@acme.com", 1, f"{ID}/check_in/1")
    ]


def test_check_in_skips_the_weekend_after_a_friday_deadline():
    friday = interview(deadline=date(2026, 11, 27))
    result = plan(config(friday), Facts(drafts=after_thank_yous()), local("2026-11-28 12:00"))
    assert result.next_due == local("2026-11-30 09:00")


def test_check_in_skips_a_public_holiday_when_holidays_are_configured():
    # Thanksgiving, Thursday 2026-11-26, is no business day in the US.
    wednesday = interview(deadline=date(2026, 11, 25))
    result = plan(config(wednesday, holidays="US"), Facts(drafts=after_thank_yous()), local("2026-11-26 12:00"))
    assert result.next_due == local("2026-11-27 09:00")


def test_check_in_after_a_year_end_deadline_skips_new_years_day_and_the_weekend():
    year_end = interview(when=local("2026-12-15 10:00"), deadline=date(2026, 12, 31))
    result = plan(config(year_end, holidays="US"), Facts(), local("2026-12-31 12:00"))
    assert result.next_due == local("2027-01-04 09:00")


def test_check_in_keeps_nine_local_when_daylight_saving_starts_in_between():
    spring = interview(when=local("2027-03-01 10:00"), deadline=date(2027, 3, 12))
    result = plan(config(spring), Facts(), local("2027-03-13 12:00"))
    assert result.next_due == datetime(2027, 3, 15, 13, 0, tzinfo=timezone.utc)


def test_check_in_threads_onto_the_latest_message_exchanged_with_that_person():
    thank_you = message(BETH, "mark.jones@acme.com", local("2026-11-19 17:00"), folder="Sent")
    answer = message("mark.jones@acme.com", BETH, local("2026-11-20 09:00"),
                     body="Thanks Beth, great to meet you too.", in_reply_to=thank_you.message_id,
                     subject="Re: Thank you")
    result = plan(config(), Facts(messages=(thank_you, answer), drafts=after_thank_yous()),
                  local("2026-12-01 09:00"))
    assert [a.reply_to for a in result.due] == [answer]


def test_check_in_waits_a_spacing_after_the_user_wrote_to_the_company_on_their_own():
    own_note = message(BETH, "recruiting@acme.com", local("2026-11-30 15:00"), folder="Sent")
    result = plan(config(), Facts(messages=(own_note,), drafts=after_thank_yous()),
                  local("2026-12-01 09:00"))
    assert result.due == ()
    assert result.next_due == local("2026-12-07 09:00")


# --- hearing back ------------------------------------------------------------


def overdue(*messages):
    return plan(config(), Facts(messages=messages, drafts=after_thank_yous()), local("2026-12-01 10:00"))


def test_a_reply_from_the_interviewer_stops_the_check_in():
    reply = message("mark.jones@acme.com", BETH, local("2026-11-25 11:00"),
                    body="Hi Beth, could you do a second round next Tuesday?")
    result = overdue(reply)
    assert result.due == ()
    assert result.interviews[0].stage == "heard_back"


def test_a_reply_from_a_colleague_at_the_company_domain_stops_the_check_in():
    reply = message("recruiting@acme.com", BETH, local("2026-11-25 11:00"),
                    body="Hello Beth, I'm following up on your interview with Mark.")
    assert overdue(reply).due == ()


def test_a_reply_from_an_interviewer_on_a_free_mail_address_counts_as_hearing_back():
    freemail = Interviewer(name="Sam Poe", email="sam.poe@gmail.com")
    startup = interview(domains=(), interviewers=(freemail,))
    reply = message("sam.poe@gmail.com", BETH, local("2026-11-25 11:00"), body="Let's talk Monday.")
    result = plan(config(startup), Facts(messages=(reply,)), local("2026-12-01 10:00"))
    assert result.due == ()
    assert result.interviews[0].stage == "heard_back"


def test_an_out_of_office_reply_is_not_hearing_back():
    away = message("mark.jones@acme.com", BETH, local("2026-11-20 09:00"),
                   subject="Out of office: Thank you", headers={"Auto-Submitted": "auto-replied"})
    assert kinds_and_recipients(overdue(away).due) == [("check_in", "mark.jones@acme.com")]


def test_a_short_acknowledgment_of_the_thank_you_is_not_hearing_back():
    thank_you = message(BETH, "mark.jones@acme.com", local("2026-11-19 17:00"), folder="Sent")
    thanks = message("mark.jones@acme.com", BETH, local("2026-11-19 18:00"),
                     subject="Re: Account Executive interview", in_reply_to=thank_you.message_id,
                     body="Thanks Beth, it was great meeting you. We'll be in touch.")
    assert [a.kind for a in overdue(thank_you, thanks).due] == ["check_in"]


def test_the_users_own_mail_to_the_company_is_never_a_reply():
    own = message(BETH, "mark.jones@acme.com", local("2026-11-20 09:00"), folder="Sent",
                  body="Hi Mark, attaching the deck we discussed. Unfortunately it is large.")
    result = overdue(own)
    assert result.interviews[0].stage == "overdue"
    assert [a.kind for a in result.due] == ["check_in"]


def test_a_company_message_from_before_the_interview_is_not_hearing_back():
    scheduling = message("recruiting@acme.com", BETH, local("2026-11-18 10:00"),
                         body="Confirming your interview tomorrow at 2pm.")
    assert [a.kind for a in overdue(scheduling).due] == ["check_in"]


def test_an_unsent_check_in_becomes_obsolete_when_they_reply_after_it_was_drafted():
    drafted = draft_record(f"{ID}/check_in/1", "created", local("2026-12-01 09:00"))
    reply = message("mark.jones@acme.com", BETH, local("2026-12-01 11:00"), body="We'd like to move ahead.")
    result = plan(config(), Facts(messages=(reply,), drafts=after_thank_yous() + (drafted,)),
                  local("2026-12-01 11:05"))
    assert [d.key for d in result.obsolete] == [f"{ID}/check_in/1"]
    assert result.due == ()


# --- later check-ins and the call reminder ----------------------------------


def test_the_second_check_in_waits_while_the_first_sits_unsent_in_drafts():
    drafted = draft_record(f"{ID}/check_in/1", "created", local("2026-12-01 09:00"))
    result = plan(config(), Facts(drafts=after_thank_yous() + (drafted,)), local("2026-12-20 09:00"))
    assert result.due == ()
    assert result.interviews[0].note == "check-in 1 is waiting in Drafts for you to send"


def test_the_second_check_in_is_due_a_spacing_after_the_first_was_sent():
    sent = draft_record(f"{ID}/check_in/1", "sent", local("2026-12-01 10:30"))
    facts = Facts(drafts=after_thank_yous() + (sent,))
    assert plan(config(), facts, local("2026-12-08 08:59")).next_due == local("2026-12-08 09:00")
    due = plan(config(), facts, local("2026-12-08 09:00")).due
    assert [(a.kind, a.sequence, a.key) for a in due] == [("check_in", 2, f"{ID}/check_in/2")]


def test_a_check_in_the_user_deleted_ends_the_sequence():
    dismissed = draft_record(f"{ID}/check_in/1", "dismissed", local("2026-12-01 09:00"))
    result = plan(config(), Facts(drafts=after_thank_yous() + (dismissed,)), local("2027-01-20 09:00"))
    assert result.due == ()
    assert result.next_due is None
    assert result.interviews[0].note == "you deleted check-in 1; no further check-ins"


def sent_check_ins():
    return after_thank_yous() + (
        draft_record(f"{ID}/check_in/1", "sent", local("2026-12-01 10:00")),
        draft_record(f"{ID}/check_in/2", "sent", local("2026-12-08 10:00")),
    )


def test_a_call_reminder_to_the_user_follows_the_last_unanswered_check_in():
    result = plan(config(), Facts(drafts=sent_check_ins()), local("2026-12-15 09:00"))
    assert [(a.kind, a.recipient, a.interviewer) for a in result.due] == [
        ("call_reminder", BETH, MARK)
    ]


def test_no_call_reminder_without_the_interviewers_phone_number():
    no_phone = with_interviewers(interview(), replace(MARK, phone=None), DANA)
    result = plan(config(no_phone), Facts(drafts=sent_check_ins()), local("2026-12-15 09:00"))
    assert result.due == ()
    assert result.interviews[0].note == "the follow-up sequence is complete"


def test_no_call_reminder_when_the_policy_turns_it_off():
    result = plan(config(call_reminder=False), Facts(drafts=sent_check_ins()), local("2026-12-15 09:00"))
    assert result.due == ()


def test_max_followups_of_zero_means_no_check_in_at_all():
    result = plan(config(max_followups=0), Facts(drafts=after_thank_yous()), local("2026-12-20 09:00"))
    assert result.due == ()


# --- rejection and status ------------------------------------------------------


def rejection_from(sender: str):
    return message(sender, BETH, local("2026-11-24 10:00"), subject="Your application",
                   sender_name="Mark Jones",
                   body="Thank you for your time. Unfortunately we have decided to move forward "
                        "with other candidates.")


def test_a_rejection_gets_one_gracious_reply_in_its_thread():
    rejection = rejection_from("mark.jones@acme.com")
    result = overdue(rejection)
    assert [(a.kind, a.recipient, a.recipient_name, a.reply_to) for a in result.due] == [
        ("thanks_after_rejection", "mark.jones@acme.com", "Mark Jones", rejection)
    ]
    assert result.interviews[0].stage == "rejected"


def test_no_thanks_after_a_rejection_the_user_already_answered():
    rejection = rejection_from("mark.jones@acme.com")
    answered = message(BETH, "mark.jones@acme.com", local("2026-11-24 12:00"), folder="Sent")
    assert overdue(rejection, answered).due == ()


def test_no_thanks_after_rejection_when_the_policy_turns_it_off():
    rejection = rejection_from("mark.jones@acme.com")
    result = plan(config(thanks_after_rejection=False),
                  Facts(messages=(rejection,), drafts=after_thank_yous()), local("2026-12-01 10:00"))
    assert result.due == ()


def test_a_status_other_than_active_stops_everything():
    for status, stage in (("offer", "closed"), ("withdrawn", "closed"), ("rejected", "rejected")):
        result = plan(config(interview(status=status)), Facts(), local("2026-11-19 16:00"))
        assert (result.due, result.next_due, result.interviews[0].stage) == ((), None, stage)


# --- stages ------------------------------------------------------------------


def test_stages_move_from_upcoming_to_waiting_to_overdue():
    stages = [
        plan(config(), Facts(), local(moment)).interviews[0].stage
        for moment in ("2026-11-19 13:59", "2026-11-30 23:59", "2026-12-01 00:00")
    ]
    assert stages == ["upcoming", "waiting", "overdue"]


def test_two_interviews_are_planned_independently_and_sorted_by_due_time():
    beta = interview(id="beta-sales-lead", company="Beta", domains=("beta.io",),
                     when=local("2026-11-19 10:00"),
                     interviewers=(Interviewer(name="Ann Bee", email="ann@beta.io"),))
    result = plan(config(interview(), beta), Facts(), local("2026-11-19 16:00"))
    assert [(a.interview_id, a.recipient) for a in result.due] == [
        ("beta-sales-lead", "ann@beta.io"),
        (ID, "mark.jones@acme.com"),
        (ID, "dana.wu@acme.com"),
    ]


def test_a_reply_from_an_outside_address_to_the_users_mail_counts_as_hearing_back():
    thank_you = message(BETH, "mark.jones@acme.com", local("2026-11-19 17:00"), folder="Sent")
    personal = message("mark.j.private@gmail.com", BETH, local("2026-11-25 08:00"),
                       in_reply_to=thank_you.message_id, references=(thank_you.message_id,),
                       subject="Re: Account Executive interview",
                       body="Hi Beth, writing from my phone: can we set up a call with our VP on Monday?")
    result = overdue(thank_you, personal)
    assert result.due == ()
    assert result.interviews[0].stage == "heard_back"


def test_a_message_gmail_put_in_the_thread_of_the_users_mail_counts_as_hearing_back():
    thank_you = message(BETH, "mark.jones@acme.com", local("2026-11-19 17:00"), folder="Sent",
                        thread_id="1789")
    odd = message("scheduler@calendly.example", BETH, local("2026-11-25 08:00"), thread_id="1789",
                  subject="Invitation: second interview", body="Please pick a time for your next interview.")
    assert overdue(thank_you, odd).interviews[0].stage == "heard_back"


def test_unrelated_mail_from_outside_the_company_is_not_hearing_back():
    thank_you = message(BETH, "mark.jones@acme.com", local("2026-11-19 17:00"), folder="Sent",
                        thread_id="1789")
    newsletter = message("news@shop.example", BETH, local("2026-11-25 08:00"), thread_id="2000",
                         body="We would like to invite you to our sale.")
    assert [a.kind for a in overdue(thank_you, newsletter).due] == ["check_in"]


# --- review findings: answers that must end the sequence ---------------------


def sent_check_in_one():
    return after_thank_yous() + (draft_record(f"{ID}/check_in/1", "sent", local("2026-12-01 10:00")),)


def test_a_short_thanks_in_answer_to_a_check_in_is_an_answer_not_an_acknowledgment():
    check_in = message(BETH, "mark.jones@acme.com", local("2026-12-01 10:00"), folder="Sent",
                       subject="Following up: Account Executive role")
    answer = message("mark.jones@acme.com", BETH, local("2026-12-01 15:00"),
                     subject="Re: Following up: Account Executive role", in_reply_to=check_in.message_id,
                     body="Thanks for checking in. We expect to make a decision by the end of next week.")
    result = plan(config(), Facts(messages=(check_in, answer), drafts=sent_check_in_one()),
                  local("2026-12-09 09:00"))
    assert (result.due, result.interviews[0].stage) == ((), "heard_back")


def test_an_unthreaded_thanks_after_the_check_in_went_out_is_an_answer():
    check_in = message(BETH, "mark.jones@acme.com", local("2026-12-01 10:00"), folder="Sent")
    answer = message("mark.jones@acme.com", BETH, local("2026-12-01 15:00"),
                     subject="Re: Account Executive interview", body="Thanks Beth, noted.")
    result = plan(config(), Facts(messages=(check_in, answer), drafts=sent_check_in_one()),
                  local("2026-12-09 09:00"))
    assert result.interviews[0].stage == "heard_back"


def test_a_check_in_draft_is_obsolete_even_when_the_reply_is_dated_before_it_was_drafted():
    drafted = draft_record(f"{ID}/check_in/1", "created", local("2026-12-01 09:00"))
    late_delivery = message("mark.jones@acme.com", BETH, local("2026-12-01 08:58"),
                            body="Hi Beth, we would like to invite you to a final round.")
    result = plan(config(), Facts(messages=(late_delivery,), drafts=after_thank_yous() + (drafted,)),
                  local("2026-12-01 09:05"))
    assert [d.key for d in result.obsolete] == [f"{ID}/check_in/1"]


def test_an_invitation_from_a_scheduling_system_marked_auto_generated_is_hearing_back():
    invitation = message("no-reply@acme.com", BETH, local("2026-11-25 11:00"),
                         subject="Next steps: schedule your final interview",
                         headers={"Auto-Submitted": "auto-generated", "Precedence": "bulk"},
                         body="Please choose a time for your final interview with our team.")
    assert overdue(invitation).interviews[0].stage == "heard_back"


def test_a_one_day_grace_after_a_friday_deadline_lands_on_monday_at_nine():
    friday = interview(deadline=date(2026, 11, 27))
    result = plan(config(friday, grace=days(1)), Facts(drafts=after_thank_yous()), local("2026-11-28 12:00"))
    assert result.next_due == local("2026-11-30 09:00")


def test_a_weekly_spacing_after_a_late_evening_check_in_lands_at_nine_on_a_business_day():
    # Sent Saturday 5 Dec 23:30; seven days on is Saturday 12 Dec, so Monday 14 Dec 09:00.
    sent = draft_record(f"{ID}/check_in/1", "sent", local("2026-12-05 23:30"))
    result = plan(config(followup_spacing=days(7)), Facts(drafts=after_thank_yous() + (sent,)),
                  local("2026-12-07 12:00"))
    assert result.next_due == local("2026-12-14 09:00")


def test_thanks_after_a_rejection_goes_to_its_reply_to_address():
    rejection = replace(rejection_from("no-reply@acme.com"),
                        headers=MappingProxyType({"reply-to": "talent@acme.com"}), sender_name="Acme Talent")
    assert [(a.recipient, a.recipient_name) for a in overdue(rejection).due] == [
        ("talent@acme.com", "Acme Talent")
    ]


def test_thanks_after_a_rejection_from_a_no_reply_robot_goes_to_the_interviewer():
    rejection = replace(rejection_from("noreply@acme.com"), sender_name="Acme Careers")
    assert [(a.recipient, a.recipient_name, a.reply_to) for a in overdue(rejection).due] == [
        ("mark.jones@acme.com", "Mark Jones", rejection)
    ]


def test_one_rejection_shared_by_two_roles_at_one_company_gets_one_thank_you():
    second_role = interview(id="acme-sales-lead", position="Sales Lead")
    rejection = rejection_from("mark.jones@acme.com")
    result = plan(config(interview(), second_role), Facts(messages=(rejection,), drafts=after_thank_yous()),
                  local("2026-12-01 10:00"))
    assert [(a.kind, a.interview_id) for a in result.due] == [("thanks_after_rejection", ID)]
