"""Raw bytes to Message: odd encodings decode, unusable mail is skipped with one log line."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from followupd.mailbox.parse import BODY_LIMIT, header_value, parse_message

HEAD = b"From: Dana Lee <Dana@Acme.example>\nDate: Mon, 02 Mar 2026 10:00:00 +0100\n"
RECEIVED = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


def test_threading_headers_and_addresses_are_extracted_in_lower_case():
    raw = HEAD + (b"To: Alex <Alex@Candidate.example>, hr@acme.example\nCc: HR@acme.example\n"
                  b"Message-ID: <r1@acme.example>\nIn-Reply-To: <t1@candidate.example>\n"
                  b"References: <t0@candidate.example>\n <t1@candidate.example>\n"
                  b"Subject: Re: Next steps\n\nSee you.\n")

    message = parse_message(raw, folder="INBOX", uid=7)

    assert (message.sender, message.sender_name, message.recipients) == (
        "dana@acme.example", "Dana Lee", ("alex@candidate.example", "hr@acme.example"))
    assert (message.message_id, message.in_reply_to, message.references) == (
        "<r1@acme.example>", "<t1@candidate.example>",
        ("<t0@candidate.example>", "<t1@candidate.example>"))
    assert (message.date, message.folder, message.uid, message.body) == (
        datetime(2026, 3, 2, 10, tzinfo=timezone(timedelta(hours=1))), "INBOX", 7, "See you.\n")


def test_only_the_classification_headers_are_kept_decoded():
    raw = HEAD + (b"Auto-Submitted: auto-replied\nPrecedence: bulk\nX-Spam: yes\n"
                  b"List-Id: <jobs.acme.example>\nX-Followupd-Key: =?utf-8?q?k=C3=A9?=\n\nAway.\n")

    message = parse_message(raw)

    assert dict(message.headers) == {
        "auto-submitted": "auto-replied", "precedence": "bulk",
        "list-id": "<jobs.acme.example>", "x-followupd-key": "ké"}


def test_reply_to_keeps_only_its_first_address_in_lower_case():
    raw = HEAD + b'Reply-To: "Lee, Dana" <Dana.Lee@Home.example>, hr@acme.example\n\nHi\n'

    assert dict(parse_message(raw).headers) == {"reply-to": "dana.lee@home.example"}


def test_a_reply_to_without_an_address_is_not_kept():
    assert dict(parse_message(HEAD + b"Reply-To: undisclosed-recipients:;\n\nHi\n").headers) == {}


def test_a_header_value_is_read_from_a_bare_header_block_and_decoded():
    block = b"Message-ID: <d1@followupd.test>\r\nX-Followupd-Key: =?utf-8?q?k=C3=A9?=\r\n\r\n"

    assert (header_value(block, "X-Followupd-Key"), header_value(block, "Subject")) == ("ké", "")


def test_an_unknown_charset_in_an_encoded_word_still_yields_text():
    message = parse_message(HEAD + b"Subject: =?x-klingon?q?Caf=C3=A9?= chat\n\nHi\n")

    assert message.subject == "Café chat"


def test_undeclared_eight_bit_headers_decode_as_utf8_then_latin1():
    utf8 = parse_message(HEAD + "Subject: Grüße\n\nHi\n".encode("utf-8"))
    latin = parse_message(HEAD + "Subject: Grüße\n\nHi\n".encode("latin-1"))

    assert (utf8.subject, latin.subject) == ("Grüße", "Grüße")


def test_an_html_only_body_is_stripped_to_its_text():
    raw = HEAD + (b"Content-Type: text/html; charset=utf-8\n\n<html><head><style>p{}</style>"
                  b"</head><body><p>Thanks &amp; talk soon</p><p>Dana</p></body></html>\n")

    assert parse_message(raw).body == "Thanks & talk soon\nDana"


def test_the_plain_part_of_a_multipart_alternative_is_preferred():
    raw = HEAD + (b"MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=b\n\n"
                  b"--b\nContent-Type: text/html\n\n<p>html</p>\n"
                  b"--b\nContent-Type: text/plain; charset=iso-8859-1\n"
                  b"Content-Transfer-Encoding: quoted-printable\n\nGr=FC=DFe\n--b--\n")

    assert parse_message(raw).body == "Grüße"  # the newline before a boundary belongs to it


def test_the_body_is_cut_at_the_limit():
    message = parse_message(HEAD + b"\n" + b"x" * (BODY_LIMIT + 500))

    assert len(message.body) == BODY_LIMIT


def test_a_missing_date_falls_back_to_the_arrival_time_and_a_zone_less_date_is_utc():
    undated = parse_message(b"From: a@b.example\n\nHi\n", received=RECEIVED)
    zoneless = parse_message(b"From: a@b.example\nDate: Mon, 02 Mar 2026 10:00:00 -0000\n\nHi\n")

    utc_ten = datetime(2026, 3, 2, 10, tzinfo=timezone.utc)
    assert (undated.date, zoneless.date) == (RECEIVED, utc_ten)


def test_a_message_without_a_sender_address_is_none_with_one_log_line(caplog):
    caplog.set_level(logging.WARNING, logger="followupd.mailbox")

    message = parse_message(b"From: undisclosed\nDate: Mon, 02 Mar 2026 10:00:00 +0000\n\nx\n",
                            folder="INBOX", uid=3)

    assert message is None
    assert [r.getMessage() for r in caplog.records] == [
        "skipping malformed message in INBOX uid 3: no sender address in From"]


def test_a_message_without_any_date_is_none(caplog):
    assert parse_message(b"From: a@b.example\nDate: someday\n\nHi\n") is None
    assert [r.getMessage() for r in caplog.records] == [
        "skipping malformed message in message: no usable Date and no arrival time"]


def test_garbage_bytes_do_not_raise():
    assert parse_message(b"\x00\xff\xfe garbage without headers") is None
