"""What `followupd check` prints for a cycle's outcome."""

from __future__ import annotations

from followupd.model import Action
from followupd.service.check_lines import report_lines
from followupd.service.cycle import CycleReport
from tests.support.factories import MARK, config, local


def check_in() -> Action:
    return Action(kind="check_in", key="acme-account-executive/check_in/1",
                  interview_id="acme-account-executive", due=local("2026-12-01 09:00"),
                  recipient=MARK.email, recipient_name=MARK.name, interviewer=MARK)


def test_a_gmail_threading_warning_is_printed_after_the_draft_it_concerns():
    report = CycleReport(drafted=[(check_in(), None)],
                         warnings=["check-in #1 to Mark Jones: Gmail filed the draft in another conversation"])
    assert report_lines(config(), report, dry_run=False) == [
        "drafted check-in #1 to Mark Jones (Acme Corp, Account Executive)",
        "warning: check-in #1 to Mark Jones: Gmail filed the draft in another conversation",
    ]
    assert report.summary() == (
        "1 drafted, 0 retracted, 0 new messages; "
        "check-in #1 to Mark Jones: Gmail filed the draft in another conversation"
    )


def test_a_quiet_cycle_says_nothing_to_draft():
    assert report_lines(config(), CycleReport(), dry_run=True) == ["nothing to draft"]
