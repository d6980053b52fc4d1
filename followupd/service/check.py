"""`followupd check`: open the mailbox, run one cycle, say what happened."""

from __future__ import annotations

from datetime import datetime
from typing import Mapping
from zoneinfo import ZoneInfo

from followupd.core.report import action_phrase, kind_name
from followupd.errors import FollowupdError
from followupd.model import Config
from followupd.service.cycle import CycleReport, run_cycle
from followupd.state.lock import error_text, holding
from followupd.state.store import Store


def check(config: Config, environ: Mapping[str, str], now: datetime, dry_run: bool) -> CycleReport:
    """One full pass against the configured mailbox, recorded in the state directory.

    A real check holds the state directory's lock, as the daemon does, so two
    processes never settle the same ledger at once. A dry run writes nothing: it
    takes no lock and plans from an in-memory copy of the ledger.
    """
    if dry_run:
        with Store.snapshot(config.state_dir) as store:
            return checked(config, store, environ, now, dry_run=True)
    with holding(config.state_dir, "check", now), Store.open(config.state_dir) as store:
        return checked(config, store, environ, now, dry_run=False)


def checked(config: Config, store: Store, environ: Mapping[str, str], now: datetime, dry_run: bool) -> CycleReport:
    """Open the mailbox, run the cycle, record its outcome unless this is a dry run."""
    from followupd.auth.secrets import password_for
    from followupd.mailbox import open_mailbox

    try:
        mailbox = open_mailbox(config.account, lambda: password_for(config.account, environ))
        try:
            report = run_cycle(config, store, mailbox, now, dry_run=dry_run)
        finally:
            mailbox.close()
    except FollowupdError as error:
        if not dry_run:
            store.record_cycle(now, now, False, error_text(error), "")
        raise
    except Exception as error:  # the CLI prints it; the ledger keeps a trace of the failure
        if not dry_run:
            store.record_cycle(now, now, False, f"unexpected: {error!r}", "")
        raise
    if not dry_run:
        store.record_cycle(now, now, True, None, report.summary())
    return report


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
