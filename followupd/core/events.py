"""What is worth telling the user after a cycle, as plain values (pure).

An event names who and what — never a word of anyone's mail — and carries a key
that stays the same however often the same thing is seen, so it is told once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from followupd.core.report import action_phrase, kind_name
from followupd.model import Action, Config, DraftRecord, Plan

# Stages in which the last word came from the company.
ANSWERED_STAGES = ("heard_back", "rejected")
# A reply older than this is history, not news: a first run on an old config stays quiet.
NEWS_AGE = timedelta(days=3)


@dataclass(frozen=True)
class Event:
    """One thing to tell the user: a stable key, a kind, a title and a one-line message."""

    key: str
    kind: str  # draft_ready, call_due, retracted, replied, login_failing
    title: str
    message: str
    interview_id: str = ""


def cycle_events(
    config: Config, drafted: list[Action], retracted: list[DraftRecord], plan: Plan | None, now: datetime
) -> list[Event]:
    """Drafts made, drafts taken back, and companies that wrote, in that order."""
    companies = {interview.id: interview for interview in config.interviews}
    events = [drafted_event(action, companies[action.interview_id]) for action in drafted]
    for record in retracted:
        interview = companies.get(record.interview_id)
        where = f" ({interview.company})" if interview else ""
        events.append(Event(
            f"retracted/{record.key}", "retracted", "followupd: draft taken back",
            f"Removed the unsent {kind_name(record.kind)} to {record.recipient}{where}: they replied.",
            record.interview_id,
        ))
    for state in plan.interviews if plan else ():
        heard = state.last_from_them
        if state.stage in ANSWERED_STAGES and heard is not None and now - heard <= NEWS_AGE:
            events.append(replied_event(state.interview.id, state.interview.company,
                                        state.interview.position, heard))
    return events


def drafted_event(action: Action, interview) -> Event:
    """A draft waiting in Drafts; a call reminder is told as a call to make today."""
    where = f"{interview.company}, {interview.position}"
    if action.kind == "call_reminder":
        return Event(f"drafted/{action.key}", "call_due", "followupd: a call to make",
                     f"{action_phrase(action).capitalize()} is due today ({where}); the script is in Drafts.",
                     action.interview_id)
    return Event(f"drafted/{action.key}", "draft_ready", "followupd: a draft is ready",
                 f"The {action_phrase(action)} is waiting in Drafts ({where}).", action.interview_id)


def replied_event(interview_id: str, company: str, position: str, at: datetime) -> Event:
    return Event(f"replied/{interview_id}/{at.isoformat()}", "replied", f"followupd: {company} wrote",
                 f"{company} wrote about the {position} role; see your inbox.", interview_id)


def login_failing_event(account: str, failures: int, day: str) -> Event:
    """Told once a day while the mailbox keeps refusing or failing, never with the error's details."""
    return Event(f"login_failing/{account}/{day}", "login_failing", "followupd: cannot reach your mail",
                 f"{failures} attempts in a row to reach {account} failed; `followupd status` says why.")
