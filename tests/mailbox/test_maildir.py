"""Maildir-only behaviour: ids that survive renames, and a ctime watermark that misses no tie."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from followupd.mailbox.maildir import TIE_SLOTS, MailFile, changed_after, watermark_of

SINCE = datetime(2026, 3, 1, tzinfo=timezone.utc)
DELIVERED = datetime(2026, 3, 2, tzinfo=timezone.utc)
TICK = 1_772_409_600_000_000  # a ctime in microseconds


def mail_file(name: str, changed_us: int) -> MailFile:
    return MailFile(Path("new") / name, uid=0, changed_us=changed_us, modified=DELIVERED)


def first_scan(mailbox):
    return mailbox.scan("INBOX", SINCE, frozenset(), frozenset({"acme.example"}), None)


def test_a_message_keeps_its_uid_when_a_client_moves_it_to_cur_and_marks_it_read(
    maildir_user, message_bytes
):
    uid = maildir_user.deliver(message_bytes(subject="Interview"), when=DELIVERED)
    before = first_scan(maildir_user.open())
    path = maildir_user.files("INBOX")[uid]
    path.rename(maildir_user.root / "cur" / f"{path.name}:2,S")

    after = first_scan(maildir_user.open())

    assert [m.uid for m in before.messages] == [m.uid for m in after.messages] == [uid]


def test_a_file_changed_in_the_watermarks_microsecond_after_the_scan_is_returned_next_time():
    first = mail_file("first", TICK)
    mark = watermark_of([first], 0)
    late = mail_file("late", TICK)  # delivered after the scan, within the same clock tick

    assert mark == TICK * TIE_SLOTS + 1
    assert changed_after([first, late], mark) == [first, late]


def test_files_at_the_watermark_are_not_returned_again_while_no_file_joins_them():
    older, first, second = mail_file("older", TICK - 5), mail_file("a", TICK), mail_file("b", TICK)
    mark = watermark_of([older, first, second], 0)

    assert changed_after([older, first, second], mark) == []
    assert watermark_of([older, first, second], mark) == mark


def test_deleting_the_newest_file_does_not_move_the_watermark_back():
    older, newest = mail_file("older", TICK - 5), mail_file("newest", TICK)
    mark = watermark_of([older, newest], 0)

    assert watermark_of([older], mark) == mark
    assert changed_after([older], mark) == []
