"""Plain value types shared by the pure core and the shell; no I/O here."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping

# --------------------------------------------------------------------------
# Durations and the business calendar
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Duration:
    """A span written in the config: exact (`90m`, `3d`, `1w`) or in business days."""

    exact: timedelta | None = None
    business_days: int | None = None
    text: str = ""

    def __str__(self) -> str:
        return self.text or (
            f"{self.business_days} business days"
            if self.business_days is not None
            else str(self.exact)
        )


# --------------------------------------------------------------------------
# Configuration (built and validated by config.py only)
# --------------------------------------------------------------------------

PROVIDERS = ("gmail", "outlook", "fastmail", "icloud", "yahoo", "imap", "maildir")
SECURITY_MODES = ("tls", "starttls", "plain")
PASSWORD_SOURCES = ("keyring", "command", "credential", "oauth2")
STATUSES = ("active", "offer", "rejected", "withdrawn", "closed")


@dataclass(frozen=True)
class Folders:
    """Folder overrides; None means auto-detect."""

    drafts: str | None = None
    sent: str | None = None
    watch: tuple[str, ...] = ()


@dataclass(frozen=True)
class OAuth2Settings:
    """The user's own OAuth client and the endpoints it signs in at, resolved from the provider."""

    client_id: str
    client_secret: str | None = None  # Google Desktop clients have one; Microsoft public clients do not
    tenant: str | None = None  # Microsoft only: common, organizations, consumers, or a tenant id/domain
    auth_url: str | None = None  # only `followupd login` needs it
    token_url: str = ""
    scopes: tuple[str, ...] = ()
    refresh_token_file: Path | None = None  # used only where there is no keyring


@dataclass(frozen=True)
class Bearer:
    """An OAuth2 access token for SASL XOAUTH2, and how to get a fresh one if the server refuses it."""

    token: str = field(repr=False)
    renew: Callable[[], str] = field(repr=False, compare=False)


@dataclass(frozen=True)
class Account:
    provider: str
    address: str
    aliases: tuple[str, ...] = ()
    host: str | None = None
    port: int | None = None
    security: str = "tls"
    tls_ca_file: Path | None = None
    username: str | None = None
    password: str = "keyring"
    password_command: str | None = None
    folders: Folders = Folders()
    path: Path | None = None
    oauth2: OAuth2Settings | None = None  # set exactly when password is oauth2

    @property
    def login(self) -> str:
        return self.username or self.address

    @property
    def own_addresses(self) -> frozenset[str]:
        return frozenset(a.lower() for a in (self.address, *self.aliases))


@dataclass(frozen=True)
class Me:
    name: str
    phone: str | None = None
    signature: str = ""


@dataclass(frozen=True)
class Policy:
    thank_you_after: Duration
    thank_you_window: Duration
    default_decision: Duration
    grace: Duration
    followup_spacing: Duration
    max_followups: int = 2
    call_reminder: bool = True
    thanks_after_rejection: bool = True
    retract_obsolete_drafts: bool = True
    holidays: str | None = None


@dataclass(frozen=True)
class Notify:
    """Where followupd tells the user something happened; nowhere by default."""

    desktop: bool = False
    url: str | None = None
    command: str | None = None


@dataclass(frozen=True)
class Interviewer:
    name: str
    email: str | None = None
    phone: str | None = None
    notes: str = ""


@dataclass(frozen=True)
class Interview:
    id: str
    company: str
    position: str
    when: datetime  # aware, in the config's timezone
    decision: str  # the employer's words, verbatim
    deadline: date  # the last day they gave themselves
    domains: tuple[str, ...]
    interviewers: tuple[Interviewer, ...]
    talking_points: str = ""
    status: str = "active"

    @property
    def addresses(self) -> frozenset[str]:
        return frozenset(i.email.lower() for i in self.interviewers if i.email)


@dataclass(frozen=True)
class Config:
    path: Path
    account: Account
    me: Me
    timezone: str
    check_every: Duration
    state_dir: Path
    templates_dir: Path | None
    policy: Policy
    interviews: tuple[Interview, ...]
    notify: Notify = Notify()


# --------------------------------------------------------------------------
# Mailbox facts: what any mailbox (IMAP, Maildir) tells the planner
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """The threading and classification facts of one message, decoded."""

    message_id: str  # with angle brackets, as in the header; "" if missing
    date: datetime  # aware
    sender: str  # lower-case address
    sender_name: str = ""
    recipients: tuple[str, ...] = ()  # lower-case addresses from To and Cc
    subject: str = ""
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # ^ lower-case names -> decoded values, only the ones classification needs:
    #   auto-submitted, x-autoreply, x-autorespond, precedence, x-followupd-key,
    #   list-id, and reply-to (its first address, lower-case)
    body: str = ""  # text/plain excerpt (at most ~16 KB), decoded
    folder: str = ""
    uid: int | None = None
    thread_id: str | None = None  # X-GM-THRID where the server has it

    @property
    def followupd_key(self) -> str | None:
        return self.headers.get("x-followupd-key")


class Reply(enum.Enum):
    """What an inbound message means for the sequence."""

    OWN = "own"  # the user's own message or one of followupd's drafts
    AUTO_REPLY = "auto_reply"
    REJECTION = "rejection"
    NEXT_STEP = "next_step"
    ACKNOWLEDGMENT = "acknowledgment"
    OTHER = "other"


# --------------------------------------------------------------------------
# The ledger of drafts followupd made
# --------------------------------------------------------------------------

DRAFT_STATES = ("created", "sent", "dismissed", "retracted")


@dataclass(frozen=True)
class DraftRecord:
    key: str
    interview_id: str
    kind: str
    recipient: str
    message_id: str
    folder: str
    state: str  # created | sent | dismissed | retracted
    created_at: datetime
    updated_at: datetime
    uid: int | None = None
    uidvalidity: int | None = None
    body_hash: str = ""
    in_reply_to: str | None = None


# --------------------------------------------------------------------------
# The planner's output
# --------------------------------------------------------------------------

ACTION_KINDS = ("thank_you", "check_in", "call_reminder", "thanks_after_rejection")


@dataclass(frozen=True)
class Action:
    kind: str  # one of ACTION_KINDS
    key: str  # stable identity: never drafted twice
    interview_id: str
    due: datetime  # aware
    recipient: str  # address the draft goes to
    recipient_name: str
    interviewer: Interviewer | None = None
    sequence: int = 1  # the check-in's number
    reply_to: Message | None = None  # the message to thread onto
    expires: datetime | None = None  # too late to draft after this (thank-yous)


STAGES = ("upcoming", "waiting", "overdue", "heard_back", "rejected", "closed")


@dataclass(frozen=True)
class InterviewState:
    interview: Interview
    stage: str
    last_from_them: datetime | None
    last_from_me: datetime | None
    next_action: Action | None
    note: str = ""  # a human explanation, e.g. "waiting for you to send check-in 1"


@dataclass(frozen=True)
class Plan:
    due: tuple[Action, ...]  # to draft now
    upcoming: tuple[Action, ...]  # known future actions, by due time
    next_due: datetime | None  # the earliest future moment worth waking for
    interviews: tuple[InterviewState, ...]
    obsolete: tuple[DraftRecord, ...] = ()  # unsent drafts a reply has made pointless
