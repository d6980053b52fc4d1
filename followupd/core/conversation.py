"""What the mailbox says about one interview's correspondence (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from followupd.core.addresses import domain_of
from followupd.core.classify import classify
from followupd.model import DraftRecord, Interview, Message, Reply

# A reply that means nothing for the sequence: the conversation has not moved on.
NOT_HEARING_BACK = frozenset({Reply.OWN, Reply.AUTO_REPLY, Reply.ACKNOWLEDGMENT})


def is_company_address(address: str, interview: Interview) -> bool:
    """Whether mail from this address counts as the company speaking."""
    address = address.lower()
    return address in interview.addresses or domain_of(address) in interview.domains


@dataclass(frozen=True)
class Correspondence:
    """The messages of one interview, sorted by date, with their meaning."""

    interview: Interview
    from_company: tuple[tuple[Message, Reply], ...]  # after the interview started
    from_me: tuple[Message, ...]  # the user's own mail to the company, any time
    sent_drafts: tuple[DraftRecord, ...]  # followupd drafts the user sent

    @property
    def replies(self) -> tuple[Message, ...]:
        """Company messages that end the follow-up sequence."""
        return tuple(m for m, kind in self.from_company if kind not in NOT_HEARING_BACK)

    @property
    def heard_back(self) -> bool:
        return bool(self.replies)

    @property
    def rejection(self) -> Message | None:
        rejections = [m for m, kind in self.from_company if kind is Reply.REJECTION]
        return rejections[-1] if rejections else None

    def first_reply_after(self, moment: datetime) -> Message | None:
        """The first real reply that arrived after a moment."""
        later = [m for m in self.replies if m.date > moment]
        return later[0] if later else None

    @property
    def last_from_them(self) -> datetime | None:
        return self.from_company[-1][0].date if self.from_company else None

    @property
    def last_from_me(self) -> datetime | None:
        """When the user last wrote to the company (their own mail or a sent draft)."""
        moments = [m.date for m in self.from_me] + [d.updated_at for d in self.sent_drafts]
        return max(moments, default=None)

    def wrote_to_since(self, address: str, moment: datetime) -> bool:
        """Whether the user wrote to this address at or after a moment."""
        address = address.lower()
        return any(
            address in m.recipients and m.date >= moment for m in self.from_me
        ) or any(d.recipient.lower() == address and d.updated_at >= moment for d in self.sent_drafts)

    def latest_with(self, address: str) -> Message | None:
        """The latest message exchanged with a person, either way, to thread onto."""
        address = address.lower()
        exchanged = [m for m in self.from_me if address in m.recipients]
        exchanged += [
            m for m, kind in self.from_company if m.sender == address and kind is not Reply.AUTO_REPLY
        ]
        return max(exchanged, key=lambda m: m.date, default=None)


def correspondence(
    interview: Interview,
    messages: tuple[Message, ...],
    drafts: tuple[DraftRecord, ...],
    own_addresses: frozenset[str],
    thank_you_until: datetime | None = None,
) -> Correspondence:
    """Sort an interview's mail into what they said and what the user said.

    Drafts never get here (scans skip \\Draft mail), so a copy that still
    carries followupd's key header is mail the user sent.
    """
    mine = tuple(
        m
        for m in messages
        if m.sender in own_addresses and any(is_company_address(r, interview) for r in m.recipients)
    )
    own_ids = frozenset(m.message_id for m in mine if m.message_id)
    own_threads = frozenset(m.thread_id for m in mine if m.thread_id)
    window_end = thank_you_until or interview.when
    # "Thanks, we'll be in touch" acknowledges a thank-you note; the same words
    # in answer to a check-in are an answer.
    thank_you_ids = frozenset(m.message_id for m in mine if m.message_id and m.date < window_end)
    sent = tuple(d for d in drafts if d.interview_id == interview.id and d.state == "sent")
    chases = [m.date for m in mine if m.date >= window_end]
    chases += [d.updated_at for d in sent if d.kind == "check_in"]
    first_chase = min(chases, default=None)
    theirs = tuple(
        (m, meaning(m, own_addresses, thank_you_ids, first_chase))
        for m in messages
        if m.date >= interview.when
        and m.sender not in own_addresses
        and (is_company_address(m.sender, interview) or answers(m, own_ids, own_threads))
    )
    return Correspondence(
        interview=interview,
        from_company=tuple(sorted(unique(theirs), key=lambda pair: pair[0].date)),
        from_me=tuple(sorted(unique_messages(mine), key=lambda m: m.date)),
        sent_drafts=sent,
    )


def meaning(
    message: Message,
    own_addresses: frozenset[str],
    thank_you_ids: frozenset[str],
    first_chase: datetime | None,
) -> Reply:
    """The message's classification, where nothing after a check-in is a mere acknowledgment."""
    kind = classify(message, own_addresses, thank_you_ids)
    if kind is Reply.ACKNOWLEDGMENT and first_chase is not None and message.date > first_chase:
        return Reply.OTHER
    return kind


def answers(message: Message, own_ids: frozenset[str], own_threads: frozenset[str]) -> bool:
    """Whether a message answers the user's mail to the company, from whatever address.

    A recruiter replying from a personal address, or a scheduling tool's domain,
    is still the company answering: the thread says so even when the sender does not.
    """
    if message.thread_id and message.thread_id in own_threads:
        return True
    parents = {message.in_reply_to, *message.references} - {None, ""}
    return bool(parents & own_ids)


def unique_messages(messages: tuple[Message, ...]) -> list[Message]:
    """Drop copies of one message seen in several folders (Gmail's All Mail and INBOX)."""
    seen: set[str] = set()
    kept = []
    for message in messages:
        identity = message.message_id or f"{message.folder}/{message.uid}"
        if identity not in seen:
            seen.add(identity)
            kept.append(message)
    return kept


def unique(pairs: tuple[tuple[Message, Reply], ...]) -> list[tuple[Message, Reply]]:
    """The same for classified pairs."""
    kept_messages = set(map(id, unique_messages(tuple(m for m, _ in pairs))))
    return [pair for pair in pairs if id(pair[0]) in kept_messages]
