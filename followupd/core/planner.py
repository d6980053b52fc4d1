"""Config + mailbox facts + now → the drafts due, and when to wake up next (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterator
from zoneinfo import ZoneInfo

from followupd.core.conversation import Correspondence, correspondence
from followupd.core.timeframes import BusinessCalendar
from followupd.model import (
    Action,
    Config,
    DraftRecord,
    Duration,
    Interviewer,
    InterviewState,
    Message,
    Plan,
)

# Check-ins land at the start of a working day, when a recruiter reads mail.
WORKDAY_START = time(9, 0)
# Senders that nobody reads: a thank-you goes to the interviewer instead.
NO_REPLY = re.compile(r"(no|do[-_.]?not)[-_.]?reply|mailer-daemon|notifications?$|bounces?$")
# Kinds that chase an answer; a reply makes them pointless.
CHASING_KINDS = ("check_in", "call_reminder")


@dataclass(frozen=True)
class Facts:
    """Everything the planner knows of the world besides the config and the clock."""

    messages: tuple[Message, ...] = ()
    drafts: tuple[DraftRecord, ...] = ()


@dataclass(frozen=True)
class Clock:
    """Calendar arithmetic in the user's time zone."""

    zone: ZoneInfo
    calendar: BusinessCalendar

    def at_start_of_workday(self, day: date) -> datetime:
        return datetime.combine(day, WORKDAY_START, tzinfo=self.zone)

    def after(self, moment: datetime, duration: Duration) -> datetime:
        """A duration later: exact spans in real time, business days at 09:00 local."""
        if duration.exact is not None:
            # Real elapsed time, so a DST change does not stretch "2h" to 3.
            utc = moment.astimezone(timezone.utc) + duration.exact
            return utc.astimezone(self.zone)
        local_day = moment.astimezone(self.zone).date()
        day = self.calendar.add_business_days(local_day, duration.business_days or 0)
        return self.at_start_of_workday(day)

    def workday_after(self, moment: datetime, duration: Duration) -> datetime:
        """When a check-in or call is due: spans of a day or more land at 09:00 on a business day.

        Shorter exact spans stay exact, for people (and tests) who want them.
        """
        if duration.exact is None or duration.exact < timedelta(days=1):
            return self.after(moment, duration)
        local_day = moment.astimezone(self.zone).date() + timedelta(days=duration.exact.days)
        return self.at_start_of_workday(self.calendar.add_business_days(local_day, 0))

    def after_deadline(self, deadline: date, grace: Duration) -> datetime:
        """The first check-in's moment: the grace period after the deadline day ends."""
        if grace.exact is not None:
            end_of_deadline = datetime.combine(deadline + timedelta(days=1), time(0), self.zone)
            return self.workday_after(end_of_deadline, grace)
        if not grace.business_days:
            return self.at_start_of_workday(self.calendar.add_business_days(deadline, 1))
        return self.at_start_of_workday(self.calendar.add_business_days(deadline, grace.business_days))

    def end_of(self, day: date) -> datetime:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.zone)


def plan(config: Config, facts: Facts, now: datetime) -> Plan:
    """The actions due now, the ones coming, and the next moment worth waking for."""
    clock = Clock(ZoneInfo(config.timezone), BusinessCalendar(config.policy.holidays))
    own = config.account.own_addresses
    states, due, upcoming, obsolete = [], [], [], []
    for interview in config.interviews:
        thank_you_until = clock.after(interview.when, config.policy.thank_you_window)
        talk = correspondence(interview, facts.messages, facts.drafts, own, thank_you_until)
        actions, note = interview_actions(config, talk, facts.drafts, clock)
        actions = [a for a in actions if a.expires is None or now < a.expires]
        now_due = [a for a in actions if a.due <= now]
        later = [a for a in actions if a.due > now]
        due += now_due
        upcoming += later
        obsolete += obsolete_drafts(talk, facts.drafts)
        next_action = min(actions, key=lambda a: a.due, default=None)
        states.append(interview_state(talk, clock, now, next_action, note))
    upcoming.sort(key=lambda a: a.due)
    return Plan(
        due=tuple(unique_thanks(sorted(due, key=lambda a: a.due), facts.drafts)),
        upcoming=tuple(upcoming),
        next_due=upcoming[0].due if upcoming else None,
        interviews=tuple(states),
        obsolete=tuple(obsolete),
    )


def interview_actions(
    config: Config, talk: Correspondence, drafts: tuple[DraftRecord, ...], clock: Clock
) -> tuple[list[Action], str]:
    """Every action this interview still calls for, due or not, and a note on why not more."""
    if talk.interview.status != "active":
        return [], f"status is {talk.interview.status}"
    ledger = {d.key: d for d in drafts if d.interview_id == talk.interview.id}
    actions = list(thank_yous(config, talk, clock))
    if talk.rejection is not None:
        actions += thanks_after_rejection(config, talk)
        return [a for a in actions if a.key not in ledger], "they declined"
    if talk.heard_back:
        return [a for a in actions if a.key not in ledger], "they replied"
    chase, note = next_chase(config, talk, ledger, clock)
    actions += chase
    return [a for a in actions if a.key not in ledger], note


def thank_yous(config: Config, talk: Correspondence, clock: Clock) -> Iterator[Action]:
    """One thank-you per interviewer, unless it is too late or the user already wrote."""
    interview, policy = talk.interview, config.policy
    if talk.heard_back:
        return  # the conversation has moved on; a late thank-you would read oddly
    too_late = clock.after(interview.when, policy.thank_you_window)
    due = clock.after(interview.when, policy.thank_you_after)
    if due >= too_late:
        return
    for person in interview.interviewers:
        if not person.email or talk.wrote_to_since(person.email, interview.when):
            continue
        yield Action(
            kind="thank_you",
            key=f"{interview.id}/thank_you/{person.email.lower()}",
            interview_id=interview.id,
            due=due,
            recipient=person.email,
            recipient_name=person.name,
            interviewer=person,
            expires=too_late,
        )


def next_chase(
    config: Config, talk: Correspondence, ledger: dict[str, DraftRecord], clock: Clock
) -> tuple[list[Action], str]:
    """The next check-in or call reminder, if the sequence has not run its course."""
    interview, policy = talk.interview, config.policy
    contact = next((p for p in interview.interviewers if p.email), None)
    if contact is None:
        return [], "no interviewer has an email address"
    for number in range(1, policy.max_followups + 1):
        key = f"{interview.id}/check_in/{number}"
        record = ledger.get(key)
        if record is None:
            due = check_in_due(config, talk, clock, number)
            return [chase_action(talk, contact, "check_in", key, due, number)], ""
        if record.state != "sent":
            return [], waiting_note(number, record.state)
    if policy.call_reminder and contact.phone and policy.max_followups:
        key = f"{interview.id}/call_reminder"
        if key not in ledger:
            due = clock.workday_after(talk.last_from_me or interview.when, policy.followup_spacing)
            return [chase_action(talk, contact, "call_reminder", key, due, 0, config)], ""
    return [], "the follow-up sequence is complete"


def check_in_due(config: Config, talk: Correspondence, clock: Clock, number: int) -> datetime:
    """The first after the deadline and grace; each later one a spacing after the user last wrote."""
    policy = config.policy
    due = clock.after_deadline(talk.interview.deadline, policy.grace)
    if talk.last_from_me is not None:
        # Anything the user wrote to the company resets the wait, as a sent check-in does.
        due = max(due, clock.workday_after(talk.last_from_me, policy.followup_spacing))
    return due


def chase_action(talk, contact, kind, key, due, number, config=None) -> Action:
    """A check-in to the first interviewer, or a call reminder to the user themselves."""
    if kind == "call_reminder":
        recipient, name = config.account.address, config.me.name
        thread = None
    else:
        recipient, name = contact.email, contact.name
        thread = talk.latest_with(contact.email)
    return Action(
        kind=kind,
        key=key,
        interview_id=talk.interview.id,
        due=due,
        recipient=recipient,
        recipient_name=name,
        interviewer=contact,
        sequence=number,
        reply_to=thread,
    )


def waiting_note(number: int, state: str) -> str:
    if state == "created":
        return f"check-in {number} is waiting in Drafts for you to send"
    if state == "dismissed":
        return f"you deleted check-in {number}; no further check-ins"
    return f"check-in {number} was {state}"


def thanks_after_rejection(config: Config, talk: Correspondence) -> list[Action]:
    """One gracious reply in the rejection's thread, unless the user already answered it."""
    rejection = talk.rejection
    if not config.policy.thanks_after_rejection or rejection is None:
        return []
    recipient = rejection_recipient(rejection, talk.interview)
    if recipient is None or talk.wrote_to_since(recipient[0], rejection.date):
        return []
    address, name, person = recipient
    return [
        Action(
            kind="thanks_after_rejection",
            key=f"{talk.interview.id}/thanks_after_rejection",
            interview_id=talk.interview.id,
            due=rejection.date,
            recipient=address,
            recipient_name=name,
            interviewer=person,
            reply_to=rejection,
        )
    ]


def rejection_recipient(rejection: Message, interview) -> tuple[str, str, Interviewer | None] | None:
    """Who to thank: the Reply-To or sender, unless that is a no-reply robot, then the interviewer."""
    address = (rejection.headers.get("reply-to") or rejection.sender).lower()
    people = {(p.email or "").lower(): p for p in interview.interviewers if p.email}
    if not NO_REPLY.match(address.partition("@")[0]):
        person = people.get(address)
        return address, rejection.sender_name or (person.name if person else ""), person
    contact = next(iter(people.values()), None)
    if contact is None:
        return None  # nobody to thank but a robot
    return contact.email, contact.name, contact


def unique_thanks(actions: list[Action], drafts: tuple[DraftRecord, ...]) -> list[Action]:
    """One thank-you per rejection message, even when two interviews share a company."""
    answered = {d.in_reply_to for d in drafts if d.kind == "thanks_after_rejection" and d.in_reply_to}
    kept = []
    for action in actions:
        if action.kind == "thanks_after_rejection":
            parent = action.reply_to.message_id if action.reply_to else ""
            if parent and parent in answered:
                continue
            answered.add(parent)
        kept.append(action)
    return kept


def obsolete_drafts(talk: Correspondence, drafts: tuple[DraftRecord, ...]) -> list[DraftRecord]:
    """Unsent chasing drafts of an interview they have answered.

    Not only replies dated after the draft: mail can arrive late, or be dated
    by a clock that runs behind, and a check-in after an answer is never right.
    """
    if not talk.heard_back:
        return []
    return [
        d
        for d in drafts
        if d.interview_id == talk.interview.id and d.state == "created" and d.kind in CHASING_KINDS
    ]


def interview_state(
    talk: Correspondence, clock: Clock, now: datetime, next_action: Action | None, note: str
) -> InterviewState:
    """The one-line story of an interview: where it stands and what comes next."""
    return InterviewState(
        interview=talk.interview,
        stage=stage(talk, clock, now),
        last_from_them=talk.last_from_them,
        last_from_me=talk.last_from_me,
        next_action=next_action,
        note=note,
    )


def stage(talk: Correspondence, clock: Clock, now: datetime) -> str:
    interview = talk.interview
    if interview.status == "rejected" or talk.rejection is not None:
        return "rejected"
    if interview.status != "active":
        return "closed"
    if talk.heard_back:
        return "heard_back"
    if now < interview.when:
        return "upcoming"
    if now < clock.end_of(interview.deadline):
        return "waiting"
    return "overdue"


def timeline(config: Config, facts: Facts, now: datetime, rounds: int = 8) -> tuple[Action, ...]:
    """Every action to come, if each check-in is sent the moment it is due and nobody answers.

    The plan itself only knows the next chase per interview, because the one
    after depends on when the user sends it; this projects the rest for `plan`.
    """
    first = plan(config, facts, now)
    actions = [*first.due, *first.upcoming]
    seen = {action.key for action in actions}
    pending = [a for a in actions if a.kind in CHASING_KINDS]
    drafts = facts.drafts
    for _ in range(rounds):
        if not pending:
            break
        drafts += tuple(assumed_sent(action) for action in pending)
        later = plan(config, Facts(messages=facts.messages, drafts=drafts), max(a.due for a in pending))
        pending = [
            a for a in (*later.due, *later.upcoming) if a.key not in seen and a.kind in CHASING_KINDS
        ]
        seen |= {action.key for action in pending}
        actions += pending
    return tuple(sorted(actions, key=lambda a: a.due))


def assumed_sent(action: Action) -> DraftRecord:
    """A ledger row as if the user sent this draft when it was due."""
    return DraftRecord(
        key=action.key,
        interview_id=action.interview_id,
        kind=action.kind,
        recipient=action.recipient,
        message_id="",
        folder="",
        state="sent",
        created_at=action.due,
        updated_at=action.due,
    )
