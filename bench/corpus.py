"""A job seeker's mailbox in numbers: 20 interviews among a year of everyday mail."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterator

from followupd.model import (
    Account,
    Config,
    Duration,
    Folders,
    Interview,
    Interviewer,
    Me,
    Policy,
)

OWN = "alex@candidate.example"
INTERVIEWS = 20
SENT_MESSAGES = 300
PARAGRAPH = (
    "Thanks for being a customer. Here is what changed this week in the products you "
    "follow, with a few suggestions picked for you and the usual links at the bottom.\n"
)


def business(days: int) -> Duration:
    return Duration(business_days=days, text=f"{days} business days")


def exact(**span: float) -> Duration:
    return Duration(exact=timedelta(**span), text=str(timedelta(**span)))


def people(number: int) -> tuple[Interviewer, Interviewer]:
    """The two interviewers of interview `number`, at their company's domain."""
    domain = f"company{number}.example"
    return (Interviewer(f"Dana Lead{number}", f"dana.lead{number}@{domain}"),
            Interviewer(f"Sam Peer{number}", f"sam.peer{number}@{domain}"))


def interviews(now: datetime) -> tuple[Interview, ...]:
    """Twenty active interviews, one every other day over the last forty days."""
    found = []
    for number in range(INTERVIEWS):
        when = now - timedelta(days=2 * number + 1, hours=3)
        found.append(Interview(
            id=f"company{number}-engineer", company=f"Company {number}", position="Engineer",
            when=when, decision="within two weeks", deadline=(when + timedelta(days=14)).date(),
            domains=(f"company{number}.example",), interviewers=people(number),
        ))
    return tuple(found)


def config(now: datetime, port: int, username: str, state_dir: Path) -> Config:
    """A followupd config for the benchmark user on the loopback Dovecot."""
    account = Account(provider="imap", address=OWN, host="127.0.0.1", port=port,
                      security="plain", username=username, password="command",
                      password_command="echo unused", folders=Folders())
    policy = Policy(thank_you_after=exact(hours=2), thank_you_window=exact(days=3),
                    default_decision=business(5), grace=business(1),
                    followup_spacing=business(5), holidays=None)
    return Config(path=state_dir / "config.yaml", account=account,
                  me=Me(name="Alex Candidate"), timezone="UTC",
                  check_every=exact(minutes=15), state_dir=state_dir, templates_dir=None,
                  policy=policy, interviews=interviews(now))


def raw_message(sender: str, to: str, subject: str, when: datetime, number: int,
                paragraphs: int = 4) -> bytes:
    """One plain-text message of roughly 1–2 KB."""
    head = (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n"
            f"Date: {when:%a, %d %b %Y %H:%M:%S +0000}\r\n"
            f"Message-ID: <bench{number}.{when.timestamp():.0f}@bench.example>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
    return (head + PARAGRAPH * paragraphs).replace("\n", "\r\n").encode()


def everyday_mail(count: int, now: datetime, seed: int = 7) -> Iterator[tuple[bytes, float]]:
    """`count` untracked messages spread over the last year, oldest first."""
    generator = random.Random(seed)
    moments = sorted(generator.uniform(0, 365 * 86400) for _ in range(count))
    for number, seconds_ago in enumerate(reversed(moments)):
        when = now - timedelta(seconds=seconds_ago)
        sender = f"news{generator.randrange(200)}@shop{generator.randrange(40)}.example"
        yield raw_message(sender, OWN, f"Weekly digest {number}", when, number,
                          generator.randrange(2, 8)), when.timestamp()


def interview_mail(now: datetime) -> Iterator[tuple[bytes, float]]:
    """Each company's invitation, sent four days before its interview."""
    for number, interview in enumerate(interviews(now)):
        when = interview.when - timedelta(days=4)
        sender = interview.interviewers[0].email or ""
        yield raw_message(sender, OWN, f"Interview invitation {number}", when,
                          900_000 + number, 2), when.timestamp()


def inbox(count: int, now: datetime) -> list[tuple[bytes, float]]:
    """The watched folder: everyday mail and the interview invitations, by arrival."""
    messages = [*everyday_mail(count - INTERVIEWS, now), *interview_mail(now)]
    return sorted(messages, key=lambda pair: pair[1])


def sent(now: datetime) -> list[tuple[bytes, float]]:
    """The user's own mail over the year, with an acceptance per invitation."""
    generator = random.Random(11)
    found = []
    for number in range(SENT_MESSAGES - INTERVIEWS):
        when = now - timedelta(seconds=generator.uniform(0, 365 * 86400))
        found.append((raw_message(OWN, f"friend{number % 30}@home.example", "Hi", when,
                                  800_000 + number, 1), when.timestamp()))
    for number, interview in enumerate(interviews(now)):
        when = interview.when - timedelta(days=3)
        to = interview.interviewers[0].email or ""
        found.append((raw_message(OWN, to, f"Re: Interview invitation {number}", when,
                                  850_000 + number, 1), when.timestamp()))
    return sorted(found, key=lambda pair: pair[1])


def new_mail(batch: int, now: datetime) -> list[bytes]:
    """Ten new messages: seven everyday ones and three from interviewers."""
    found = [raw_message(f"news{n}@shop.example", OWN, f"Flash sale {batch}.{n}", now,
                         700_000 + batch * 10 + n) for n in range(7)]
    for n in range(3):
        person = people(n + 3 * batch)[1]
        found.append(raw_message(person.email or "", OWN, f"Quick question {batch}.{n}", now,
                                 710_000 + batch * 10 + n, 2))
    return found


