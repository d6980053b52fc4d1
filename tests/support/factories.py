"""Plain-value builders for tests: a realistic config and messages, no files."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

from followupd.model import (
    Account,
    Config,
    DraftRecord,
    Duration,
    Interview,
    Interviewer,
    Me,
    Message,
    Policy,
)

NEW_YORK = ZoneInfo("America/New_York")


def local(text: str) -> datetime:
    """'2026-11-19 14:00' in New York."""
    return datetime.fromisoformat(text).replace(tzinfo=NEW_YORK)


def hours(count: float) -> Duration:
    return Duration(exact=timedelta(hours=count), text=f"{count}h")


def days(count: int) -> Duration:
    return Duration(exact=timedelta(days=count), text=f"{count}d")


def business_days(count: int) -> Duration:
    return Duration(business_days=count, text=f"{count} business days")


MARK = Interviewer(
    name="Mark Jones",
    email="mark.jones@acme.com",
    phone="+1 555 0101",
    notes="Talked about the Denver expansion and my pipeline reviews.",
)
DANA = Interviewer(name="Dana Wu", email="dana.wu@acme.com")


def policy(**overrides) -> Policy:
    values = dict(
        thank_you_after=hours(2),
        thank_you_window=days(3),
        default_decision=business_days(5),
        grace=business_days(1),
        followup_spacing=business_days(5),
        max_followups=2,
        call_reminder=True,
        thanks_after_rejection=True,
        holidays=None,
    )
    values.update(overrides)
    return Policy(**values)


def interview(**overrides) -> Interview:
    values = dict(
        id="acme-account-executive",
        company="Acme Corp",
        position="Account Executive",
        when=local("2026-11-19 14:00"),
        decision="by the end of the month",
        deadline=date(2026, 11, 30),
        domains=("acme.com",),
        interviewers=(MARK, DANA),
        talking_points="I led the CRM migration that cut reporting time in half.",
        status="active",
    )
    values.update(overrides)
    return Interview(**values)


def config(*interviews: Interview, **policy_overrides) -> Config:
    return Config(
        path=Path("/nonexistent/config.yaml"),
        account=Account(provider="maildir", address="beth.smith@gmail.com", aliases=("beth@smith.example",)),
        me=Me(name="Beth Smith", phone="+1 555 0100", signature="Beth Smith\n+1 555 0100\n"),
        timezone="America/New_York",
        check_every=Duration(exact=timedelta(minutes=15), text="15m"),
        state_dir=Path("/nonexistent/state"),
        templates_dir=None,
        policy=policy(**policy_overrides),
        interviews=interviews or (interview(),),
    )


_counter = iter(range(1, 1_000_000))


def message(sender: str, to: str | tuple[str, ...], at: datetime, **overrides) -> Message:
    number = next(_counter)
    values = dict(
        message_id=f"<m{number}@test.example>",
        date=at,
        sender=sender,
        recipients=(to,) if isinstance(to, str) else to,
        subject="Account Executive interview",
        headers=MappingProxyType({}),
        body="",
        folder="INBOX",
        uid=number,
    )
    headers = overrides.pop("headers", None)
    if headers is not None:
        values["headers"] = MappingProxyType({k.lower(): v for k, v in headers.items()})
    values.update(overrides)
    return Message(**values)


def draft_record(key: str, state: str, at: datetime, **overrides) -> DraftRecord:
    interview_id, kind = key.split("/")[:2]
    values = dict(
        key=key,
        interview_id=interview_id,
        kind=kind,
        recipient="mark.jones@acme.com",
        message_id=f"<{kind}@followupd.test>",
        folder="Drafts",
        state=state,
        created_at=at,
        updated_at=at,
    )
    values.update(overrides)
    return DraftRecord(**values)


def with_interviewers(base: Interview, *people: Interviewer) -> Interview:
    return replace(base, interviewers=people)
