"""Drafts: the texts, the threading headers, template errors and body hashes."""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from email.message import EmailMessage
from pathlib import Path

import pytest

from followupd.drafts.message import DraftText, body_hash, build_message, message_body_text
from followupd.drafts.render import (
    check_templates,
    decision_text,
    first_name,
    render_draft,
    when_text,
)
from followupd.drafts.spelling import spelling_warnings
from followupd.errors import TemplateError
from followupd.model import (
    Account,
    Action,
    Config,
    Duration,
    Interview,
    Interviewer,
    Me,
    Message,
    Policy,
)
from tests.support.factories import DANA, MARK, NEW_YORK, days

INTERVIEW_TIME = datetime(2026, 11, 19, 14, 0, tzinfo=NEW_YORK)  # a Thursday
SAME_EVENING = datetime(2026, 11, 19, 17, 30, tzinfo=NEW_YORK)
CHECK_IN_TIME = datetime(2026, 12, 2, 9, 0, tzinfo=NEW_YORK)

SIGNATURE_LINES = "Best regards,\nBeth Smith\n+1 555 0100\n"


def make_config(templates_dir: Path | None = None, **me_changes: object) -> Config:
    me = replace(Me(name="Beth Smith", phone="+1 555 0100", signature="Beth Smith\n+1 555 0100\n"),
                 **me_changes)
    return Config(
        path=Path("/nonexistent/config.yaml"),
        account=Account(provider="gmail", address="beth.smith@gmail.com"),
        me=me,
        timezone="America/New_York",
        check_every=Duration(exact=timedelta(minutes=15), text="15m"),
        state_dir=Path("/nonexistent/state"),
        templates_dir=templates_dir,
        policy=Policy(
            thank_you_after=days(0), thank_you_window=days(3), default_decision=days(7),
            grace=Duration(business_days=1, text="1 business day"), followup_spacing=days(7),
        ),
        interviews=(make_interview(),),
    )


def make_interview(**changes: object) -> Interview:
    values = dict(
        id="acme-account-executive", company="Acme Corp", position="Account Executive",
        when=INTERVIEW_TIME, decision="by the end of the month", deadline=date(2026, 11, 30),
        domains=("acme.com",), interviewers=(MARK, DANA),
        talking_points="I led the CRM migration that cut reporting time in half.",
    )
    return Interview(**{**values, **changes})


def make_action(kind: str = "thank_you", person: Interviewer = MARK, **changes: object) -> Action:
    values = dict(
        kind=kind, key=f"acme-account-executive/{kind}/{person.email}",
        interview_id="acme-account-executive", due=SAME_EVENING, recipient=person.email,
        recipient_name=person.name, interviewer=person,
    )
    return Action(**{**values, **changes})


def original_message(**changes: object) -> Message:
    values = dict(
        message_id="<invite-3@acme.com>", date=INTERVIEW_TIME - timedelta(days=5),
        sender="mark.jones@acme.com", sender_name="Mark Jones",
        subject="Account Executive interview",
        references=("<invite-1@acme.com>", "<invite-2@acme.com>"),
    )
    return Message(**{**values, **changes})


def draft(action: Action, now: datetime = SAME_EVENING, **interview_changes: object) -> DraftText:
    return render_draft(action, make_interview(**interview_changes), make_config(), now)


def draft_from(templates_dir: Path, kind: str = "thank_you", now: datetime = SAME_EVENING,
               **action_changes: object) -> DraftText:
    action = make_action(kind, **action_changes)
    return render_draft(action, make_interview(), make_config(templates_dir), now)


def parsed_bytes(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def parsed(message: EmailMessage) -> EmailMessage:
    return parsed_bytes(message.as_bytes())


def write_template(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


# --- the texts -----------------------------------------------------------------


def test_thank_you_names_the_position_recalls_the_notes_and_adds_the_talking_point():
    text = draft(make_action("thank_you"))
    assert text.subject == "Thank you — Account Executive interview"
    assert text.body == (
        "Dear Mark,\n\n"
        "Thank you for taking the time to meet with me today to discuss the Account Executive"
        " position at Acme Corp. I especially enjoyed our conversation about the Denver expansion"
        " and my pipeline reviews.\n\n"
        "One thing I didn't get to mention: I led the CRM migration that cut reporting time in"
        " half.\n\n"
        "Our conversation left me even more excited about the role and the chance to contribute to"
        " your team. If there's anything else I can provide, I'd be glad to send it.\n\n"
        + SIGNATURE_LINES
    )
    assert text.warnings == ()


def test_thank_you_without_notes_leaves_no_dangling_sentence():
    body = draft(make_action("thank_you", DANA)).body
    assert body.split("\n\n")[:2] == [
        "Dear Dana,",
        "Thank you for taking the time to meet with me today to discuss the Account Executive"
        " position at Acme Corp.",
    ]


def test_thank_you_without_talking_points_skips_that_paragraph():
    body = draft(make_action("thank_you"), talking_points="").body
    assert body.split("\n\n")[2:] == [
        "Our conversation left me even more excited about the role and the chance to contribute to"
        " your team. If there's anything else I can provide, I'd be glad to send it.",
        SIGNATURE_LINES,
    ]


def test_thank_you_stays_under_one_hundred_and_fifty_words():
    assert len(draft(make_action("thank_you")).body.split()) <= 150


def test_thank_you_written_the_next_day_says_yesterday():
    body = draft(make_action("thank_you"), now=SAME_EVENING + timedelta(days=1)).body
    assert "meet with me yesterday to discuss" in body


def test_signature_falls_back_to_the_name_when_none_is_configured():
    config = make_config(signature="")
    text = render_draft(make_action("thank_you"), make_interview(), config, SAME_EVENING)
    assert text.body.endswith("Best regards,\nBeth Smith\n")


def test_first_check_in_recalls_the_employers_timeframe():
    text = draft(make_action("check_in", DANA), now=CHECK_IN_TIME)
    assert text.subject == "Following up: Account Executive role"
    assert text.body.split("\n\n") == [
        "Dear Dana,",
        "I hope you're doing well. When we spoke on November 19, you mentioned you expected to"
        " decide on the Account Executive role by the end of the month, so I wanted to check in.",
        "I remain very interested in the position and in joining Acme Corp. If any further"
        " information would help, such as references or work samples, I'd be happy to send it.",
        "Thank you again for your time and consideration.",
        SIGNATURE_LINES,
    ]
    assert text.warnings == ()


def test_check_in_fits_a_whole_sentence_of_the_employers_words():
    body = draft(make_action("check_in"), now=CHECK_IN_TIME,
                 decision="We'll get back to you within two weeks.").body
    assert "you expected to decide on the Account Executive role within two weeks, so" in body


def test_check_in_without_a_stated_timeframe_recalls_the_interview_day():
    body = draft(make_action("check_in"), now=CHECK_IN_TIME, decision="").body
    assert body.split("\n\n")[1] == (
        "I hope you're doing well. I wanted to check in about the Account Executive role we"
        " discussed on November 19."
    )


def test_check_in_warns_when_the_employers_words_do_not_fit_a_sentence():
    text = draft(make_action("check_in"), now=CHECK_IN_TIME, decision="HR will be in touch")
    assert text.warnings == (
        'the employer\'s words "HR will be in touch" do not fit a sentence, so the check-in'
        " does not recall their timeframe",
    )

def test_second_check_in_does_not_warn_about_the_employers_words():
    text = draft(make_action("check_in", sequence=2), now=CHECK_IN_TIME, decision="HR will call")
    assert text.warnings == ()


def test_second_check_in_is_shorter_and_never_pushy():
    text = draft(make_action("check_in", sequence=2), now=CHECK_IN_TIME + timedelta(days=7))
    assert text.body.split("\n\n") == [
        "Dear Mark,",
        "I wanted to follow up briefly on my earlier note about the Account Executive role. I'm"
        " still very interested, and I'd be glad to provide anything that would help.",
        "Thank you for your time. I look forward to hearing from you whenever you have an update.",
        SIGNATURE_LINES,
    ]


def test_thanks_after_rejection_keeps_the_door_open():
    rejection = original_message(subject="Your application at Acme Corp")
    text = draft(make_action("thanks_after_rejection", reply_to=rejection), now=CHECK_IN_TIME)
    assert text.subject == "Re: Your application at Acme Corp"
    assert text.body.split("\n\n")[1:3] == [
        "Thank you for letting me know, and for the time you spent with me during the interview"
        " process for the Account Executive role. While I'm disappointed, I enjoyed learning"
        " about Acme Corp and getting to know the team.",
        "I'd welcome the chance to be considered for future openings that fit my background. If"
        " you come across a role elsewhere that you think would suit me, I'd be grateful for an"
        " introduction.",
    ]


def test_call_reminder_gives_whom_to_call_the_number_and_what_they_said():
    text = draft(make_action("call_reminder"), now=CHECK_IN_TIME + timedelta(days=14))
    assert text.subject == "Call Mark Jones about the Account Executive role"
    assert text.body.split("\n\n")[1] == (
        "Call: Mark Jones, +1 555 0101\n"
        "Interviewed: Thursday, November 19\n"
        'What they said about timing: "by the end of the month"'
    )


def test_call_reminder_voicemail_script_fits_in_thirty_seconds():
    script = draft(make_action("call_reminder"), now=CHECK_IN_TIME).body.split("\n\n")[-1]
    assert script == (
        "Hi Mark, this is Beth Smith. We met on Thursday, November 19, to talk about the Account"
        " Executive role. I'm calling to follow up and to say I'm still very interested. You can"
        " reach me at +1 555 0100. Again, that's +1 555 0100. Thank you, and I hope to speak with"
        " you soon.\n"
    )
    assert len(script.split()) <= 75  # 30 seconds at a calm 150 words a minute


@pytest.mark.parametrize("kind, sequence", [
    ("thank_you", 1), ("check_in", 1), ("check_in", 2), ("call_reminder", 1),
    ("thanks_after_rejection", 1),
])
@pytest.mark.parametrize("person", [MARK, DANA])
def test_default_templates_have_no_spelling_warnings(kind, sequence, person):
    action = make_action(kind, person, sequence=sequence)
    assert draft(action, now=CHECK_IN_TIME).warnings == ()


# --- phrasing ------------------------------------------------------------------


@pytest.mark.parametrize("now, expected", [
    (SAME_EVENING, "today"),
    (datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc), "today"),  # still the 19th in New York
    (SAME_EVENING + timedelta(days=1), "yesterday"),
    (SAME_EVENING + timedelta(days=4), "on Thursday"),
    (CHECK_IN_TIME, "on November 19"),
    (datetime(2027, 7, 1, tzinfo=NEW_YORK), "on November 19, 2026"),
])
def test_when_text_names_the_interview_day_as_seen_from_now(now, expected):
    assert when_text(INTERVIEW_TIME, now) == expected


@pytest.mark.parametrize("words, expected", [
    ("by the end of the month", "by the end of the month"),
    ("By the end of the month.", "by the end of the month"),
    ("We'll get back to you by the end of the month, hopefully sooner", "by the end of the month"),
    ("two weeks", "within two weeks"),
    ("end of month", "by the end of the month"),
    ("EOW", "by the end of the week"),
    ("Friday", "by Friday"),
    ("mid-December", "in mid-December"),
    ("early next week", "early next week"),
    ("Decision in about 10 days. HR will call.", "in about 10 days"),
    ("HR will be in touch", ""),
    ("", ""),
])
def test_decision_text_fits_the_employers_words_after_decide(words, expected):
    assert decision_text(words) == expected


@pytest.mark.parametrize("name, expected", [
    ("Mark Jones", "Mark"), ("Dr. Ana Ruiz, PhD", "Ana"), ("", ""),
])
def test_first_name_skips_titles_and_credentials(name, expected):
    assert first_name(name) == expected


# --- subjects and threading ----------------------------------------------------


@pytest.mark.parametrize("original", [
    "Account Executive interview",
    "Re: Account Executive interview",
    "RE: Re: Account Executive interview",
    "Aw: Sv: Account Executive interview",
    "Re[2]: Account Executive interview",
])
def test_threaded_draft_replies_with_a_single_re_prefix(original):
    action = make_action("check_in", reply_to=original_message(subject=original))
    assert draft(action, now=CHECK_IN_TIME).subject == "Re: Account Executive interview"


def test_threaded_draft_carries_in_reply_to_and_the_references_chain():
    action = make_action("check_in", reply_to=original_message())
    message = build_message(action, draft(action, now=CHECK_IN_TIME), make_config(), CHECK_IN_TIME)
    assert message["In-Reply-To"] == "<invite-3@acme.com>"
    assert message["References"] == "<invite-1@acme.com> <invite-2@acme.com> <invite-3@acme.com>"


def test_references_start_from_in_reply_to_when_the_original_has_no_references():
    original = original_message(references=(), in_reply_to="<invite-2@acme.com>")
    action = make_action("check_in", reply_to=original)
    message = build_message(action, draft(action), make_config(), CHECK_IN_TIME)
    assert message["References"] == "<invite-2@acme.com> <invite-3@acme.com>"


def test_long_reference_chains_keep_the_first_and_the_last_ten():
    chain = tuple(f"<r{number}@acme.com>" for number in range(1, 16))
    action = make_action("check_in", reply_to=original_message(references=chain))
    message = build_message(action, draft(action), make_config(), CHECK_IN_TIME)
    expected = ["<r1@acme.com>", *chain[6:], "<invite-3@acme.com>"]
    assert message["References"].split() == expected


def test_long_message_ids_are_never_encoded_as_words():
    long_id = "<CAKx" + "7" * 90 + "@mail.gmail.com>"
    original = original_message(message_id=long_id, references=(long_id,))
    action = make_action("check_in", reply_to=original)
    raw = build_message(action, draft(action), make_config(), CHECK_IN_TIME).as_bytes()
    assert f"\r\nIn-Reply-To: {long_id}\r\nReferences: {long_id}\r\n".encode() in raw


def test_unthreaded_draft_has_no_threading_headers():
    action = make_action("thank_you")
    message = build_message(action, draft(action), make_config(), SAME_EVENING)
    assert (message["In-Reply-To"], message["References"]) == (None, None)


def test_call_reminder_is_addressed_to_the_user_and_never_threaded():
    action = make_action("call_reminder", reply_to=original_message())
    text = draft(action, now=CHECK_IN_TIME)
    message = build_message(action, text, make_config(), CHECK_IN_TIME)
    assert (message["From"], message["To"]) == ("Beth Smith <beth.smith@gmail.com>",) * 2
    assert text.subject == "Call Mark Jones about the Account Executive role"
    assert message["In-Reply-To"] is None


# --- the message ---------------------------------------------------------------


def test_message_has_every_header_the_mailbox_and_the_ledger_rely_on():
    action = make_action("thank_you")
    message = build_message(action, draft(action), make_config(), SAME_EVENING,
                            message_id="<d1@gmail.com>")
    headers = {name: str(value) for name, value in message.items()}
    assert headers == {
        "From": "Beth Smith <beth.smith@gmail.com>",
        "To": "Mark Jones <mark.jones@acme.com>",
        "Subject": "Thank you — Account Executive interview",
        "Date": "Thu, 19 Nov 2026 17:30:00 -0500",
        "Message-ID": "<d1@gmail.com>",
        "X-Followupd-Key": "acme-account-executive/thank_you/mark.jones@acme.com",
        "X-Followupd-Kind": "thank_you",
        "Content-Type": 'text/plain; charset="utf-8"',
        "Content-Transfer-Encoding": "quoted-printable",
        "MIME-Version": "1.0",
    }


def test_fresh_message_ids_are_unique_and_use_the_accounts_domain():
    action = make_action("thank_you")
    messages = [build_message(action, draft(action), make_config(), SAME_EVENING) for _ in range(2)]
    ids = [message["Message-ID"] for message in messages]
    assert all(re.fullmatch(r"<[^<>@\s]+@gmail\.com>", value) for value in ids)
    assert ids[0] != ids[1]


def test_a_malformed_message_id_is_refused():
    action = make_action("thank_you")
    with pytest.raises(ValueError, match="not a Message-ID"):
        build_message(action, draft(action), make_config(), SAME_EVENING,
                      message_id="<a b>\r\nBcc: x@y.z")


def test_non_ascii_names_are_encoded_and_read_back_unchanged():
    person = Interviewer(name="Jürgen Müller", email="jm@mueller.de", notes="Talked about Köln")
    action = make_action("thank_you", person)
    config = make_config(name="Zoë Ångström", signature="")
    text = render_draft(action, make_interview(company="Müller GmbH"), config, SAME_EVENING)
    raw = build_message(action, text, config, SAME_EVENING).as_bytes()
    back = parsed_bytes(raw)
    assert raw.isascii()
    assert back["From"].addresses[0].display_name == "Zoë Ångström"
    assert back["To"].addresses[0].display_name == "Jürgen Müller"
    assert back["Subject"] == text.subject
    assert message_body_text(back) == text.body
    assert "the Account Executive position at Müller GmbH. I especially enjoyed our conversation"\
        " about Köln." in text.body


def test_line_breaks_in_names_and_subjects_cannot_add_headers():
    original = original_message(subject="Interview\r\nBcc: spy@evil.example",
                                references=("<ok@acme.com>", "<x@y>\r\nBcc: spy@evil.example"))
    action = make_action("check_in", recipient_name="Mark\r\nBcc: spy@evil.example",
                         reply_to=original)
    back = parsed(build_message(action, draft(action), make_config(), CHECK_IN_TIME))
    assert back["Bcc"] is None
    assert str(back["To"]) == '"Mark Bcc: spy@evil.example" <mark.jones@acme.com>'
    assert back["Subject"] == "Re: Interview Bcc: spy@evil.example"
    assert back["References"] == "<ok@acme.com> <invite-3@acme.com>"


def test_paragraphs_stay_whole_while_wire_lines_stay_short():
    action = make_action("thank_you")
    text = draft(action)
    raw = build_message(action, text, make_config(), SAME_EVENING).as_bytes()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    assert max(len(line) for line in message_body_text(parsed_bytes(raw)).split("\n")) > 78


# --- body hashes ---------------------------------------------------------------


def test_body_hash_is_the_sha256_of_the_normalized_body():
    assert body_hash("Dear Mark,\nThanks.\n") == hashlib.sha256(b"Dear Mark,\nThanks.").hexdigest()


def test_body_hash_ignores_line_endings_and_trailing_whitespace():
    assert body_hash("Dear Mark,  \r\nThanks.\r\n\r\n") == body_hash("Dear Mark,\nThanks.\n")


def test_body_hash_changes_when_the_user_edits_the_draft():
    assert body_hash("Dear Mark,\nThanks.\n") != body_hash("Dear Mark,\nThank you.\n")


def test_body_hash_survives_a_round_trip_through_the_server():
    action = make_action("check_in", reply_to=original_message())
    text = draft(action, now=CHECK_IN_TIME)
    raw = build_message(action, text, make_config(), CHECK_IN_TIME).as_bytes()
    assert body_hash(message_body_text(parsed_bytes(raw))) == body_hash(text.body)


def test_message_body_text_takes_the_plain_part_of_an_edited_draft():
    edited = EmailMessage()
    edited.set_content("Dear Mark,\nThanks again.\n")
    edited.add_alternative("<p>Dear Mark,<br>Thanks again.</p>", subtype="html")
    assert message_body_text(parsed_bytes(edited.as_bytes())) == "Dear Mark,\nThanks again.\n"


def test_message_body_text_is_empty_without_a_plain_part():
    html_only = EmailMessage()
    html_only.set_content("<p>Hello</p>", subtype="html")
    assert message_body_text(html_only) == ""


# --- user templates and their errors ---------------------------------------------


def test_user_template_overrides_the_default_by_file_name(tmp_path):
    write_template(tmp_path, "thank_you.j2",
                   "Subject: Thanks, {{ first_name }}\n\nShort and sweet.\n\n{{ me.name }}\n")
    text = draft_from(tmp_path)
    assert (text.subject, text.body) == ("Thanks, Mark", "Short and sweet.\n\nBeth Smith\n")


def test_user_template_gets_the_reply_subject_for_free(tmp_path):
    write_template(tmp_path, "check_in.j2", "Subject: Anything\n\nHello.\n")
    original = original_message(subject="RE: Account Executive interview")
    text = draft_from(tmp_path, "check_in", CHECK_IN_TIME, reply_to=original)
    assert text.subject == "Re: Account Executive interview"


def test_misspelling_in_a_user_template_yields_exactly_one_warning(tmp_path):
    write_template(tmp_path, "thank_you.j2",
                   "Subject: Thanks\n\nI hope to recieve good news.\n\n{{ me.name }}\n")
    text = draft_from(tmp_path)
    assert text.warnings == ('possible misspelling "recieve" (did you mean "receive"?)',)


def test_misspelled_attribute_error_names_the_file_and_line(tmp_path):
    lines = ["Subject: Following up", "", "Dear {{ first_name }},", "", "Hello.", "",
             "We spoke about the {{ interview.positon }} role."]
    path = write_template(tmp_path, "check_in.j2", "\n".join(lines) + "\n")
    with pytest.raises(TemplateError) as raised:
        draft_from(tmp_path, "check_in", CHECK_IN_TIME)
    assert str(raised.value) == (
        f"{path}:7: 'interview' has no attribute 'positon' (did you mean 'position'?)"
    )
    assert raised.value.exit_code == 2


def test_undefined_variable_error_names_the_file_and_line(tmp_path):
    path = write_template(tmp_path, "thank_you.j2",
                          "Subject: Thanks\n\nDear {{ interviewr.name }},\n")
    with pytest.raises(TemplateError, match=re.escape(f"{path}:3: 'interviewr' is undefined")):
        draft_from(tmp_path)


def test_syntax_error_names_the_file_and_line(tmp_path):
    path = write_template(tmp_path, "thank_you.j2", "Subject: Thanks\n\n{{ me.name }\n")
    with pytest.raises(TemplateError) as raised:
        draft_from(tmp_path)
    assert str(raised.value) == f"{path}:3: unexpected '}}'"


def test_template_without_a_subject_line_is_refused(tmp_path):
    path = write_template(tmp_path, "thank_you.j2", "Dear {{ first_name }},\n\nThanks.\n")
    with pytest.raises(TemplateError) as raised:
        draft_from(tmp_path)
    assert str(raised.value) == (
        f"{path}:1: the first line must be 'Subject: …' with the subject after the colon"
    )


def test_subject_line_must_be_followed_by_a_blank_line(tmp_path):
    path = write_template(tmp_path, "thank_you.j2", "Subject: Thanks\nDear {{ first_name }},\n")
    with pytest.raises(TemplateError) as raised:
        draft_from(tmp_path)
    assert str(raised.value) == f"{path}:2: a blank line must follow the Subject line"


def test_check_templates_finds_nothing_wrong_with_the_defaults():
    assert check_templates(make_config()) == []


def test_check_templates_reports_each_broken_template_once(tmp_path):
    path = write_template(tmp_path, "check_in_again.j2", "Subject: Again\n\n{{ me.nmae }}\n")
    assert check_templates(make_config(tmp_path)) == [
        f"{path}:3: 'me' has no attribute 'nmae' (did you mean 'name'?)"
    ]


def test_a_missing_include_names_the_including_file_and_line(tmp_path):
    path = write_template(tmp_path, "thank_you.j2", "Subject: Thanks\n\n{% include 'intro.j2' %}\n")
    with pytest.raises(TemplateError) as raised:
        draft_from(tmp_path)
    assert str(raised.value) == f"{path}:3: no template named 'intro.j2'"


# --- spelling --------------------------------------------------------------------


def test_spelling_skips_names_addresses_links_numbers_contractions_and_proper_nouns():
    text = ("Dear Zbigniew,\n\nWe met at Qwzx Labs. Write to bzzt@qwzx.example or see"
            " https://qwzx.example/jobz. I'd like 3 of the 2nd-floor desks.\n")
    assert spelling_warnings(text, ["Zbigniew"]) == ()


def test_spelling_checks_a_capitalized_word_that_starts_a_sentence():
    assert spelling_warnings("Great call. Teh team was great.", []) == (
        'possible misspelling "Teh" (did you mean "the"?)',
    )


def test_spelling_trusts_the_users_own_words():
    assert spelling_warnings("We discussed the flurbulator.", ["flurbulator"]) == ()
    assert spelling_warnings("We discussed the flurbulator.", []) == (
        'possible misspelling "flurbulator"',
    )



@pytest.mark.parametrize(
    ("notes", "expected"),
    [
        ("We compared notes on forecasting with messy CRM data.", "forecasting with messy CRM data"),
        ("She asked how I would rebuild the partner channel.", "how I would rebuild the partner channel"),
        ("Talked about the Denver expansion.", "the Denver expansion"),
        ("the Denver expansion", "the Denver expansion"),
    ],
)
def test_notes_jotted_as_a_sentence_fit_after_our_conversation_about(notes, expected):
    from followupd.drafts.render import phrase

    assert phrase(notes) == expected
