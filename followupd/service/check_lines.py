"""What `followupd check` prints: one line per thing done, and a dry run's drafts in full."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from followupd.core.report import action_phrase, kind_name
from followupd.model import Config
from followupd.service.cycle import CycleReport


def report_lines(config: Config, report: CycleReport, dry_run: bool) -> list[str]:
    """One line per thing done, as the user reads it."""
    interviews = {i.id: i for i in config.interviews}
    verb = "would draft" if dry_run else "drafted"
    lines = []
    for record in report.became_sent:
        lines.append(f"you sent {kind_name(record.kind)} to {record.recipient}")
    for record in report.became_dismissed:
        lines.append(
            f"you deleted the {kind_name(record.kind)} draft to {record.recipient};"
            " it will not be made again"
        )
    for record in report.retracted:
        removed = "would remove" if dry_run else "removed"
        lines.append(f"{removed} the unsent {kind_name(record.kind)} to {record.recipient}: they replied")
    for record in report.kept_edited:
        lines.append(
            f"they replied; your edited {kind_name(record.kind)} draft to {record.recipient}"
            " is left for you"
        )
    for action, _ in report.drafted:
        interview = interviews[action.interview_id]
        lines.append(f"{verb} {action_phrase(action)} ({interview.company}, {interview.position})")
    lines += [f"warning: {warning}" for warning in report.warnings]
    if not lines:
        lines.append("nothing to draft")
    return lines


def dry_run_drafts(report: CycleReport) -> list[str]:
    """The full text of each draft a dry run would make."""
    blocks = []
    for action, text in report.drafted:
        blocks.append(f"--- To: {action.recipient_name} <{action.recipient}>\nSubject: {text.subject}\n\n{text.body}")
    return blocks


def next_wake_up(config: Config, report: CycleReport) -> str | None:
    due = report.plan.next_due if report.plan else None
    if due is None:
        return None
    local = due.astimezone(ZoneInfo(config.timezone))
    return f"next due: {local:%a} {local.day} {local:%b %H:%M}"
